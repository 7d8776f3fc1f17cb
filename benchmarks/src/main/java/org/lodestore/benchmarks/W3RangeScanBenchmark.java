package org.lodestore.benchmarks;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
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
 * W3: time-series range scan of {@code n} rows: the ticks of a random series with {@code from <=
 * time < from + n * step} for a random start, read in time order (time, price and size of every row
 * folded into a checksum).
 *
 * <p>The dataset is {@code series} series of {@code ticksPerSeries} ticks; {@code ticksPerSeries}
 * must be at least the largest {@code n}. Queries are drawn up front ({@value #QUERIES}, cycled).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
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
@State(Scope.Benchmark)
public class W3RangeScanBenchmark {
  static final int QUERIES = 1 << 12;

  /** Implementation id; see {@link org.lodestore.benchmarks.peer.Impl}. */
  @Param({
    "lodestore-fb",
    "lodestore-cbor",
    "lmdbjava-raw",
    "sqlite",
    "h2-mvstore",
    "rocksdb",
    "xodus",
    "mapdb"
  })
  public String impl;

  /** Rows per scan. */
  @Param({"10", "100", "1000", "10000"})
  public int n;

  /** Number of time series. */
  @Param("1000")
  public int series;

  /** Ticks per series. */
  @Param("12000")
  public int ticksPerSeries;

  private StoreFixture fixture;
  private final UUID[] querySeries = new UUID[QUERIES];
  private final long[] queryFrom = new long[QUERIES];
  private int next;

  /** Builds the store and draws the queries. */
  @Setup(Level.Trial)
  public void setUp() {
    if (n > ticksPerSeries) {
      throw new IllegalArgumentException("n=" + n + " > ticksPerSeries=" + ticksPerSeries);
    }
    Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, series, ticksPerSeries);
    fixture = StoreFixture.loaded(impl, Workload.W3, data, true);
    SplittableRandom r = new SplittableRandom(3);
    for (int q = 0; q < QUERIES; q++) {
      querySeries[q] = data.seriesOid(r.nextInt(series));
      queryFrom[q] = Dataset.tickTime(r.nextInt(ticksPerSeries - n + 1));
    }
  }

  /** Closes and deletes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    fixture.close();
  }

  /** Scans n rows of one series from a random time. */
  @Benchmark
  public long W3_rangeScan() {
    int q = next++ & (QUERIES - 1);
    long from = queryFrom[q];
    return fixture.store().scan(querySeries[q], from, from + n * Dataset.TICK_STEP_NANOS);
  }
}
