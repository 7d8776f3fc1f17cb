package org.lodestore.core;

/**
 * The database's memory map is full. {@code Database.write(fn)} grows the map and retries by
 * itself; this reaches a caller only from an explicit write transaction (which must be aborted and
 * retried after {@code Database.growMap}), when the configured maximum map size is reached, or when
 * growth had to wait for transactions that stayed open too long.
 */
public class MapFullException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong
   * @param table the table's name, or null
   * @param key the key, or null
   * @param cause the underlying cause, or null
   */
  public MapFullException(
      final String message, final String table, final Object key, final Throwable cause) {
    super(message, table, key, cause);
  }
}
