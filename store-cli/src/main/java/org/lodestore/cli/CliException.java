package org.lodestore.cli;

import org.lodestore.core.LodestoreException;

/**
 * A failure the command reports in one line on stderr and ends with {@link #exitCode()}: a database
 * that cannot be opened ({@link Exit#CANNOT_OPEN}), an operation refused or failed ({@link
 * Exit#PROBLEMS}).
 */
final class CliException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** The exit code the command ends with. */
  private final int exitCode;

  CliException(final int exitCode, final String message) {
    this(exitCode, message, null);
  }

  CliException(final int exitCode, final String message, final Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A database (or schema) that cannot be opened. */
  static CliException cannotOpen(final String message, final Throwable cause) {
    return new CliException(Exit.CANNOT_OPEN, message, cause);
  }

  /** An operation that failed or was refused. */
  static CliException failed(final String message, final Throwable cause) {
    return new CliException(Exit.PROBLEMS, message, cause);
  }

  int exitCode() {
    return exitCode;
  }
}
