package org.lodestore.core;

import java.nio.file.Path;

/**
 * The database file is damaged: a meta page or a table's record is invalid, LMDB met a page of the
 * wrong type or a page number past the end of the file, or a key or value LMDB returned lies
 * outside the file. LMDB keeps no checksums, so most damage is only seen where it breaks a rule like
 * these; {@link Verify#run(Path)} checks a whole file without risking the calling JVM.
 *
 * <p>Nothing in the file is changed by the failed operation. Restore the database from a backup
 * (or, to salvage what is left, copy the tables that still read into a new database).
 */
public class CorruptDatabaseException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** Not serialized: a {@link Path} is not serializable; the message names it. */
  private final transient Path path;

  /**
   * Creates the exception.
   *
   * @param message what is damaged
   * @param path the database directory, or null where the caller does not know it
   * @param cause the underlying cause, or null
   */
  public CorruptDatabaseException(final String message, final Path path, final Throwable cause) {
    this(message, path, null, cause);
  }

  /**
   * Creates the exception about one table.
   *
   * @param message what is damaged
   * @param path the database directory, or null where the caller does not know it
   * @param table the table, or null
   * @param cause the underlying cause, or null
   */
  public CorruptDatabaseException(
      final String message, final Path path, final String table, final Throwable cause) {
    super(path == null ? message : message + ": " + path, table, null, cause);
    this.path = path;
  }

  /**
   * The database directory.
   *
   * @return its path, or null if the failing operation did not know it
   */
  public Path path() {
    return path;
  }
}
