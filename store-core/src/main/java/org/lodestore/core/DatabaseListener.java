package org.lodestore.core;

/**
 * Told what a {@link Database} does, for metrics: transactions with their durations, map growths,
 * refused writes, corrupt values, group commits. Register one with {@link
 * DatabaseOptions.Builder#listener(DatabaseListener)}; store-micrometer's {@code LodestoreMetrics}
 * is one that feeds a Micrometer {@code MeterRegistry}. Every method does nothing by default, so a
 * listener overrides what it needs.
 *
 * <h2>Threads, speed and failures</h2>
 *
 * Each call runs on the thread where the event happened, synchronously: a transaction's events on
 * the thread that began or ended it (a write transaction discarded because its thread died: on the
 * thread that discards it), a growth's on the thread that grew the map, a group commit's on the
 * thread that led it. Calls come from many threads at once, so a listener must be thread-safe. They
 * sit on the database's hot paths (every read transaction), so they must be fast: count, add to a
 * histogram, never block or do I/O. They must not use the database they listen to (no transactions,
 * no {@link Database#stats()}): some run while the database holds a lock.
 *
 * <p>A listener that throws (an {@link Error} too) never breaks a transaction: the database logs
 * the first failure through SLF4J at WARN (the later ones at DEBUG) and goes on, without the event.
 *
 * <h2>What a listener costs</h2>
 *
 * Without a listener the database checks one final field per event site, nothing more. With one,
 * every event is a call, and durations cost clock reads ({@link System#nanoTime()}, some tens of
 * nanoseconds each): write transactions are timed always, read transactions (which may take less
 * than a microsecond) one in {@link #readTimingInterval()}, chosen at random, and the others are
 * reported as {@link #UNTIMED}.
 *
 * <h2>Which transactions</h2>
 *
 * A read transaction is reported once it began ({@link #readBegun}) and once it ended, however
 * ({@link #readEnded}). A write transaction is one LMDB write transaction: a {@link
 * Database#beginWrite()}, an ungrouped {@link Database#write}, or the shared transaction of a group
 * commit ({@link DatabaseOptions.Builder#groupCommit(boolean)}), reported by {@link #writeBegun}
 * and then {@link #writeCommitted} or {@link #writeAborted}; a group commit reports its size with
 * {@link #groupCommitted} too. A {@link Database#write} caller's part of a group commit (a nested
 * transaction) is reported only if it ends without committing ({@link #writeAborted}: its function
 * threw), since its writes are then lost; its commit is the group's.
 */
public interface DatabaseListener {

  /** What {@link #readEnded} is given for a read transaction the database did not time. */
  long UNTIMED = -1L;

  /** The default of {@link #readTimingInterval()}. */
  int DEFAULT_READ_TIMING_INTERVAL = 16;

  /** Why a write was refused ({@link #writeRefused}). */
  enum Refusal {
    /** A unique index already maps the new row's index key to another row. */
    UNIQUE,
    /**
     * Another constraint: a null key in a non-nullable index, a reference that points nowhere or
     * that a delete would leave dangling (RESTRICT), a field mutator's overflow.
     */
    CONSTRAINT
  }

  /**
   * One read transaction in how many is timed, chosen at random per transaction: 1 times every read
   * transaction, 16 (the default) one in sixteen on average. Asked once, when the database opens; a
   * value below 1 counts as 1, and one that is not a power of two is rounded up to one.
   *
   * @return the interval
   */
  default int readTimingInterval() {
    return DEFAULT_READ_TIMING_INTERVAL;
  }

  /** A read transaction began (on the thread that began it). */
  default void readBegun() {}

  /**
   * A read transaction ended: committed, aborted or closed, or aborted by {@link Database#close()}.
   *
   * @param nanos how long it was open, from its begin to its end; {@link #UNTIMED} if it was not
   *     one of those timed (see {@link #readTimingInterval()})
   */
  default void readEnded(final long nanos) {}

  /**
   * The write transaction began.
   *
   * @param waitNanos how long the caller waited for it, from its call to the transaction's begin:
   *     for other writers of this process (for a group commit, the wait of its first caller), for
   *     LMDB's lock that other processes may hold, and for a map growth in progress
   */
  default void writeBegun(final long waitNanos) {}

  /**
   * The write transaction committed: its changes are as durable as {@link Durability} says.
   *
   * @param nanos from its begin to the end of its commit
   * @param commitNanos the part of {@code nanos} spent in LMDB's commit (with {@link
   *     Durability#SYNC}, its fsyncs)
   */
  default void writeCommitted(final long nanos, final long commitNanos) {}

  /**
   * A write transaction ended without committing: aborted or closed, its commit failed, discarded
   * because its thread died or the database closed; or one caller's nested transaction in a group
   * commit, whose function threw (see the class comment).
   *
   * @param nanos from its begin to its end
   */
  default void writeAborted(final long nanos) {}

  /**
   * A {@link Database#write} (or {@code writeAndGet}) runs its function again: after the map grew
   * because it was full, or, in a group commit, alone because the group's transaction had too many
   * dirty pages for it.
   */
  default void writeRetried() {}

  /**
   * The map grew (by this process, or, adopted, by another process that grew it).
   *
   * @param fromBytes its size before
   * @param toBytes its size now
   */
  default void mapGrown(final long fromBytes, final long toBytes) {}

  /**
   * A group commit committed: one LMDB commit carried the writes of {@code writes} {@link
   * Database#write} callers (two or more callers were grouped; those whose function threw are not
   * counted). Reported after {@link #writeCommitted} of the shared transaction.
   *
   * @param writes how many callers' writes it carried, at least 1
   */
  default void groupCommitted(final int writes) {}

  /**
   * A write was refused before anything of it was written (a schema's unique index or another
   * constraint). Reported as it is thrown, whether or not the caller then aborts.
   *
   * @param reason which kind of refusal
   * @param error the exception about to be thrown; {@link LodestoreException#table()} names the
   *     table (a schema table's declared name)
   */
  default void writeRefused(final Refusal reason, final LodestoreException error) {}

  /**
   * A stored value or key could not be decoded, or failed its checksum: about to be thrown.
   *
   * @param error the exception; {@link LodestoreException#table()} names the table
   */
  default void corruptValue(final CorruptValueException error) {}
}
