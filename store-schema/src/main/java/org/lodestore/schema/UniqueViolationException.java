package org.lodestore.schema;

/**
 * A write refused because a unique index already maps the row's index key to another row. Nothing
 * was written: the table and all its indexes are exactly as before the call.
 */
public class UniqueViolationException extends ConstraintViolationException {

  private static final long serialVersionUID = 1L;

  /** The unique index that refused the write. */
  private final String index;

  /** The index key already held by another row, rendered as text. */
  private final String indexKey;

  /**
   * Creates the exception.
   *
   * @param table the table written to
   * @param key the primary key of the refused row
   * @param index the unique index's name
   * @param indexKey the conflicting index key, as text
   * @param existing the primary key of the row that holds the index key, as text
   */
  public UniqueViolationException(
      final String table,
      final Object key,
      final String index,
      final String indexKey,
      final String existing) {
    super(
        "unique index '" + index + "' already maps " + indexKey + " to row " + existing,
        table,
        key,
        null);
    this.index = index;
    this.indexKey = indexKey;
  }

  /**
   * The unique index that refused the write.
   *
   * @return its name
   */
  public String index() {
    return index;
  }

  /**
   * The conflicting index key.
   *
   * @return it, as text
   */
  public String indexKey() {
    return indexKey;
  }
}
