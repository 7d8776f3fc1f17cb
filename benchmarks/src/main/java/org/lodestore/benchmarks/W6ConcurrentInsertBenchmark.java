package org.lodestore.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
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
 * W6: concurrent durable writers. Every JMH thread inserts one new market per write transaction
 * (W2's row, with both indexes: unique name and exchange UUID-set), at {@code sync} durability; the
 * score is the rows per second of all threads together. The thread count is JMH's {@code -t}
 * (run.sh runs 1, 4 and 16, one JMH invocation each, into one {@code jmh.json}; each row records
 * its {@code threads}).
 *
 * <p>Each thread writes through its own {@link StoreAdapter#forThread()} handle on the one store of
 * the trial, the way a multi-threaded user of each store writes: Lodestore calls {@code db.write}
 * from every thread (the database may commit concurrent calls together: group commit); raw lmdbjava
 * begins and commits a write transaction per row on each thread (LMDB serialises them, one commit
 * each); SQLite shares its one writer connection under a lock; RocksDB writes a {@code WriteBatch}
 * per row from each thread; H2 MVStore and Xodus commit a transaction per row from each thread.
 * Rows are unique across threads (thread {@code t} writes rows {@code 2^40 + t * 2^32 + i}).
 *
 * <p>The store is created empty per trial (not per iteration as in W2: its size after a trial is
 * what the writers reach in 7 s, at most a few hundred thousand rows) and deleted afterwards.
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
@State(Scope.Benchmark)
public class W6ConcurrentInsertBenchmark {
  /** Implementation id; see {@link org.lodestore.benchmarks.peer.Impl}. */
  @Param({"lodestore-fb", "lmdbjava-raw", "sqlite", "h2-mvstore", "rocksdb", "xodus"})
  public String impl;

  /** {@code sync} (the workload's durability), or {@code meta-nosync} / {@code nosync}. */
  @Param("sync")
  public String durability;

  private StoreFixture fixture;

  /** Creates the empty store, with both indexes. */
  @Setup(Level.Trial)
  public void setUp() {
    fixture =
        StoreFixture.empty(impl, Workload.W6, new StoreOptions(SyncMode.of(durability), 2, 0));
  }

  /** Closes and deletes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    fixture.close();
  }

  /** One writer thread: its handle on the store and its own row numbers. */
  @State(Scope.Thread)
  public static class Writer {
    private final Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, 0, 0);
    private final Market[] templates = new Market[W2InsertBenchmark.TEMPLATES];
    private final List<Market> row = new ArrayList<>(1);
    private StoreAdapter store;
    private long nextRow;

    /** Takes this thread's handle and generates the row templates. */
    @Setup(Level.Trial)
    public void setUp(W6ConcurrentInsertBenchmark bench, ThreadParams thread) {
      store = bench.fixture.store().forThread();
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
      long k = nextRow++;
      Market t = templates[(int) (k & (templates.length - 1))];
      row.clear();
      row.add(
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
      store.insert(row);
      return row;
    }
  }

  /** Inserts one new row (with its two index entries) in one durable write transaction. */
  @Benchmark
  public List<Market> W6_insert(Writer writer) {
    return writer.insertOne();
  }
}
