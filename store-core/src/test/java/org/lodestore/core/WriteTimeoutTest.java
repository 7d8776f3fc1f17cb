package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Bounded waits for the write transaction within one process (issue 15, item 13): {@link
 * Database#beginWrite(Duration)} and {@link DatabaseOptions.Builder#writeTimeout} give up with
 * {@link WriteTimeoutException} naming the database and the thread that holds it, run nothing, and
 * leave the database working. (Another process holding LMDB's lock: reliability's
 * WriteTimeoutTest.) Bounds are generous: the machine may be loaded.
 */
class WriteTimeoutTest {

  /** The longest a timed-out wait may overshoot its timeout here. */
  private static final Duration SLACK = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** A thread that holds the write transaction until told to let go. */
  private static final class Holder implements AutoCloseable {
    private final ExecutorService thread =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "stuck-writer"));
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Future<?> done;

    Holder(final Database db, final Table<String, String> t) throws InterruptedException {
      done =
          thread.submit(
              () -> {
                try (Txn txn = db.beginWrite()) {
                  t.put(txn, "holder", "uncommitted");
                  holding.countDown();
                  release.await(60, TimeUnit.SECONDS);
                }
                return null;
              });
      assertThat(holding.await(30, TimeUnit.SECONDS)).as("the holder began").isTrue();
    }

    @Override
    public void close() throws Exception {
      release.countDown();
      done.get(30, TimeUnit.SECONDS);
      thread.shutdown();
    }
  }

  @Test
  void beginWriteWithTimeout_whileAnotherThreadHoldsIt_throwsNamingPathAndHolder_thenWorks()
      throws Exception {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<String, String> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      try (Holder holder = new Holder(db, t)) {
        final long start = System.nanoTime();
        assertThatThrownBy(() -> db.beginWrite(Duration.ofMillis(100)))
            .isInstanceOfSatisfying(
                WriteTimeoutException.class,
                e -> {
                  assertThat(e.path()).isEqualTo(db.path());
                  assertThat(e.heldBy()).contains("'stuck-writer'");
                  assertThat(e.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
                  assertThat(e.getMessage())
                      .contains(db.path().toString())
                      .contains("'stuck-writer'")
                      .contains("timeout 100 ms");
                });
        final Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isBetween(Duration.ofMillis(100), Duration.ofMillis(100).plus(SLACK));
        // a zero timeout gives up at once
        assertThatThrownBy(() -> db.beginWrite(Duration.ZERO))
            .isInstanceOf(WriteTimeoutException.class);
      }
      try (Txn txn = db.beginWrite(Duration.ofSeconds(30))) {
        assertThat(t.get(txn, "holder")).as("the holder's write was aborted").isNull();
        t.put(txn, "after", "ok");
        txn.commit();
      }
      assertThat(db.<String>readAndGet(r -> t.get(r, "after"))).isEqualTo("ok");
      // free: a zero timeout takes it (the lock thread's hand-off is not a wait for anyone)
      try (Txn txn = db.beginWrite(Duration.ZERO)) {
        t.put(txn, "zero", "ok");
        txn.commit();
      }
      assertThat(db.<String>readAndGet(r -> t.get(r, "zero"))).isEqualTo("ok");
    }
  }

  @Test
  void beginWrite_withNegativeTimeout_isRefused() {
    try (Database db = Database.open(dir.resolve("db"))) {
      assertThatThrownBy(() -> db.beginWrite(Duration.ofMillis(-1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> DatabaseOptions.builder().writeTimeout(Duration.ofMillis(-1)).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("writeTimeout");
    }
  }

  @ParameterizedTest(name = "groupCommit={0}")
  @ValueSource(booleans = {true, false})
  void write_withWriteTimeoutOption_givesUpWithoutRunningFn_evenQueuedBehindOthers(
      final boolean groupCommit) throws Exception {
    final DatabaseOptions options =
        DatabaseOptions.builder()
            .groupCommit(groupCommit)
            .writeTimeout(Duration.ofMillis(200))
            .durability(Durability.NO_SYNC)
            .build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<String, String> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      final AtomicInteger ran = new AtomicInteger();
      final int callers = 4;
      final ExecutorService pool = Executors.newFixedThreadPool(callers);
      try (Holder holder = new Holder(db, t)) {
        final List<Future<Throwable>> outcomes = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          final int me = i;
          outcomes.add(
              pool.submit(
                  () -> {
                    final long start = System.nanoTime();
                    try {
                      db.write(
                          txn -> {
                            ran.incrementAndGet();
                            t.put(txn, "caller-" + me, "x");
                          });
                      return null;
                    } catch (WriteTimeoutException e) {
                      final Duration took = Duration.ofNanos(System.nanoTime() - start);
                      return took.compareTo(Duration.ofMillis(200)) >= 0
                              && took.compareTo(Duration.ofMillis(200).plus(SLACK)) <= 0
                          ? e
                          : new AssertionError("gave up after " + took, e);
                    }
                  }));
        }
        for (final Future<Throwable> outcome : outcomes) {
          assertThat(outcome.get(60, TimeUnit.SECONDS))
              .isInstanceOfSatisfying(
                  WriteTimeoutException.class,
                  e -> assertThat(e.getMessage()).contains(db.path().toString()));
        }
        assertThat(ran.get()).as("no fn ran").isZero();
        // writeAndGet too
        assertThatThrownBy(() -> db.writeAndGet(txn -> t.insert(txn, "main", "x")))
            .isInstanceOf(WriteTimeoutException.class)
            .hasMessageContaining("'stuck-writer'");
      } finally {
        pool.shutdown();
      }
      db.write(txn -> t.put(txn, "after", "ok")); // the holder let go: writes work again
      try (Txn txn = db.beginRead()) {
        assertThat(t.get(txn, "after")).isEqualTo("ok");
        assertThat(t.count(txn)).as("nothing of the callers that gave up").isEqualTo(1);
      }
    }
  }

  @Test
  void concurrentWriters_withATimeoutTheyNeverReach_allCommit_whileTheMapGrows() throws Exception {
    final DatabaseOptions options =
        DatabaseOptions.builder()
            .writeTimeout(Duration.ofSeconds(60))
            .initialMapSize(1 << 20)
            .durability(Durability.NO_SYNC)
            .build();
    final int threads = 8;
    final int writes = 150;
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<String, byte[]> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.BYTES);
      final ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        final List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
          final int me = w;
          done.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < writes; i++) {
                      final String key = me + "-" + i;
                      db.write(txn -> t.put(txn, key, new byte[4096]));
                    }
                    return null;
                  }));
        }
        for (final Future<?> f : done) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdown();
      }
      final DatabaseStats stats = db.stats();
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo((long) threads * writes);
      assertThat(stats.mapGrowths()).as("the map grew under timed writers").isPositive();
    }
  }

  @Test
  void writeTimeout_doesNotCountTheTimeFnAndTheCommitTake() {
    final DatabaseOptions options =
        DatabaseOptions.builder()
            .writeTimeout(Duration.ofMillis(50))
            .durability(Durability.NO_SYNC)
            .build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<Integer, String> t = db.table("rows", KeyCodecs.INT, ValueCodecs.STRING);
      final long start = System.nanoTime();
      db.write(
          txn -> {
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(150)) {
              t.put(txn, (int) ((System.nanoTime() - start) % 1000), "busy");
            }
          });
      for (int i = 0; i < 200; i++) {
        final int k = i;
        db.write(txn -> t.put(txn, 10_000 + k, "v")); // many timed begins and commits, uncontended
      }
      assertThat(db.<Long>readAndGet(t::count)).isGreaterThan(200L);
    }
  }
}
