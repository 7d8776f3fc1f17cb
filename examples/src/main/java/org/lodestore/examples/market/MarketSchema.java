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
import org.lodestore.schema.Index;
import org.lodestore.schema.MapTimestampUuidFlatBuffers;
import org.lodestore.schema.MapUuidCbor;
import org.lodestore.schema.MapUuidFlatBuffers;
import org.lodestore.schema.MapUuidTimestampCbor;
import org.lodestore.schema.MapUuidTimestampFlatBuffers;
import org.lodestore.schema.Schema;

/**
 * Market data, after pydefi's schema in the zlmdb reference: exchanges, pairs and markets, the
 * indexes that navigate between them, and two time series per market.
 *
 * <pre>
 *  exchanges          uuid -> Exchange (CBOR)
 *  pairs              uuid -> Pair (FlatBuffers)
 *  markets            uuid -> Market (FlatBuffers)       references an exchange and a pair (checked)
 *    by_exchange      exchange uuid -> {market uuid}     UUID-set index, maintained on every write
 *    by_pair          pair uuid -> {market uuid}         UUID-set index, maintained on every write
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
 * between t0 and t1 (at each time in between, all markets sort between m's rows). zlmdb's
 * reference uses {@code select(from=(t0, m), to=(t1, m))} on a (time, market) table to read one
 * series, and silently gets the other series' rows in between. So: one market's window reads
 * {@link #tickers}; a cross-market window reads {@link #tickersByTime}; {@link #recordTick} writes
 * both in the same transaction. {@code MarketExample} shows the difference with numbers.
 *
 * <p>The oids are the tables' identities on disk; they never change, while names may.
 */
public final class MarketSchema extends Schema {

  /** Exchanges by oid. */
  public final MapUuidCbor<Exchange> exchanges =
      table(
          "25e93c9d-2fd9-4c48-935e-cb7f0cc744ea", "exchanges", MapUuidCbor.of(Exchange.class));

  /** Currency pairs by oid. */
  public final MapUuidFlatBuffers<Pair> pairs =
      table(
          "e967543a-ea5c-4e1b-96c5-d40579b01bb2",
          "pairs",
          MapUuidFlatBuffers.of(Pair::getRootAsPair, Pair::new));

  /** Markets (a pair on an exchange) by oid. */
  public final MapUuidFlatBuffers<Market> markets =
      table(
          "7b4dced2-2626-4a84-b2c9-049596ce8242",
          "markets",
          MapUuidFlatBuffers.of(Market::getRootAsMarket, Market::new));

  /** Exchange oid to the oids of its markets (a UUID-set index: updated by every market write). */
  public final Index<UUID, UUID, Market> marketsByExchange =
      index(markets, "by_exchange", KeyCodecs.UUID, m -> Ids.uuid(m.exchangeOid()));

  /** Pair oid to the oids of the markets that trade it. */
  public final Index<UUID, UUID, Market> marketsByPair =
      index(markets, "by_pair", KeyCodecs.UUID, m -> Ids.uuid(m.pairOid()));

  /**
   * The (market, time) key of {@link #tickers} and {@link #trades}, which types their prefix
   * ranges: {@code KeyRange.prefix(SERIES_KEY, market).reversed().limit(5)} is the latest 5 rows.
   */
  public static final Tuple2KeyCodec<UUID, Instant> SERIES_KEY =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);

  /** Ticks per market: (market, time) to a top-of-book snapshot. */
  public final MapUuidTimestampFlatBuffers<Tick> tickers =
      table(
          "7fd40a51-10f6-46e8-8897-d39aa3a21749",
          "tickers",
          MapUuidTimestampFlatBuffers.of(Tick::getRootAsTick, Tick::new));

  /** Trades per market: (market, time) to a trade. */
  public final MapUuidTimestampCbor<Trade> trades =
      table("753dfb46-1612-471c-822a-c6c51bcd3343", "trades", MapUuidTimestampCbor.of(Trade.class));

  /** The same ticks keyed (time, market), for windows over every market at once. */
  public final MapTimestampUuidFlatBuffers<Tick> tickersByTime =
      table(
          "56a2c5d3-fc0c-460a-866d-2270693e10e5",
          "tickers_by_time",
          MapTimestampUuidFlatBuffers.of(Tick::getRootAsTick, Tick::new));

  /** Declares the tables; attach with {@code db.attach(new MarketSchema())}. */
  public MarketSchema() {
    reference(markets, "exchange", KeyCodecs.UUID, m -> Ids.uuid(m.exchangeOid()), exchanges, true);
    reference(markets, "pair", KeyCodecs.UUID, m -> Ids.uuid(m.pairOid()), pairs, true);
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
        pairs.build(
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
        markets.build(
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
    final Tick tick = tickers.build(b -> Tick.createTick(b, bid, ask, last, volume));
    tickers.put(txn, Tuple2.of(market, time), tick);
    tickersByTime.put(txn, Tuple2.of(time, market), tick);
  }
}
