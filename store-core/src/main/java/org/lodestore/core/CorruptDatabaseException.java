package org.lodestore.core;

import java.nio.file.Path;

/**
 * A database file is damaged in a way that makes the whole database unusable, so it is refused at
 * {@code Database.open} instead of being mapped: {@code data.mdb} is shorter than its newest
 * committed meta page says (a truncated copy, an interrupted backup), is not an LMDB file, or was
 * written by an incompatible LMDB format version. Nothing was read or written; restore the database
 * from a backup.
 *
 * <p>Unlike {@link CorruptValueException}, which concerns one record of an otherwise healthy
 * database (rewrite or delete that record and go on), this one concerns the files themselves.
 */
public class CorruptDatabaseException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** The path as text: {@link Path} is not serializable. */
  private final String path;

  /**
   * Creates the exception.
   *
   * @param path the damaged file
   * @param problem what is wrong with it
   * @param cause the underlying cause, or null
   */
  public CorruptDatabaseException(final Path path, final String problem, final Throwable cause) {
    super("database file " + path + " is damaged: " + problem
        + "; it is not opened (restore it from a backup)", cause);
    this.path = path.toString();
  }

  /**
   * The damaged file.
   *
   * @return its path
   */
  public Path path() {
    return Path.of(path);
  }
}
