package org.lodestore.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits transactions to one environment, grows its map, and releases it at close.
 *
 * <h2>Design note: the protocol</h2>
 *
 * LMDB resizes the map ({@code mdb_env_set_mapsize}) and closes the environment only while no
 * transaction of the process is open, and a transaction must not begin meanwhile. The common path
 * (a transaction begins and ends) must not serialise threads on one monitor, so the open
 * transactions are counted per thread:
 *
 * <pre>
 *   thread T --begin--> under slot(T)'s own, uncontended lock (one critical section):
 *                         slot(T).active++, take T's kept read transaction, list the new Txn
 *                       read `growing`, `closed` (volatile)
 *                         growing and T holds nothing: undo, wait on `lock` until done, retry
 *                         closed: undo, refuse
 *                       LMDB begins (or renews T's kept read transaction), the Txn gets it
 *   any thread --end--> LMDB ends (a pooled read transaction is reset and parked in slot(T))
 *                       slot(T).active--, the Txn leaves slot(T)'s list (one critical section)
 *                       read `growing`, `closed`: if set, notify `lock` (and release the env)
 *
 *   nested:  a group commit's caller begins a nested transaction in its own slot (beginChild)
 *            without waiting for a growth: the growth waits for the parent, which outlives it
 *
 *   growth:  under `lock`: growing = true; wait until every slot's active is 0 (each read under
 *            its slot's lock), or the timeout; resize; growing = false; notifyAll
 *   close:   closed = true; the calling thread's own transactions end; under `lock`, once every
 *            slot's active is 0: the parked read transactions are aborted, the environment closed
 * </pre>
 *
 * Why no transaction slips past a growth: a beginner's increment (its slot lock) comes before its
 * volatile read of {@code growing}, and the grower's volatile write of {@code growing} before its
 * reads of the counts (the slot locks). These are synchronization actions, totally ordered: either
 * the grower sees the count, or the beginner sees {@code growing}. An ender notifies under {@code
 * lock} when it sees {@code growing}, and the grower re-checks under {@code lock} with a timed
 * wait, so no wake-up is lost. A thread that already holds a transaction is not held back by a
 * growth (it would wait for itself): it nests, and the growth waits for it.
 *
 * <h2>Pooled read transactions</h2>
 *
 * Each platform thread keeps one LMDB read transaction ({@link LmdbReader}) for its first open
 * read: at the end it is reset ({@code mdb_txn_reset}: the snapshot ends, the reader slot stays),
 * at the next begin renewed ({@code mdb_txn_renew}), with its cursors ({@code mdb_cursor_renew}).
 * Each begin still makes a new {@link Txn}: a reused LMDB transaction is a new transaction to the
 * user, whose views and cursors of the last one are detached. Virtual threads (numerous,
 * short-lived) and nested reads use unpooled transactions. A kept transaction holds a slot of the
 * reader table all processes share, so at most a quarter of {@link DatabaseOptions#maxReaders()}
 * are kept, and none when it is below {@value #MIN_READERS_TO_POOL}. The pooled transactions of
 * threads that ended are aborted at the periodic reader check, and every idle one when the reader
 * table is full.
 */
final class TxnGate {

  private static final Logger LOG = LoggerFactory.getLogger(TxnGate.class);

  /** The open transactions one thread began; guarded by itself. */
  static final class Slot {
    final Thread thread;
    int active;
    Txn first;

    /** This thread's pooled read transaction: idle (reset) here, or in use by one of its Txns. */
    LmdbReader reader;

    boolean readerInUse;

    Slot(final Thread thread) {
      this.thread = thread;
    }

    void add(final Txn txn) {
      txn.nextInSlot = first;
      txn.prevInSlot = null;
      if (first != null) {
        first.prevInSlot = txn;
      }
      first = txn;
    }

    void remove(final Txn txn) {
      if (txn.prevInSlot != null) {
        txn.prevInSlot.nextInSlot = txn.nextInSlot;
      } else if (first == txn) {
        first = txn.nextInSlot;
      }
      if (txn.nextInSlot != null) {
        txn.nextInSlot.prevInSlot = txn.prevInSlot;
      }
      txn.nextInSlot = null;
      txn.prevInSlot = null;
    }
  }

  private final Database db;
  private final Env<ByteBuffer> env;
  private final DatabaseOptions options;

  /** Monitor for growth and close (never taken by a begin or end that finds neither). */
  final Object lock = new Object();

  private final ThreadLocal<Slot> local = ThreadLocal.withInitial(this::newSlot);
  private final List<Slot> slots = new CopyOnWriteArrayList<>();

  /** Shared by every virtual thread: they are many, and short-lived. */
  private final Slot virtualSlot = new Slot(null);

  /**
   * Counts the write begins whose callers gave up while LMDB still waits for another process (see
   * {@link WriteLock#beginTimed}): growth and close wait for them as for any transaction.
   */
  private final Slot abandonedSlot = new Slot(null);

  /** The reader table's size below which no read transaction is kept. */
  static final int MIN_READERS_TO_POOL = 64;

  private final AtomicInteger pooledReaders = new AtomicInteger();
  private final int maxPooledReaders;

  private volatile boolean growing;
  private volatile boolean closed;

  /** Guarded by {@link #lock}. */
  private boolean envClosed;

  private int waiting; // guarded by lock
  private long mapSize; // guarded by lock
  private int growths; // guarded by lock

  /**
   * The current map, for the transactions that begin now (see {@link UnmappedGuard}). Replaced
   * under the lock when no transaction is open or beginning.
   */
  private volatile MapEpoch mapEpoch = new MapEpoch();

  TxnGate(final Database db, final Env<ByteBuffer> env, final DatabaseOptions options) {
    this.db = db;
    this.env = env;
    this.options = options;
    this.mapSize = env.info().mapSize;
    // a kept transaction holds its slot in the reader table that every process of the database
    // shares: keep at most a quarter, none in a small table
    this.maxPooledReaders =
        options.readerPooling() && options.maxReaders() >= MIN_READERS_TO_POOL
            ? options.maxReaders() / 4
            : 0;
    slots.add(virtualSlot);
    slots.add(abandonedSlot);
  }

  private Slot newSlot() {
    final Slot slot = new Slot(Thread.currentThread());
    slots.add(slot);
    return slot;
  }

  private Slot slot() {
    final Thread thread = Thread.currentThread();
    return WriteLock.isVirtual(thread) ? virtualSlot : local.get();
  }

  boolean isClosed() {
    return closed;
  }

  /** How many LMDB read transactions are kept by threads now (in use or parked). */
  int pooledReaders() {
    return pooledReaders.get();
  }

  /** Whether the environment is released; read under {@link #lock}. */
  boolean envClosed() {
    return envClosed;
  }

  MapEpoch mapEpoch() {
    return mapEpoch;
  }

  // ------------------------------------------------------------ begin and end

  /**
   * Begins a transaction.
   *
   * @param readOnly a read transaction
   * @param onLockThread a write transaction of a virtual thread: LMDB begins it on the lock thread
   */
  Txn begin(final boolean readOnly, final boolean onLockThread) {
    return begin(readOnly, onLockThread, WriteLock.NO_DEADLINE);
  }

  /**
   * Begins a transaction; a write transaction with a {@code deadline} ({@link System#nanoTime()})
   * is begun on the lock thread ({@link WriteLock#beginTimed}).
   *
   * @return the transaction, or null if the deadline passed while LMDB waited for its write lock
   *     (held by another process); the begin then stays counted in {@link #abandonedSlot} until
   *     LMDB answers and the lock thread aborts what it began
   */
  Txn begin(final boolean readOnly, final boolean onLockThread, final long deadline) {
    return begin(readOnly, onLockThread, deadline, true);
  }

  /**
   * As {@link #begin(boolean, boolean, long)}; {@code reported}: whether the listener hears of the
   * transaction (not for the read transactions Lodestore begins for its own bookkeeping, see {@link
   * Database#beginInternalRead()}).
   */
  Txn begin(
      final boolean readOnly,
      final boolean onLockThread,
      final long deadline,
      final boolean reported) {
    final Slot slot = slot();
    while (true) {
      // read before LMDB copies its table handles into the new transaction: a handle opened in
      // between is then refused clearly rather than by LMDB's EINVAL
      final long handlesBefore = db.handleSeq();
      final boolean holds;
      boolean pooled = false;
      LmdbReader reader = null;
      final Txn txn;
      // the one critical section of a begin: count it, take the thread's kept read transaction,
      // list the Txn (its LMDB transaction comes below, after the growth and close checks)
      synchronized (slot) {
        slot.active++;
        holds = slot.first != null && (slot.thread != null || holdsTxn(slot));
        if (readOnly
            && slot.thread != null
            && !slot.readerInUse
            && (slot.reader != null || mayPoolAnother())) {
          reader = slot.reader;
          slot.reader = null;
          slot.readerInUse = true;
          pooled = true;
        }
        txn = new Txn(db, slot, readOnly, handlesBefore, onLockThread);
        if (!reported) {
          txn.unreported = true;
        }
        slot.add(txn);
      }
      if (closed) {
        undo(slot, txn, pooled, reader, false);
        throw db.closedError();
      }
      if (growing && !holds) {
        undo(slot, txn, pooled, reader, false);
        awaitGrowth();
        continue;
      }
      org.lmdbjava.Txn<ByteBuffer> lmdb;
      try {
        if (pooled) {
          if (reader == null) {
            reader = new LmdbReader(beginReadLmdb());
          } else {
            reader.renew();
          }
          lmdb = reader.txn;
        } else if (readOnly) {
          lmdb = beginReadLmdb();
        } else if (deadline != WriteLock.NO_DEADLINE) {
          lmdb =
              db.writeLock.beginTimed(
                  env::txnWrite, deadline, () -> abandonBegin(slot, txn), this::endAbandoned);
          if (lmdb == null) {
            return null; // counted in abandonedSlot now, not in slot
          }
        } else {
          lmdb = onLockThread ? db.writeLock.onLockThread(env::txnWrite) : env.txnWrite();
        }
      } catch (Dbi.MapResizedException e) {
        // another process grew the map: adopt its size once no transaction of ours is open
        undo(slot, txn, pooled, reader, true);
        resize(true, null);
        continue;
      } catch (LmdbException e) {
        undo(slot, txn, pooled, reader, true);
        throw Lmdb.translate(e, null, null);
      } catch (RuntimeException | Error e) {
        undo(slot, txn, pooled, reader, true);
        throw e;
      }
      txn.attach(lmdb, pooled ? reader : null);
      if (closed) {
        // closed while LMDB was beginning it: end it before the environment can be released
        txn.abortBegun();
        throw db.closedError();
      }
      if (readOnly && db.listener != null && reported) {
        db.listener.readBegun();
      }
      return txn;
    }
  }

  /**
   * Moves the count of a write begin whose caller gave up to {@link #abandonedSlot}: the caller's
   * thread no longer holds it, but LMDB may still begin it. Under {@link #lock}, so that a growth
   * or close counting the slots sees it in one of them.
   */
  private void abandonBegin(final Slot slot, final Txn txn) {
    synchronized (lock) {
      synchronized (abandonedSlot) {
        abandonedSlot.active++;
      }
      synchronized (slot) {
        slot.remove(txn);
        slot.active--;
      }
    }
  }

  /** Uncounts an abandoned write begin once LMDB answered and what it began was aborted. */
  private void endAbandoned() {
    leave(abandonedSlot);
  }

  /** Whether one more thread may keep a read transaction; counts it if so. Holds a slot lock. */
  private boolean mayPoolAnother() {
    if (pooledReaders.incrementAndGet() > maxPooledReaders) {
      pooledReaders.decrementAndGet();
      return false;
    }
    return true;
  }

  /**
   * Undoes a begin that produced no transaction: uncounts and unlists {@code txn}, and gives back
   * the kept read transaction it took ({@code failed}: LMDB's call on it failed, so it is freed).
   */
  private void undo(
      final Slot slot,
      final Txn txn,
      final boolean pooled,
      final LmdbReader reader,
      final boolean failed) {
    final boolean free = pooled && (reader == null || failed);
    if (free && reader != null) {
      reader.discard(); // before the count drops: see ended
    }
    synchronized (slot) {
      if (pooled) {
        slot.readerInUse = false;
        if (!free) {
          slot.reader = reader;
        }
      }
      slot.remove(txn);
      slot.active--;
    }
    if (free) {
      pooledReaders.decrementAndGet();
    }
    afterLeave();
  }

  /**
   * Begins a transaction nested in the write transaction {@code parent} (a caller of a group
   * commit), counted in the calling thread's slot. It does not wait for a growth in progress: that
   * growth waits for {@code parent}, which stays open until its nested transactions end.
   */
  Txn beginChild(final Txn parent) {
    final Slot slot = slot();
    synchronized (slot) {
      slot.active++;
    }
    final Txn child;
    try {
      if (closed) {
        throw db.closedError();
      }
      child = Txn.nested(parent, slot);
    } catch (LmdbException e) {
      leave(slot);
      throw Lmdb.translate(e, null, null);
    } catch (RuntimeException | Error e) {
      leave(slot);
      throw e;
    }
    synchronized (slot) {
      slot.add(child);
    }
    return child;
  }

  /** Called by a nested transaction after LMDB's transaction ended. */
  void endedChild(final Txn child) {
    final Slot slot = child.slot;
    synchronized (slot) {
      slot.remove(child);
      slot.active--;
    }
    afterLeave();
  }

  /** Whether a slot shared by virtual threads holds a transaction of the calling thread. */
  private static boolean holdsTxn(final Slot slot) {
    final Thread me = Thread.currentThread();
    for (Txn t = slot.first; t != null; t = t.nextInSlot) {
      if (t.owner == me) {
        return true;
      }
    }
    return false;
  }

  /** Begins LMDB's read transaction; when the reader table is full, frees slots once. */
  private org.lmdbjava.Txn<ByteBuffer> beginReadLmdb() {
    try {
      return env.txnRead();
    } catch (Env.ReadersFullException e) {
      if (reclaimIdleReaders() + db.checkReaders() == 0) {
        throw e;
      }
      return env.txnRead();
    }
  }

  /** Undoes the count of a begin that did not produce a transaction. */
  private void leave(final Slot slot) {
    synchronized (slot) {
      slot.active--;
    }
    afterLeave();
  }

  private void afterLeave() {
    if (growing || closed) {
      synchronized (lock) {
        if (waiting > 0) {
          lock.notifyAll();
        }
        closeEnvIfDone();
      }
    }
  }

  /**
   * Called by a transaction after LMDB's transaction ended (committed or aborted; a pooled read
   * transaction is handed back for reset instead).
   */
  void ended(final Txn txn, final LmdbReader reader, final boolean freed) {
    final Slot slot = txn.slot;
    // a reader that is not kept is freed before the count drops: once it is 0 the environment may
    // be released, and every LMDB transaction must be parked (for close to abort) or ended by then
    final boolean keep = reader != null && !freed && !closed && reader.reset();
    if (reader != null && !keep && !freed) {
      reader.discard();
    }
    synchronized (slot) {
      if (reader != null) {
        slot.readerInUse = false;
        if (keep) {
          slot.reader = reader; // null while it was in use: one kept reader per thread
        }
      }
      slot.remove(txn);
      slot.active--;
    }
    if (reader != null && !keep) {
      pooledReaders.decrementAndGet();
    }
    afterLeave();
  }

  private void awaitGrowth() {
    synchronized (lock) {
      while (growing) {
        awaitLock(0);
      }
    }
  }

  private void awaitLock(final long millis) {
    waiting++;
    try {
      lock.wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LodestoreException("interrupted while waiting for map growth", e);
    } finally {
      waiting--;
    }
  }

  /** Counts the open and beginning transactions of every thread. */
  int activeCount() {
    int n = 0;
    for (final Slot slot : slots) {
      synchronized (slot) {
        n += slot.active;
      }
    }
    return n;
  }

  /** Whether the calling thread began a transaction that is still open. */
  boolean holdsTxn() {
    final Slot slot = slot();
    synchronized (slot) {
      return slot.thread != null ? slot.first != null : holdsTxn(slot);
    }
  }

  /** Describes the open transactions the calling thread began, for an error message. */
  String heldByCaller() {
    final Slot slot = slot();
    final Thread me = Thread.currentThread();
    final StringBuilder held = new StringBuilder();
    synchronized (slot) {
      for (Txn t = slot.first; t != null; t = t.nextInSlot) {
        if (t.owner == me) {
          held.append(held.length() == 0 ? "" : ", ")
              .append(t.isReadOnly() ? "a read" : "the write")
              .append(" transaction");
        }
      }
    }
    return held.toString();
  }

  // ------------------------------------------------------------ growth

  long mapSize() {
    synchronized (lock) {
      return mapSize;
    }
  }

  int growths() {
    synchronized (lock) {
      return growths;
    }
  }

  /**
   * Grows the map (or, with {@code adoptOnly}, adopts the size another process gave it) once no
   * transaction is open; see {@link Database#growMap()}.
   */
  void resize(final boolean adoptOnly, final MapFullException full) {
    if (holdsTxn()) {
      // checked first: waiting for another thread's growth would wait for ourselves
      final InvalidStateException refusal =
          new InvalidStateException(
              "the map of "
                  + db.path()
                  + " is full and cannot grow while this thread holds an "
                  + "open transaction ("
                  + heldByCaller()
                  + "): LMDB resizes only when no "
                  + "transaction of the process is open; close it before db.write, or do those "
                  + "reads inside the write transaction");
      if (full != null) {
        refusal.initCause(full);
      }
      throw refusal;
    }
    long grownFrom = 0;
    long grownTo = 0;
    synchronized (lock) {
      if (closed) {
        throw db.closedError();
      }
      if (growing) {
        // another thread is growing the map: wait for it, then the caller retries
        while (growing) {
          awaitLock(0);
        }
        return;
      }
      final long next = adoptOnly ? 0 : nextMapSize(mapSize);
      if (!adoptOnly && next <= mapSize) {
        throw new MapFullException(
            "the map reached its maximum size " + options.maxMapSize() + " bytes",
            null,
            null,
            null);
      }
      growing = true;
      try {
        final long deadline = System.nanoTime() + options.growTimeout().toNanos();
        int open;
        while ((open = activeCount()) > 0) {
          final long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new MapFullException(
                "the map is full and growing it waited "
                    + options.growTimeout()
                    + " for "
                    + open
                    + " open transaction(s) to finish",
                null,
                null,
                null);
          }
          awaitLock(Math.max(1, Math.min(10, left / 1_000_000)));
        }
        // LMDB unmaps the old map and maps a larger one (adoptOnly: of the size in the meta page);
        // parked read transactions hold no snapshot, and renew from the new map
        try {
          UnmappedGuard.retire(env, mapEpoch, true, () -> env.setMapSize(next));
        } catch (RuntimeException e) {
          throw abandon(e, next);
        }
        mapEpoch = new MapEpoch();
        db.bounds.refresh(); // the map moved: views of a write transaction check it (Txn#place)
        final long before = mapSize;
        mapSize = env.info().mapSize;
        growths++;
        grownFrom = before;
        grownTo = mapSize;
        LOG.info("map of {} grown from {} to {} bytes", db.path(), before, mapSize);
      } finally {
        growing = false;
        lock.notifyAll();
      }
    }
    if (grownTo != grownFrom && db.listener != null) {
      db.listener.mapGrown(grownFrom, grownTo); // after the growth: a listener cannot stall it
    }
  }

  /**
   * Grows the map as {@link #resize} does unless it grew since the caller saw {@code growthsSeen}
   * growths (the callers of one group commit that found the map full grow it once between them).
   */
  void growUnlessGrown(final int growthsSeen, final MapFullException full) {
    synchronized (lock) {
      if (growths != growthsSeen) {
        return;
      }
      resize(false, full); // under the same monitor: no other growth slips in between
    }
  }

  private long nextMapSize(final long size) {
    final long gib = 1L << 30;
    final long wanted = size < gib ? size * 2 : size + gib;
    return Math.min(options.maxMapSize(), wanted);
  }

  /**
   * Gives the environment up after LMDB failed to map it anew: {@code mdb_env_set_mapsize} unmaps
   * the old map before mapping the new one, and when that fails (ENOMEM: no address space left)
   * LMDB has no map, so any transaction would read its meta pages from unmapped memory. The
   * database closes instead; the files are untouched (no transaction was open) and it can be
   * reopened. Holds the lock; no transaction is open.
   */
  private LodestoreException abandon(final RuntimeException cause, final long size) {
    closed = true;
    envClosed = true;
    reclaimIdleReaders(); // the parked read transactions, before LMDB frees the environment
    try {
      env.close(); // frees what LMDB holds; it unmaps nothing, having no map
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    db.released();
    LOG.error(
        "map of {} could not be grown to {} bytes; the database was closed",
        db.path(),
        size,
        cause);
    final String reason = cause instanceof LmdbException ? cause.getMessage() : cause.toString();
    return new LodestoreException(
        "the map of "
            + db.path()
            + " could not be grown to "
            + size
            + " bytes ("
            + reason
            + "): the database was closed, its files are intact; reopen it (with a smaller "
            + "maxMapSize if the address space is exhausted)",
        cause);
  }

  // ------------------------------------------------------------ environment-wide work

  /**
   * Reads something of the environment (its info, its reader table) without a transaction, under
   * {@link #lock}: a growth holds it while it remaps, and the release happens under it, so neither
   * can move or free the map meanwhile.
   *
   * @throws InvalidStateException if the database is closed
   */
  <T> T inspect(final java.util.function.Supplier<T> read) {
    synchronized (lock) {
      if (closed) {
        throw db.closedError();
      }
      return read.get();
    }
  }

  /**
   * Runs {@code work} (a copy of the environment) with the environment held open, as a transaction
   * would hold it.
   */
  void withEnvironment(final Runnable work) {
    final Slot slot = slot();
    while (true) {
      final boolean holds;
      synchronized (slot) {
        slot.active++;
        holds = slot.first != null && (slot.thread != null || holdsTxn(slot));
      }
      if (closed) {
        leave(slot);
        throw db.closedError();
      }
      // as a begin: a growth that counted no open transaction may be remapping right now, and
      // mdb_env_copy reads the map (a transaction of this thread keeps any growth waiting)
      if (growing && !holds) {
        leave(slot);
        awaitGrowth();
        continue;
      }
      break;
    }
    try {
      work.run();
    } finally {
      leave(slot);
    }
  }

  /**
   * Aborts the parked read transactions of threads that ended (their reader slots would count
   * against {@link DatabaseOptions#maxReaders()} forever), and forgets those threads.
   */
  void pruneDeadThreads() {
    for (final Slot slot : slots) {
      if (slot.thread == null || slot.thread.isAlive()) {
        continue;
      }
      final LmdbReader reader;
      synchronized (slot) {
        if (slot.active > 0) {
          continue; // a read transaction of it is still open (used by another thread)
        }
        reader = slot.reader;
        slot.reader = null;
      }
      slots.remove(slot);
      if (reader != null) {
        pooledReaders.decrementAndGet();
        reader.discard();
      }
    }
  }

  /** Aborts every parked read transaction, freeing their reader slots; returns how many. */
  int reclaimIdleReaders() {
    int n = 0;
    for (final Slot slot : slots) {
      final LmdbReader reader;
      synchronized (slot) {
        reader = slot.reader;
        slot.reader = null;
      }
      if (reader != null) {
        pooledReaders.decrementAndGet();
        reader.discard();
        n++;
      }
    }
    return n;
  }

  // ------------------------------------------------------------ cursor shells

  /** Bound buffers of cursors outside pooled readers, kept for reuse. */
  private final java.util.ArrayDeque<LmdbCursor> shells = new java.util.ArrayDeque<>();

  /** A cursor shell (buffers, no LMDB cursor) for a write or unpooled read transaction. */
  LmdbCursor cursorShell() {
    synchronized (shells) {
      final LmdbCursor c = shells.pollFirst();
      return c != null ? c : new LmdbCursor();
    }
  }

  /** Takes back a shell whose LMDB cursor was closed; keeps a few. */
  void returnShell(final LmdbCursor c) {
    c.keyBytes = null; // a view of the ended cursor's transaction: not reused across threads
    synchronized (shells) {
      if (shells.size() < 16) {
        shells.addFirst(c);
      }
    }
  }

  // ------------------------------------------------------------ close

  /**
   * Closes: refuses new transactions, ends the calling thread's own, and releases the environment
   * once the others have ended (see {@link Database#close()}).
   */
  void close() {
    final List<Txn> own = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    final Slot slot = slot();
    final Thread me = Thread.currentThread();
    synchronized (slot) {
      for (Txn t = slot.first; t != null; t = t.nextInSlot) {
        if (t.owner == me) {
          own.add(t);
        }
      }
    }
    for (final Txn txn : own) {
      txn.abortFromClose();
    }
    synchronized (lock) {
      closeEnvIfDone();
    }
  }

  /** Releases the environment once closed and no transaction can touch it. Holds the lock. */
  private void closeEnvIfDone() {
    if (closed && !envClosed && activeCount() == 0) {
      envClosed = true;
      reclaimIdleReaders(); // the parked read transactions, before LMDB frees the environment
      UnmappedGuard.retire(env, mapEpoch, false, env::close);
      mapEpoch = new MapEpoch(); // backs no map: a closed Database keeps no guarded range alive
      db.released();
    }
  }
}
