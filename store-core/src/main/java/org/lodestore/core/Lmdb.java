package org.lodestore.core;

import java.nio.file.Path;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;

/** The one place where lmdbjava's exceptions become Lodestore's. */
final class Lmdb {

  /** errno values LMDB passes on from the OS (the same on Linux and macOS). */
  private static final int EIO = 5;

  private static final int ENOSPC = 28;

  private Lmdb() {}

  static RuntimeException translate(final LmdbException e, final String table, final Object key) {
    return translate(e, table, key, null);
  }

  /**
   * As {@link #translate(LmdbException, String, Object)}, naming {@code dir} in a disk-full error.
   *
   * @param dir the database (or backup) directory, or null if unknown
   */
  static RuntimeException translate(
      final LmdbException e, final String table, final Object key, final Path dir) {
    if (storageFull(e, dir)) {
      return new StorageFullException(dir, table, key, e);
    }
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
          null,
          table,
          e);
    }
    return new LodestoreException("LMDB error: " + e.getMessage(), table, key, e);
  }

  /**
   * Translates a failure of {@code mdb_env_open}: a full disk, a file LMDB does not accept as a
   * database, or anything else.
   *
   * @param e the failure
   * @param dir the database directory
   * @return the exception to throw
   */
  static RuntimeException translateOpen(final LmdbException e, final Path dir) {
    if (storageFull(e, dir)) {
      return new StorageFullException(dir, null, null, e);
    }
    if (e instanceof Env.FileInvalidException || e instanceof Env.VersionMismatchException) {
      return new CorruptDatabaseException(dir.resolve(DataFiles.DATA), e.getMessage(), e);
    }
    return new LodestoreException("cannot open database " + dir + ": " + e.getMessage(), e);
  }

  /**
   * {@code e} itself, or, if it is a disk-full error that does not name its database yet (a write
   * translated without the path), a {@link StorageFullException} naming {@code dir}.
   *
   * @param e a translated exception
   * @param dir the database directory
   * @return the exception to throw
   */
  static RuntimeException withPath(final RuntimeException e, final Path dir) {
    if (e instanceof LodestoreException
        && e.getCause() instanceof LmdbException
        && !(e instanceof StorageFullException && ((StorageFullException) e).path() != null)
        && storageFull((LmdbException) e.getCause(), dir)) {
      final LodestoreException translated = (LodestoreException) e;
      return new StorageFullException(dir, translated.table(), translated.key(), e.getCause());
    }
    return e;
  }

  /**
   * Whether LMDB failed for want of space: ENOSPC, EDQUOT, or EIO (LMDB's word for a write that
   * stopped short) while the file system of {@code dir} is nearly full.
   */
  private static boolean storageFull(final LmdbException e, final Path dir) {
    if (!(e instanceof LmdbNativeException)) {
      return false;
    }
    final int rc = ((LmdbNativeException) e).getResultCode();
    final String message = String.valueOf(e.getMessage()); // names the errno, e.g. "EDQUOT ..."
    if (rc == ENOSPC || message.contains("ENOSPC") || message.contains("EDQUOT")) {
      return true;
    }
    return (rc == EIO || message.contains("EIO ")) && dir != null && DataFiles.nearlyFull(dir);
  }
}
