package org.lodestore.core;

/**
 * A key that cannot be stored: it encodes to no bytes where a key is required, cannot be
 * represented by its codec (e.g. a timestamp outside the representable range), or is too long.
 * Nothing was written.
 */
public class InvalidKeyException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong
   * @param table the table's name, or null
   * @param key the key, or null
   * @param cause the underlying cause, or null
   */
  public InvalidKeyException(
      final String message, final String table, final Object key, final Throwable cause) {
    super(message, table, key, cause);
  }
}
