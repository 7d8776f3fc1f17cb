package org.lodestore.core;

import java.nio.file.Path;

/**
 * The file system holding the database (or a backup's target) has no space left: nothing of the
 * write that got this error was stored, and every commit acknowledged before it is intact. Free
 * space (or grow the volume) and retry; the database stays open and readable meanwhile.
 *
 * <p>LMDB reports a full disk as {@code ENOSPC}, {@code EDQUOT} (a quota), or {@code EIO} when a
 * write stopped short for want of space; Lodestore raises this type for all three, the last only
 * when the file system is nearly full at that moment.
 */
public class StorageFullException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** The path as text: {@link Path} is not serializable. */
  private final String path;

  /**
   * Creates the exception.
   *
   * @param path the file or directory that could not be written, or null if unknown
   * @param table the table's name, or null
   * @param key the key, or null
   * @param cause the underlying cause, or null
   */
  public StorageFullException(
      final Path path, final String table, final Object key, final Throwable cause) {
    super(message(path, cause), table, key, cause);
    this.path = path == null ? null : path.toString();
  }

  private static String message(final Path path, final Throwable cause) {
    return "the disk is full: no space left to write "
        + (path == null ? "the database" : path.toString())
        + (cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")")
        + "; free space and retry";
  }

  /**
   * What could not be written.
   *
   * @return the file or directory, or null if unknown
   */
  public Path path() {
    return path == null ? null : Path.of(path);
  }
}
