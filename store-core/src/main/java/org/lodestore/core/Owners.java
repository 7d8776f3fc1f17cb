package org.lodestore.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.lmdbjava.LmdbException;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Which tables are owned, persistently: the reserved LMDB database {@value #DBI} maps a table's
 * name to a label of its owner (e.g. {@code "schema table 'users'"}), written by {@link
 * OwnerAccess#claim} inside the owner's attach. Plain {@link Table} and {@link SetTable} objects
 * refuse to write an owned table ({@link TableHandle#checkWrite}); the owner writes through the
 * tables {@link OwnerAccess} opens.
 *
 * <p>Design note. The marker is read inside the writing transaction, once per table handle and
 * write transaction, so ownership recorded by another process after this one opened its plain table
 * is seen at that process's next write. A process that has not opened the marker database (it did
 * not exist yet when it last looked) checks the main database for it and opens it in the writing
 * transaction, as {@code Database.table(txn, ...)} opens any table. A marker handle that was
 * published after the writing transaction began cannot be used in it (LMDB copies its handle table
 * at begin); the marker is then read in a fresh read transaction, which sees everything committed,
 * as the writing transaction does.
 */
final class Owners {

  /** The reserved LMDB database name. */
  static final String DBI = "__lodestore_owners";

  private Owners() {}

  /**
   * The owner label of table {@code name} as {@code txn} sees it, or null; {@code txn} is entered.
   */
  static String ownerOf(final Database db, final Txn txn, final String name) {
    TableHandle owners = db.publishedHandle(DBI);
    if (owners != null && !owners.usableIn(txn)) {
      try (Txn read = db.beginInternalRead()) {
        read.enter();
        try {
          return get(owners, read, name);
        } finally {
          read.exit();
        }
      }
    }
    if (owners == null) {
      if (!db.existsIn(txn, DBI)) {
        return null; // nothing was ever claimed in this database
      }
      owners = db.openIn(txn, DBI);
    }
    return get(owners, txn, name);
  }

  private static String get(final TableHandle owners, final Txn txn, final String name) {
    owners.check(txn);
    final ByteBuffer key = Encoding.key(DBI, KeyCodecs.STRING, name, Encoding.keyBuffer());
    final ByteBuffer label;
    try {
      label = owners.dbi.get(txn.lmdb, key);
    } catch (LmdbException e) {
      throw Lmdb.translate(e, DBI, name);
    }
    return label == null ? null : StandardCharsets.UTF_8.decode(label).toString();
  }

  /** Records {@code owner} as the owner of {@code name} in write transaction {@code txn}. */
  static void claim(final Database db, final Txn txn, final String name, final String owner) {
    final Table<String, String> owners =
        db.ownedTable(txn, DBI, KeyCodecs.STRING, ValueCodecs.STRING);
    if (!owner.equals(owners.get(txn, name))) {
      owners.put(txn, name, owner);
    }
    final TableHandle claimed = db.publishedHandle(name);
    if (claimed != null) {
      claimed.forgetVerification();
    }
  }

  /** Forgets any owner of {@code name}; true if it had one. */
  static boolean release(final Database db, final Txn txn, final String name) {
    if (!db.exists(txn, DBI)) {
      return false;
    }
    return db.ownedTable(txn, DBI, KeyCodecs.STRING, ValueCodecs.STRING).delete(txn, name);
  }

  /** The refusal of a plain write to a table that {@code owner} owns. */
  static SchemaMismatchException refusal(final String table, final String owner) {
    return new SchemaMismatchException(
        "table belongs to "
            + owner
            + ": a write through a plain Table would bypass what it "
            + "maintains (its indexes), so nothing was written; write through its Schema (plain "
            + "Tables may read it)",
        table,
        null,
        null);
  }
}
