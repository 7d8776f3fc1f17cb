package org.lodestore.core;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database's view of its {@link DatabaseListener}: every call caught, so that a listener that
 * throws never breaks a transaction (the first failure is logged at WARN, the later ones at DEBUG),
 * and the read-timing sample drawn here. The database holds one in a final field, null when no
 * listener is set: the only cost then is that field's check.
 */
final class GuardedListener {

  private static final Logger LOG = LoggerFactory.getLogger(GuardedListener.class);

  private final DatabaseListener listener;

  /** Interval - 1 of {@link DatabaseListener#readTimingInterval()}, a power of two. */
  private final int readMask;

  private final AtomicBoolean failedOnce = new AtomicBoolean();

  private GuardedListener(final DatabaseListener listener, final int interval) {
    this.listener = listener;
    this.readMask = interval - 1;
  }

  /** The guard of {@code listener}, or null if there is none. */
  static GuardedListener of(final DatabaseListener listener) {
    if (listener == null) {
      return null;
    }
    int interval;
    try {
      interval = listener.readTimingInterval();
    } catch (RuntimeException | Error e) {
      LOG.warn(
          "listener {} failed in readTimingInterval(); using {}",
          listener,
          DatabaseListener.DEFAULT_READ_TIMING_INTERVAL,
          e);
      interval = DatabaseListener.DEFAULT_READ_TIMING_INTERVAL;
    }
    interval = Math.max(1, Math.min(interval, 1 << 30));
    interval =
        Integer.highestOneBit(interval) == interval
            ? interval
            : Integer.highestOneBit(interval) << 1;
    return new GuardedListener(listener, interval);
  }

  /** The listener it guards. */
  DatabaseListener listener() {
    return listener;
  }

  /**
   * When a read transaction begins: {@link System#nanoTime()} if this one is to be timed, else
   * {@link DatabaseListener#UNTIMED}.
   */
  long readStart() {
    if (readMask == 0 || (ThreadLocalRandom.current().nextInt() & readMask) == 0) {
      return System.nanoTime();
    }
    return DatabaseListener.UNTIMED;
  }

  void readBegun() {
    try {
      listener.readBegun();
    } catch (RuntimeException | Error e) {
      failed("readBegun", e);
    }
  }

  /** A read transaction that began at {@code start} (from {@link #readStart}) ended. */
  void readEnded(final long start) {
    try {
      listener.readEnded(
          start == DatabaseListener.UNTIMED ? DatabaseListener.UNTIMED : since(start));
    } catch (RuntimeException | Error e) {
      failed("readEnded", e);
    }
  }

  void writeBegun(final long waitNanos) {
    try {
      listener.writeBegun(waitNanos);
    } catch (RuntimeException | Error e) {
      failed("writeBegun", e);
    }
  }

  void writeCommitted(final long nanos, final long commitNanos) {
    try {
      listener.writeCommitted(nanos, commitNanos);
    } catch (RuntimeException | Error e) {
      failed("writeCommitted", e);
    }
  }

  void writeAborted(final long nanos) {
    try {
      listener.writeAborted(nanos);
    } catch (RuntimeException | Error e) {
      failed("writeAborted", e);
    }
  }

  void writeRetried() {
    try {
      listener.writeRetried();
    } catch (RuntimeException | Error e) {
      failed("writeRetried", e);
    }
  }

  void mapGrown(final long fromBytes, final long toBytes) {
    try {
      listener.mapGrown(fromBytes, toBytes);
    } catch (RuntimeException | Error e) {
      failed("mapGrown", e);
    }
  }

  void groupCommitted(final int writes) {
    try {
      listener.groupCommitted(writes);
    } catch (RuntimeException | Error e) {
      failed("groupCommitted", e);
    }
  }

  void writeRefused(final DatabaseListener.Refusal reason, final LodestoreException error) {
    try {
      listener.writeRefused(reason, error);
    } catch (RuntimeException | Error e) {
      failed("writeRefused", e);
    }
  }

  void corruptValue(final CorruptValueException error) {
    try {
      listener.corruptValue(error);
    } catch (RuntimeException | Error e) {
      failed("corruptValue", e);
    }
  }

  /** Nanoseconds since {@code start} ({@link System#nanoTime()}), never negative. */
  static long since(final long start) {
    return Math.max(0, System.nanoTime() - start);
  }

  private void failed(final String event, final Throwable e) {
    if (failedOnce.compareAndSet(false, true)) {
      LOG.warn(
          "database listener {} threw from {}; the event is dropped and the transaction goes on "
              + "(later failures are logged at DEBUG)",
          listener,
          event,
          e);
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("database listener {} threw from {}", listener, event, e);
    }
  }
}
