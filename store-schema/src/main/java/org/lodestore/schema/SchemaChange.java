package org.lodestore.schema;

import org.lodestore.core.FeedChange;

/**
 * One change of a change-feed entry to a schema's table, decoded ({@link Schema#changes}).
 *
 * @param table the declared name of the table or set table
 * @param op what was done: {@link FeedChange.Op#PUT} (key, value), {@link FeedChange.Op#DELETE}
 *     (key; for a set table the key's whole set), {@link FeedChange.Op#SET_ADD} and {@link
 *     FeedChange.Op#SET_REMOVE} (key, member as value), {@link FeedChange.Op#TRUNCATE}, {@link
 *     FeedChange.Op#CREATE}, {@link FeedChange.Op#DROP} (neither)
 * @param key the decoded key, or null
 * @param value the decoded value or member, or null
 */
public record SchemaChange(String table, FeedChange.Op op, Object key, Object value) {

  /**
   * Whether this is a change of {@code t}'s rows.
   *
   * @param t a table of the schema
   * @return true if it is
   */
  public boolean is(final SchemaTable<?, ?> t) {
    return t.name().equals(table);
  }

  /**
   * Whether this is a change of {@code t}'s members.
   *
   * @param t a set table of the schema
   * @return true if it is
   */
  public boolean is(final SchemaSetTable<?, ?> t) {
    return t.name().equals(table);
  }
}
