package org.lodestore.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.lodestore.core.GroupHarness.Outcome;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * {@link GroupCommitTest}'s close scenarios, in a child JVM (a mistake here would free an LMDB
 * transaction under its user and crash the JVM). A group of writers forms ({@link GroupHarness});
 * the database closes while it runs: from another thread while a member's fn is running ({@code
 * closeFromAnotherThread}, with more writers queued behind the group), from the leader's own fn
 * ({@code closeInLeaderFn}), or from a later member's fn ({@code closeInMemberFn}). Every writer
 * must finish (no hang), each with success or {@link InvalidStateException}; after reopening, each
 * writer's two rows are there if it succeeded and absent if it failed.
 *
 * <p>Prints {@code CHECK <name>: OK} or {@code CHECK <name>: FAIL <why>} lines, then {@code DONE
 * <scenario>}. Arguments: {@code scenario dir}.
 */
public final class GroupCommitChild {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static int failures;

  private GroupCommitChild() {}

  /**
   * Runs one scenario.
   *
   * @param args {@code scenario dir}
   * @throws Exception if the harness fails
   */
  public static void main(final String[] args) throws Exception {
    final String scenario = args[0];
    final Path dir = Path.of(args[1]);
    final DatabaseOptions options = DatabaseOptions.builder().durability(Durability.SYNC).build();
    final Database db = Database.open(dir, options);
    final Table<String, Long> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
    final CountDownLatch inFn = new CountDownLatch(1);
    final CountDownLatch go = new CountDownLatch(1);
    final int members = 5;
    final List<Function<Txn, Object>> fns = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      final int me = i;
      fns.add(
          txn -> {
            t.put(txn, "w" + me + "-a", (long) me);
            if (scenario.equals("closeFromAnotherThread") && me == 2) {
              inFn.countDown();
              await(go);
            }
            if (scenario.equals("closeInLeaderFn") && me == 0
                || scenario.equals("closeInMemberFn") && me == 3) {
              db.close();
            }
            t.put(txn, "w" + me + "-b", (long) me);
            return me;
          });
    }
    final List<Outcome> outcomes = new ArrayList<>();
    final Txn hold = db.beginWrite();
    try {
      outcomes.addAll(GroupHarness.start(db, fns, "w", TIMEOUT));
    } finally {
      hold.close();
    }
    if (scenario.equals("closeFromAnotherThread")) {
      check("a member's fn is running", inFn.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "");
      // more writers queue behind the running group
      final List<Function<Txn, Object>> later = new ArrayList<>();
      for (int i = members; i < members + 3; i++) {
        final int me = i;
        later.add(
            txn -> {
              t.put(txn, "w" + me + "-a", (long) me);
              t.put(txn, "w" + me + "-b", (long) me);
              return me;
            });
      }
      outcomes.addAll(GroupHarness.start(db, later, "queued", TIMEOUT));
      db.close();
      go.countDown();
    }
    try {
      GroupHarness.join(outcomes, TIMEOUT);
      check("every writer finished", true, "");
    } catch (AssertionError e) {
      check("every writer finished", false, e.getMessage());
      System.out.flush();
      Runtime.getRuntime().halt(2);
    }
    for (final Outcome o : outcomes) {
      check(
          o.name + " succeeded or got InvalidStateException",
          o.error == null || o.error instanceof InvalidStateException,
          String.valueOf(o));
    }
    check("the database is closed", db.isClosed(), "");
    try (Database again = Database.open(dir, options)) {
      check("reopened: the environment was released", true, "");
      final Table<String, Long> r = again.table("rows", KeyCodecs.STRING, ValueCodecs.LONG);
      again.read(
          txn -> {
            for (int i = 0; i < outcomes.size(); i++) {
              final Outcome o = outcomes.get(i);
              final boolean a = r.contains(txn, "w" + i + "-a");
              final boolean b = r.contains(txn, "w" + i + "-b");
              check(
                  o.name + " rows " + (o.error == null ? "present" : "absent"),
                  a == b && a == (o.error == null),
                  "a=" + a + " b=" + b + " " + o);
            }
          });
    }
    System.out.println(
        "DONE " + scenario + (failures == 0 ? "" : " with " + failures + " failures"));
    System.out.flush();
    System.exit(failures == 0 ? 0 : 1);
  }

  private static void await(final CountDownLatch latch) {
    try {
      if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void check(final String name, final boolean ok, final String detail) {
    if (ok) {
      System.out.println("CHECK " + name + ": OK");
    } else {
      failures++;
      System.out.println("CHECK " + name + ": FAIL " + detail);
    }
  }
}
