package org.lodestore.core;

/**
 * A table exists with a different definition than the one being opened: another key or value
 * codec, or another kind (set table versus table). The message names the table and both
 * definitions.
 */
public class SchemaMismatchException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong
   * @param table the table's name, or null
   * @param key the key, or null
   * @param cause the underlying cause, or null
   */
  public SchemaMismatchException(final String message, final String table, final Object key, final Throwable cause) {
    super(message, table, key, cause);
  }
}
