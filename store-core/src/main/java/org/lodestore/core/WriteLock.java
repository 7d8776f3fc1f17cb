package org.lodestore.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

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
 *   <li>A {@link Semaphore} with one permit admits one write transaction of this process at a
 *       time, before LMDB's mutex is touched: waiters park in Java (a virtual thread unmounts), and
 *       only one thread of the process ever waits in {@code mdb_txn_begin} (for another process).
 *       A semaphore, not a lock, because the permit is released by whoever ends the transaction.
 *   <li>A waiter that waited {@link #POLL_MILLIS} asks the database to discard a write transaction
 *       whose thread died ({@link Database#reapDeadWriter}), so a forgotten transaction costs its
 *       changes, never the database.
 *   <li>A virtual thread's write transaction is begun, committed and aborted on one platform thread
 *       that this lock owns ({@link #onLockThread}); its reads and writes run on the virtual thread
 *       itself (LMDB ties only the mutex, not the transaction, to a thread). Platform threads call
 *       LMDB directly, with no hand-off.
 * </ul>
 */
final class WriteLock {

  /** How often a waiting writer checks for a dead holder. */
  static final long POLL_MILLIS = 100;

  private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

  private final Semaphore permit = new Semaphore(1);
  private final String name;
  private ExecutorService lockThread; // guarded by this; created by the first virtual writer
  private boolean shut;

  WriteLock(final String name) {
    this.name = name;
  }

  /**
   * Waits for the permit, calling {@code whileWaiting} every {@link #POLL_MILLIS}.
   *
   * @throws LodestoreException if interrupted (the interrupt flag stays set)
   */
  void acquire(final Runnable whileWaiting) {
    try {
      while (!permit.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        whileWaiting.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LodestoreException("interrupted while waiting for the write transaction of " + name, e);
    }
  }

  /** Gives the permit back; called once per successful {@link #acquire}. */
  void release() {
    permit.release();
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
    final Future<T> future;
    synchronized (this) {
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
      future = lockThread.submit(call);
    }
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
