package org.lodestore.schema;

import org.lodestore.core.LodestoreException;

/**
 * A write refused because it would break a declared rule: a null key in a non-nullable index, or a
 * reference to a missing row. Nothing was written: the table and all its indexes are exactly as
 * before the call.
 */
public class ConstraintViolationException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which rule, and how it was broken
   * @param table the table written to
   * @param key the primary key of the refused row
   * @param cause the underlying cause, or null
   */
  public ConstraintViolationException(
      final String message, final String table, final Object key, final Throwable cause) {
    super(message, table, key, cause);
  }
}
