package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lodestore.core.GroupHarness.Outcome;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildJvm;
import org.lodestore.testsupport.TestSeed;

/**
 * Group commit ({@link GroupCommit}): concurrent {@code db.write} callers share one commit, each
 * isolated in a nested transaction. Most tests use {@link GroupHarness} to make the callers form
 * one group in a known order, and check from {@link DatabaseStats#groupCommits()} that they did.
 */
class GroupCommitTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  private Database open(final String name, final DatabaseOptions.Builder options) {
    return Database.open(dir.resolve(name), options.build());
  }

  private static DatabaseOptions.Builder synced() {
    return DatabaseOptions.builder().durability(Durability.SYNC);
  }

  @Test
  void throwingCaller_rollsBackOnlyItsOwnWrites_andGetsItsOwnException() throws Exception {
    try (Database db = open("db", synced())) {
      final Table<String, Long> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
      final RuntimeException boom = new IllegalStateException("fn of writer 0 fails");
      final int n = 6;
      final boolean[] sawOwn = new boolean[n];
      final boolean[] sawAborted = new boolean[n];
      final boolean[] nested = new boolean[n];
      final List<Function<Txn, Object>> fns = new ArrayList<>();
      // the first caller leads and runs first: it writes two rows, then throws
      fns.add(
          txn -> {
            nested[0] = txn.parent != null;
            t.put(txn, "bad-a", 1L);
            t.put(txn, "bad-b", 2L);
            throw boom;
          });
      for (int i = 1; i < n; i++) {
        final int me = i;
        fns.add(
            txn -> {
              nested[me] = txn.parent != null;
              t.put(txn, "row-" + me + "-a", (long) me);
              t.put(txn, "row-" + me + "-b", (long) me);
              sawOwn[me] = Long.valueOf(me).equals(t.get(txn, "row-" + me + "-a"));
              sawAborted[me] = t.get(txn, "bad-a") != null || t.get(txn, "bad-b") != null;
              return me;
            });
      }
      final DatabaseStats before = db.stats();
      final List<Outcome> outcomes = GroupHarness.inOneGroup(db, fns, TIMEOUT);
      final DatabaseStats after = db.stats();

      assertThat(after.groupCommits() - before.groupCommits()).as("one shared commit").isEqualTo(1);
      assertThat(after.groupedWrites() - before.groupedWrites()).isEqualTo(n - 1);
      assertThat(outcomes.get(0).error).as(outcomes.get(0).toString()).isSameAs(boom);
      for (int i = 1; i < n; i++) {
        assertThat(outcomes.get(i).error).as(outcomes.get(i).toString()).isNull();
        assertThat(outcomes.get(i).result).isEqualTo(i);
        assertThat(nested[i]).as("writer %d ran in a nested transaction", i).isTrue();
        assertThat(sawOwn[i]).as("writer %d read its own write", i).isTrue();
        assertThat(sawAborted[i]).as("writer %d saw the aborted writer's rows", i).isFalse();
      }
      assertThat(nested[0]).isTrue();
      db.read(
          txn -> {
            assertThat(t.get(txn, "bad-a")).isNull();
            assertThat(t.get(txn, "bad-b")).isNull();
            for (int i = 1; i < n; i++) {
              assertThat(t.get(txn, "row-" + i + "-a")).isEqualTo(i);
              assertThat(t.get(txn, "row-" + i + "-b")).isEqualTo(i);
            }
            assertThat(t.count(txn)).isEqualTo(2L * (n - 1));
          });
    }
  }

  @Test
  void concurrentWriters_someThrowing_formGroups_andOnlyTheThrowersWritesAreAbsent()
      throws Exception {
    final long seed = TestSeed.seed("GroupCommitTest.concurrentWriters");
    final int threads = 8;
    final int writes = 40;
    try (Database db = open("db", synced())) {
      final Table<String, Long> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
      long grouped = 0;
      // bounded rounds: a loaded machine may serialise a round by chance, but not all of them
      for (int round = 0; round < 10 && grouped == 0; round++) {
        final int r = round;
        final CyclicBarrier start = new CyclicBarrier(threads);
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int w = 0; w < threads; w++) {
          final int me = w;
          final Random rnd = new Random(seed + 31L * round + me);
          final Thread worker =
              new Thread(
                  () -> {
                    try {
                      start.await();
                      for (int i = 0; i < writes; i++) {
                        final String key = r + "-" + me + "-" + i;
                        final boolean fail = rnd.nextInt(5) == 0;
                        final RuntimeException mine = new IllegalArgumentException(key);
                        try {
                          db.write(
                              txn -> {
                                t.put(txn, key + "-a", 1L);
                                t.put(txn, key + "-b", 2L);
                                if (fail) {
                                  throw mine;
                                }
                              });
                          if (fail) {
                            unexpected.add(new AssertionError(key + ": fn threw, write returned"));
                          }
                        } catch (IllegalArgumentException e) {
                          if (!fail || e != mine) {
                            unexpected.add(e); // only the caller's own exception may reach it
                          } else {
                            failed(db, t, key);
                          }
                        }
                      }
                    } catch (Throwable e) {
                      unexpected.add(e);
                    }
                  });
          workers.add(worker);
          worker.start();
        }
        for (final Thread worker : workers) {
          worker.join(TIMEOUT.toMillis());
          assertThat(worker.isAlive()).as("writer hung").isFalse();
        }
        assertThat(unexpected).isEmpty();
        grouped = db.stats().groupCommits();
        // every row of a caller that did not throw is there, both or neither of each pair
        final Random[] replay = new Random[threads];
        for (int w = 0; w < threads; w++) {
          replay[w] = new Random(seed + 31L * round + w);
        }
        db.read(
            txn -> {
              for (int w = 0; w < threads; w++) {
                for (int i = 0; i < writes; i++) {
                  final String key = r + "-" + w + "-" + i;
                  final boolean fail = replay[w].nextInt(5) == 0;
                  assertThat(t.get(txn, key + "-a")).as(key).isEqualTo(fail ? null : 1L);
                  assertThat(t.get(txn, key + "-b")).as(key).isEqualTo(fail ? null : 2L);
                }
              }
            });
      }
      final DatabaseStats stats = db.stats();
      System.out.println(
          "GroupCommitTest.concurrentWriters groupCommits="
              + stats.groupCommits()
              + " groupedWrites="
              + stats.groupedWrites());
      assertThat(stats.groupCommits()).as("groups of two or more formed").isPositive();
      assertThat(stats.groupedWrites()).isGreaterThanOrEqualTo(stats.groupCommits());
    }
  }

  /** Nothing of a caller whose fn threw is visible. */
  private static void failed(final Database db, final Table<String, Long> t, final String key) {
    db.read(
        txn -> {
          assertThat(t.get(txn, key + "-a")).as(key).isNull();
          assertThat(t.get(txn, key + "-b")).as(key).isNull();
        });
  }

  @Test
  void mapFullInsideAGroup_growsTheMap_andNoCallerSeesMapFull() throws Exception {
    try (Database db =
        open("db", DatabaseOptions.builder().initialMapSize(MIB).durability(Durability.NO_SYNC))) {
      final Table<String, byte[]> t = db.table("blobs", KeyCodecs.STRING, ValueCodecs.BYTES);
      // one group of 8 writing ~1.3 MiB of overflow pages into a 1 MiB map: later members fill it
      final int n = 8;
      final int values = 40;
      final AtomicInteger calls = new AtomicInteger();
      final List<Function<Txn, Object>> fns = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        final int me = i;
        fns.add(
            txn -> {
              calls.incrementAndGet();
              for (int v = 0; v < values; v++) {
                t.put(txn, "g-" + me + "-" + v, value(me, v, 4096));
              }
              return me;
            });
      }
      final List<Outcome> outcomes = GroupHarness.inOneGroup(db, fns, TIMEOUT);
      for (final Outcome o : outcomes) {
        assertThat(o.error).as(o.toString()).isNull();
      }
      final DatabaseStats afterGroup = db.stats();
      assertThat(afterGroup.mapGrowths()).as("the group filled the map").isPositive();
      assertThat(afterGroup.groupCommits()).isPositive();
      assertThat(calls.get()).as("members that found the map full ran again").isGreaterThan(n);

      // then free-running writers, growing the map further
      final int threads = 6;
      final int each = 25;
      final CyclicBarrier start = new CyclicBarrier(threads);
      final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
      final List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        final int me = w;
        final Thread worker =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                      final int k = i;
                      db.write(
                          txn -> {
                            for (int v = 0; v < 8; v++) {
                              t.put(
                                  txn,
                                  "f-" + me + "-" + k + "-" + v,
                                  value(100 + me, k * 8 + v, 8192));
                            }
                          });
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                });
        workers.add(worker);
        worker.start();
      }
      for (final Thread worker : workers) {
        worker.join(TIMEOUT.toMillis());
        assertThat(worker.isAlive()).as("writer hung").isFalse();
      }
      assertThat(errors).as("no MapFullException (or anything else) reached a caller").isEmpty();
      final DatabaseStats stats = db.stats();
      assertThat(stats.mapGrowths()).isGreaterThan(afterGroup.mapGrowths());
      db.read(
          txn -> {
            for (int i = 0; i < n; i++) {
              for (int v = 0; v < values; v++) {
                assertThat(t.get(txn, "g-" + i + "-" + v)).isEqualTo(value(i, v, 4096));
              }
            }
            for (int w = 0; w < threads; w++) {
              for (int k = 0; k < each; k++) {
                for (int v = 0; v < 8; v++) {
                  assertThat(t.get(txn, "f-" + w + "-" + k + "-" + v))
                      .isEqualTo(value(100 + w, k * 8 + v, 8192));
                }
              }
            }
            assertThat(t.count(txn)).isEqualTo((long) n * values + (long) threads * each * 8);
          });
      System.out.println(
          "GroupCommitTest.mapFull growths="
              + stats.mapGrowths()
              + " groupCommits="
              + stats.groupCommits()
              + " groupedWrites="
              + stats.groupedWrites()
              + " mapSize="
              + stats.mapSize());
    }
  }

  private static byte[] value(final int writer, final int index, final int length) {
    final byte[] bytes = new byte[length];
    new Random(writer * 1_000_003L + index).nextBytes(bytes);
    return bytes;
  }

  @Test
  void singleUncontendedCaller_runsInTheTopLevelTransaction_withTheSameResult() {
    try (Database grouped = open("grouped", synced());
        Database plain = open("plain", synced().groupCommit(false))) {
      for (final Database db : List.of(grouped, plain)) {
        final Table<String, Long> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
        final DatabaseStats before = db.stats();
        final AtomicReference<Txn> seen = new AtomicReference<>();
        final String result =
            db.writeAndGet(
                txn -> {
                  seen.set(txn);
                  t.put(txn, "k", 7L);
                  return "v" + t.get(txn, "k");
                });
        final DatabaseStats after = db.stats();
        assertThat(result).isEqualTo("v7");
        assertThat(seen.get().parent).as("no nested transaction").isNull();
        assertThat(seen.get().owner).isSameAs(Thread.currentThread());
        assertThat(after.groupCommits()).isEqualTo(before.groupCommits()).isZero();
        assertThat(after.groupedWrites()).isEqualTo(before.groupedWrites()).isZero();
        assertThat((Object) db.readAndGet(txn -> t.get(txn, "k"))).isEqualTo(7L);
        final RuntimeException boom = new IllegalStateException("boom");
        assertThatThrownBy(
                () ->
                    db.write(
                        txn -> {
                          t.put(txn, "gone", 1L);
                          throw boom;
                        }))
            .isSameAs(boom);
        assertThat((Object) db.readAndGet(txn -> t.get(txn, "gone"))).isNull();
      }
    }
  }

  @Test
  void tableOpenedInAGroupedFn_isUsableAfterTheCommit_andInvalidIfItsChildAborted()
      throws Exception {
    try (Database db = open("db", synced())) {
      final AtomicReference<Table<Long, String>> opened = new AtomicReference<>();
      final AtomicReference<Table<Long, String>> aborted = new AtomicReference<>();
      final AtomicReference<String> siblingSaw = new AtomicReference<>();
      final List<Function<Txn, Object>> fns = new ArrayList<>();
      fns.add(txn -> "first");
      fns.add(
          txn -> {
            final Table<Long, String> a =
                db.table(txn, "opened_a", KeyCodecs.LONG, ValueCodecs.STRING);
            a.put(txn, 1L, "a");
            opened.set(a);
            return "a";
          });
      fns.add(
          txn -> {
            final Table<Long, String> b =
                db.table(txn, "opened_b", KeyCodecs.LONG, ValueCodecs.STRING);
            b.put(txn, 1L, "b");
            aborted.set(b);
            throw new IllegalStateException("the child that opened opened_b aborts");
          });
      fns.add(
          txn -> {
            // a later sibling: the table of the committed child is there, the aborted one's not
            siblingSaw.set(
                opened.get().get(txn, 1L)
                    + ","
                    + db.exists(txn, "opened_a")
                    + ","
                    + db.exists(txn, "opened_b"));
            return "last";
          });
      final DatabaseStats before = db.stats();
      final List<Outcome> outcomes = GroupHarness.inOneGroup(db, fns, TIMEOUT);
      assertThat(db.stats().groupCommits()).isEqualTo(before.groupCommits() + 1);
      assertThat(outcomes.get(1).error).as(outcomes.get(1).toString()).isNull();
      assertThat(outcomes.get(2).error).isInstanceOf(IllegalStateException.class);
      assertThat(outcomes.get(3).error).as(outcomes.get(3).toString()).isNull();
      assertThat(siblingSaw.get()).isEqualTo("a,true,false");

      assertThat((Object) db.readAndGet(txn -> opened.get().get(txn, 1L))).isEqualTo("a");
      db.write(txn -> opened.get().put(txn, 2L, "a2"));
      assertThat((Object) db.readAndGet(txn -> opened.get().get(txn, 2L))).isEqualTo("a2");
      assertThatThrownBy(() -> db.readAndGet(txn -> aborted.get().get(txn, 1L)))
          .isInstanceOf(InvalidStateException.class);
      assertThat(db.tableNames()).contains("opened_a").doesNotContain("opened_b");
      // a plain open after the commit finds the published handle
      final Table<Long, String> again = db.table("opened_a", KeyCodecs.LONG, ValueCodecs.STRING);
      assertThat((Object) db.readAndGet(txn -> again.get(txn, 1L))).isEqualTo("a");
    }
  }

  @Test
  void beginWriteInsideAGroupedFn_failsInsteadOfWaitingForItsOwnGroup() throws Exception {
    try (Database db = open("db", synced())) {
      final Table<String, Long> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
      final List<Function<Txn, Object>> fns = new ArrayList<>();
      fns.add(
          txn -> {
            t.put(txn, "lead", 1L);
            return null;
          });
      fns.add(
          txn -> {
            t.put(txn, "member", 1L);
            try (Txn inner = db.beginWrite()) {
              return "began " + inner;
            }
          });
      fns.add(txn -> db.writeAndGet(inner -> "nested write " + inner));
      fns.add(txn -> db.table("not_open_yet", KeyCodecs.STRING, ValueCodecs.LONG));
      final List<Outcome> outcomes = GroupHarness.inOneGroup(db, fns, TIMEOUT);
      assertThat(outcomes.get(0).error).isNull();
      for (int i = 1; i < outcomes.size(); i++) {
        assertThat(outcomes.get(i).error)
            .as(outcomes.get(i).toString())
            .isInstanceOf(InvalidStateException.class);
      }
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "lead"))).isEqualTo(1L);
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "member"))).isNull();
    }
  }

  @Test
  void
      fnThatCommitsItsOwnTxnInAGroup_isCommittedWithTheGroup_andItsCallerGetsTheSecondCommitsError()
          throws Exception {
    try (Database db = open("db", synced())) {
      final Table<String, Long> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
      final List<Function<Txn, Object>> fns = new ArrayList<>();
      fns.add(
          txn -> {
            t.put(txn, "thrower", 1L);
            throw new IllegalArgumentException("the only other caller fails");
          });
      fns.add(
          txn -> {
            t.put(txn, "self-committed", 1L);
            txn.commit(); // misuse: write(fn) commits; as ungrouped, this commit stands
            return null;
          });
      final List<Outcome> outcomes = GroupHarness.inOneGroup(db, fns, TIMEOUT);
      assertThat(outcomes.get(0).error).isInstanceOf(IllegalArgumentException.class);
      assertThat(outcomes.get(1).error)
          .as(outcomes.get(1).toString())
          .isInstanceOf(InvalidStateException.class);
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "self-committed"))).isEqualTo(1L);
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "thrower"))).isNull();
      // the same call ungrouped: committed, and the second commit's error
      assertThatThrownBy(
              () ->
                  db.write(
                      txn -> {
                        t.put(txn, "alone", 1L);
                        txn.commit();
                      }))
          .isInstanceOf(InvalidStateException.class);
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "alone"))).isEqualTo(1L);
    }
  }

  @Test
  void interruptedQueuedCaller_leavesTheQueue_withLodestoreException_andWritesNothing()
      throws Exception {
    try (Database db = open("db", synced())) {
      final Table<String, Long> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
      final AtomicInteger queuedRan = new AtomicInteger();
      final List<Function<Txn, Object>> fns = new ArrayList<>();
      fns.add(
          txn -> {
            t.put(txn, "leader", 1L);
            return null;
          });
      fns.add(
          txn -> {
            queuedRan.incrementAndGet();
            t.put(txn, "queued", 1L);
            return null;
          });
      final List<Outcome> outcomes;
      final Txn hold = db.beginWrite();
      try {
        outcomes = GroupHarness.start(db, fns, "w", TIMEOUT);
        outcomes.get(1).thread.interrupt(); // still queued: the leader waits for our write lock
        GroupHarness.join(outcomes.subList(1, 2), TIMEOUT);
      } finally {
        hold.close();
      }
      GroupHarness.join(outcomes, TIMEOUT);
      assertThat(outcomes.get(1).error)
          .isExactlyInstanceOf(LodestoreException.class)
          .hasMessageContaining("interrupted");
      assertThat(queuedRan.get()).isZero();
      assertThat(outcomes.get(0).error).as(outcomes.get(0).toString()).isNull();
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "leader"))).isEqualTo(1L);
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "queued"))).isNull();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"closeFromAnotherThread", "closeInLeaderFn", "closeInMemberFn"})
  void closeDuringAGroup_inChildJvm_neverHangs_andCallersSucceedOrGetInvalidState(
      final String scenario) throws Exception {
    final ChildJvm.Result result =
        ChildJvm.run(
            ChildJvm.LMDB_FLAGS,
            GroupCommitChild.class,
            dir,
            Duration.ofSeconds(120),
            scenario,
            dir.resolve("db").toString());
    System.out.print(result.output());
    assertThat(result.crashLogs()).as("JVM crash logs\n%s", result.describe()).isEmpty();
    assertThat(result.timedOut()).as("child hung\n%s", result.describe()).isFalse();
    assertThat(result.output()).as(result.describe()).doesNotContain(": FAIL ");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.output()).contains("DONE " + scenario);
  }
}
