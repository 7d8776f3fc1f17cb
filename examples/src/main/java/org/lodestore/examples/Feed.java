package org.lodestore.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.lodestore.examples.market.Ids;

/**
 * The demo's market feed: a pure function of its parameters, so that the ingest can run a batch
 * again (after the map grew) and the queries can check every answer against what was written.
 *
 * <p>Market {@code m} trades pair {@code m / exchanges} on exchange {@code m % exchanges}. It ticks
 * every {@link #TICK_INTERVAL}: tick {@code i} lies in {@code [i, i + 1)} intervals after {@link
 * #T0}, at an offset drawn from a hash of (seed, market, i), so ticks of different markets
 * interleave like a real feed's and one market's ticks strictly increase. Trades are spread the
 * same way over the same span. Prices are a slow wave around the pair's base price plus noise.
 */
final class Feed {

  /** When the feed starts. */
  static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");

  /** One tick per market this often. */
  static final Duration TICK_INTERVAL = Duration.ofMillis(100);

  private static final String[] EXCHANGES = {
    "Kraken",
    "Bitstamp",
    "Coinbase",
    "Bitpanda",
    "Bitvavo",
    "Gemini",
    "Bitfinex",
    "OKX",
    "Bybit",
    "Binance",
  };

  private static final String[] BASES = {
    "BTC", "ETH", "SOL", "XRP", "ADA", "DOT", "LTC", "LINK", "AVAX", "ATOM", "DOGE", "TRX", "XLM",
    "BCH", "ETC", "FIL", "NEAR", "ALGO", "UNI", "AAVE",
  };

  private static final String[] QUOTES = {"EUR", "USD", "USDT", "GBP", "CHF"};

  private static final double[] BASE_PRICES = {
    42000, 2300, 95, 0.55, 0.48, 6.9, 65, 14, 35, 9.5, 0.08, 0.11, 0.12, 240, 20, 5.2, 3.1, 0.18,
    6.2, 95,
  };

  final long seed;
  final int exchanges;
  final int markets;
  final long ticks;
  final long trades;

  private final long interval = TICK_INTERVAL.toNanos();

  Feed(
      final long seed,
      final int exchanges,
      final int markets,
      final long ticks,
      final long trades) {
    if (markets < 1 || exchanges < 1 || exchanges > markets) {
      throw new IllegalArgumentException(
          "need at least 1 market and 1..markets exchanges, got "
              + markets
              + " markets on "
              + exchanges
              + " exchanges");
    }
    if (ticks < 20L * markets || trades < markets) {
      throw new IllegalArgumentException(
          "need at least 20 ticks and 1 trade per market, got "
              + ticks
              + " ticks and "
              + trades
              + " trades for "
              + markets
              + " markets");
    }
    if (ticks / markets > Integer.MAX_VALUE || trades / markets > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many rows per market");
    }
    this.seed = seed;
    this.exchanges = exchanges;
    this.markets = markets;
    this.ticks = ticks;
    this.trades = trades;
  }

  int pairs() {
    return (markets + exchanges - 1) / exchanges;
  }

  // ------------------------------------------------------------ reference data

  UUID exchangeOid(final int e) {
    return Ids.named("demo/" + seed + "/exchange/" + e);
  }

  String exchangeName(final int e) {
    return e < EXCHANGES.length ? EXCHANGES[e] : "Exchange-" + e;
  }

  UUID pairOid(final int p) {
    return Ids.named("demo/" + seed + "/pair/" + p);
  }

  String base(final int p) {
    return p < BASES.length * QUOTES.length ? BASES[p % BASES.length] : "C" + p;
  }

  String quote(final int p) {
    return QUOTES[(p / BASES.length) % QUOTES.length];
  }

  UUID marketOid(final int m) {
    return Ids.named("demo/" + seed + "/market/" + m);
  }

  int exchangeOf(final int m) {
    return m % exchanges;
  }

  int pairOf(final int m) {
    return m / exchanges;
  }

  String symbol(final int m) {
    return base(pairOf(m)) + "-" + quote(pairOf(m));
  }

  private double basePrice(final int m) {
    final int p = pairOf(m);
    return BASE_PRICES[p % BASES.length] * (1 + 0.01 * (m % 7));
  }

  // ------------------------------------------------------------ ticks

  /** How many ticks market {@code m} has. */
  int ticksOf(final int m) {
    return (int) (ticks / markets + (m < ticks % markets ? 1 : 0));
  }

  /** The most ticks any market has: the number of rounds the interleaved ingest makes. */
  int tickRounds() {
    return ticksOf(0);
  }

  /** Nanoseconds after {@link #T0} of market {@code m}'s tick {@code i}. */
  long tickNanos(final int m, final int i) {
    return i * interval + Math.floorMod(mix(m, i, 1), interval);
  }

  Instant tickTime(final int m, final int i) {
    return T0.plusNanos(tickNanos(m, i));
  }

  double mid(final int m, final int i) {
    final double wave = 0.01 * Math.sin(i / 600.0 + m);
    final double noise = 0.0005 * ((mix(m, i, 2) >>> 11) * 0x1.0p-53 - 0.5);
    return basePrice(m) * (1 + wave + noise);
  }

  double bid(final int m, final int i) {
    return mid(m, i) * (1 - 0.0001);
  }

  double ask(final int m, final int i) {
    return mid(m, i) * (1 + 0.0001);
  }

  double volume(final int m, final int i) {
    return 0.01 * (1 + Math.floorMod(mix(m, i, 3), 100));
  }

  /** The span the ticks cover, in nanoseconds: whole intervals. */
  long spanNanos() {
    return tickRounds() * interval;
  }

  // ------------------------------------------------------------ trades

  int tradesOf(final int m) {
    return (int) (trades / markets + (m < trades % markets ? 1 : 0));
  }

  int tradeRounds() {
    return tradesOf(0);
  }

  /** Nanoseconds after {@link #T0} of market {@code m}'s trade {@code j}. */
  long tradeNanos(final int m, final int j) {
    final long every = spanNanos() / tradeRounds();
    return j * every + Math.floorMod(mix(m, j, 4), every);
  }

  double tradePrice(final int m, final int j) {
    final int i = (int) Math.min(ticksOf(m) - 1, tradeNanos(m, j) / interval);
    return mid(m, i);
  }

  double tradeSize(final int m, final int j) {
    return 0.001 * (1 + Math.floorMod(mix(m, j, 5), 1000));
  }

  boolean tradeIsBuy(final int m, final int j) {
    return (mix(m, j, 6) & 1) == 0;
  }

  long tradeId(final int m, final int j) {
    return (long) m << 32 | j;
  }

  /** A well-mixed 64-bit hash of (seed, market, n, stream): SplitMix64's finaliser. */
  private long mix(final int m, final long n, final int stream) {
    long z =
        seed * 0x9E3779B97F4A7C15L + m * 0xBF58476D1CE4E5B9L + n * 0x94D049BB133111EBL + stream;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
