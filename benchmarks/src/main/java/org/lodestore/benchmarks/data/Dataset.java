package org.lodestore.benchmarks.data;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The benchmark dataset, generated deterministically from a seed so that every implementation,
 * every fork and every rerun sees the same rows.
 *
 * <p>Row {@code i} is a pure function of {@code (seed, i)}: nothing is held in memory, a store is
 * loaded by streaming {@code market(0) .. market(markets - 1)}, and a benchmark picks a random
 * existing key by drawing a random {@code i}.
 *
 * <ul>
 *   <li>Markets: {@code markets} rows with random UUIDv4 keys and about 150 encoded bytes each.
 *       Market {@code i} is listed on exchange {@code i % exchanges()}, so every exchange has
 *       {@value #MARKETS_PER_EXCHANGE} markets (the k of W5's UUID-set lookup), and is named {@code
 *       "market-<i>"} (unique).
 *   <li>Ticks: {@code series} series with random UUIDv4 ids, each with {@code ticksPerSeries} ticks
 *       {@value #TICK_STEP_NANOS} ns apart from {@link #T0_NANOS}.
 * </ul>
 */
public final class Dataset {
  /** Default seed of the generated data. */
  public static final long DEFAULT_SEED = 0x10DE5709EL;

  /** Markets per exchange: the number of rows a UUID-set index lookup (W5) returns. */
  public static final int MARKETS_PER_EXCHANGE = 10;

  /** Time of the first tick of every series: 2025-01-01T00:00:00Z in epoch nanoseconds. */
  public static final long T0_NANOS = 1_735_689_600_000_000_000L;

  /** Spacing of the ticks of one series (1 ms). */
  public static final long TICK_STEP_NANOS = 1_000_000L;

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final long MARKET_OID = 1;
  private static final long MARKET_FIELDS = 2;
  private static final long EXCHANGE_OID = 3;
  private static final long SERIES_OID = 4;
  private static final long TICK_FIELDS = 5;
  private static final String WORDS =
      "alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega north south east west "
          + "spot future option swap index bond equity metal energy grain";
  private static final String[] WORD = WORDS.split(" ");

  private final long seed;
  private final int markets;
  private final int series;
  private final int ticksPerSeries;

  /**
   * Creates a dataset description.
   *
   * @param seed seed of every generated value
   * @param markets number of market rows
   * @param series number of time series
   * @param ticksPerSeries ticks per series
   */
  public Dataset(long seed, int markets, int series, int ticksPerSeries) {
    if (markets < 0 || series < 0 || ticksPerSeries < 0) {
      throw new IllegalArgumentException("sizes must be >= 0");
    }
    this.seed = seed;
    this.markets = markets;
    this.series = series;
    this.ticksPerSeries = ticksPerSeries;
  }

  /** The seed of every generated value. */
  public long seed() {
    return seed;
  }

  /** Number of market rows. */
  public int markets() {
    return markets;
  }

  /** Number of exchanges, {@code ceil(markets / MARKETS_PER_EXCHANGE)}. */
  public int exchanges() {
    return Math.max(1, (markets + MARKETS_PER_EXCHANGE - 1) / MARKETS_PER_EXCHANGE);
  }

  /** Number of time series. */
  public int series() {
    return series;
  }

  /** Ticks per series. */
  public int ticksPerSeries() {
    return ticksPerSeries;
  }

  /** Total number of ticks. */
  public long ticks() {
    return (long) series * ticksPerSeries;
  }

  /** The key of market {@code i}; {@code i} may exceed {@link #markets()} for fresh inserts. */
  public UUID marketOid(long i) {
    return uuid4(MARKET_OID, i);
  }

  /** The key of exchange {@code j}. */
  public UUID exchangeOid(long j) {
    return uuid4(EXCHANGE_OID, j);
  }

  /** The exchange index market {@code i} is listed on. */
  public int exchangeOf(long i) {
    return (int) (i % exchanges());
  }

  /** The unique name of market {@code i}. */
  public static String marketName(long i) {
    return "market-" + i;
  }

  /** Market row {@code i}; {@code i} may exceed {@link #markets()} for fresh inserts. */
  public Market market(long i) {
    SplittableRandom r = new SplittableRandom(mix(MARKET_FIELDS, i));
    char[] symbol = new char[3 + r.nextInt(3)];
    for (int c = 0; c < symbol.length; c++) {
      symbol[c] = (char) ('A' + r.nextInt(26));
    }
    StringBuilder note = new StringBuilder(64);
    while (note.length() < 10) {
      note.append(WORD[r.nextInt(WORD.length)]).append(' ');
    }
    note.setLength(note.length() - 1);
    return new Market(
        marketOid(i),
        exchangeOid(exchangeOf(i)),
        marketName(i),
        new String(symbol),
        Math.round(r.nextDouble() * 1_000_000) / 100.0,
        r.nextLong(1_000_000),
        T0_NANOS - r.nextLong(1L << 50),
        (byte) r.nextInt(2),
        note.toString());
  }

  /** The id of series {@code s}. */
  public UUID seriesOid(int s) {
    return uuid4(SERIES_OID, s);
  }

  /** Time of tick {@code j} of every series. */
  public static long tickTime(long j) {
    return T0_NANOS + j * TICK_STEP_NANOS;
  }

  /** Price of tick {@code j} of series {@code s}. */
  public double tickPrice(int s, long j) {
    return 100 + unit(mix(TICK_FIELDS, ((long) s << 32) + j)) * 10;
  }

  /** Size of tick {@code j} of series {@code s}. */
  public double tickSize(int s, long j) {
    return Math.floor(unit(mix(TICK_FIELDS + 1, ((long) s << 32) + j)) * 1000) + 1;
  }

  /** Sequence number stored in tick {@code j}. */
  public static long tickSequence(long j) {
    return j;
  }

  private UUID uuid4(long stream, long i) {
    long msb = mix(stream, i);
    long lsb = mix(stream, ~i);
    msb = (msb & ~0xF000L) | 0x4000L;
    lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  private long mix(long stream, long i) {
    long z = seed + stream * 0xD1B54A32D192ED03L + i * GOLDEN;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }
}
