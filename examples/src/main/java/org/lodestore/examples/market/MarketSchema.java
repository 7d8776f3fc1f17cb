package org.lodestore.examples.market;

import java.time.Instant;
import java.util.UUID;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.examples.market.fbs.Market;
import org.lodestore.examples.market.fbs.Pair;
import org.lodestore.examples.market.fbs.Tick;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * Market data, after pydefi's schema in the zlmdb reference: exchanges, pairs and markets, the
 * indexes that navigate between them, and two time series per market.
 *
 * <pre>
 *  exchanges          uuid -> Exchange (CBOR)
 *  pairs              uuid -> Pair (FlatBuffers)
 *  markets            uuid -> Market (FlatBuffers)       references an exchange and a pair
 *    by_exchange      exchange uuid -> {market uuid}     UUID-set index, maintained on every write
 *    by_pair          pair uuid -> {market uuid}         UUID-set index, maintained on every write
 *    ref.exchange     the same, kept by each reference for its checks: a market's exchange and
 *    ref.pair         pair must exist, and one that a market references cannot be deleted
 *  tickers            (market, time) -> Tick (FlatBuffers)   one series per market
 *  trades             (market, time) -> Trade (CBOR)         one series per market
 *  tickers_by_time    (time, market) -> Tick (FlatBuffers)   the whole market, time first
 * </pre>
 *
 * <h2>Why two layouts for ticks</h2>
 *
 * Keys sort by their first component, then the second. Under (market, time) the rows of one market
 * are contiguous and in time order, so "market m between t0 and t1" is one short range scan that
 * touches nothing else, and "latest N of m" is a reverse scan of N rows. Under (time, market) the
 * rows of one instant are contiguous, which is what "every market between t0 and t1" wants; but a
 * range from (t0, m) to (t1, m) there covers every row of <em>every</em> market whose time lies
 * between t0 and t1 (at each time in between, all markets sort between m's rows). zlmdb's reference
 * uses {@code select(from=(t0, m), to=(t1, m))} on a (time, market) table to read one series, and
 * silently gets the other series' rows in between. So: one market's window reads {@link #tickers};
 * a cross-market window reads {@link #tickersByTime}; {@link #recordTick} writes both in the same
 * transaction. {@code MarketExample} shows the difference with numbers.
 *
 * <p>The oids are the tables' identities on disk; they never change, while names may.
 */
public final class MarketSchema extends Schema {

  /**
   * The pairs' codec: {@code pairFb.build(writer)} makes a value to put, {@code
   * pairFb.copyOf(view)} keeps one beyond its transaction.
   */
  public final FlatBuffersCodec<Pair> pairFb = FlatBuffersCodec.of(Pair::getRootAsPair, Pair::new);

  /** The markets' codec: {@code marketFb.build(writer)}, {@code marketFb.copyOf(view)}. */
  public final FlatBuffersCodec<Market> marketFb =
      FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);

  /**
   * The ticks' codec, for both layouts: {@code tickFb.build(writer)}, {@code tickFb.copyOf(view)}.
   */
  public final FlatBuffersCodec<Tick> tickFb = FlatBuffersCodec.of(Tick::getRootAsTick, Tick::new);

  /** Exchanges by oid. */
  public final SchemaTable<UUID, Exchange> exchanges =
      table(
          "25e93c9d-2fd9-4c48-935e-cb7f0cc744ea",
          "exchanges",
          KeyCodecs.UUID,
          CborCodec.of(Exchange.class));

  /** Currency pairs by oid. */
  public final SchemaTable<UUID, Pair> pairs =
      table("e967543a-ea5c-4e1b-96c5-d40579b01bb2", "pairs", KeyCodecs.UUID, pairFb);

  /** Markets (a pair on an exchange) by oid. */
  public final SchemaTable<UUID, Market> markets =
      table("7b4dced2-2626-4a84-b2c9-049596ce8242", "markets", KeyCodecs.UUID, marketFb);

  /** Exchange oid to the oids of its markets (a UUID-set index: updated by every market write). */
  public final MultiIndex<UUID, UUID, Market> marketsByExchange =
      index(markets, "by_exchange", KeyCodecs.UUID, m -> Ids.uuid(m.exchangeOid()));

  /** Pair oid to the oids of the markets that trade it. */
  public final MultiIndex<UUID, UUID, Market> marketsByPair =
      index(markets, "by_pair", KeyCodecs.UUID, m -> Ids.uuid(m.pairOid()));

  /**
   * The (market, time) key of {@link #tickers} and {@link #trades}: declared once, it keys both
   * tables and types their prefix ranges, {@code KeyRange.prefix(SERIES_KEY, market)
   * .reversed().limit(5)} being the latest 5 rows of one market.
   */
  public static final Tuple2KeyCodec<UUID, Instant> SERIES_KEY =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);

  /** Ticks per market: (market, time) to a top-of-book snapshot. */
  public final SchemaTable<Tuple2<UUID, Instant>, Tick> tickers =
      table("7fd40a51-10f6-46e8-8897-d39aa3a21749", "tickers", SERIES_KEY, tickFb);

  /** Trades per market: (market, time) to a trade. */
  public final SchemaTable<Tuple2<UUID, Instant>, Trade> trades =
      table(
          "753dfb46-1612-471c-822a-c6c51bcd3343", "trades", SERIES_KEY, CborCodec.of(Trade.class));

  /** The same ticks keyed (time, market), for windows over every market at once. */
  public final SchemaTable<Tuple2<Instant, UUID>, Tick> tickersByTime =
      table(
          "56a2c5d3-fc0c-460a-866d-2270693e10e5",
          "tickers_by_time",
          KeyCodecs.tuple(KeyCodecs.TIMESTAMP, KeyCodecs.UUID),
          tickFb);

  /** Declares the tables; attach with {@code db.attach(new MarketSchema())}. */
  public MarketSchema() {
    reference(markets, "exchange", m -> Ids.uuid(m.exchangeOid()), exchanges);
    reference(markets, "pair", m -> Ids.uuid(m.pairOid()), pairs);
  }

  /**
   * Stores a pair.
   *
   * @param txn a write transaction
   * @param oid the pair's oid
   * @param base the base currency, e.g. "BTC"
   * @param quote the quote currency, e.g. "EUR"
   */
  public void putPair(final Txn txn, final UUID oid, final String base, final String quote) {
    pairs.put(
        txn,
        oid,
        pairFb.build(
            b -> {
              final int baseOffset = b.createString(base);
              final int quoteOffset = b.createString(quote);
              Pair.startPair(b);
              Pair.addOid(b, Ids.uuid(b, oid));
              Pair.addBase(b, baseOffset);
              Pair.addQuote(b, quoteOffset);
              return Pair.endPair(b);
            }));
  }

  /**
   * Stores a market; its exchange and pair must exist (the references are checked), and both
   * indexes are updated in the same transaction.
   *
   * @param txn a write transaction
   * @param oid the market's oid
   * @param exchange the exchange's oid
   * @param pair the pair's oid
   * @param symbol the exchange's symbol for it, e.g. "BTC-EUR"
   * @param tickSize the price increment
   * @param listed when it was listed
   */
  public void putMarket(
      final Txn txn,
      final UUID oid,
      final UUID exchange,
      final UUID pair,
      final String symbol,
      final double tickSize,
      final Instant listed) {
    markets.put(
        txn,
        oid,
        marketFb.build(
            b -> {
              final int symbolOffset = b.createString(symbol);
              Market.startMarket(b);
              Market.addOid(b, Ids.uuid(b, oid));
              Market.addExchangeOid(b, Ids.uuid(b, exchange));
              Market.addPairOid(b, Ids.uuid(b, pair));
              Market.addSymbol(b, symbolOffset);
              Market.addTickSize(b, tickSize);
              Market.addListedNanos(b, listed.getEpochSecond() * 1_000_000_000L + listed.getNano());
              return Market.endMarket(b);
            }));
  }

  /**
   * Records a tick in both layouts, {@link #tickers} and {@link #tickersByTime}.
   *
   * @param txn a write transaction
   * @param market the market's oid
   * @param time the tick's time
   * @param bid best bid
   * @param ask best ask
   * @param last last traded price
   * @param volume volume traded since the previous tick
   */
  public void recordTick(
      final Txn txn,
      final UUID market,
      final Instant time,
      final double bid,
      final double ask,
      final double last,
      final double volume) {
    final Tick tick = tickFb.build(b -> Tick.createTick(b, bid, ask, last, volume));
    tickers.put(txn, Tuple2.of(market, time), tick);
    tickersByTime.put(txn, Tuple2.of(time, market), tick);
  }
}
