package org.lodestore.benchmarks;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.peer.StoreAdapter;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * W7: concurrent readers. W1's one-field point get ({@code W7_getPrice}, on W1's markets store) and
 * W3's range scan of {@code n} rows ({@code W7_rangeScan}, on W3's ticks store) from every JMH
 * thread at once; the score is the operations per second of all threads together, so throughput(t)
 * / throughput(1) is how reads scale with threads. The thread count is JMH's {@code -t} (run.sh
 * runs 1, 2 and 4, one JMH invocation each, into one {@code jmh.json}; each row records its {@code
 * threads}).
 *
 * <p>Each thread reads through its own {@link StoreAdapter#forThread()} handle on the one store of
 * the trial (the W1/W3 store, from the same cache), in its own read transaction per operation, and
 * draws its own keys: thread {@code t} uses seed {@code 1 + t} (gets) or {@code 3 + t} (scans), so
 * thread 0 reads exactly what W1 and W3 read.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
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
public class W7ConcurrentReadBenchmark {

  /** The markets store of W1, shared by every thread of the trial. */
  @State(Scope.Benchmark)
  public static class Markets {
    /** Implementation id; see {@link org.lodestore.benchmarks.peer.Impl}. */
    @Param({"lodestore-fb", "lmdbjava-raw", "sqlite", "h2-mvstore", "rocksdb", "xodus", "mapdb"})
    public String impl;

    /** Number of markets in the store. */
    @Param("1000000")
    public int markets;

    private StoreFixture fixture;
    private Dataset data;

    /** Opens (or loads) the store. */
    @Setup(Level.Trial)
    public void setUp() {
      data = new Dataset(Dataset.DEFAULT_SEED, markets, 0, 0);
      fixture = StoreFixture.loaded(impl, Workload.W7, data, false);
    }

    /** Closes the store (deletes it unless cached). */
    @TearDown(Level.Trial)
    public void tearDown() {
      fixture.close();
    }
  }

  /** The ticks store of W3, shared by every thread of the trial. */
  @State(Scope.Benchmark)
  public static class Ticks {
    /** Implementation id; see {@link org.lodestore.benchmarks.peer.Impl}. */
    @Param({"lodestore-fb", "lmdbjava-raw", "sqlite", "h2-mvstore", "rocksdb", "xodus", "mapdb"})
    public String impl;

    /** Rows per scan. */
    @Param("100")
    public int n;

    /** Number of time series. */
    @Param("1000")
    public int series;

    /** Ticks per series. */
    @Param("12000")
    public int ticksPerSeries;

    private StoreFixture fixture;
    private Dataset data;

    /** Opens (or loads) the store. */
    @Setup(Level.Trial)
    public void setUp() {
      if (n > ticksPerSeries) {
        throw new IllegalArgumentException("n=" + n + " > ticksPerSeries=" + ticksPerSeries);
      }
      data = new Dataset(Dataset.DEFAULT_SEED, 0, series, ticksPerSeries);
      fixture = StoreFixture.loaded(impl, Workload.W7, data, true);
    }

    /** Closes the store (deletes it unless cached). */
    @TearDown(Level.Trial)
    public void tearDown() {
      fixture.close();
    }
  }

  /** One thread's handle on the markets store and its keys. */
  @State(Scope.Thread)
  public static class MarketReader {
    private final UUID[] keys = new UUID[W1PointGetBenchmark.KEYS];
    private StoreAdapter store;
    private int next;

    /** Takes this thread's handle and draws its keys. */
    @Setup(Level.Trial)
    public void setUp(Markets markets, ThreadParams thread) {
      store = markets.fixture.store().forThread();
      SplittableRandom r = new SplittableRandom(1 + thread.getThreadIndex());
      for (int k = 0; k < keys.length; k++) {
        keys[k] = markets.data.marketOid(r.nextInt(markets.markets));
      }
    }

    /** Closes this thread's handle (not the store). */
    @TearDown(Level.Trial)
    public void tearDown() {
      store.close();
    }
  }

  /** One thread's handle on the ticks store and its queries. */
  @State(Scope.Thread)
  public static class TickReader {
    private final UUID[] querySeries = new UUID[W3RangeScanBenchmark.QUERIES];
    private final long[] queryFrom = new long[W3RangeScanBenchmark.QUERIES];
    private StoreAdapter store;
    private long span;
    private int next;

    /** Takes this thread's handle and draws its queries. */
    @Setup(Level.Trial)
    public void setUp(Ticks ticks, ThreadParams thread) {
      store = ticks.fixture.store().forThread();
      span = ticks.n * Dataset.TICK_STEP_NANOS;
      SplittableRandom r = new SplittableRandom(3 + thread.getThreadIndex());
      for (int q = 0; q < querySeries.length; q++) {
        querySeries[q] = ticks.data.seriesOid(r.nextInt(ticks.series));
        queryFrom[q] = Dataset.tickTime(r.nextInt(ticks.ticksPerSeries - ticks.n + 1));
      }
    }

    /** Closes this thread's handle (not the store). */
    @TearDown(Level.Trial)
    public void tearDown() {
      store.close();
    }
  }

  /** W1 from every thread: one market's price, in its own read transaction. */
  @Benchmark
  public double W7_getPrice(MarketReader reader) {
    return reader.store.price(reader.keys[reader.next++ & (W1PointGetBenchmark.KEYS - 1)]);
  }

  /** W3 from every thread: n rows of one series from a random time. */
  @Benchmark
  public long W7_rangeScan(TickReader reader) {
    int q = reader.next++ & (W3RangeScanBenchmark.QUERIES - 1);
    long from = reader.queryFrom[q];
    return reader.store.scan(reader.querySeries[q], from, from + reader.span);
  }
}
