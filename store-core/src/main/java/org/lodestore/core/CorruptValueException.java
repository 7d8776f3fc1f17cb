package org.lodestore.core;

/** A stored value that its codec cannot decode. The table and key name the record to repair. */
public class CorruptValueException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong
   * @param table the table's name, or null
   * @param key the key, or null
   * @param cause the underlying cause, or null
   */
  public CorruptValueException(
      final String message, final String table, final Object key, final Throwable cause) {
    super(message, table, key, cause);
  }
}
