package org.lodestore.core;

import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;

/** The one place where lmdbjava's exceptions become Lodestore's. */
final class Lmdb {

  private Lmdb() {}

  static RuntimeException translate(final LmdbException e, final String table, final Object key) {
    if (e instanceof Env.MapFullException) {
      return new MapFullException("the map is full", table, key, e);
    }
    if (e instanceof Env.ReadersFullException) {
      return new LodestoreException(
          "too many read transactions are open (raise DatabaseOptions.maxReaders, or close "
              + "transactions sooner)",
          table,
          key,
          e);
    }
    if (e instanceof Dbi.DbFullException) {
      return new LodestoreException(
          "too many tables (raise DatabaseOptions.maxTables)", table, key, e);
    }
    if (e instanceof Dbi.BadValueSizeException) {
      return new InvalidKeyException("key or value size rejected by LMDB", table, key, e);
    }
    if (e instanceof Dbi.IncompatibleException) {
      return new SchemaMismatchException(
          "table's stored kind is incompatible with this operation", table, key, e);
    }
    if (e instanceof Txn.EnvIsReadOnly) {
      return new InvalidStateException("the database is open read-only: " + e.getMessage());
    }
    if (e instanceof Txn.BadException) {
      return new InvalidStateException(
          "the transaction failed earlier and can only be aborted: " + e.getMessage());
    }
    if (e instanceof LmdbNativeException.PageCorruptedException
        || e instanceof LmdbNativeException.PageNotFoundException
        || e instanceof org.lmdbjava.Cursor.FullException) {
      // only damaged pages make LMDB meet a page of the wrong type, a page number past the end of
      // the file or a tree deeper than its cursor stack
      return new CorruptDatabaseException(
          "the database file is damaged (LMDB: " + e.getMessage() + "); check it with Verify.run",
          null, table, e);
    }
    return new LodestoreException("LMDB error: " + e.getMessage(), table, key, e);
  }
}
