package org.lodestore.core;

import java.nio.file.Path;

/**
 * A database file is damaged. Either the whole database is unusable, and {@code Database.open}
 * refuses it instead of mapping it: {@code data.mdb} is shorter than its newest committed meta page
 * says (a truncated copy, an interrupted backup), is not an LMDB file, was written by an
 * incompatible LMDB format version, or has a damaged meta page, table record or root page. Or a
 * read met the damage: LMDB found a page of the wrong type or a page number past the end of the
 * file, or a key or value it returned lies outside the file. The failed operation wrote nothing.
 *
 * <p>LMDB keeps no checksums of its pages, so most damage is seen only where it breaks a rule like
 * these; {@link Verify#run(Path)} checks a whole file without risking the calling JVM. Restore the
 * database from a backup. Unlike {@link CorruptValueException}, which concerns one record of an
 * otherwise healthy database (rewrite or delete that record and go on), this one concerns the files
 * themselves.
 */
public class CorruptDatabaseException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** The path as text: {@link Path} is not serializable. */
  private final String path;

  /**
   * Creates the exception for a file refused at open.
   *
   * @param path the damaged file
   * @param problem what is wrong with it
   * @param cause the underlying cause, or null
   */
  public CorruptDatabaseException(final Path path, final String problem, final Throwable cause) {
    super(
        "database file "
            + path
            + " is damaged: "
            + problem
            + "; it is not opened (restore it from a backup)",
        cause);
    this.path = path.toString();
  }

  /**
   * Creates the exception for damage found in one table (or in the file).
   *
   * @param message what is damaged
   * @param path the damaged file, or null where the caller does not know it
   * @param table the table, or null
   * @param cause the underlying cause, or null
   */
  public CorruptDatabaseException(
      final String message, final Path path, final String table, final Throwable cause) {
    super(path == null ? message : message + ": " + path, table, null, cause);
    this.path = path == null ? null : path.toString();
  }

  /**
   * The damaged file.
   *
   * @return its path, or null if the failing operation did not know it
   */
  public Path path() {
    return path == null ? null : Path.of(path);
  }
}
