package org.lodestore.core;

/**
 * A key (or a member of a set table) whose encoding exceeds LMDB's limit of 511 bytes. Nothing was
 * written.
 */
public class KeyTooLongException extends InvalidKeyException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong
   * @param table the table's name, or null
   * @param key the key, or null
   * @param cause the underlying cause, or null
   */
  public KeyTooLongException(
      final String message, final String table, final Object key, final Throwable cause) {
    super(message, table, key, cause);
  }
}
