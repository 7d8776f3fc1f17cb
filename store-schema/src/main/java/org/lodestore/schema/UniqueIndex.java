package org.lodestore.schema;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.lodestore.core.Cursor;
import org.lodestore.core.KeyRange;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.Table;
import org.lodestore.core.TableStats;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodec;

/**
 * An index that maps each index key to at most one row of its table, maintained automatically by
 * every write to the table. A write that would map an index key to a second row fails with {@link
 * UniqueViolationException} and changes nothing.
 *
 * <p>Stored as an LMDB database {@code index key -> primary key}.
 *
 * @param <I> the index key type
 * @param <K> the table's primary key type
 * @param <V> the table's value type
 */
public final class UniqueIndex<I, K, V> extends Index<I, K, V> {

  private Table<I, K> entries;

  UniqueIndex(
      final SchemaTable<K, V> table,
      final String name,
      final KeyCodec<I> keyCodec,
      final Function<? super V, ? extends I> extractor) {
    super(table, name, keyCodec, extractor);
  }

  @Override
  public UniqueIndex<I, K, V> nullable() {
    super.nullable();
    return this;
  }

  @Override
  public boolean isUnique() {
    return true;
  }

  /**
   * The primary key of the row with this index key.
   *
   * @param txn the transaction
   * @param indexKey the index key
   * @return the primary key, or null if no row has it
   */
  public K key(final Txn txn, final I indexKey) {
    return entries(txn).get(txn, indexKey);
  }

  /**
   * The row with this index key.
   *
   * @param txn the transaction
   * @param indexKey the index key
   * @return its value (zero-copy values live as long as the transaction), or null
   */
  public V get(final Txn txn, final I indexKey) {
    final K key = key(txn, indexKey);
    return key == null ? null : table.get(txn, key);
  }

  /**
   * The rows of many index keys in one call (lookups by a list of keys, e.g. e-mail addresses).
   *
   * @param txn the transaction
   * @param indexKeys the index keys, in the order wanted
   * @return the value of the row of each index key that has one, in the order of {@code indexKeys},
   *     each key once (zero-copy values live as long as the transaction)
   * @throws org.lodestore.core.InvalidKeyException if an index key cannot be encoded
   */
  public Map<I, V> getAll(final Txn txn, final Collection<? extends I> indexKeys) {
    final Map<I, K> keys = entries(txn).getAll(txn, indexKeys);
    final Map<I, V> rows = new LinkedHashMap<>();
    for (final Map.Entry<I, K> e : keys.entrySet()) {
      final V value = table.get(txn, e.getValue());
      if (value != null) {
        rows.put(e.getKey(), value);
      }
    }
    return rows;
  }

  /**
   * Whether a row has this index key.
   *
   * @param txn the transaction
   * @param indexKey the index key
   * @return true if one does
   */
  public boolean contains(final Txn txn, final I indexKey) {
    return entries(txn).contains(txn, indexKey);
  }

  @Override
  public Cursor<I, K> select(final Txn txn, final KeyRange<I> range) {
    return entries(txn).select(txn, range);
  }

  @Override
  public long count(final Txn txn) {
    return entries(txn).count(txn);
  }

  private Table<I, K> entries(final Txn txn) {
    table.requireAttached();
    return entries;
  }

  @Override
  void open(final OwnerAccess access, final Txn txn) {
    entries =
        access.table(
            txn, dbiName(), displayName(), keyCodec, SchemaTable.keyAsValue(table.keyCodec()));
  }

  @Override
  void unbind() {
    entries = null;
  }

  @Override
  public TableStats stats(final Txn txn) {
    return entries(txn).stats(txn);
  }

  @Override
  boolean holds(final Txn txn, final I indexKey, final K key) {
    final K holder = entries(txn).get(txn, indexKey);
    return holder != null && samePrimary(holder, key);
  }

  @Override
  void checkKey(final I indexKey) {
    entries.checkKey(indexKey);
  }

  @Override
  void checkUnique(final Txn txn, final K key, final I indexKey) {
    final K holder = entries.get(txn, indexKey);
    if (holder != null && !samePrimary(holder, key)) {
      throw table.refused(
          new UniqueViolationException(
              table.name(), key, name, describe(indexKey), describe(holder)));
    }
  }

  @Override
  void add(final Txn txn, final I indexKey, final K key) {
    entries.put(txn, indexKey, key);
  }

  @Override
  void remove(final Txn txn, final I indexKey, final K key) {
    final K holder = entries.get(txn, indexKey);
    if (holder != null && samePrimary(holder, key)) {
      entries.delete(txn, indexKey);
    }
  }

  @Override
  void clear(final Txn txn) {
    entries.truncate(txn);
  }
}
