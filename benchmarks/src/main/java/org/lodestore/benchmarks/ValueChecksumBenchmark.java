package org.lodestore.benchmarks;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.peer.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of value checksums on {@code lodestore-fb}'s zero-copy reads: W1 (point get) and W3
 * (range scan) as in {@link W1PointGetBenchmark} and {@link W3RangeScanBenchmark}, on the same
 * adapter with its FlatBuffers tables declared without a checksum ({@code checksum=none}, the
 * FlatBuffers default) or with {@code ValueChecksum.CRC32C} ({@code checksum=crc32c}: every get and
 * every scanned row is checked with one CRC-32C pass over key and value before its view is handed
 * out). Each setting reads a store of its own, loaded the same way.
 *
 * <p>The default sizes (100,000 markets; 100 series x 12,000 ticks) keep the stores in the page
 * cache, so that the CRC's share is not hidden behind page faults and TLB misses as it is at 1M
 * markets (pass {@code -p markets=1000000} for the size). See benchmarks/README.md for the
 * command and the figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      BenchJvm.OPEN_NIO,
      BenchJvm.OPEN_NIO_CH,
      BenchJvm.EXPORT_MISC,
      BenchJvm.CM_EXPORT_REF,
      BenchJvm.CM_EXPORT_NIO_CH,
      BenchJvm.CM_EXPORT_SUN_MISC,
      BenchJvm.CM_EXPORT_JAVAC_FILE,
      BenchJvm.CM_OPEN_JAVAC,
      BenchJvm.CM_OPEN_LANG,
      BenchJvm.CM_OPEN_REFLECT,
      BenchJvm.CM_OPEN_IO,
      BenchJvm.CM_OPEN_UTIL,
      BenchJvm.CM_NO_ANALYTICS,
      BenchJvm.CM_NO_BANNER,
      BenchJvm.XMS,
      BenchJvm.XMX
    })
public class ValueChecksumBenchmark {

  /** The implementation measured: Lodestore with FlatBuffers values. */
  static final String IMPL = "lodestore-fb";

  /** The markets store of W1. */
  @State(Scope.Benchmark)
  public static class Markets {
    /** {@code none} or {@code crc32c}: the value checksum of the tables. */
    @Param({"none", "crc32c"})
    public String checksum;

    /** Number of markets in the store. */
    @Param("100000")
    public int markets;

    private StoreFixture fixture;
    private final UUID[] keys = new UUID[W1PointGetBenchmark.KEYS];
    private int next;

    /** Builds the store and draws the keys. */
    @Setup(Level.Trial)
    public void setUp() {
      Dataset data = new Dataset(Dataset.DEFAULT_SEED, markets, 0, 0);
      fixture = StoreFixture.loaded(IMPL, Workload.W1, data, false, checksums(checksum));
      SplittableRandom r = new SplittableRandom(1);
      for (int k = 0; k < keys.length; k++) {
        keys[k] = data.marketOid(r.nextInt(markets));
      }
    }

    /** Closes and deletes the store. */
    @TearDown(Level.Trial)
    public void tearDown() {
      fixture.close();
    }

    UUID nextKey() {
      return keys[next++ & (keys.length - 1)];
    }
  }

  /** The ticks store of W3. */
  @State(Scope.Benchmark)
  public static class Ticks {
    /** {@code none} or {@code crc32c}: the value checksum of the tables. */
    @Param({"none", "crc32c"})
    public String checksum;

    /** Rows per scan. */
    @Param({"10", "1000"})
    public int n;

    /** Number of time series. */
    @Param("100")
    public int series;

    /** Ticks per series. */
    @Param("12000")
    public int ticksPerSeries;

    private StoreFixture fixture;
    private final UUID[] querySeries = new UUID[W3RangeScanBenchmark.QUERIES];
    private final long[] queryFrom = new long[W3RangeScanBenchmark.QUERIES];
    private int next;

    /** Builds the store and draws the queries. */
    @Setup(Level.Trial)
    public void setUp() {
      if (n > ticksPerSeries) {
        throw new IllegalArgumentException("n=" + n + " > ticksPerSeries=" + ticksPerSeries);
      }
      Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, series, ticksPerSeries);
      fixture = StoreFixture.loaded(IMPL, Workload.W3, data, true, checksums(checksum));
      SplittableRandom r = new SplittableRandom(3);
      for (int q = 0; q < querySeries.length; q++) {
        querySeries[q] = data.seriesOid(r.nextInt(series));
        queryFrom[q] = Dataset.tickTime(r.nextInt(ticksPerSeries - n + 1));
      }
    }

    /** Closes and deletes the store. */
    @TearDown(Level.Trial)
    public void tearDown() {
      fixture.close();
    }
  }

  private static boolean checksums(String checksum) {
    switch (checksum) {
      case "none":
        return false;
      case "crc32c":
        return true;
      default:
        throw new IllegalArgumentException("checksum must be none or crc32c: " + checksum);
    }
  }

  /** W1: gets one market and decodes it into the record. */
  @Benchmark
  public Market W1_getMarket(Markets s) {
    return s.fixture.store().get(s.nextKey());
  }

  /** W1: gets one market's price only (zero-copy). */
  @Benchmark
  public double W1_getPrice(Markets s) {
    return s.fixture.store().price(s.nextKey());
  }

  /** W3: scans n rows of one series from a random time (time, price, size of each row). */
  @Benchmark
  public long W3_rangeScan(Ticks s) {
    int q = s.next++ & (W3RangeScanBenchmark.QUERIES - 1);
    long from = s.queryFrom[q];
    return s.fixture.store().scan(s.querySeries[q], from, from + s.n * Dataset.TICK_STEP_NANOS);
  }
}
