package org.lodestore.benchmarks;

import java.util.ArrayList;
import java.util.List;
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
 * W2: inserts {@code batch} new markets in one transaction, maintaining {@code indexes} indexes (1:
 * the unique name index; 2: also the UUID-set exchange index). The score is the time of one batch
 * (one commit); the report also divides it by {@code batch} for the cost per row.
 *
 * <p>Each measurement iteration starts from an empty store (created and deleted outside the
 * measured time), so how far a store has grown depends only on the iteration time and its speed.
 * New rows are derived from {@value #TEMPLATES} pre-generated templates with a fresh oid and a
 * fresh unique name each, a few tens of nanoseconds of the same work for every implementation.
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
public class W2InsertBenchmark {
  static final int TEMPLATES = 1024;

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

  /** Maintained indexes: 1 (unique name) or 2 (also the exchange UUID-set). */
  @Param({"1", "2"})
  public int indexes;

  /** Rows per transaction. */
  @Param({"1", "100", "10000"})
  public int batch;

  /**
   * {@code sync} (fsync every commit), {@code meta-nosync} (each store's level between; MapDB has
   * none) or {@code nosync}; see {@link SyncMode}.
   */
  @Param("sync")
  public String durability;

  private final Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, 0, 0);
  private final Market[] templates = new Market[TEMPLATES];
  private List<Market> rows;
  private StoreFixture fixture;
  private long nextRow = 1L << 40;

  /** Generates the row templates. */
  @Setup(Level.Trial)
  public void setUpTrial() {
    for (int i = 0; i < TEMPLATES; i++) {
      templates[i] = data.market(i);
    }
    rows = new ArrayList<>(batch);
  }

  /** Creates an empty store. */
  @Setup(Level.Iteration)
  public void setUpIteration() {
    fixture =
        StoreFixture.empty(
            impl, Workload.W2, new StoreOptions(SyncMode.of(durability), indexes, 0));
  }

  /** Closes and deletes the store. */
  @TearDown(Level.Iteration)
  public void tearDownIteration() {
    fixture.close();
  }

  /** Inserts one batch of new rows in one transaction. */
  @Benchmark
  public List<Market> W2_insert() {
    List<Market> batchRows = rows;
    batchRows.clear();
    for (int i = 0; i < batch; i++) {
      long k = nextRow++;
      Market t = templates[(int) (k & (TEMPLATES - 1))];
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
    fixture.store().insert(batchRows);
    return batchRows;
  }
}
