package org.lodestore.core;

/**
 * Use of a transaction, cursor, view or database in a state that does not allow it: after commit,
 * abort or close, after the database closed, a write in a read transaction, or a write transaction
 * touched from a thread other than the one that began it. It is an {@link IllegalStateException} so
 * that generic code recognises it; it is raised instead of ever touching freed memory.
 */
public class InvalidStateException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was used in which state
   */
  public InvalidStateException(final String message) {
    super(message);
  }
}
