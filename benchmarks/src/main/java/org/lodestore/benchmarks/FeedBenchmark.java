package org.lodestore.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.peer.FeedMode;
import org.lodestore.benchmarks.peer.StoreAdapter;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The cost of the change feed on {@code lodestore-fb}'s writes: W2 (batched inserts with both
 * maintained indexes, as {@link W2InsertBenchmark}) and W6 (concurrent durable writers, one row per
 * {@code db.write}, as {@link W6ConcurrentInsertBenchmark}), with the database opened without a
 * change feed ({@code feed=off}) or with one that a shipper-less acknowledging subscription reads
 * ({@code feed=on}, {@code StoreOptions.feed}: every commit also encodes its byte-level changes
 * into one entry, chains its hash and appends it in the same LMDB transaction; a subscription is
 * given each entry after its commit and acknowledges the last one at most every 10 ms, in a write
 * transaction of its own, as a shipper that keeps up does after each Kafka transaction; the commits
 * after an acknowledgement trim what it acknowledged). {@code -p feed=off,on,capture} adds the
 * capture alone (a feed nothing reads, acknowledges or trims). The bound: the feed costs at
 * most 1.3x on W2 with batch 100.
 *
 * <p>W2 writes into a fresh empty store per iteration, W6 into one per trial, as their own
 * benchmarks do; the default sizes are W2's batch 1 and 100, 2 indexes, {@code nosync} and {@code
 * sync}, and W6 at {@code sync}; W6's thread count is JMH's {@code -t} (run W2 and W6 as two
 * invocations: see benchmarks/README.md for the commands).
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
@Threads(1)
public class FeedBenchmark {

  /** The implementation measured: Lodestore with FlatBuffers values. */
  static final String IMPL = "lodestore-fb";

  /** The empty store of each W2 iteration. */
  @State(Scope.Benchmark)
  public static class Inserts {
    /** {@code off}, {@code on} or {@code capture}; see {@link FeedMode}. */
    @Param({"off", "on"})
    public String feed;

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
              new StoreOptions(
                  SyncMode.of(durability), indexes, 0, false, false, FeedMode.of(feed)));
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
        batchRows.add(row(data, templates, nextRow++));
      }
      return batchRows;
    }
  }

  /** The one store of a W6 trial, with both indexes. */
  @State(Scope.Benchmark)
  public static class Concurrent {
    /** {@code off}, {@code on} or {@code capture}; see {@link FeedMode}. */
    @Param({"off", "on"})
    public String feed;

    /** {@code sync} (the workload's durability), or {@code meta-nosync} / {@code nosync}. */
    @Param("sync")
    public String durability;

    private StoreFixture fixture;

    /** Creates the empty store. */
    @Setup(Level.Trial)
    public void setUp() {
      fixture =
          StoreFixture.empty(
              IMPL,
              Workload.W6,
              new StoreOptions(SyncMode.of(durability), 2, 0, false, false, FeedMode.of(feed)));
    }

    /** Closes and deletes the store. */
    @TearDown(Level.Trial)
    public void tearDown() {
      fixture.close();
    }
  }

  /** One W6 writer thread: its handle on the store and its own row numbers. */
  @State(Scope.Thread)
  public static class Writer {
    private final Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, 0, 0);
    private final Market[] templates = new Market[W2InsertBenchmark.TEMPLATES];
    private final List<Market> row = new ArrayList<>(1);
    private StoreAdapter store;
    private long nextRow;

    /** Takes this thread's handle and generates the row templates. */
    @Setup(Level.Trial)
    public void setUp(Concurrent shared, ThreadParams thread) {
      store = shared.fixture.store().forThread();
      nextRow = (1L << 40) + ((long) thread.getThreadIndex() << 32);
      for (int i = 0; i < templates.length; i++) {
        templates[i] = data.market(i);
      }
    }

    /** Closes this thread's handle (not the store). */
    @TearDown(Level.Trial)
    public void tearDown() {
      store.close();
    }

    List<Market> insertOne() {
      row.clear();
      row.add(row(data, templates, nextRow++));
      store.insert(row);
      return row;
    }
  }

  /** Row {@code k}: a template with a fresh oid and a fresh unique name, as W2 and W6 make it. */
  static Market row(Dataset data, Market[] templates, long k) {
    Market t = templates[(int) (k & (templates.length - 1))];
    return new Market(
        data.marketOid(k),
        t.exchangeOid(),
        Dataset.marketName(k),
        t.symbol(),
        t.price(),
        t.quantity(),
        t.createdNanos(),
        t.side(),
        t.note());
  }

  /** W2: inserts one batch of new rows in one transaction (one commit, one feed entry). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public List<Market> W2_insert(Inserts s) {
    List<Market> batchRows = s.nextBatch();
    s.fixture.store().insert(batchRows);
    return batchRows;
  }

  /**
   * W6: one new row (with its two index entries) in one durable {@code db.write} of this thread;
   * concurrent calls may share a commit (group commit: one feed entry for all of them). The score
   * is the rows per second of all threads together.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public List<Market> W6_insert(Writer writer) {
    return writer.insertOne();
  }
}
