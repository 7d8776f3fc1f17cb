package org.lodestore.schema;

import java.util.List;

/**
 * One page of query results, and whether the limit cut off further matches (the "limit reached"
 * answer for paging). Zero-copy values in it are valid only within their transaction.
 *
 * @param rows the rows, in query order
 * @param moreAvailable true if more rows matched beyond the limit
 * @param <T> the row type
 */
public record Page<T>(List<T> rows, boolean moreAvailable) {

  /**
   * Creates a page; the list is copied.
   *
   * @param rows the rows, in query order
   * @param moreAvailable true if more rows matched beyond the limit
   */
  public Page {
    rows = List.copyOf(rows);
  }
}
