package org.lodestore.core;

import java.nio.ByteBuffer;
import org.lmdbjava.Dbi;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Stat;

/**
 * One LMDB named database as opened in this process: shared by every {@link Table} or {@link
 * SetTable} object of that name. Invalid once the database closed or the transaction that created
 * it aborted.
 */
final class TableHandle {

  final Database db;
  final String name;
  final Dbi<ByteBuffer> dbi;
  final boolean dupSort;

  /** Whether the change feed records this table's writes (all but the feed's own tables). */
  final boolean recorded;

  /**
   * Publication order within the database (assigned when the transaction that opened the handle
   * committed; until then only that transaction uses it). Transactions record the latest at their
   * beginning, and LMDB lets them use only handles published before.
   */
  volatile long seq = Long.MAX_VALUE;

  private volatile boolean valid = true;

  /**
   * The last write transaction that found this table owned by nobody ({@link #checkWrite}), so that
   * the ownership marker is read once per transaction, not once per write.
   */
  private volatile Txn unownedIn;

  TableHandle(
      final Database db, final String name, final Dbi<ByteBuffer> dbi, final boolean dupSort) {
    this.recorded = !name.startsWith(FeedLog.PREFIX);
    this.db = db;
    this.name = name;
    this.dbi = dbi;
    this.dupSort = dupSort;
  }

  TableHandle checkKind(final boolean wantDupSort) {
    if (wantDupSort != dupSort) {
      throw new SchemaMismatchException(
          "table exists as a " + kind(dupSort) + " but was opened as a " + kind(wantDupSort),
          name,
          null,
          null);
    }
    return this;
  }

  private static String kind(final boolean dupSort) {
    return dupSort ? "set table (DUPSORT)" : "table";
  }

  /** Checks that the handle may be used in {@code txn}. */
  void check(final Txn txn) {
    if (!valid) {
      throw new InvalidStateException(
          "table '"
              + name
              + "' is no longer valid: its database closed, it was dropped, or the "
              + "transaction that opened it did not commit");
    }
    if (txn.db != db) {
      throw new IllegalArgumentException(
          "transaction of one Database used with table '"
              + name
              + "' of another ("
              + db.path()
              + ")");
    }
    if (!usableIn(txn)) {
      // LMDB refuses (EINVAL) a table handle in a transaction that began before the handle existed
      throw new InvalidStateException(
          "table '"
              + name
              + "' was first opened after this transaction began; begin a new "
              + "transaction, or open tables before beginning transactions");
    }
  }

  /** Whether LMDB knows this handle in {@code txn}: published before it began, or opened in it. */
  boolean usableIn(final Txn txn) {
    return seq <= txn.handleSeq || txn.openedHere(this);
  }

  /**
   * Checks that a write may use this handle in {@code txn} (entered): as {@link #check}, and,
   * unless the writer is the table's owner ({@link OwnerAccess}), that no owner claimed the table.
   */
  void checkWrite(final Txn txn, final boolean byOwner) {
    check(txn);
    if (byOwner || unownedIn == txn) {
      return;
    }
    final String owner = Owners.ownerOf(db, txn, name);
    if (owner != null) {
      throw Owners.refusal(name, owner);
    }
    unownedIn = txn;
  }

  /** Makes the next write read the ownership marker again (the table was just claimed). */
  void forgetVerification() {
    unownedIn = null;
  }

  /** Whether the handle is still valid (not dropped, its database not closed). */
  boolean isValid() {
    return valid;
  }

  void invalidate() {
    valid = false;
  }

  TableStats stats(final Txn txn) {
    txn.enter();
    try {
      check(txn);
      final Stat stat = dbi.stat(txn.lmdb);
      return new TableStats(
          name,
          dupSort,
          stat.entries,
          stat.depth,
          stat.branchPages,
          stat.leafPages,
          stat.overflowPages);
    } catch (LmdbException e) {
      throw Lmdb.translate(e, name, null);
    } finally {
      txn.exit();
    }
  }
}
