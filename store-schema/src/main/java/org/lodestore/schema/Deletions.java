package org.lodestore.schema;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rows one delete (or truncate) will remove, its cascades included: collected while the delete
 * is checked, before anything is written, so that a reference whose referencing row goes away in
 * the same delete does not refuse it, and a cycle of cascades ends.
 */
final class Deletions {

  private final Map<SchemaTable<?, ?>, TreeSet<?>> rows = new IdentityHashMap<>();
  private final Set<SchemaTable<?, ?>> whole = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Adds the row {@code key} of {@code table}; false if it was there already. */
  <K> boolean add(final SchemaTable<K, ?> table, final K key) {
    return !whole.contains(table) && of(table).add(key);
  }

  /** Marks every row of {@code table} as going (a truncate). */
  void addWhole(final SchemaTable<?, ?> table) {
    whole.add(table);
  }

  /** Whether the row {@code key} of {@code table} is going. */
  <K> boolean contains(final SchemaTable<K, ?> table, final K key) {
    return whole.contains(table) || of(table).contains(key);
  }

  @SuppressWarnings("unchecked") // each set is made below for its table's key type
  private <K> TreeSet<K> of(final SchemaTable<K, ?> table) {
    return (TreeSet<K>)
        rows.computeIfAbsent(table, t -> new TreeSet<K>(table.keyCodec().comparator()));
  }
}
