package org.lodestore.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's side of LMDB's write lock.
 *
 * <h2>Design</h2>
 *
 * LMDB's write lock is a robust pthread mutex in {@code lock.mdb}, locked by {@code mdb_txn_begin}
 * and unlocked by {@code mdb_txn_commit}/{@code mdb_txn_abort}. It belongs to the OS thread that
 * locked it, which breaks three ways on the JVM:
 *
 * <ol>
 *   <li>A virtual thread runs on a carrier (an OS thread) only while mounted: one that sleeps
 *       holding the write transaction is unmounted, and the next virtual thread on that carrier
 *       locks a mutex its carrier already owns (a deadlock); one that commits on another carrier
 *       than it began on fails to unlock (EPERM, ignored by LMDB), and the mutex stays locked by a
 *       live thread: every later writer of every process waits forever.
 *   <li>Two threads of one process waiting in {@code mdb_txn_begin} are both pinned in native code.
 *   <li>A thread that dies holding the mutex leaves it "owner died"; the next {@code mdb_txn_begin}
 *       of this process then finds its environment's write transaction still set and declares the
 *       environment fatal (MDB_PANIC) for every later read and write.
 * </ol>
 *
 * <p>So:
 *
 * <ul>
 *   <li>A {@link Semaphore} with one permit admits one write transaction of this process at a time,
 *       before LMDB's mutex is touched: waiters park in Java (a virtual thread unmounts), and only
 *       one thread of the process ever waits in {@code mdb_txn_begin} (for another process). A
 *       semaphore, not a lock, because the permit is released by whoever ends the transaction.
 *   <li>A waiter that waited {@link #POLL_MILLIS} asks the database to discard a write transaction
 *       whose thread died ({@link Database#reapDeadWriter}), so a forgotten transaction costs its
 *       changes, never the database.
 *   <li>A virtual thread's write transaction is begun, committed and aborted on one platform thread
 *       that this lock owns ({@link #onLockThread}); its reads and writes run on the virtual thread
 *       itself (LMDB ties only the mutex, not the transaction, to a thread). Platform threads call
 *       LMDB directly, with no hand-off.
 * </ul>
 *
 * <h2>Bounded waits ({@link Database#beginWrite(java.time.Duration)})</h2>
 *
 * Waiting for the permit is bounded by a timed {@link Semaphore#tryAcquire}. Waiting for LMDB's
 * mutex (held by another process) cannot be: {@code mdb_txn_begin} blocks in {@code
 * pthread_mutex_lock} and nothing interrupts it. So a begin with a deadline runs on the lock thread
 * ({@link #beginTimed}), as a virtual thread's does, and its caller waits for it until the deadline
 * (at least {@link #MIN_LMDB_WAIT_NANOS} once the lock thread has called LMDB, so that a free mutex
 * is never missed for want of a thread switch). If the caller gives up, the begin is abandoned: it
 * keeps the permit, and the transaction it counts in the gate, until LMDB returns; then the lock
 * thread, which owns the mutex, aborts that transaction at once and gives both back. LMDB returns
 * when the other process commits, aborts or dies (the mutex is robust: LMDB recovers it from a dead
 * owner). Until then this process's other writers wait for the permit (with their own timeouts),
 * the map cannot grow and the environment is not released at close: the only thread that waits
 * without bound is the lock thread, and only while the other process holds the mutex.
 *
 * <pre>
 *   caller                         lock thread
 *   permit (timed tryAcquire)
 *   submit begin -----------------> started = true; mdb_txn_begin ... (blocks: another process)
 *   wait until deadline
 *   [returned in time]  use the transaction; commit/abort are handed to the lock thread
 *   [deadline]  under the hand-off lock: abandoned = true; the gate moves the transaction's count
 *               to its abandoned slot; WriteTimeoutException
 *                                  ... returns: under the hand-off lock, sees abandoned:
 *                                      mdb_txn_abort (its own mutex); the gate uncounts it; the
 *                                      permit is released
 * </pre>
 */
final class WriteLock {

  private static final Logger LOG = LoggerFactory.getLogger(WriteLock.class);

  /** How often a waiting writer checks for a dead holder. */
  static final long POLL_MILLIS = 100;

  private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

  /** The least time a timed begin gives LMDB once the lock thread called it. */
  static final long MIN_LMDB_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Semaphore permit = new Semaphore(1);
  private final String name;
  private ExecutorService lockThread; // guarded by this; created by the first virtual writer
  private boolean shut;

  /** The thread that took the permit last (for messages); null once released. */
  private volatile Thread holder;

  /** Whether the permit is kept by an abandoned timed begin still waiting in LMDB. */
  private volatile boolean abandonedBegin;

  WriteLock(final String name) {
    this.name = name;
  }

  /**
   * Waits for the permit, calling {@code whileWaiting} every {@link #POLL_MILLIS}.
   *
   * @throws LodestoreException if interrupted (the interrupt flag stays set)
   */
  void acquire(final Runnable whileWaiting) {
    acquire(whileWaiting, NO_DEADLINE);
  }

  /** A deadline ({@link System#nanoTime()}) that never comes. */
  static final long NO_DEADLINE = Long.MIN_VALUE;

  /**
   * As {@link #acquire(Runnable)}, giving up at {@code deadline} ({@link System#nanoTime()}, or
   * {@link #NO_DEADLINE}).
   *
   * @return false if the deadline passed first
   * @throws LodestoreException if interrupted (the interrupt flag stays set)
   */
  boolean acquire(final Runnable whileWaiting, final long deadline) {
    try {
      while (true) {
        long wait = TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
        if (deadline != NO_DEADLINE) {
          wait = Math.min(wait, deadline - System.nanoTime());
        }
        if (permit.tryAcquire(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
          holder = Thread.currentThread();
          return true;
        }
        if (deadline != NO_DEADLINE && deadline - System.nanoTime() <= 0) {
          return false;
        }
        whileWaiting.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LodestoreException(
          "interrupted while waiting for the write transaction of " + name, e);
    }
  }

  /** Gives the permit back; called once per successful {@link #acquire}. */
  void release() {
    holder = null;
    permit.release();
  }

  /** The thread that holds the permit, or null (also while an abandoned begin keeps it). */
  Thread holder() {
    return holder;
  }

  /** Whether an abandoned timed begin keeps the permit, waiting in LMDB for another process. */
  boolean abandonedBeginPending() {
    return abandonedBegin;
  }

  /** The hand-off between a timed begin's caller and the lock thread; see the class comment. */
  private static final class TimedBegin {
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    long startedAt; // guarded by lock; 0 until the lock thread called LMDB
    boolean started;
    boolean done;
    boolean abandoned;
    org.lmdbjava.Txn<ByteBuffer> txn;
    Throwable failure;
  }

  /**
   * Begins LMDB's write transaction with {@code begin} on the lock thread, waiting for it until
   * {@code deadline} ({@link System#nanoTime()}). The caller holds the permit.
   *
   * @param begin calls {@code mdb_txn_begin}
   * @param deadline when to give up
   * @param abandon run, while LMDB's begin still waits, when the caller gives up (before this
   *     returns null), so that {@code late} cannot run before it
   * @param late run on the lock thread after an abandoned begin ended in LMDB and its transaction
   *     (if any) was aborted; the permit is released right after it
   * @return the transaction, or null if the caller gave up: the deadline passed, or the thread was
   *     interrupted (its interrupt flag is then set)
   * @throws InvalidStateException if the lock thread was shut down (the database released)
   */
  org.lmdbjava.Txn<ByteBuffer> beginTimed(
      final Callable<org.lmdbjava.Txn<ByteBuffer>> begin,
      final long deadline,
      final Runnable abandon,
      final Runnable late) {
    final TimedBegin hand = new TimedBegin();
    submit(
        () -> {
          hand.lock.lock();
          try {
            hand.started = true;
            hand.startedAt = System.nanoTime();
            hand.changed.signalAll();
          } finally {
            hand.lock.unlock();
          }
          org.lmdbjava.Txn<ByteBuffer> txn = null;
          Throwable failure = null;
          try {
            txn = begin.call();
          } catch (Throwable e) {
            failure = e;
          }
          final boolean abandoned;
          hand.lock.lock();
          try {
            abandoned = hand.abandoned;
            if (!abandoned) {
              hand.txn = txn;
              hand.failure = failure;
              hand.done = true;
              hand.changed.signalAll();
            }
          } finally {
            hand.lock.unlock();
          }
          if (abandoned) {
            endAbandoned(txn, failure, late);
          }
          return null;
        });
    boolean interrupted = false;
    hand.lock.lock();
    try {
      while (!hand.done) {
        final long now = System.nanoTime();
        // until the lock thread called LMDB, no other process is being waited for: wait on
        final long floor = hand.startedAt + MIN_LMDB_WAIT_NANOS;
        final long left = (deadline - floor >= 0 ? deadline : floor) - now;
        if (interrupted || hand.started && left <= 0) {
          hand.abandoned = true;
          abandonedBegin = true;
          holder = null;
          abandon.run();
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
          return null;
        }
        try {
          if (hand.started) {
            hand.changed.awaitNanos(left);
          } else {
            hand.changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      hand.lock.unlock();
    }
    if (interrupted) {
      Thread.currentThread().interrupt(); // the transaction came anyway; the caller decides
    }
    if (hand.failure instanceof RuntimeException) {
      throw (RuntimeException) hand.failure;
    }
    if (hand.failure instanceof Error) {
      throw (Error) hand.failure;
    }
    if (hand.failure != null) {
      throw new LodestoreException(
          "write lock thread of " + name + " failed: " + hand.failure, hand.failure);
    }
    return hand.txn;
  }

  /** On the lock thread: ends an abandoned begin that LMDB finally answered. */
  private void endAbandoned(
      final org.lmdbjava.Txn<ByteBuffer> txn, final Throwable failure, final Runnable late) {
    try {
      if (txn != null) {
        txn.close(); // mdb_txn_abort, on the thread that holds LMDB's mutex
      }
      LOG.info(
          "a write begin of {} that timed out got LMDB's write lock {}; {}",
          name,
          txn != null ? "late" : "failed (" + failure + ")",
          txn != null ? "aborted it at once" : "nothing to undo");
    } catch (RuntimeException e) {
      LOG.warn("aborting the late write transaction of {} failed", name, e);
    } finally {
      try {
        late.run();
      } finally {
        abandonedBegin = false;
        permit.release();
      }
    }
  }

  /**
   * Whether {@code thread} is a virtual thread (JDK 21+; always false before).
   *
   * @param thread the thread
   * @return true if virtual
   */
  static boolean isVirtual(final Thread thread) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(thread);
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * Runs {@code call} on this lock's platform thread and returns its result, rethrowing what it
   * threw.
   */
  <T> T onLockThread(final Callable<T> call) {
    final Future<T> future = submit(call);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          // the lock thread is inside LMDB for us: wait for it, whatever happens to this thread
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      final Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new LodestoreException("write lock thread of " + name + " failed: " + cause, cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Queues {@code call} for the lock thread, starting it if needed. */
  private synchronized <T> Future<T> submit(final Callable<T> call) {
    if (lockThread == null) {
      if (shut) {
        throw new InvalidStateException("database " + name + " is closed");
      }
      lockThread =
          Executors.newSingleThreadExecutor(
              task -> {
                final Thread t = new Thread(task, "lodestore-write-lock " + name);
                t.setDaemon(true);
                return t;
              });
    }
    return lockThread.submit(call);
  }

  /** Ends the platform thread, if one was started; called when the environment is released. */
  synchronized void shutdown() {
    shut = true;
    if (lockThread != null) {
      lockThread.shutdown();
      lockThread = null;
    }
  }

  private static MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // before JDK 21: no virtual threads
    }
  }
}
