package org.lodestore.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lmdbjava.LmdbException;

/**
 * A transaction: a consistent snapshot to read, and (for the write transaction) a set of changes
 * that {@link #commit()} publishes atomically. Begin one with {@link Database#beginRead()} or
 * {@link Database#beginWrite()} and close it with try-with-resources; closing without commit
 * aborts.
 *
 * <h2>Threads</h2>
 *
 * A read transaction may be used from any thread, by one thread at a time (a concurrent use fails
 * with {@link InvalidStateException} rather than corrupting state). A write transaction belongs to
 * the thread that began it; use from another thread fails.
 *
 * <h2>Lifetime of what it returns</h2>
 *
 * Zero-copy values (FlatBuffers tables, {@code ByteBuffer} views) point into LMDB's memory and are
 * valid until the transaction ends; in a write transaction, until its next write. Then they are
 * detached: reads from them throw {@link IndexOutOfBoundsException}, never touch freed memory.
 * Cursors close with their transaction. Every method of a transaction that ended throws {@link
 * InvalidStateException}, except {@link #close()} and {@link #isOpen()}.
 */
public final class Txn implements AutoCloseable {

  private static final int IDLE = 0;
  private static final int BUSY = 1;
  private static final int DONE = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Txn.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Database db;

  /** LMDB's transaction; set by {@link #attach} before the transaction reaches its user. */
  org.lmdbjava.Txn<ByteBuffer> lmdb;

  final Thread owner;
  private final boolean readOnly;

  /** The gate's record of the thread that began it; see {@link TxnGate}. */
  final TxnGate.Slot slot;

  /** Links in {@link #slot}'s list of open transactions; guarded by the slot. */
  Txn nextInSlot;

  Txn prevInSlot;

  /**
   * The pooled LMDB read transaction underneath, with the buffers this transaction reuses; null for
   * a write transaction or an unpooled read.
   */
  private LmdbReader reader;

  /** Whether LMDB's transaction was committed and freed (a pooled one is then not parked). */
  private boolean lmdbFreed;

  /** IDLE, BUSY (an operation is running) or DONE; see {@link #enter()}. */
  @SuppressWarnings("unused")
  private volatile int state;

  /** Zero-copy buffers handed out and not yet detached (each records this txn as its owner). */
  private ArrayList<ByteBuffer> views; // created at the first view: a point get may need none

  /** Re-pointed for decoders that copy, and for keys; never handed out beyond a call. */
  private ByteBuffer scratch;

  private ByteBuffer keyScratch;
  private ArrayList<Cursor<?, ?>> cursors; // created at the first cursor
  private List<TableHandle> opened;
  private int writes;
  private boolean mapFull;
  private String ending = "closed";

  /** The newest table handle LMDB copied into this transaction when it began. */
  final long handleSeq;

  /** Copies of dirty-page values that views of this write transaction point into. */
  private ArrayList<ByteBuffer> copies;

  /** Whether LMDB's write lock was taken on {@link WriteLock}'s thread (a virtual owner). */
  private final boolean onLockThread;

  /**
   * The map this transaction reads; its views hold this transaction, so every buffer that can read
   * the map keeps it reachable (see {@link UnmappedGuard}).
   */
  final MapEpoch epoch;

  /**
   * The write transaction this one is nested in (one caller's part of a group commit, see {@link
   * GroupCommit}), or null for a top-level transaction.
   */
  final Txn parent;

  /** Whether this transaction records its changes for the change feed. */
  private final boolean recording;

  /** The changes recorded so far, or null before the first. */
  private FeedRecorder feed;

  /**
   * Whether LMDB touched pages for a write that changed nothing, so nothing was recorded (a set add
   * of a member already there): its commit is still a new LMDB transaction, which the feed's head
   * must name (see {@link FeedLog#stamp}).
   */
  private boolean touchedUnrecorded;

  /** The seq of the feed entry this transaction's commit appended, or 0. */
  private volatile long committedSeq;

  /**
   * The open transaction nested in this one, or null. While it is open LMDB allows this one no
   * operation, and ending this one would free the nested one under its user.
   */
  volatile Txn child;

  /**
   * With a listener ({@link Database#listener}): when it began ({@link System#nanoTime()}), or for
   * a read transaction not timed {@link DatabaseListener#UNTIMED}; unused without one.
   */
  long begunAt;

  /** Whether the listener does not hear of this transaction (a read for Lodestore's own use). */
  boolean unreported;

  /** With a listener: the nanoseconds LMDB's commit of this write transaction took. */
  private long commitNanos;

  Txn(
      final Database db,
      final TxnGate.Slot slot,
      final boolean readOnly,
      final long handleSeq,
      final boolean onLockThread) {
    this.db = db;
    this.slot = slot;
    this.readOnly = readOnly;
    this.owner = Thread.currentThread();
    this.handleSeq = handleSeq;
    this.onLockThread = onLockThread;
    this.epoch = db.gate.mapEpoch(); // the map cannot change while a transaction begins
    this.parent = null;
    this.recording = !readOnly && db.feedLog() != null;
    if (db.listener != null) {
      this.begunAt = readOnly ? db.listener.readStart() : System.nanoTime();
    }
  }

  /** Gives the transaction its LMDB transaction (and pooled reader), once LMDB began it. */
  void attach(final org.lmdbjava.Txn<ByteBuffer> lmdb, final LmdbReader reader) {
    this.lmdb = lmdb;
    this.reader = reader;
    if (reader != null) {
      this.views = reader.views;
      this.cursors = reader.openCursors;
    }
  }

  /**
   * Begins a transaction nested in the write transaction {@code parent} (LMDB's nested
   * transaction), owned by the calling thread: its commit merges its changes into {@code parent}
   * (durable only when {@code parent} commits), its abort discards them and leaves {@code parent}
   * as it was. The caller ({@link TxnGate#beginChild}) registers it like any transaction. LMDB's
   * write lock is not touched, so its begin and end run on the calling thread, virtual or not.
   *
   * @throws InvalidStateException if {@code parent} ended or already has an open nested transaction
   * @throws LmdbException if LMDB refuses
   */
  static Txn nested(final Txn parent, final TxnGate.Slot slot) {
    if (parent.readOnly || parent.state == DONE || parent.child != null) {
      throw new InvalidStateException(
          "cannot nest a transaction in " + parent + (parent.child != null ? " (it has one)" : ""));
    }
    final Txn child = new Txn(parent, slot, parent.db.env.txn(parent.lmdb));
    parent.child = child;
    return child;
  }

  private Txn(final Txn parent, final TxnGate.Slot slot, final org.lmdbjava.Txn<ByteBuffer> lmdb) {
    this.db = parent.db;
    this.slot = slot;
    this.lmdb = lmdb;
    this.readOnly = false;
    this.owner = Thread.currentThread();
    this.handleSeq = parent.handleSeq; // LMDB gives a nested transaction its parent's handles
    this.onLockThread = false;
    this.epoch = parent.epoch;
    this.parent = parent;
    this.recording = parent.recording;
    if (db.listener != null) {
      this.begunAt = System.nanoTime();
    }
  }

  /**
   * Whether this is a read transaction.
   *
   * @return true for a read transaction
   */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * Whether the transaction can still be used: not committed, aborted or closed, and its database
   * not closed.
   *
   * @return true while usable
   */
  public boolean isOpen() {
    return state != DONE && !db.isClosed();
  }

  /**
   * The database this transaction belongs to.
   *
   * @return the database
   */
  public Database database() {
    return db;
  }

  /**
   * Commits: for a write transaction, publishes its changes durably (as {@link Durability} says)
   * before returning; for a read transaction, just ends it. Either way the transaction is over.
   *
   * @throws MapFullException if the map filled up during the transaction (nothing was written)
   * @throws StorageFullException if the disk is full (nothing was written)
   * @throws InvalidStateException if the transaction already ended
   */
  public void commit() {
    final long seq = appendToFeed();
    enterEnd();
    try {
      if (db.isClosed()) {
        ending = "aborted: its database was closed";
        throw db.closedError();
      }
      if (mapFull) {
        throw new MapFullException(
            "the map filled up during this transaction; nothing was written", null, null, null);
      }
      closeCursors();
      if (!readOnly || opened != null) {
        // a read transaction commits only to keep the table handles it opened (LMDB closes them
        // when a read transaction ends otherwise); that frees it, so it is not pooled again
        if (reader != null) {
          reader.closeCursors();
        }
        try {
          lmdbFreed = true;
          final boolean timed = !readOnly && db.listener != null;
          final long start = timed ? System.nanoTime() : 0L;
          onLockHolder(lmdb::commit);
          if (timed) {
            commitNanos = GuardedListener.since(start);
          }
        } catch (LmdbException e) {
          throw failed(Lmdb.translate(e, null, null));
        }
      }
      if (opened != null) {
        if (parent != null) {
          parent.adoptOpened(opened); // published when the parent commits
        } else {
          db.publish(opened);
        }
        opened = null;
      }
      if (parent != null) {
        if (feed != null) {
          parent.absorbFeed(feed); // recorded when the parent commits
          feed = null; // the parent's now
        }
        parent.touchedUnrecorded |= touchedUnrecorded;
      } else if (seq > 0) {
        committedSeq = seq;
        db.feedLog().committed(seq);
      }
      ending = "committed";
    } finally {
      finish();
    }
  }

  /**
   * Appends the recorded changes to the change feed, in this transaction, before its LMDB commit (a
   * top-level write transaction that changed something); on failure ends the transaction. Returns
   * the entry's seq, or 0 for none.
   */
  private long appendToFeed() {
    if (!recording || parent != null || state != IDLE) {
      return 0; // (an ended transaction: enterEnd reports it)
    }
    final boolean changed = feed != null && !feed.isEmpty();
    if (!changed && !touchedUnrecorded) {
      return 0;
    }
    try {
      if (changed) {
        return db.feedLog().append(this, feed);
      }
      db.feedLog().stamp(this);
      return 0;
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** A write LMDB may have touched pages for, though it changed nothing (nothing recorded). */
  void touchedWithoutChange() {
    if (recording) {
      touchedUnrecorded = true;
    }
  }

  /**
   * The seq of the change feed entry that carries this transaction's changes, once committed (for a
   * nested transaction of a group commit: once its group committed); 0 if none.
   */
  long committedSeq() {
    return parent != null ? parent.committedSeq() : committedSeq;
  }

  /** The feed recorder for a write to {@code handle}, or null if it is not recorded. */
  FeedRecorder recorder(final TableHandle handle) {
    if (!recording || !handle.recorded) {
      return null;
    }
    if (feed == null) {
      feed = new FeedRecorder();
    }
    return feed;
  }

  private void absorbFeed(final FeedRecorder child) {
    if (feed == null) {
      feed = child;
    } else {
      feed.absorb(child);
      child.release();
    }
  }

  /**
   * Aborts: discards the changes of a write transaction, ends a read transaction.
   *
   * @throws InvalidStateException if the transaction already ended
   */
  public void abort() {
    enterEnd();
    ending = "aborted";
    finish();
  }

  /**
   * Ends the transaction, aborting it unless committed. Idempotent.
   *
   * @throws InvalidStateException if a write transaction is closed from a thread other than its own
   */
  @Override
  public void close() {
    if (state == DONE) {
      return;
    }
    if (!readOnly && Thread.currentThread() != owner) {
      throw wrongThread();
    }
    if (STATE.compareAndSet(this, IDLE, BUSY)) {
      ending = "closed";
      finish();
    } else if (state == BUSY) {
      throw new InvalidStateException("transaction is in use by another thread");
    }
  }

  /**
   * Ends the transaction on behalf of {@link Database#close()} if it is the calling thread's.
   * Another thread's transaction is left to its owner: its next operation fails, and its close()
   * ends it on its own thread and releases the database. (Aborting it here would detach views that
   * the other thread may be reading, with addresses its compiled code already holds.)
   */
  void abortFromClose() {
    if (Thread.currentThread() != owner || child != null) {
      return; // a parent with an open child is ended by its group once the child ended
    }
    while (!STATE.compareAndSet(this, IDLE, BUSY)) {
      if (state == DONE) {
        return;
      }
      Thread.onSpinWait(); // another thread is inside a (short, native) operation
    }
    ending = "ended by Database.close()";
    finish();
  }

  /**
   * Ends the transaction of a thread that died without closing it (see {@link
   * Database#reapDeadWriter}).
   *
   * @return true if this call ended it
   */
  boolean abortOrphan() {
    if (child != null || !STATE.compareAndSet(this, IDLE, BUSY)) {
      return false;
    }
    ending = "aborted: its thread '" + owner.getName() + "' ended without closing it";
    finish();
    return true;
  }

  /**
   * Ends LMDB's transaction (aborting it unless committed) on the thread that holds its write lock.
   * A dead owner's lock cannot be released by another thread: LMDB's unlock then fails quietly
   * (EPERM), the mutex stays marked "owner died", and the next {@code mdb_txn_begin} recovers it,
   * finding no transaction of this process in progress.
   */
  void closeLmdb() {
    onLockHolder(lmdb::close);
    if (parent != null) {
      parent.child = null;
    }
  }

  /** Ends a transaction that the database's close overtook while it began. */
  void abortBegun() {
    STATE.setRelease(this, BUSY);
    ending = "aborted: its database was closed";
    finish();
  }

  /** Runs an LMDB call that may unlock the write lock on the thread that locked it. */
  private void onLockHolder(final Runnable lmdbCall) {
    if (onLockThread) {
      db.writeLock.onLockThread(
          () -> {
            lmdbCall.run();
            return null;
          });
    } else {
      lmdbCall.run();
    }
  }

  private void finish() {
    if (feed != null) {
      feed.release(); // appended or dropped: its buffer serves the thread's next transaction
      feed = null;
    }
    try {
      detachViews();
      closeCursors();
      if (opened != null) {
        for (final TableHandle handle : opened) {
          handle.invalidate();
        }
        opened = null;
      }
      if (reader == null) {
        closeLmdb();
      } else if (lmdbFreed) {
        reader.forgetFreed();
      }
    } finally {
      STATE.setRelease(this, DONE);
      if (parent != null) {
        db.endedChild(this);
      } else {
        final LmdbReader pooled = reader;
        reader = null; // the next transaction of the thread may take it at once
        if (pooled != null) {
          views = null;
          cursors = null;
          scratch = null;
          keyScratch = null;
        }
        db.ended(this, pooled, lmdbFreed);
      }
      if (db.listener != null && !unreported) {
        reportEnd(db.listener); // last: the transaction is wholly ended, whatever the listener does
      }
    }
  }

  /** Tells the listener how this transaction ended; see {@link DatabaseListener}. */
  private void reportEnd(final GuardedListener listener) {
    if (readOnly) {
      listener.readEnded(begunAt);
    } else if (!"committed".equals(ending)) {
      listener.writeAborted(GuardedListener.since(begunAt));
    } else if (parent == null) {
      listener.writeCommitted(GuardedListener.since(begunAt), commitNanos);
    } // a nested transaction's commit is its group's
  }

  // ------------------------------------------------------------ operation guard

  /** Starts an operation: checks thread, state and database; must be paired with {@link #exit}. */
  void enter() {
    if (!readOnly && Thread.currentThread() != owner) {
      throw wrongThread();
    }
    if (!STATE.compareAndSet(this, IDLE, BUSY)) {
      throw stateError();
    }
    if (db.isClosed()) {
      STATE.setRelease(this, IDLE);
      throw db.closedError();
    }
  }

  /**
   * Whether the calling thread may run an operation that neither calls LMDB nor changes this
   * transaction's state (decoding the current row of a cursor into internal scratch buffers or into
   * a view this transaction already owns, or stepping a read cursor within its leaf page) without
   * the {@link #enter} guard: the transaction is idle, not ended, and its database open. Two
   * volatile reads instead of a compare-and-set and a release per call. Such an operation that
   * races an end of the transaction on another thread (a misuse) reads memory that stays mapped
   * (see {@link Views}) and must report the end with {@link #endedError()}.
   */
  boolean usableUnguarded() {
    return state == IDLE && (readOnly || Thread.currentThread() == owner) && !db.isClosed();
  }

  /** The error for an operation that found this transaction ended (or its database closed). */
  InvalidStateException endedError() {
    return db.isClosed() && state != DONE ? db.closedError() : stateError();
  }

  /** Starts a write: as {@link #enter}, for write transactions that have not failed. */
  void enterWrite() {
    enter();
    if (readOnly) {
      STATE.setRelease(this, IDLE);
      throw new InvalidStateException("cannot write in a read transaction");
    }
    if (mapFull) {
      STATE.setRelease(this, IDLE);
      throw new MapFullException(
          "the map filled up earlier in this transaction; abort it and retry", null, null, null);
    }
  }

  /**
   * Called right before LMDB changes a page: detaches the views handed out so far, since the change
   * may move or free the memory they point into.
   */
  void beforeMutation() {
    detachViews();
    writes++;
  }

  void exit() {
    STATE.setRelease(this, IDLE);
  }

  private void enterEnd() {
    if (!readOnly && Thread.currentThread() != owner) {
      throw wrongThread();
    }
    if (!STATE.compareAndSet(this, IDLE, BUSY)) {
      throw stateError();
    }
  }

  private InvalidStateException stateError() {
    if (state == DONE) {
      return new InvalidStateException("transaction already " + ending);
    }
    return new InvalidStateException("transaction is in use by another thread");
  }

  private InvalidStateException wrongThread() {
    return new InvalidStateException(
        "write transaction belongs to thread '"
            + owner.getName()
            + "', used from '"
            + Thread.currentThread().getName()
            + "'");
  }

  /**
   * Records a failure that poisons the transaction; returns it for throwing (a disk-full error
   * naming this transaction's database).
   */
  RuntimeException failed(final RuntimeException e) {
    if (e instanceof MapFullException) {
      mapFull = true;
    }
    return Lmdb.withPath(e, db.path());
  }

  boolean sawMapFull() {
    return mapFull;
  }

  /** Counts writes, so that cursors can notice that their position must be re-read. */
  int writeCount() {
    return writes;
  }

  boolean openedHere(final TableHandle handle) {
    return opened != null && opened.contains(handle) || parent != null && parent.openedHere(handle);
  }

  /** Whether this transaction ended by committing. For its owner thread. */
  boolean committed() {
    return state == DONE && "committed".equals(ending);
  }

  /** Takes over the handles a nested transaction opened and committed into this one. */
  void adoptOpened(final List<TableHandle> handles) {
    for (final TableHandle handle : handles) {
      opened(handle);
    }
  }

  void opened(final TableHandle handle) {
    if (opened == null) {
      opened = new ArrayList<>(4);
    }
    opened.add(handle);
  }

  // ------------------------------------------------------------ views and cursors

  /** A new zero-copy view over LMDB memory, detached when this transaction ends or writes. */
  ByteBuffer newView(final long address, final int length) {
    db.bounds.check(address, length, readOnly);
    epoch.markViewed();
    final ByteBuffer view = Views.create(place(address, length), length, this);
    viewList().add(view);
    return view;
  }

  /**
   * Where a view of {@code [address, address + length)} may point: there, if it is inside the map
   * (always, in a read transaction); else at a copy this transaction owns. A write transaction
   * serves what it wrote from its dirty pages, heap memory that LMDB frees (and, for a large value,
   * gives back to the system) at commit: a buffer derived from such a view, read afterwards, would
   * crash the JVM. The copies live as long as this object, which every view and every buffer
   * derived from one references.
   */
  private long place(final long address, final int length) {
    if (readOnly || db.bounds.inMap(address, length)) {
      return address;
    }
    final ByteBuffer copy = ByteBuffer.allocateDirect(Math.max(1, length));
    final long to = Views.address(copy);
    org.agrona.UnsafeApi.copyMemory(address, to, length);
    if (copies == null) {
      copies = new ArrayList<>(2);
    }
    copies.add(copy);
    return to;
  }

  /**
   * Re-points {@code previous} if it is a live view of this transaction, or a view detached from
   * this transaction's map (of any ended transaction: the caller handed it in to be reused, so this
   * transaction adopts it); else makes a new view. A view detached from an older map is not
   * adopted: it keeps that map's {@link MapEpoch} reachable for as long as someone may still read
   * it.
   */
  ByteBuffer reuseView(final ByteBuffer previous, final long address, final int length) {
    db.bounds.check(address, length, readOnly);
    if (previous != null) {
      final Object owner = Views.owner(previous);
      if (owner == this) {
        return Views.repoint(previous, place(address, length), length);
      }
      if (owner == epoch) {
        Views.adopt(previous, this);
        viewList().add(previous);
        return Views.repoint(previous, place(address, length), length);
      }
    }
    return newView(address, length);
  }

  /** A view for a decoder that copies; valid only until the next call. */
  ByteBuffer scratchView(final long address, final int length) {
    db.bounds.check(address, length, readOnly);
    // read once: another thread that ends this read transaction while its owner decodes without
    // the operation guard clears the field (repointing null would write through a null object)
    final ByteBuffer s = scratch;
    if (s != null) {
      return Views.repoint(s, address, length);
    }
    if (!isOpen()) {
      throw endedError();
    }
    epoch.markViewed(); // a decoder may (wrongly) keep a derived buffer of it
    final LmdbReader r = reader;
    final ByteBuffer created = internalView(r == null ? null : r.scratch, address, length);
    scratch = created;
    if (r != null) {
      r.scratch = created;
    }
    return created;
  }

  /**
   * An internal view for this transaction: {@code kept} (the pooled reader's, detached when its
   * last transaction ended) adopted if it was detached from this transaction's map, else a new one.
   */
  private ByteBuffer internalView(final ByteBuffer kept, final long address, final int length) {
    if (kept != null && Views.owner(kept) == epoch) {
      Views.adopt(kept, this);
      return Views.repoint(kept, address, length);
    }
    return Views.create(address, length, this);
  }

  /**
   * Checks a key and a value LMDB returned, before a checksum reads them ({@link StoredBounds}).
   */
  void checkStored(final ByteBuffer key, final ByteBuffer value) {
    db.bounds.checkKey(Views.address(key), key.remaining(), readOnly);
    db.bounds.check(Views.address(value), value.remaining(), readOnly);
  }

  /** The address of a key LMDB returned, checked to be a key's ({@link StoredBounds}). */
  long keyAddress(final ByteBuffer key) {
    final long address = Views.address(key);
    db.bounds.checkKey(address, key.remaining(), readOnly);
    return address;
  }

  /** A view for decoding a key; valid only until the next call. */
  ByteBuffer keyView(final long address, final int length) {
    db.bounds.checkKey(address, length, readOnly);
    final ByteBuffer s = keyScratch; // read once, as in scratchView
    if (s != null) {
      return Views.repoint(s, address, length);
    }
    if (!isOpen()) {
      throw endedError();
    }
    epoch.markViewed();
    final LmdbReader r = reader;
    final ByteBuffer created = internalView(r == null ? null : r.keyScratch, address, length);
    keyScratch = created;
    if (r != null) {
      r.keyScratch = created;
    }
    return created;
  }

  private ArrayList<ByteBuffer> viewList() {
    if (views == null) {
      views = new ArrayList<>(4);
    }
    return views;
  }

  private void detachViews() {
    if (views != null && !views.isEmpty()) {
      for (int i = 0, n = views.size(); i < n; i++) {
        Views.detach(views.get(i), epoch);
      }
      views.clear();
    }
    if (scratch != null) {
      Views.detach(scratch, epoch);
    }
    if (keyScratch != null) {
      Views.detach(keyScratch, epoch);
    }
  }

  /** LMDB's cursor (with bound buffers) on {@code handle} for a new {@link Cursor}. */
  LmdbCursor openCursor(final TableHandle handle) {
    if (reader != null) {
      return reader.cursor(handle);
    }
    final LmdbCursor c = db.gate.cursorShell();
    try {
      c.lmdb = handle.dbi.openCursor(lmdb);
    } catch (RuntimeException e) {
      db.gate.returnShell(c);
      throw e;
    }
    return c;
  }

  /** Gives back what {@link #openCursor} returned, once its {@link Cursor} closed. */
  void releaseCursor(final LmdbCursor c) {
    if (reader != null && c.handle != null) {
      c.inUse = false; // kept open: renewed by the next use
      return;
    }
    c.closeLmdb();
    db.gate.returnShell(c);
  }

  void register(final Cursor<?, ?> cursor) {
    epoch.markViewed(); // a cursor decodes its current row without the operation guard
    if (cursors == null) {
      cursors = new ArrayList<>(2);
    }
    cursors.add(cursor);
  }

  void unregister(final Cursor<?, ?> cursor) {
    if (cursors != null) {
      cursors.remove(cursor);
    }
  }

  private void closeCursors() {
    if (cursors == null) {
      return;
    }
    for (int i = cursors.size() - 1; i >= 0; i--) {
      cursors.get(i).release();
    }
    cursors.clear();
  }

  @Override
  public String toString() {
    return (readOnly ? "ReadTxn[" : "WriteTxn[")
        + db.path()
        + (state == DONE ? ", " + ending : "")
        + "]";
  }
}
