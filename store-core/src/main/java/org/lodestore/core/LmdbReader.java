package org.lodestore.core;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import jnr.ffi.Pointer;
import org.lmdbjava.LmdbException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pooled LMDB read transaction of one thread, with what its {@link Txn}s reuse: the cursors
 * (renewed with {@code mdb_cursor_renew}, not opened), the list of zero-copy views handed out, the
 * scratch views of copying decoders. Reset ({@code mdb_txn_reset}: the snapshot ends, the reader
 * slot stays) when its transaction ends, renewed ({@code mdb_txn_renew}) when the next begins; see
 * {@link TxnGate}. Used by one {@link Txn} at a time, guarded by that transaction.
 *
 * <p>Why reuse is safe: everything a user can hold (the {@link Txn}, its {@link Cursor}s, its
 * views) is new per transaction or detached at its end, exactly as without reuse; what is reused is
 * LMDB's handles and Lodestore's internal buffers, which no user object reaches once its
 * transaction ended. A view kept by the user was detached ({@link Views#detach}) and is adopted by
 * the next transaction only when handed in again, as before.
 */
final class LmdbReader {

  private static final Logger LOG = LoggerFactory.getLogger(LmdbReader.class);
  private static final Field TXN_PTR = txnPointerField();

  final org.lmdbjava.Txn<ByteBuffer> txn;

  /** The cursors kept for renewal; a few tables per thread, searched linearly. */
  private LmdbCursor[] cursors = new LmdbCursor[4];

  private int cursorCount;

  /** The views of the current transaction (cleared at its end). */
  final ArrayList<ByteBuffer> views = new ArrayList<>(8);

  /** The current transaction's cursors (cleared at its end). */
  final ArrayList<Cursor<?, ?>> openCursors = new ArrayList<>(4);

  ByteBuffer scratch;
  ByteBuffer keyScratch;

  /** Whether LMDB's transaction holds a snapshot (begun or renewed, not reset). */
  private boolean ready;

  LmdbReader(final org.lmdbjava.Txn<ByteBuffer> txn) {
    this.txn = txn;
    this.ready = true;
  }

  /** A cursor on {@code handle} for this transaction: a kept one renewed, or a new one. */
  LmdbCursor cursor(final TableHandle handle) {
    for (int i = 0; i < cursorCount; i++) {
      final LmdbCursor c = cursors[i];
      if (c.handle == handle && !c.inUse) {
        c.lmdb.renew(txn);
        c.inUse = true;
        return c;
      }
    }
    dropInvalid();
    final LmdbCursor c = new LmdbCursor();
    c.handle = handle;
    c.lmdb = handle.dbi.openCursor(txn);
    c.inUse = true;
    if (cursorCount == cursors.length) {
      cursors = java.util.Arrays.copyOf(cursors, cursorCount * 2);
    }
    cursors[cursorCount++] = c;
    return c;
  }

  /** Closes the kept cursors of dropped tables (their LMDB handles are gone). */
  private void dropInvalid() {
    int kept = 0;
    for (int i = 0; i < cursorCount; i++) {
      final LmdbCursor c = cursors[i];
      if (!c.inUse && !c.handle.isValid()) {
        c.closeLmdb();
      } else {
        cursors[kept++] = c;
      }
    }
    for (int i = kept; i < cursorCount; i++) {
      cursors[i] = null;
    }
    cursorCount = kept;
  }

  /** Closes the kept cursors (before LMDB's transaction is committed and freed). */
  void closeCursors() {
    for (int i = 0; i < cursorCount; i++) {
      cursors[i].closeLmdb();
      cursors[i] = null;
    }
    cursorCount = 0;
  }

  /** Frees lmdbjava's side of a transaction that a commit ended in LMDB. */
  void forgetFreed() {
    closeCursors();
    ready = false;
    try {
      txn.close(); // lmdbjava's buffers; LMDB freed the transaction at commit
    } catch (RuntimeException e) {
      LOG.debug("cannot close a committed read transaction: {}", e.toString());
    }
  }

  /** Renews the transaction: a new snapshot. */
  void renew() {
    txn.renew();
    ready = true;
  }

  /** Ends the snapshot and keeps the reader slot; false if LMDB refused (then {@link #discard}). */
  boolean reset() {
    for (int i = 0; i < cursorCount; i++) {
      cursors[i].inUse = false;
    }
    try {
      ready = false;
      txn.reset();
      return true;
    } catch (LmdbException | IllegalStateException e) {
      LOG.debug("cannot reset a pooled read transaction: {}", e.toString());
      return false;
    }
  }

  /** Frees LMDB's cursors and transaction (aborting it in whatever state it is). */
  void discard() {
    for (int i = 0; i < cursorCount; i++) {
      try {
        cursors[i].closeLmdb();
      } catch (RuntimeException e) {
        LOG.debug("cannot close a pooled cursor: {}", e.toString());
      }
      cursors[i] = null;
    }
    cursorCount = 0;
    try {
      if (!ready) {
        // lmdbjava frees only a READY transaction; a reset (or failed renew) one is LMDB's to abort
        abortNative();
      }
      txn.close();
    } catch (RuntimeException e) {
      LOG.debug("cannot free a pooled read transaction: {}", e.toString());
    }
  }

  private void abortNative() {
    if (TXN_PTR == null || !ReaderTable.abortTxn(pointer())) {
      // no binding: renew it so that lmdbjava's close aborts it
      try {
        txn.renew();
        ready = true;
      } catch (RuntimeException e) {
        LOG.debug("a pooled read transaction could not be freed: {}", e.toString());
      }
    }
  }

  private Pointer pointer() {
    try {
      return (Pointer) TXN_PTR.get(txn);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  private static Field txnPointerField() {
    try {
      final Field field = org.lmdbjava.Txn.class.getDeclaredField("ptr");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException | RuntimeException e) {
      return null;
    }
  }
}
