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
  private volatile boolean valid = true;

  TableHandle(final Database db, final String name, final Dbi<ByteBuffer> dbi, final boolean dupSort) {
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
    if (txn.db != db) {
      throw new IllegalArgumentException(
          "transaction of " + txn.db.path() + " used with table '" + name + "' of " + db.path());
    }
    if (!valid) {
      throw new InvalidStateException(
          "table '" + name + "' is no longer valid: its database closed or the transaction that "
              + "created it aborted");
    }
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
