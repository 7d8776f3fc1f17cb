package org.lodestore.core;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A writer gave up waiting for the write transaction: {@link Database#beginWrite(Duration)}, or
 * {@link Database#write} with {@link DatabaseOptions#writeTimeout()} set, found it held by another
 * thread of this process or by another process for longer than its timeout. Nothing was written and
 * the caller's function did not run; the database works on, and a later attempt may succeed. The
 * message names the database and who holds the write transaction, where that is known.
 */
public class WriteTimeoutException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /** How long the caller waited. */
  private final Duration waited;

  /** Who held the write lock, as far as known. */
  private final String heldBy;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the database
   * @param path the database's directory
   * @param waited how long the caller waited
   * @param heldBy who holds the write transaction, as text (e.g. {@code "thread 'worker-3' of this
   *     process"}), or null if unknown
   */
  public WriteTimeoutException(
      final String message, final Path path, final Duration waited, final String heldBy) {
    super(message);
    this.path = path;
    this.waited = waited;
    this.heldBy = heldBy;
  }

  /**
   * The database's directory.
   *
   * @return its path
   */
  public Path path() {
    return path;
  }

  /**
   * How long the caller waited before giving up.
   *
   * @return the time waited
   */
  public Duration waited() {
    return waited;
  }

  /**
   * Who held the write transaction when the caller gave up.
   *
   * @return a description, or null if unknown
   */
  public String heldBy() {
    return heldBy;
  }
}
