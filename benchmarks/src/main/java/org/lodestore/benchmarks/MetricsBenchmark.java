package org.lodestore.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.peer.StoreOptions;
import org.lodestore.benchmarks.peer.SyncMode;
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
 * The cost of metrics on {@code lodestore-fb}: W1 (point get, as {@link W1PointGetBenchmark}) and
 * W2 (batched inserts with maintained indexes, as {@link W2InsertBenchmark}) on the same adapter,
 * with the database opened without a listener ({@code metrics=off}: the listener field's one check
 * per event site) or with store-micrometer's {@code LodestoreMetrics} as its listener, bound to a
 * {@code SimpleMeterRegistry} and watching the schema ({@code metrics=on}: every read and write
 * transaction counted, writes timed, reads timed one in 16 at random). The bound: metrics
 * on costs at most 5% on W1 and W2. Both settings of W1 read the same loaded store (reopened with
 * or without the listener); each W2 iteration writes into a fresh empty store.
 *
 * <p>The default sizes (100,000 markets for W1; batch 1 and 100, 2 indexes, {@code nosync} and
 * {@code sync} for W2) keep W1's store in the page cache, where a fixed per-transaction cost shows
 * most; pass {@code -p markets=1000000} for the W1 size. See benchmarks/README.md for the
 * command.
 */
@BenchmarkMode(Mode.AverageTime)
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
public class MetricsBenchmark {

  /** The implementation measured: Lodestore with FlatBuffers values. */
  static final String IMPL = "lodestore-fb";

  /** The markets store of W1. */
  @State(Scope.Benchmark)
  public static class Markets {
    /** {@code off} or {@code on}: whether the database has the metrics listener. */
    @Param({"off", "on"})
    public String metrics;

    /** Number of markets in the store. */
    @Param("100000")
    public int markets;

    private StoreFixture fixture;
    private final UUID[] keys = new UUID[W1PointGetBenchmark.KEYS];
    private int next;

    /** Builds the store (or reopens the cached one) and draws the keys. */
    @Setup(Level.Trial)
    public void setUp() {
      Dataset data = new Dataset(Dataset.DEFAULT_SEED, markets, 0, 0);
      fixture = StoreFixture.loaded(IMPL, Workload.W1, data, false, false, on(metrics));
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

  /** The empty store of each W2 iteration. */
  @State(Scope.Benchmark)
  public static class Inserts {
    /** {@code off} or {@code on}: whether the database has the metrics listener. */
    @Param({"off", "on"})
    public String metrics;

    /** Maintained indexes: 1 (unique name) or 2 (also the exchange UUID-set). */
    @Param("2")
    public int indexes;

    /** Rows per transaction. */
    @Param({"1", "100"})
    public int batch;

    /** {@code nosync} (the commit's CPU cost) or {@code sync}; see {@link SyncMode}. */
    @Param({"nosync", "sync"})
    public String durability;

    private final Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, 0, 0);
    private final Market[] templates = new Market[W2InsertBenchmark.TEMPLATES];
    private List<Market> rows;
    private StoreFixture fixture;
    private long nextRow = 1L << 40;

    /** Generates the row templates. */
    @Setup(Level.Trial)
    public void setUpTrial() {
      for (int i = 0; i < templates.length; i++) {
        templates[i] = data.market(i);
      }
      rows = new ArrayList<>(batch);
    }

    /** Creates an empty store. */
    @Setup(Level.Iteration)
    public void setUpIteration() {
      fixture =
          StoreFixture.empty(
              IMPL,
              Workload.W2,
              new StoreOptions(SyncMode.of(durability), indexes, 0, false, on(metrics)));
    }

    /** Closes and deletes the store. */
    @TearDown(Level.Iteration)
    public void tearDownIteration() {
      fixture.close();
    }

    /** The next batch of new rows, as {@link W2InsertBenchmark} makes them. */
    List<Market> nextBatch() {
      List<Market> batchRows = rows;
      batchRows.clear();
      for (int i = 0; i < batch; i++) {
        long k = nextRow++;
        Market t = templates[(int) (k & (templates.length - 1))];
        batchRows.add(
            new Market(
                data.marketOid(k),
                t.exchangeOid(),
                Dataset.marketName(k),
                t.symbol(),
                t.price(),
                t.quantity(),
                t.createdNanos(),
                t.side(),
                t.note()));
      }
      return batchRows;
    }
  }

  private static boolean on(String metrics) {
    switch (metrics) {
      case "off":
        return false;
      case "on":
        return true;
      default:
        throw new IllegalArgumentException("metrics must be off or on: " + metrics);
    }
  }

  /** W1: gets one market and decodes it into the record. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Market W1_getMarket(Markets s) {
    return s.fixture.store().get(s.nextKey());
  }

  /** W1: gets one market's price only (zero-copy). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public double W1_getPrice(Markets s) {
    return s.fixture.store().price(s.nextKey());
  }

  /** W2: inserts one batch of new rows in one transaction (one commit). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public List<Market> W2_insert(Inserts s) {
    List<Market> batchRows = s.nextBatch();
    s.fixture.store().insert(batchRows);
    return batchRows;
  }
}
