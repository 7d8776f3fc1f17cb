package org.lodestore.core;

/**
 * A table exists with a different definition than the one being opened: another key or value codec,
 * or another kind (set table versus table), or a value type the stored values cannot be read as, or
 * a migration of its values is unfinished. The message names the table and both definitions (both
 * value types, for a type), and what is allowed instead.
 *
 * <p>Also a write refused because it would go around a schema, before anything is written: through
 * a schema declaration older than the catalog's (the message names what it does not maintain, e.g.
 * an index), or through a plain table of a table a schema owns (write through the schema).
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
  public SchemaMismatchException(
      final String message, final String table, final Object key, final Throwable cause) {
    super(message, table, key, cause);
  }
}
