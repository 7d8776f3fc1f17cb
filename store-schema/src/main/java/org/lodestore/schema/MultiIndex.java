package org.lodestore.schema;

import java.util.function.Function;
import org.lodestore.core.Cursor;
import org.lodestore.core.KeyRange;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.Row;
import org.lodestore.core.SetTable;
import org.lodestore.core.TableStats;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodec;

/**
 * An index that maps each index key to the ordered set of primary keys of the rows that have it (a
 * multi-valued index), maintained automatically by every write to the table. With a UUID index key
 * over a UUID-keyed table it is a UUID-set index ("markets by exchange").
 *
 * <p>Stored as an LMDB {@code DUPSORT} database {@code index key -> {primary keys}} (also {@code
 * DUPFIXED} for fixed-length primary keys): adding and removing a row is O(log n), never a rewrite
 * of the set. A composite index key (e.g. {@code Tuple2<customer, desc(createdAt)>}) filters by its
 * leading components and orders by the rest; query it with a prefix range.
 *
 * @param <I> the index key type
 * @param <K> the table's primary key type
 * @param <V> the table's value type
 */
public final class MultiIndex<I, K, V> extends Index<I, K, V> {

  private SetTable<I, K> entries;

  MultiIndex(
      final SchemaTable<K, V> table,
      final String name,
      final KeyCodec<I> keyCodec,
      final Function<? super V, ? extends I> extractor) {
    super(table, name, keyCodec, extractor);
  }

  @Override
  public MultiIndex<I, K, V> nullable() {
    super.nullable();
    return this;
  }

  @Override
  public boolean isUnique() {
    return false;
  }

  /**
   * The number of rows with this index key, in O(log n).
   *
   * @param txn the transaction
   * @param indexKey the index key
   * @return the count
   */
  public long count(final Txn txn, final I indexKey) {
    return entries(txn).count(txn, indexKey);
  }

  /**
   * Whether the row {@code key} has this index key.
   *
   * @param txn the transaction
   * @param indexKey the index key
   * @param key the primary key
   * @return true if it has
   */
  public boolean contains(final Txn txn, final I indexKey, final K key) {
    return entries(txn).contains(txn, indexKey, key);
  }

  /**
   * The primary keys of the rows with this index key, in primary-key order.
   *
   * @param txn the transaction
   * @param indexKey the index key
   * @return a cursor of (index key, primary key); close it
   */
  public Cursor<I, K> select(final Txn txn, final I indexKey) {
    return entries(txn).select(txn, indexKey);
  }

  @Override
  public Cursor<I, K> select(final Txn txn, final KeyRange<I> range) {
    return entries(txn).select(txn, range);
  }

  /**
   * The rows with this index key, in primary-key order, paged.
   *
   * @param txn the transaction
   * @param indexKey the index key
   * @param offset rows to skip
   * @param limit the most rows to return
   * @return the page of (primary key, value) rows, and whether more matched
   */
  public Page<Row<K, V>> page(
      final Txn txn, final I indexKey, final long offset, final long limit) {
    return page(txn, exactly(indexKey).offset(offset).limit(limit));
  }

  @Override
  public long count(final Txn txn) {
    return entries(txn).count(txn);
  }

  private SetTable<I, K> entries(final Txn txn) {
    table.requireAttached();
    return entries;
  }

  @Override
  void open(final OwnerAccess access, final Txn txn) {
    entries = access.setTable(txn, dbiName(), displayName(), keyCodec, table.keyCodec());
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
    return contains(txn, indexKey, key);
  }

  @Override
  void checkKey(final I indexKey) {
    entries.checkKey(indexKey);
  }

  @Override
  void checkUnique(final Txn txn, final K key, final I indexKey) {
    // not unique: nothing to check
  }

  @Override
  void add(final Txn txn, final I indexKey, final K key) {
    entries.add(txn, indexKey, key);
  }

  @Override
  void remove(final Txn txn, final I indexKey, final K key) {
    entries.remove(txn, indexKey, key);
  }

  @Override
  void clear(final Txn txn) {
    entries.truncate(txn);
  }
}
