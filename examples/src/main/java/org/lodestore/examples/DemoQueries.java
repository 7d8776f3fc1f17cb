package org.lodestore.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.key.Tuple2;
import org.lodestore.examples.market.Ids;
import org.lodestore.examples.market.MarketSchema;
import org.lodestore.examples.market.Trade;
import org.lodestore.examples.market.fbs.Market;
import org.lodestore.examples.market.fbs.Tick;
import org.lodestore.schema.MultiIndex;

/**
 * The demo's queries, timed, each checked against the {@link Feed} that wrote the data: a wrong
 * answer is a failed check, and the demo exits non-zero.
 */
final class DemoQueries {

  /** A timed query: rows (or operations) and nanoseconds. */
  record Timing(String name, long rows, long nanos, String unit) {
    double perSecond() {
      return nanos == 0 ? 0 : rows * 1e9 / nanos;
    }
  }

  /** Point-get latency percentiles, in nanoseconds. */
  record Latency(int gets, long p50, long p90, long p99, long p999, long max, double meanNanos) {}

  /** Everything the queries measured and found. */
  record Results(
      List<Timing> scans,
      Latency latency,
      List<Timing> lookups,
      long naiveRows,
      long naiveForeign,
      long seriesRows,
      Duration window,
      List<String> samples,
      List<String> failures,
      int checks) {}

  /** How many times each kind of index lookup is timed. */
  private static final int LOOKUPS = 10_000;

  private final Database db;
  private final MarketSchema s;
  private final Feed feed;
  private final int gets;
  private final List<String> failures = new ArrayList<>();
  private int checks;

  DemoQueries(final Database db, final MarketSchema s, final Feed feed, final int gets) {
    this.db = db;
    this.s = s;
    this.feed = feed;
    this.gets = gets;
  }

  Results run() {
    final List<Timing> scans = new ArrayList<>();
    final List<Timing> lookups = new ArrayList<>();
    final List<String> samples = new ArrayList<>();
    final long span = feed.spanNanos();
    final long interval = Feed.TICK_INTERVAL.toNanos();
    // a window in the middle of the data: 60 s, or half the span if that is shorter
    final long windowNanos = Math.min(60_000_000_000L, span / 2 / interval * interval);
    final long windowStart = span / 4 / interval * interval;
    final Instant from = Feed.T0.plusNanos(windowStart);
    final Instant to = from.plusNanos(windowNanos);
    final long[] naive = new long[3];
    try (Txn txn = db.beginRead()) {
      // a first, untimed pass warms the JIT and the page cache: the numbers are steady-state ones
      for (int pass = 0; pass < 2; pass++) {
        scans.clear();
        failures.clear();
        checks = 0;
        scans.add(fullTickScan(txn));
        scans.add(fullTradeScan(txn));
        scans.add(windowScans(txn, from, to, false));
        scans.add(windowScans(txn, from, to, true));
        scans.add(latest(txn, 10));
        scans.add(wholeMarket(txn, from, Math.min(1_000_000_000L, windowNanos)));
        lookups.clear();
        lookups.add(marketsByExchange(txn));
        lookups.add(marketsByPair(txn));
      }
      naive(txn, from, to, naive);
      final Latency latency = pointGets(txn);
      samples(txn, samples);
      return new Results(
          scans,
          latency,
          lookups,
          naive[0],
          naive[1],
          naive[2],
          Duration.ofNanos(windowNanos),
          samples,
          List.copyOf(failures),
          checks);
    }
  }

  private void check(final boolean ok, final String what) {
    checks++;
    if (!ok) {
      failures.add(what);
    }
  }

  /** Every tick of every market, zero-copy: one Tick object re-pointed at each row. */
  private Timing fullTickScan(final Txn txn) {
    final long start = System.nanoTime();
    long rows = 0;
    double sum = 0;
    try (Cursor<Tuple2<UUID, Instant>, Tick> c = s.tickers.select(txn, KeyRange.all())) {
      Tick tick = null;
      while (c.next()) {
        tick = c.valueInto(tick);
        sum += tick.last();
        rows++;
      }
    }
    final long nanos = System.nanoTime() - start;
    check(rows == feed.ticks, "full tick scan returned " + rows + " rows, expected " + feed.ticks);
    check(sum > 0, "tick prices are positive");
    return new Timing("full scan, ticks (FlatBuffers, zero-copy)", rows, nanos, "rows");
  }

  /** Every trade, each decoded from CBOR into a record. */
  private Timing fullTradeScan(final Txn txn) {
    final long start = System.nanoTime();
    long rows = 0;
    double volume = 0;
    try (Cursor<Tuple2<UUID, Instant>, Trade> c = s.trades.select(txn, KeyRange.all())) {
      while (c.next()) {
        volume += c.value().size();
        rows++;
      }
    }
    final long nanos = System.nanoTime() - start;
    check(
        rows == feed.trades, "full trade scan returned " + rows + " rows, expected " + feed.trades);
    check(volume > 0, "trade sizes are positive");
    return new Timing("full scan, trades (CBOR, decoded)", rows, nanos, "rows");
  }

  /** One window per market, from the (market, time) table. */
  private Timing windowScans(
      final Txn txn, final Instant from, final Instant to, final boolean backward) {
    final long interval = Feed.TICK_INTERVAL.toNanos();
    final long expectedPerMarket = Duration.between(from, to).toNanos() / interval;
    final long start = System.nanoTime();
    long rows = 0;
    boolean ordered = true;
    for (int m = 0; m < feed.markets; m++) {
      final UUID market = feed.marketOid(m);
      KeyRange<Tuple2<UUID, Instant>> range =
          KeyRange.closedOpen(Tuple2.of(market, from), Tuple2.of(market, to));
      if (backward) {
        range = range.reversed();
      }
      long n = 0;
      Instant previous = null;
      try (Cursor<Tuple2<UUID, Instant>, Tick> c = s.tickers.select(txn, range)) {
        Tick tick = null;
        while (c.next()) {
          tick = c.valueInto(tick);
          final Instant time = c.key().second();
          if (previous != null && (backward ? !time.isBefore(previous) : !time.isAfter(previous))) {
            ordered = false;
          }
          previous = time;
          n++;
        }
      }
      check(
          n == expectedPerMarket,
          "window of market " + m + " returned " + n + " ticks, expected " + expectedPerMarket);
      rows += n;
    }
    final long nanos = System.nanoTime() - start;
    check(ordered, "window scans return ticks in time order");
    return new Timing(
        String.format(
            "%d-s window of each market, %s",
            Duration.between(from, to).toSeconds(), backward ? "backward" : "forward"),
        rows,
        nanos,
        "rows");
  }

  /** The latest {@code n} ticks of each market: a reverse scan of n rows. */
  private Timing latest(final Txn txn, final int n) {
    final long start = System.nanoTime();
    long rows = 0;
    for (int m = 0; m < feed.markets; m++) {
      final int last = feed.ticksOf(m) - 1;
      try (Cursor<Tuple2<UUID, Instant>, Tick> c =
          s.tickers.select(
              txn,
              KeyRange.prefix(MarketSchema.SERIES_KEY, feed.marketOid(m)).reversed().limit(n))) {
        int k = 0;
        while (c.next()) {
          if (k == 0) {
            check(
                c.key().second().equals(feed.tickTime(m, last)),
                "latest tick of market " + m + " is its last tick");
          }
          k++;
        }
        rows += k;
        check(k == Math.min(n, last + 1), "latest-" + n + " of market " + m + " returned " + k);
      }
    }
    final long nanos = System.nanoTime() - start;
    return new Timing("latest " + n + " ticks of each market (reverse)", rows, nanos, "rows");
  }

  /** Every market over a short window, from the (time, market) table. */
  private Timing wholeMarket(final Txn txn, final Instant from, final long nanos) {
    final Set<UUID> seen = new HashSet<>();
    final long start = System.nanoTime();
    long rows = 0;
    try (Cursor<Tuple2<Instant, UUID>, Tick> c =
        s.tickersByTime.select(
            txn,
            KeyRange.closedOpen(
                Tuple2.of(from, Ids.MIN), Tuple2.of(from.plusNanos(nanos), Ids.MIN)))) {
      Tick tick = null;
      while (c.next()) {
        tick = c.valueInto(tick);
        seen.add(c.key().second());
        rows++;
      }
    }
    final long elapsed = System.nanoTime() - start;
    final long expected = (long) feed.markets * (nanos / Feed.TICK_INTERVAL.toNanos());
    check(rows == expected, "whole-market window returned " + rows + " rows, expected " + expected);
    check(seen.size() == feed.markets, "whole-market window covers every market");
    return new Timing(
        String.format("whole market, %d ms window (time, market)", nanos / 1_000_000),
        rows,
        elapsed,
        "rows");
  }

  /** zlmdb's (t0, m)..(t1, m) over (time, market), against the per-series layout. */
  private void naive(final Txn txn, final Instant from, final Instant to, final long[] out) {
    final UUID market = feed.marketOid(0);
    try (Cursor<Tuple2<Instant, UUID>, Tick> c =
        s.tickersByTime.select(
            txn, KeyRange.closed(Tuple2.of(from, market), Tuple2.of(to, market)))) {
      while (c.next()) {
        out[0]++;
        if (!c.key().second().equals(market)) {
          out[1]++;
        }
      }
    }
    out[2] = s.tickers.count(txn, KeyRange.closed(Tuple2.of(market, from), Tuple2.of(market, to)));
    check(feed.markets == 1 || out[1] > 0, "the zlmdb-style range picks up other markets' rows");
  }

  /** Lookups through a UUID-set index, repeated round-robin so the timing means something. */
  private Timing marketsByExchange(final Txn txn) {
    final UUID[] keys = new UUID[feed.exchanges];
    for (int e = 0; e < keys.length; e++) {
      keys[e] = feed.exchangeOid(e);
    }
    return indexLookups(
        txn, s.marketsByExchange, keys, "markets of an exchange (UUID-set index)", "by exchange");
  }

  private Timing marketsByPair(final Txn txn) {
    final UUID[] keys = new UUID[feed.pairs()];
    for (int p = 0; p < keys.length; p++) {
      keys[p] = feed.pairOid(p);
    }
    return indexLookups(
        txn, s.marketsByPair, keys, "markets of a pair (UUID-set index)", "by pair");
  }

  private Timing indexLookups(
      final Txn txn,
      final MultiIndex<UUID, UUID, Market> index,
      final UUID[] keys,
      final String name,
      final String what) {
    final int lookups = Math.max(LOOKUPS, keys.length);
    long found = 0;
    long firstRound = 0;
    final long start = System.nanoTime();
    for (int n = 0; n < lookups; n++) {
      try (Cursor<UUID, UUID> c = index.select(txn, keys[n % keys.length])) {
        while (c.next()) {
          found++;
        }
      }
      if (n == keys.length - 1) {
        firstRound = found;
      }
    }
    final long nanos = System.nanoTime() - start;
    check(firstRound == feed.markets, "markets " + what + " finds every market once");
    return new Timing(name, lookups, nanos, "lookups");
  }

  /** Random ticks by exact key, each timed; the value is checked against the feed. */
  private Latency pointGets(final Txn txn) {
    final SplittableRandom random = new SplittableRandom(feed.seed);
    final UUID[] oids = new UUID[feed.markets];
    for (int m = 0; m < oids.length; m++) {
      oids[m] = feed.marketOid(m);
    }
    final long[] nanos = new long[gets];
    Tick tick = null;
    // warm up (JIT) on other keys than the timed ones
    final SplittableRandom warm = new SplittableRandom(~feed.seed);
    for (int g = 0; g < Math.min(gets, 20_000); g++) {
      final int m = warm.nextInt(feed.markets);
      tick =
          s.tickers.getInto(
              txn, Tuple2.of(oids[m], feed.tickTime(m, warm.nextInt(feed.ticksOf(m)))), tick);
    }
    int wrong = 0;
    for (int g = 0; g < gets; g++) {
      final int m = random.nextInt(feed.markets);
      final int i = random.nextInt(feed.ticksOf(m));
      final Tuple2<UUID, Instant> key = Tuple2.of(oids[m], feed.tickTime(m, i));
      final long start = System.nanoTime();
      tick = s.tickers.getInto(txn, key, tick);
      final double last = tick == null ? Double.NaN : tick.last();
      nanos[g] = System.nanoTime() - start;
      if (last != feed.mid(m, i)) {
        wrong++;
      }
    }
    check(wrong == 0, wrong + " of " + gets + " point gets returned a wrong tick");
    if (gets == 0) {
      return new Latency(0, 0, 0, 0, 0, 0, 0);
    }
    final double mean = Arrays.stream(nanos).average().orElse(0);
    Arrays.sort(nanos);
    return new Latency(
        gets,
        percentile(nanos, 0.50),
        percentile(nanos, 0.90),
        percentile(nanos, 0.99),
        percentile(nanos, 0.999),
        nanos[nanos.length - 1],
        mean);
  }

  private static long percentile(final long[] sorted, final double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  }

  private void samples(final Txn txn, final List<String> out) {
    final UUID oid = feed.marketOid(0);
    final Market market = s.markets.get(txn, oid);
    out.add(
        String.format(
            "market   %s  %s on %s, pair %s/%s, tick size %s",
            oid,
            market.symbol(),
            s.exchanges.get(txn, Ids.uuid(market.exchangeOid())).name(),
            s.pairs.get(txn, Ids.uuid(market.pairOid())).base(),
            s.pairs.get(txn, Ids.uuid(market.pairOid())).quote(),
            market.tickSize()));
    try (Cursor<Tuple2<UUID, Instant>, Tick> c =
        s.tickers.select(txn, KeyRange.prefix(MarketSchema.SERIES_KEY, oid).reversed().limit(3))) {
      while (c.next()) {
        final Tick t = c.value();
        out.add(
            String.format(
                "tick     %s %s  bid %.2f  ask %.2f  last %.2f  volume %.2f",
                market.symbol(), c.key().second(), t.bid(), t.ask(), t.last(), t.volume()));
      }
    }
    try (Cursor<Tuple2<UUID, Instant>, Trade> c =
        s.trades.select(txn, KeyRange.prefix(MarketSchema.SERIES_KEY, oid).reversed().limit(3))) {
      while (c.next()) {
        final Trade t = c.value();
        out.add(
            String.format(
                "trade    %s %s  %s %.3f @ %.2f  (id %d)",
                market.symbol(), c.key().second(), t.side(), t.size(), t.price(), t.id()));
      }
    }
  }
}
