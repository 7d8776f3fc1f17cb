package org.lodestore.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Makes {@link Database#writeAndGet} callers form one group in a known order: the calling thread
 * holds an explicit write transaction, starts the writers one after another (each waiting inside
 * {@code writeAndGet} before the next starts: the first as the leader waiting for the write lock,
 * the others queued behind it), then aborts its transaction, so that the leader begins and takes
 * all of them into its group, in that order.
 */
final class GroupHarness {

  /** What one writer got: its result, or what it threw. */
  static final class Outcome {
    final String name;
    volatile Object result;
    volatile Throwable error;
    Thread thread;

    Outcome(final String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name + (error != null ? " threw " + error : " returned " + result);
    }
  }

  private GroupHarness() {}

  /**
   * Runs {@code fns} as one group, in order, and waits for every writer (at most {@code timeout}
   * each).
   *
   * @throws AssertionError if a writer did not wait or did not finish in time
   */
  static List<Outcome> inOneGroup(
      final Database db, final List<Function<Txn, Object>> fns, final Duration timeout)
      throws InterruptedException {
    final List<Outcome> outcomes = new ArrayList<>();
    final Txn hold = db.beginWrite();
    try {
      outcomes.addAll(start(db, fns, "writer", timeout));
    } finally {
      hold.close(); // aborted: the writers' leader begins now
    }
    join(outcomes, timeout);
    return outcomes;
  }

  /**
   * Starts a writer per function, each after the one before waits inside {@code writeAndGet}; does
   * not wait for them to finish.
   */
  static List<Outcome> start(
      final Database db,
      final List<Function<Txn, Object>> fns,
      final String prefix,
      final Duration timeout)
      throws InterruptedException {
    final List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < fns.size(); i++) {
      final Function<Txn, Object> fn = fns.get(i);
      final Outcome outcome = new Outcome(prefix + "-" + i);
      final Thread t =
          new Thread(
              () -> {
                try {
                  outcome.result = db.writeAndGet(fn);
                } catch (Throwable e) {
                  outcome.error = e;
                }
              },
              outcome.name);
      outcome.thread = t;
      t.setDaemon(true);
      t.start();
      awaitWaiting(t, timeout);
      outcomes.add(outcome);
    }
    return outcomes;
  }

  /** Waits for every writer; fails naming those still running after {@code timeout}. */
  static void join(final List<Outcome> outcomes, final Duration timeout)
      throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    final List<String> hung = new ArrayList<>();
    for (final Outcome o : outcomes) {
      o.thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (o.thread.isAlive()) {
        hung.add(o.name + " " + List.of(o.thread.getStackTrace()));
      }
    }
    if (!hung.isEmpty()) {
      throw new AssertionError("writers still running after " + timeout + ": " + hung);
    }
  }

  /** Polls until {@code t} is parked (waiting in the write lock or the group's queue). */
  static void awaitWaiting(final Thread t, final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      final Thread.State state = t.getState();
      if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
        return;
      }
      if (state == Thread.State.TERMINATED || System.nanoTime() > deadline) {
        throw new AssertionError("writer " + t.getName() + " did not wait (state " + state + ")");
      }
      Thread.sleep(1);
    }
  }
}
