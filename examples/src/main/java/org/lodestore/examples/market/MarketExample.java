package org.lodestore.examples.market;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.key.Tuple2;
import org.lodestore.examples.Examples;
import org.lodestore.examples.market.fbs.Market;
import org.lodestore.examples.market.fbs.Tick;

/**
 * The market data example: exchanges, pairs and markets navigated through their indexes, and the
 * queries a market data service runs on its time series. Run it with {@code mvn -B -q -pl examples
 * exec:exec -Ddemo.mainClass=org.lodestore.examples.market.MarketExample}.
 *
 * <p>Every market is every pair on every exchange. Market {@code k} of {@code n} ticks once a
 * second, at {@code k/n} seconds past the second, so that the markets' rows interleave in time as a
 * real feed's do; it trades every {@link Volume#tradeEvery()}.
 */
public final class MarketExample {

  /** Where the data starts: 09:00 UTC on a Monday. */
  public static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  private static final String[][] EXCHANGES = {
    {"Kraken", "US", "https://kraken.com"},
    {"Bitstamp", "LU", "https://bitstamp.net"},
    {"Coinbase", "US", "https://coinbase.com"},
    {"Bitpanda", "AT", "https://bitpanda.com"},
    {"Bitvavo", "NL", "https://bitvavo.com"},
  };

  private static final String[][] PAIRS = {
    {"BTC", "EUR", "42000"}, {"ETH", "EUR", "2300"}, {"SOL", "EUR", "95"}, {"XRP", "EUR", "0.55"},
    {"ADA", "EUR", "0.48"}, {"DOT", "EUR", "6.9"}, {"LTC", "EUR", "65"}, {"LINK", "EUR", "14"},
  };

  /**
   * How much data the example writes.
   *
   * @param exchanges the number of exchanges, 1..5
   * @param pairs the number of pairs, 1..8; each is listed on every exchange
   * @param ticksPerMarket ticks per market, one per second, at least 120
   * @param tradeEvery one trade per market this often
   */
  public record Volume(int exchanges, int pairs, int ticksPerMarket, Duration tradeEvery) {

    /** The volume {@link #main} uses: 3 exchanges x 4 pairs, 10 minutes of ticks. */
    public static final Volume DEFAULT = new Volume(3, 4, 600, Duration.ofSeconds(5));

    /**
     * Checks the bounds.
     *
     * @param exchanges the number of exchanges, 1..5
     * @param pairs the number of pairs, 1..8
     * @param ticksPerMarket ticks per market, at least 120
     * @param tradeEvery one trade per market this often, positive
     */
    public Volume {
      if (exchanges < 1 || exchanges > EXCHANGES.length || pairs < 1 || pairs > PAIRS.length) {
        throw new IllegalArgumentException("1..5 exchanges and 1..8 pairs");
      }
      if (ticksPerMarket < 120 || tradeEvery.isNegative() || tradeEvery.isZero()) {
        throw new IllegalArgumentException("at least 120 ticks per market and a positive interval");
      }
    }
  }

  /**
   * What the queries found; the test checks it.
   *
   * @param markets the number of markets written
   * @param ticks ticks written per layout
   * @param trades trades written
   * @param krakenSymbols the symbols of Kraken's markets, through the by-exchange index
   * @param btcEurExchanges the exchanges that list BTC/EUR, through the by-pair index
   * @param forward the tick times of one market in [t+60s, t+70s), ascending
   * @param backward the same window, descending
   * @param latest the times of that market's 5 latest ticks, newest first
   * @param lastMinuteTrades that market's trades in the last minute
   * @param lastMinuteVolume their summed size
   * @param wholeMarketRows rows of every market in one second, from the (time, market) table
   * @param wholeMarketMarkets distinct markets among them
   * @param naiveRows rows a zlmdb-style range (t0, m)..(t1, m) over (time, market) returned
   * @param naiveForeignRows how many of those belong to other markets
   * @param seriesRows rows of the same window from the (market, time) table: only that market's
   */
  public record Result(
      int markets,
      long ticks,
      long trades,
      List<String> krakenSymbols,
      List<String> btcEurExchanges,
      List<Instant> forward,
      List<Instant> backward,
      List<Instant> latest,
      int lastMinuteTrades,
      double lastMinuteVolume,
      int wholeMarketRows,
      int wholeMarketMarkets,
      int naiveRows,
      int naiveForeignRows,
      int seriesRows) {}

  private MarketExample() {}

  /**
   * Runs the example in {@code data/examples/market} (or the directory given as the first
   * argument), starting fresh.
   *
   * @param args an optional database directory
   */
  public static void main(final String[] args) {
    final Path dir = Examples.databaseDir(args, "market");
    Examples.deleteDatabase(dir);
    run(dir, Volume.DEFAULT, System.out);
  }

  /**
   * Writes the data and runs the queries, printing what they find.
   *
   * @param dir the database directory (created if missing)
   * @param volume how much to write
   * @param out where to print
   * @return what the queries found
   */
  public static Result run(final Path dir, final Volume volume, final PrintStream out) {
    try (Database db = Database.open(dir)) {
      return run(db, volume, out);
    }
  }

  /**
   * Writes the data and runs the queries, printing what they find, on an open database (a test's,
   * say); {@link #run(Path, Volume, PrintStream)} opens one and runs this.
   *
   * @param db an open database; the example attaches its schema
   * @param volume how much to write
   * @param out where to print
   * @return what the queries found
   */
  public static Result run(final Database db, final Volume volume, final PrintStream out) {
    final MarketSchema s = db.attach(new MarketSchema());
    final List<UUID> exchanges = new ArrayList<>();
    final List<UUID> pairs = new ArrayList<>();
    final List<UUID> markets = new ArrayList<>();
    db.write(txn -> writeReferenceData(txn, s, volume, exchanges, pairs, markets));
    long trades = 0;
    for (int k = 0; k < markets.size(); k++) {
      final int index = k;
      // one transaction per market's series: all or nothing, and one commit instead of thousands.
      // writeAndGet may run the function again after growing the map, so it only returns a count
      trades += db.writeAndGet(txn -> writeSeries(txn, s, volume, markets, index));
    }
    out.printf(
        "wrote %d exchanges, %d pairs, %d markets, %,d ticks (twice: per market and by time),"
            + " %,d trades%n",
        volume.exchanges(),
        volume.pairs(),
        markets.size(),
        (long) markets.size() * volume.ticksPerMarket(),
        trades);
    try (Txn txn = db.beginRead()) {
      return query(txn, s, volume, exchanges, pairs, markets, trades, out);
    }
  }

  private static void writeReferenceData(
      final Txn txn,
      final MarketSchema s,
      final Volume volume,
      final List<UUID> exchanges,
      final List<UUID> pairs,
      final List<UUID> markets) {
    exchanges.clear();
    pairs.clear();
    markets.clear();
    for (int e = 0; e < volume.exchanges(); e++) {
      final String[] x = EXCHANGES[e];
      final UUID oid = Ids.named("exchange/" + x[0]);
      s.exchanges.put(txn, oid, new Exchange(x[0], x[1], x[2]));
      exchanges.add(oid);
    }
    for (int p = 0; p < volume.pairs(); p++) {
      final UUID oid = Ids.named("pair/" + PAIRS[p][0] + "/" + PAIRS[p][1]);
      s.putPair(txn, oid, PAIRS[p][0], PAIRS[p][1]);
      pairs.add(oid);
    }
    for (int e = 0; e < volume.exchanges(); e++) {
      for (int p = 0; p < volume.pairs(); p++) {
        final String symbol = PAIRS[p][0] + "-" + PAIRS[p][1];
        final UUID oid = Ids.named("market/" + EXCHANGES[e][0] + "/" + symbol);
        // the references are checked: the exchange and the pair must already be there
        s.putMarket(
            txn, oid, exchanges.get(e), pairs.get(p), symbol, 0.01, T0.minusSeconds(86_400));
        markets.add(oid);
      }
    }
  }

  /** Market {@code k}'s tick {@code i}: {@code i + k/n} seconds after {@link #T0}. */
  static Instant tickTime(final int k, final int n, final int i) {
    return T0.plusSeconds(i).plusNanos(1_000_000_000L * k / n);
  }

  private static long writeSeries(
      final Txn txn,
      final MarketSchema s,
      final Volume volume,
      final List<UUID> markets,
      final int k) {
    final UUID market = markets.get(k);
    final double base = Double.parseDouble(PAIRS[k % volume.pairs()][2]);
    final int n = markets.size();
    for (int i = 0; i < volume.ticksPerMarket(); i++) {
      final double mid = base * (1 + 0.002 * Math.sin(i / 30.0 + k));
      final double spread = base * 0.0001;
      s.recordTick(
          txn, market, tickTime(k, n, i), mid - spread, mid + spread, mid, 0.1 * (1 + i % 7));
    }
    final long span = volume.ticksPerMarket() * 1_000_000_000L;
    final long every = volume.tradeEvery().toNanos();
    long written = 0;
    for (long at = every / 2; at < span; at += every) {
      final double price = base * (1 + 0.002 * Math.sin(at / 30e9 + k));
      final Side side = (at / every) % 3 == 0 ? Side.SELL : Side.BUY;
      s.trades.put(
          txn,
          Tuple2.of(market, T0.plusNanos(at).plusNanos(1_000_000_000L * k / n)),
          new Trade(k * 1_000_000L + written, price, 0.01 * (1 + written % 5), side));
      written++;
    }
    return written;
  }

  private static Result query(
      final Txn txn,
      final MarketSchema s,
      final Volume volume,
      final List<UUID> exchanges,
      final List<UUID> pairs,
      final List<UUID> markets,
      final long trades,
      final PrintStream out) {
    // 1. navigate: the markets of an exchange, and the exchanges that list a pair
    final List<String> krakenSymbols = new ArrayList<>();
    try (Cursor<UUID, UUID> c = s.marketsByExchange.select(txn, exchanges.get(0))) {
      while (c.next()) {
        krakenSymbols.add(s.markets.get(txn, c.value()).symbol());
      }
    }
    krakenSymbols.sort(null);
    out.println("markets on Kraken (by_exchange index): " + krakenSymbols);
    final List<String> btcEurExchanges = new ArrayList<>();
    try (Cursor<UUID, UUID> c = s.marketsByPair.select(txn, pairs.get(0))) {
      while (c.next()) {
        final Market m = s.markets.get(txn, c.value());
        btcEurExchanges.add(s.exchanges.get(txn, Ids.uuid(m.exchangeOid())).name());
      }
    }
    btcEurExchanges.sort(null);
    out.println("exchanges listing BTC/EUR (by_pair index): " + btcEurExchanges);

    // 2. one market over a window, forward and backward; then its latest ticks
    final UUID market = markets.get(0); // Kraken BTC-EUR, ticking on whole seconds
    final Instant from = T0.plusSeconds(60);
    final Instant to = T0.plusSeconds(70);
    final KeyRange<Tuple2<UUID, Instant>> window =
        KeyRange.closedOpen(Tuple2.of(market, from), Tuple2.of(market, to));
    final List<Instant> forward = times(txn, s, window, out, "Kraken BTC-EUR [09:01:00, 09:01:10)");
    final List<Instant> backward = times(txn, s, window.reversed(), null, null);
    out.println(
        "  same window backward: " + backward.get(0) + " .. " + backward.get(backward.size() - 1));
    final List<Instant> latest =
        times(
            txn,
            s,
            KeyRange.prefix(MarketSchema.SERIES_KEY, market).reversed().limit(5),
            out,
            "latest 5 ticks of Kraken BTC-EUR");

    // 3. the same market's trades over the last minute (CBOR values, decoded to records)
    final Instant end = T0.plusSeconds(volume.ticksPerMarket());
    int lastMinuteTrades = 0;
    double lastMinuteVolume = 0;
    try (Cursor<Tuple2<UUID, Instant>, Trade> c =
        s.trades.select(
            txn,
            KeyRange.closedOpen(Tuple2.of(market, end.minusSeconds(60)), Tuple2.of(market, end)))) {
      while (c.next()) {
        lastMinuteTrades++;
        lastMinuteVolume += c.value().size();
      }
    }
    out.printf(
        "trades of Kraken BTC-EUR in the last minute: %d, volume %.2f BTC%n",
        lastMinuteTrades, lastMinuteVolume);

    // 4. every market over one second: the (time, market) layout; bounds (t, MIN) cover all of t
    final Set<UUID> seen = new HashSet<>();
    int wholeMarketRows = 0;
    try (Cursor<Tuple2<Instant, UUID>, Tick> c =
        s.tickersByTime.select(
            txn,
            KeyRange.closedOpen(
                Tuple2.of(from, Ids.MIN), Tuple2.of(from.plusSeconds(1), Ids.MIN)))) {
      while (c.next()) {
        wholeMarketRows++;
        seen.add(c.key().second());
      }
    }
    out.printf(
        "whole market [09:01:00, 09:01:01) from tickers_by_time: %d ticks of %d markets%n",
        wholeMarketRows, seen.size());

    // 5. the zlmdb pitfall: (t0, m)..(t1, m) over (time, market) is not market m's series
    int naiveRows = 0;
    int naiveForeignRows = 0;
    try (Cursor<Tuple2<Instant, UUID>, Tick> c =
        s.tickersByTime.select(
            txn, KeyRange.closed(Tuple2.of(from, market), Tuple2.of(to, market)))) {
      while (c.next()) {
        naiveRows++;
        if (!c.key().second().equals(market)) {
          naiveForeignRows++;
        }
      }
    }
    final int seriesRows =
        (int) s.tickers.count(txn, KeyRange.closed(Tuple2.of(market, from), Tuple2.of(market, to)));
    out.printf(
        "zlmdb-style select((09:01:00, m), (09:01:10, m)) on (time, market): %d rows, %d of them"
            + " other markets'%n  the same window on (market, time): %d rows, all market m's%n",
        naiveRows, naiveForeignRows, seriesRows);

    return new Result(
        markets.size(),
        s.tickers.count(txn),
        trades,
        List.copyOf(krakenSymbols),
        List.copyOf(btcEurExchanges),
        forward,
        backward,
        latest,
        lastMinuteTrades,
        lastMinuteVolume,
        wholeMarketRows,
        seen.size(),
        naiveRows,
        naiveForeignRows,
        seriesRows);
  }

  /** The tick times of a range; prints the ticks if {@code title} is given. */
  private static List<Instant> times(
      final Txn txn,
      final MarketSchema s,
      final KeyRange<Tuple2<UUID, Instant>> range,
      final PrintStream out,
      final String title) {
    if (title != null) {
      out.println(title + ":");
    }
    final List<Instant> times = new ArrayList<>();
    try (Cursor<Tuple2<UUID, Instant>, Tick> c = s.tickers.select(txn, range)) {
      Tick tick = null;
      while (c.next()) {
        tick = c.valueInto(tick); // zero-copy: one Tick object re-pointed at each row
        times.add(c.key().second());
        if (title != null) {
          out.printf(
              "  %s  bid %.2f  ask %.2f  last %.2f%n",
              c.key().second(), tick.bid(), tick.ask(), tick.last());
        }
      }
    }
    return List.copyOf(times);
  }
}
