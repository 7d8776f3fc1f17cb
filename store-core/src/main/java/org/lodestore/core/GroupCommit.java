package org.lodestore.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Group commit: {@link Database#writeAndGet} calls that arrive together share one LMDB write
 * transaction and one commit (with {@link Durability#SYNC}, one pair of fsyncs instead of one per
 * caller), each caller's function isolated in an LMDB nested transaction of its own.
 *
 * <h2>Design</h2>
 *
 * Each call is a {@link Request} in a FIFO queue guarded by {@link #lock}; at most one caller at a
 * time is the <em>leader</em> ({@link #leading}). For callers A (first), B and C:
 *
 * <pre>
 *  A   lock; enqueue A; no leader, so A leads; unlock
 *  B,C lock; enqueue; a leader exists; unlock; park until their state changes
 *  A   parent = db.beginWrite()      the usual path: WriteLock, dead-writer reaping, reader check,
 *                                    growth; callers arriving while A waits here join its group
 *  A   lock; drain up to MAX_GROUP requests, in arrival order (A, B, C): GROUPED; unlock
 *  A   alone (batch of one)?  fn(parent); commit; exactly an ungrouped write, no nested txn;
 *                             then "hand over" below
 *  A   for each request R of the batch, in order:
 *        R is A:  A runs its own turn (below) on its own thread
 *        else:    R.parent = parent; R.state = TURN; unpark(R); A parks until R.state >= RAN
 *      a turn, on R's own thread:
 *        child = db.beginChild(parent)     a Txn owned by R's thread, registered in the gate
 *        v = R.fn(child); child.commit()   merges into parent; abort instead if fn threw
 *        R.state = RAN (or DONE: fn threw, R returns at once); unpark(A)
 *  A   some child committed?  parent.commit()   the one durable commit, on the lock holder
 *                       else  parent.close()    nothing to write: no fsync
 *  A   hand over: lock; queue not empty? head.state = LEAD, unpark(head) : leading = false; unlock
 *  A   every member still waiting: outcome; state = DONE; unpark
 *  all COMMITTED: return v    FAILED: throw    GROW: grow the map, call again    ALONE: see below
 * </pre>
 *
 * <h3>Who waits on what</h3>
 *
 * A queued caller parks until it is made leader (LEAD), its turn comes (TURN) or its group ended
 * (DONE). The leader parks until the member whose turn it is has RAN. A member whose child
 * committed parks until DONE, which comes only after the parent commit returned: every caller
 * returns after its writes are as durable as {@link Durability} says, never before. All waiting is
 * {@link LockSupport#park} in a loop over a volatile state, and the queue lock is a {@link
 * ReentrantLock} held for a few field writes, so a waiting virtual thread unmounts and pins no
 * carrier. A caller interrupted while still QUEUED leaves the queue and gets a {@link
 * LodestoreException}, as a caller interrupted while waiting in {@code beginWrite}; once grouped it
 * cannot leave (the group waits for its turn), so its interrupt is kept for later.
 *
 * <h3>LMDB's rules</h3>
 *
 * LMDB allows one open child per transaction and no use of the parent while the child is open: the
 * turns are strictly one after the other, and the parent ends only after the last child ended (a
 * member sets RAN after its child closed). Nested transactions do not touch LMDB's write lock, so a
 * child begins, commits and aborts on its caller's thread; the parent, begun by {@code beginWrite},
 * commits on the thread holding the lock (for a virtual leader, {@link WriteLock}'s platform
 * thread, see {@link Txn#closeLmdb}). While a child is open it is the database's write transaction,
 * owned by its caller's thread: thread checks, ThreadLocals in {@code fn}, and the refusal of a
 * nested {@code beginWrite} (which would otherwise wait for its own group) work as without
 * grouping. Table handles a child opens join the parent when the child commits and are published
 * when the parent commits; those of an aborted child are invalid.
 *
 * <h3>Failures</h3>
 *
 * <ul>
 *   <li><b>fn throws</b>: its child aborts, nothing of it reaches the parent, its caller gets the
 *       same exception instance; the other members go on.
 *   <li><b>Map full in a child</b>: that child aborts; its caller waits for the group's commit,
 *       then grows the map ({@link Database#growAfterGroup}: the members that saw the same map full
 *       grow it once, not once each) and calls again. <b>At the parent's commit</b>: nothing was
 *       written, so every member with a committed child grows and calls again ({@code fn} may run
 *       again, by contract). With {@code autoGrow(false)} they get {@link MapFullException}
 *       instead.
 *   <li><b>Too many dirty pages</b> ({@code MDB_TXN_FULL}) in a child that followed committed
 *       siblings: the parent held their pages too, so the caller retries alone, ungrouped, where it
 *       has LMDB's whole limit to itself.
 *   <li><b>The parent's commit fails</b> (disk full, database closed): every member with a
 *       committed child gets that exception; nothing of the group was written.
 *   <li><b>Close</b>: a leader whose {@code beginWrite} fails fails alone and hands over, so each
 *       queued caller in turn fails the same way; mid-group, children cannot begin or write ({@link
 *       InvalidStateException}) and the parent's commit fails with it. {@link Txn#abortFromClose}
 *       leaves a parent with an open child alone (ending it would free the child under its user):
 *       the leader ends it after the child. Nothing waits for a caller that cannot come: members
 *       are parked in this class, and each turn ends.
 * </ul>
 *
 * <h3>Timeouts</h3>
 *
 * With {@link DatabaseOptions#writeTimeout()} set, a caller still QUEUED at its deadline leaves the
 * queue (as an interrupted one does) and gets {@link WriteTimeoutException}; a leader gives its
 * {@code beginWrite} the rest of its own time, and when that times out it fails alone and hands
 * over, as for any failed {@code beginWrite}. A caller already GROUPED runs: its group holds the
 * write transaction, and what it waits for is the functions before it, not a writer elsewhere.
 *
 * <p>Explicit transactions ({@link Database#beginWrite()}) are not grouped: they take the write
 * lock between groups, as between ungrouped writes.
 */
final class GroupCommit {

  /** The most callers in one group: bounds a group's latency and the parent's dirty pages. */
  static final int MAX_GROUP = 64;

  // Request states: QUEUED -> LEAD, or QUEUED -> GROUPED -> TURN -> RAN -> DONE (or TURN -> DONE)
  private static final int QUEUED = 0;
  private static final int LEAD = 1;
  private static final int GROUPED = 2;
  private static final int TURN = 3;
  private static final int RAN = 4;
  private static final int DONE = 5;

  // Request outcomes
  private static final int NONE = 0;
  private static final int COMMITTED = 1;
  private static final int FAILED = 2;
  private static final int GROW = 3;
  private static final int ALONE = 4;

  private final Database db;
  private final ReentrantLock lock = new ReentrantLock();

  /** Requests not yet in a group, in arrival order; the head of a non-empty queue leads next. */
  private final ArrayDeque<Request<?>> queue = new ArrayDeque<>(); // guarded by lock

  /** Whether a leader is active; false only while the queue is empty. Guarded by lock. */
  private boolean leading;

  private final LongAdder groupCommits = new LongAdder();
  private final LongAdder groupedWrites = new LongAdder();

  GroupCommit(final Database db) {
    this.db = db;
  }

  /** Commits shared by a group of two or more callers run as nested transactions. */
  long groupCommits() {
    return groupCommits.sum();
  }

  /** The callers whose writes those commits carried. */
  long groupedWrites() {
    return groupedWrites.sum();
  }

  /** One call of {@link Database#writeAndGet}, for one attempt. */
  private static final class Request<R> {
    final Function<Txn, R> fn;
    final Thread thread = Thread.currentThread();
    volatile int state = QUEUED;

    /** When the caller began to wait, and how long it waits for its write ({@code null}: ever). */
    final long start = System.nanoTime();

    final Duration timeout;
    final long deadline;

    // written by the leader before TURN, read by the member after it
    Txn parent;
    Thread leader;
    boolean afterOthers; // an earlier member's child committed into the parent

    // written by whoever decides, before the state that publishes it (RAN or DONE)
    int outcome = NONE;
    R result;
    Throwable error;
    MapFullException full;
    int growthsSeen;

    Request(final Function<Txn, R> fn, final Duration timeout) {
      this.fn = fn;
      this.timeout = timeout;
      this.deadline = Database.deadline(start, timeout);
    }

    void committed(final R value) {
      result = value;
      outcome = COMMITTED;
    }

    void fail(final Throwable e) {
      result = null;
      error = e;
      outcome = FAILED;
    }

    void grow(final MapFullException e, final int growths) {
      result = null;
      full = e;
      growthsSeen = growths;
      outcome = GROW;
    }
  }

  /**
   * Runs {@code fn} as {@link Database#writeAndGet} promises, grouped with concurrent callers, each
   * attempt waiting at most {@code timeout} (null: forever) to be led or grouped and, as a leader,
   * to begin the write transaction. Once grouped, a caller runs: its group holds the write
   * transaction. The calling thread must not hold the write transaction.
   *
   * @throws WriteTimeoutException if the wait ran out; {@code fn} did not run in that attempt
   */
  <R> R write(final Function<Txn, R> fn, final Duration timeout) {
    while (true) {
      final Request<R> request = new Request<>(fn, timeout);
      lock.lock();
      try {
        queue.addLast(request);
        if (!leading) {
          leading = true;
          request.state = LEAD;
        }
      } finally {
        lock.unlock();
      }
      if (request.state != LEAD) {
        awaitLeadOrDone(request);
      }
      if (request.state == LEAD) {
        lead(request);
      }
      switch (request.outcome) {
        case COMMITTED:
          if (request.error != null) {
            throw rethrow(request.error);
          }
          return request.result;
        case GROW:
          db.growAfterGroup(request.growthsSeen, request.full);
          break; // and call again
        case ALONE:
          db.retried();
          return writeAlone(fn, timeout);
        default:
          throw rethrow(request.error);
      }
    }
  }

  /** A member's wait: returns once it leads or its group is done; runs its turn when it comes. */
  private void awaitLeadOrDone(final Request<?> request) {
    boolean interrupted = false;
    try {
      while (true) {
        final int state = request.state;
        if (state == LEAD || state == DONE) {
          return;
        }
        if (state == TURN) {
          if (interrupted) {
            Thread.currentThread().interrupt(); // fn sees its thread's interrupt, as ungrouped
            interrupted = false;
          }
          final Thread leader = request.leader;
          runTurn(request, request.parent);
          final int outcome = request.outcome;
          // a caller whose fn failed (or that retries alone) has nothing to wait for: it goes now
          request.state = outcome == FAILED || outcome == ALONE ? DONE : RAN;
          LockSupport.unpark(leader);
          continue;
        }
        if (request.deadline != WriteLock.NO_DEADLINE && state == QUEUED) {
          final long left = request.deadline - System.nanoTime();
          if (left <= 0) {
            if (cancel(request)) {
              throw db.writeTimeout(request.start, request.timeout, false);
            }
            continue; // it leads or is grouped by now: no longer a wait for the write transaction
          }
          LockSupport.parkNanos(this, left);
        } else {
          LockSupport.park(this);
        }
        if (Thread.interrupted()) {
          if (cancel(request)) {
            Thread.currentThread().interrupt();
            throw new LodestoreException(
                "interrupted while waiting for the write transaction of " + db.path());
          }
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Takes a still-queued request out of the queue; false if it is already leading or grouped. */
  private boolean cancel(final Request<?> request) {
    lock.lock();
    try {
      if (request.state != QUEUED) {
        return false;
      }
      queue.remove(request);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Leads one group whose first request is {@code self}; {@code self} is DONE on return. */
  private void lead(final Request<?> self) {
    final Txn parent;
    try {
      parent = db.beginWrite(self.start, self.timeout);
    } catch (RuntimeException | Error e) {
      lock.lock();
      try {
        queue.remove(self);
        handOverLocked();
      } finally {
        lock.unlock();
      }
      self.fail(e);
      self.state = DONE;
      return;
    }
    final List<Request<?>> batch = drain(self);
    if (batch == null) {
      try {
        runAlone(self, parent);
      } finally {
        handOver();
        self.state = DONE;
      }
      return;
    }
    runGroup(self, parent, batch);
  }

  /** Takes the requests that lead with {@code self}; null if {@code self} is alone. */
  private List<Request<?>> drain(final Request<?> self) {
    lock.lock();
    try {
      if (queue.size() == 1) {
        queue.pollFirst();
        return null;
      }
      final int n = Math.min(queue.size(), MAX_GROUP);
      final List<Request<?>> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        final Request<?> request = queue.pollFirst();
        if (request != self) {
          request.state = GROUPED;
        }
        batch.add(request);
      }
      assert batch.get(0) == self : "the leader heads its group";
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /** Runs the turns of a group of two or more, commits once, and tells every member. */
  private void runGroup(final Request<?> self, final Txn parent, final List<Request<?>> batch) {
    final Thread leader = Thread.currentThread();
    int committed = 0;
    Throwable failure = null;
    boolean interrupted = false;
    try {
      for (final Request<?> member : batch) {
        member.afterOthers = committed > 0;
        if (member == self) {
          runTurn(self, parent);
        } else {
          member.parent = parent;
          member.leader = leader;
          member.state = TURN;
          LockSupport.unpark(member.thread);
          interrupted |= awaitRan(member);
        }
        if (member.outcome == COMMITTED) {
          committed++;
        }
      }
      if (committed > 0) {
        parent.commit();
      }
    } catch (RuntimeException | Error e) {
      failure = e;
    } finally {
      for (final Request<?> member : batch) {
        if (member.state == TURN) {
          interrupted |= awaitRan(member); // its child must end before the parent does
        }
      }
      try {
        parent.close(); // aborts unless committed; there is no child left
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = e; // not committed: no member may return as if it were
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (failure == null && committed > 0) {
      groupCommits.increment();
      groupedWrites.add(committed);
      if (db.listener != null) {
        db.listener.groupCommitted(committed);
      }
    }
    final boolean grow = failure instanceof MapFullException && db.options().autoGrow();
    final int growths = grow ? db.growthCount() : 0;
    handOver();
    for (final Request<?> member : batch) {
      if (member.state == DONE) {
        continue; // failed in its turn and gone
      }
      if (member.outcome == NONE || member.outcome == COMMITTED && failure != null) {
        if (grow) {
          member.grow((MapFullException) failure, growths);
        } else {
          member.fail(
              failure != null
                  ? failure
                  : new LodestoreException("the group commit of " + db.path() + " failed"));
        }
      }
      member.state = DONE;
      if (member != self) {
        LockSupport.unpark(member.thread);
      }
    }
  }

  /** The leader's wait for a member's turn to end; true if the leader was interrupted. */
  private boolean awaitRan(final Request<?> member) {
    boolean interrupted = false;
    while (member.state < RAN) {
      LockSupport.park(this);
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    return interrupted;
  }

  /**
   * One turn, on the member's thread; whatever happens, the request has an outcome afterwards (the
   * leader goes on when the member reports it).
   */
  private <R> void runTurn(final Request<R> request, final Txn parent) {
    try {
      runChild(request, parent);
    } catch (RuntimeException | Error e) {
      request.fail(e); // ending the child failed: not the caller's write
    }
  }

  /** {@code fn} in a nested transaction of {@code parent}, on the member's thread. */
  private <R> void runChild(final Request<R> request, final Txn parent) {
    final Txn child;
    try {
      child = db.beginChild(parent);
    } catch (RuntimeException | Error e) {
      request.fail(e);
      return;
    }
    try {
      final R result = request.fn.apply(child);
      child.commit();
      request.committed(result); // durable once the parent commits
    } catch (MapFullException e) {
      if (db.options().autoGrow()) {
        request.grow(e, db.growthCount()); // the parent is open: no growth since it began
      } else {
        request.fail(e);
      }
    } catch (RuntimeException | Error e) {
      if (child.committed()) {
        // fn committed the child itself: its writes are in the parent and are committed with it;
        // the caller gets the error after that, as an ungrouped write's second commit fails
        request.committed(null);
        request.error = e;
      } else if (child.sawMapFull() && db.options().autoGrow()) {
        request.grow(null, db.growthCount()); // fn turned the map-full failure into another
      } else if (request.afterOthers && dirtyPagesFull(e)) {
        request.outcome = ALONE;
      } else {
        request.fail(e);
      }
    } finally {
      child.close();
    }
  }

  /**
   * A write alone in the top-level transaction {@code txn}, as {@link Database#writeAndGet} does
   * without grouping: commit, or the outcome for the caller.
   */
  private <R> void runAlone(final Request<R> request, final Txn txn) {
    try {
      final R result = request.fn.apply(txn);
      txn.commit();
      request.committed(result);
    } catch (MapFullException e) {
      if (db.options().autoGrow()) {
        request.grow(e, db.growthCount());
      } else {
        request.fail(e);
      }
    } catch (RuntimeException | Error e) {
      if (txn.sawMapFull() && db.options().autoGrow()) {
        request.grow(null, db.growthCount());
      } else {
        request.fail(e);
      }
    } finally {
      txn.close();
    }
  }

  /** An ungrouped write, for a caller whose write is too large to share a transaction. */
  private <R> R writeAlone(final Function<Txn, R> fn, final Duration timeout) {
    while (true) {
      final Request<R> request = new Request<>(fn, timeout);
      runAlone(request, db.beginWrite(request.start, timeout));
      switch (request.outcome) {
        case COMMITTED:
          return request.result;
        case GROW:
          db.growAfterGroup(request.growthsSeen, request.full);
          break;
        default:
          throw rethrow(request.error);
      }
    }
  }

  /** Makes the oldest queued caller the next leader, or ends leadership if none waits. */
  private void handOver() {
    lock.lock();
    try {
      handOverLocked();
    } finally {
      lock.unlock();
    }
  }

  private void handOverLocked() {
    final Request<?> next = queue.peekFirst();
    if (next == null) {
      leading = false;
    } else {
      next.state = LEAD;
      LockSupport.unpark(next.thread);
    }
  }

  /** Whether LMDB refused a write for too many dirty pages in one transaction (MDB_TXN_FULL). */
  private static boolean dirtyPagesFull(final Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.lmdbjava.Txn.TxFullException) {
        return true;
      }
    }
    return false;
  }

  private static RuntimeException rethrow(final Throwable e) {
    if (e instanceof RuntimeException) {
      throw (RuntimeException) e;
    }
    if (e instanceof Error) {
      throw (Error) e;
    }
    throw new LodestoreException("write failed: " + e, e);
  }
}
