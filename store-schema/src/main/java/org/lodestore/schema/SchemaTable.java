package org.lodestore.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyTooLongException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.Row;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table declared in a {@link Schema}: typed keys to typed values, with the indexes and references
 * declared on it kept up to date by every write, inside the caller's transaction.
 *
 * <p>The typed maps ({@code MapUuidCbor}, {@code MapUuidFlatBuffers}, ...) are this class with fixed
 * codecs; any other key/value pair is {@link #of(KeyCodec, ValueCodec)}. Declare it in a schema
 * with {@code table(oid, name, ...)}; it is usable once the schema is attached.
 *
 * <h2>Writes</h2>
 *
 * {@link #put}, {@link #insert}, {@link #replace}, {@link #update} and {@link #delete} first check
 * the new row against every index (null keys, encodability, uniqueness) and reference, then write
 * the row, then move each index entry through the index's single maintenance path. A refused write
 * throws ({@link UniqueViolationException}, {@link ConstraintViolationException}, {@link
 * InvalidKeyException} or {@link KeyTooLongException} for a primary or index key that cannot be
 * stored, {@code InvalidValueException}) and leaves the table and all its indexes exactly as
 * before. Every write, {@link #truncate} too, is also refused with {@link SchemaMismatchException}
 * when a newer declaration of the table attached since this one and changed what writes must
 * maintain (see "Stale declarations" in {@link Schema}).
 *
 * <h2>Repairing a corrupt row</h2>
 *
 * A row whose stored value cannot be decoded ({@link CorruptValueException} on read) can still be
 * overwritten by {@link #put} or {@link #replace} and removed by {@link #delete}: its index keys
 * are unknown, so each index is scanned for the entries that point to the row's key, which are
 * removed before the new entries are added. That scan is O(size of each index), paid only on this
 * repair path, and logged as a warning. ({@link #insert} leaves the row alone, as for any present
 * key; {@link #update} cannot transform a value it cannot read.)
 *
 * <h2>Lifetime</h2>
 *
 * Zero-copy values (FlatBuffers) are valid until the transaction ends, in a write transaction until
 * its next write.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public class SchemaTable<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaTable.class);

  private final KeyCodec<K> keyCodec;
  private final ValueCodec<V> valueCodec;
  private final List<AbstractIndex<?, K, V>> indexes = new ArrayList<>();
  private final List<Reference<K, V, ?>> references = new ArrayList<>();
  private final Map<String, String> properties = new LinkedHashMap<>();
  private String oid;
  private String name;
  private String description = "";

  /** The declared value checksum, or null to take the default (new table) or the catalog's. */
  private ValueChecksum declaredChecksum;

  private Schema schema;
  private volatile Table<K, V> table;

  private final CatalogGeneration.Attached attached = new CatalogGeneration.Attached();

  /**
   * Declares a table with the given codecs; subclasses fix them.
   *
   * @param keyCodec how keys are encoded and ordered
   * @param valueCodec how values are encoded
   */
  protected SchemaTable(final KeyCodec<K> keyCodec, final ValueCodec<V> valueCodec) {
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
    this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
  }

  /**
   * Declares a table of any key and value codecs.
   *
   * @param keyCodec how keys are encoded and ordered
   * @param valueCodec how values are encoded
   * @param <K> the key type
   * @param <V> the value type
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static <K, V> SchemaTable<K, V> of(
      final KeyCodec<K> keyCodec, final ValueCodec<V> valueCodec) {
    return new SchemaTable<>(keyCodec, valueCodec);
  }

  // ------------------------------------------------------------ declaration

  /**
   * Sets a human description, recorded in the catalog.
   *
   * @param text the description
   * @return this table
   */
  public SchemaTable<K, V> description(final String text) {
    requireUnattached();
    this.description = Objects.requireNonNull(text, "description");
    return this;
  }

  /**
   * Sets a table property, recorded in the catalog (e.g. a compression hook's name).
   *
   * @param key the property name
   * @param value its value
   * @return this table
   */
  public SchemaTable<K, V> property(final String key, final String value) {
    requireUnattached();
    properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * Declares whether stored values carry a checksum (see {@link ValueChecksum} for the layout and
   * what reads check). Undeclared, a new table gets {@link ValueChecksum#CRC32C} if its value codec
   * copies (CBOR, JSON, strings, numbers) and {@link ValueChecksum#NONE} if it is zero-copy
   * (FlatBuffers, views), and a table already in the catalog keeps the setting recorded there (a
   * table created before checksums existed has none). The setting is fixed when the table is
   * created, since every stored value carries the trailer or not: attaching a declaration that
   * contradicts the catalog's record is refused with {@link
   * org.lodestore.core.SchemaMismatchException}.
   *
   * <pre>{@code
   * final MapUuidFlatBuffers<Market> markets = table(OID, "markets",
   *     MapUuidFlatBuffers.of(Market::getRootAsMarket, Market::new)
   *         .valueChecksum(ValueChecksum.CRC32C));                 // opt in: one CRC pass per read
   * }</pre>
   *
   * @param checksum the checksum of this table's values
   * @return this table
   */
  public SchemaTable<K, V> valueChecksum(final ValueChecksum checksum) {
    requireUnattached();
    this.declaredChecksum = Objects.requireNonNull(checksum, "checksum");
    return this;
  }

  /**
   * Whether stored values carry a checksum: once attached, the setting in force (recorded in the
   * catalog); before, the declared one or, if none was declared, the default for a new table of
   * this value codec (see {@link #valueChecksum(ValueChecksum)}).
   *
   * @return the checksum setting
   */
  public ValueChecksum valueChecksum() {
    final Table<K, V> t = table;
    if (t != null) {
      return t.valueChecksum();
    }
    return declaredChecksum != null ? declaredChecksum : defaultChecksum(valueCodec);
  }

  /** The declared value checksum, or null if not declared. */
  final ValueChecksum declaredValueChecksum() {
    return declaredChecksum;
  }

  /** The checksum of a new table whose value checksum is not declared. */
  static ValueChecksum defaultChecksum(final ValueCodec<?> codec) {
    return codec.isView() ? ValueChecksum.NONE : ValueChecksum.CRC32C;
  }

  final void declare(final Schema owner, final String tableOid, final String tableName) {
    requireUnattached();
    if (schema != null) {
      throw new IllegalStateException("table '" + name + "' is already declared in a schema");
    }
    this.oid = UUID.fromString(Objects.requireNonNull(tableOid, "oid")).toString();
    this.name = Objects.requireNonNull(tableName, "name");
    this.schema = owner;
  }

  final <I> UniqueIndex<I, K, V> addUnique(
      final String indexName, final KeyCodec<I> codec, final Function<? super V, ? extends I> key) {
    final UniqueIndex<I, K, V> index = new UniqueIndex<>(this, indexName, codec, key);
    addIndex(index);
    return index;
  }

  final <I> Index<I, K, V> addIndex(
      final String indexName, final KeyCodec<I> codec, final Function<? super V, ? extends I> key) {
    final Index<I, K, V> index = new Index<>(this, indexName, codec, key);
    addIndex(index);
    return index;
  }

  private void addIndex(final AbstractIndex<?, K, V> index) {
    requireUnattached();
    for (final AbstractIndex<?, K, V> existing : indexes) {
      if (existing.name.equals(index.name)) {
        throw new IllegalArgumentException(
            "table '" + name + "' already has an index named '" + index.name + "'");
      }
    }
    indexes.add(index);
  }

  final void addReference(final Reference<K, V, ?> reference) {
    requireUnattached();
    references.add(reference);
  }

  /**
   * The table's stable identity (a UUID), recorded in the catalog.
   *
   * @return the oid
   */
  public String oid() {
    return oid;
  }

  /**
   * The table's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The table's description.
   *
   * @return the description, possibly empty
   */
  public String description() {
    return description;
  }

  /**
   * The table's properties.
   *
   * @return an unmodifiable view
   */
  public Map<String, String> properties() {
    return Collections.unmodifiableMap(properties);
  }

  /**
   * How keys are encoded.
   *
   * @return the key codec
   */
  public KeyCodec<K> keyCodec() {
    return keyCodec;
  }

  /**
   * How values are encoded.
   *
   * @return the value codec
   */
  public ValueCodec<V> valueCodec() {
    return valueCodec;
  }

  /**
   * The indexes declared on this table.
   *
   * @return them, in declaration order
   */
  public List<AbstractIndex<?, K, V>> indexes() {
    return Collections.unmodifiableList(indexes);
  }

  List<Reference<K, V, ?>> references() {
    return references;
  }

  /** The LMDB database name: the oid, so that renaming a table keeps its data. */
  final String dbiName() {
    return oid;
  }

  /** Binds the table's storage, with the value checksum the catalog has (or now records). */
  final void open(final OwnerAccess access, final Txn txn, final ValueChecksum checksum) {
    final Table<K, V> opened =
        access.table(txn, dbiName(), keyCodec, valueCodec)
            .withDisplayName(name)
            .withValueChecksum(checksum);
    for (final AbstractIndex<?, K, V> index : indexes) {
      index.open(access, txn);
    }
    this.table = opened;
  }

  /** The schema that declared this table. */
  final Schema schema() {
    return schema;
  }

  /** The catalog's view of this declaration, checked by every write (see {@link CatalogGeneration}). */
  final CatalogGeneration.Attached attached() {
    return attached;
  }

  /** Forgets what {@link #open} bound, after an attach that did not commit. */
  final void unbind() {
    this.table = null;
    for (final AbstractIndex<?, K, V> index : indexes) {
      index.unbind();
    }
  }

  /**
   * Entries, depth and pages of this table (not its indexes; see {@link AbstractIndex#stats}).
   *
   * @param txn the transaction
   * @return the statistics, named by the LMDB database (the oid)
   */
  public org.lodestore.core.TableStats stats(final Txn txn) {
    return bound().stats(txn);
  }

  final void requireUnattached() {
    if (table != null) {
      throw new IllegalStateException("table '" + name + "' is attached; declare before attach");
    }
  }

  final void requireAttached() {
    if (table == null) {
      throw new InvalidStateException(
          "table '" + name + "' is not attached yet: call db.attach(schema) first");
    }
  }

  private Table<K, V> bound() {
    final Table<K, V> t = table;
    if (t == null) {
      requireAttached();
    }
    return t;
  }

  // ------------------------------------------------------------ reads

  /**
   * The value stored under {@code key}.
   *
   * @param txn the transaction
   * @param key the key
   * @return the value, or null; a zero-copy value lives as long as the transaction (in a write
   *     transaction: until its next write)
   */
  public V get(final Txn txn, final K key) {
    return bound().get(txn, key);
  }

  /**
   * The value under {@code key}, decoded into {@code reuse} where the codec supports it (no
   * allocation for FlatBuffers).
   *
   * @param txn the transaction
   * @param key the key
   * @param reuse an object from an earlier call, or null
   * @return the value, or null
   */
  public V getInto(final Txn txn, final K key, final V reuse) {
    return bound().getInto(txn, key, reuse);
  }

  /**
   * Whether {@code key} is present.
   *
   * @param txn the transaction
   * @param key the key
   * @return true if present
   */
  public boolean contains(final Txn txn, final K key) {
    return bound().contains(txn, key);
  }

  /**
   * The stored bytes of {@code key}'s value, zero-copy (see {@code Table.rawView}).
   *
   * @param txn the transaction
   * @param key the key
   * @return a read-only buffer valid as long as the transaction, or null
   */
  public ByteBuffer rawView(final Txn txn, final K key) {
    return bound().rawView(txn, key);
  }

  /**
   * Scans the rows of {@code range}.
   *
   * @param txn the transaction
   * @param range which keys, direction, offset, limit
   * @return the cursor; close it
   */
  public Cursor<K, V> select(final Txn txn, final KeyRange<K> range) {
    return bound().select(txn, range);
  }

  /**
   * The rows of {@code range} as a page, with whether more matched beyond its limit.
   *
   * @param txn the transaction
   * @param range which keys, direction, offset, limit
   * @return the page
   */
  public Page<Row<K, V>> page(final Txn txn, final KeyRange<K> range) {
    final List<Row<K, V>> rows = new ArrayList<>();
    try (Cursor<K, V> c = select(txn, range)) {
      while (c.next()) {
        rows.add(new Row<>(c.key(), c.value()));
      }
      return new Page<>(rows, c.moreAvailable());
    }
  }

  /**
   * The number of rows, in O(1).
   *
   * @param txn the transaction
   * @return the count
   */
  public long count(final Txn txn) {
    return bound().count(txn);
  }

  /**
   * The number of rows in {@code range}.
   *
   * @param txn the transaction
   * @param range the range
   * @return the count
   */
  public long countRange(final Txn txn, final KeyRange<K> range) {
    return bound().countRange(txn, range);
  }

  /**
   * The row with the least key.
   *
   * @param txn the transaction
   * @return the row, or empty
   */
  public Optional<Row<K, V>> first(final Txn txn) {
    return bound().first(txn);
  }

  /**
   * The row with the greatest key.
   *
   * @param txn the transaction
   * @return the row, or empty
   */
  public Optional<Row<K, V>> last(final Txn txn) {
    return bound().last(txn);
  }

  // ------------------------------------------------------------ writes

  /**
   * Stores {@code value} under {@code key}, replacing any previous value (also one that cannot be
   * decoded: see "Repairing a corrupt row"), and updates every index.
   *
   * @param txn a write transaction
   * @param key the key
   * @param value the value
   * @throws UniqueViolationException if a unique index maps the row's key to another row
   * @throws ConstraintViolationException if a non-nullable index key is null, or a checked
   *     reference points nowhere
   * @throws InvalidKeyException if the key or an index key of the value cannot be stored ({@link
   *     KeyTooLongException} if too long; for an index key the message names the index)
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public void put(final Txn txn, final K key, final V value) {
    write(txn, key, value, Mode.UPSERT);
  }

  /**
   * Stores {@code value} under {@code key} only if the key is absent.
   *
   * @param txn a write transaction
   * @param key the key
   * @param value the value
   * @return true if stored, false if the key was present (nothing changed)
   * @throws UniqueViolationException if a unique index maps the row's key to another row
   * @throws ConstraintViolationException as for {@link #put}
   * @throws InvalidKeyException if the key or an index key of the value cannot be stored ({@link
   *     KeyTooLongException} if too long; for an index key the message names the index)
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public boolean insert(final Txn txn, final K key, final V value) {
    return write(txn, key, value, Mode.INSERT);
  }

  /**
   * Stores {@code value} under {@code key} only if the key is present (also if its value cannot be
   * decoded: see "Repairing a corrupt row").
   *
   * @param txn a write transaction
   * @param key the key
   * @param value the value
   * @return true if replaced, false if the key was absent (nothing changed)
   * @throws UniqueViolationException if a unique index maps the row's key to another row
   * @throws ConstraintViolationException as for {@link #put}
   * @throws InvalidKeyException if the key or an index key of the value cannot be stored ({@link
   *     KeyTooLongException} if too long; for an index key the message names the index)
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public boolean replace(final Txn txn, final K key, final V value) {
    return write(txn, key, value, Mode.REPLACE);
  }

  /**
   * Reads, transforms and writes back the row under {@code key} (a read-modify-write mutator), with
   * index maintenance. For zero-copy values, {@code fn} must return a new value (for FlatBuffers:
   * built with the codec), not the view it was given.
   *
   * @param txn a write transaction
   * @param key the key
   * @param fn computes the new value from the current one
   * @return the new value, or null if the key was absent (nothing changed)
   * @throws CorruptValueException if the current value cannot be decoded (overwrite it with {@link
   *     #put} or remove it with {@link #delete})
   * @throws UniqueViolationException as for {@link #put}
   * @throws ConstraintViolationException as for {@link #put}
   * @throws InvalidKeyException as for {@link #put}
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public V update(final Txn txn, final K key, final UnaryOperator<V> fn) {
    final V current = get(txn, key);
    if (current == null) {
      return null;
    }
    final V next = Objects.requireNonNull(fn.apply(current), "update function returned null");
    write(txn, key, next, Mode.UPSERT);
    return next;
  }

  /**
   * Removes the row under {@code key} and its index entries, also a row whose value cannot be
   * decoded (see "Repairing a corrupt row").
   *
   * @param txn a write transaction
   * @param key the key
   * @return true if it was present
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public boolean delete(final Txn txn, final K key) {
    final Table<K, V> t = bound();
    attached.requireCurrent(schema, txn, name, oid);
    if (indexes.isEmpty()) {
      return t.delete(txn, key);
    }
    final Object[] oldKeys = oldIndexKeys(t, txn, key);
    if (oldKeys == null) {
      return false;
    }
    warnIfRepair(oldKeys, key, "deleting");
    t.delete(txn, key);
    for (int i = 0; i < indexes.size(); i++) {
      updateIndex(indexes.get(i), txn, key, oldKeys[i], null);
    }
    return true;
  }

  /**
   * Removes every row and every index entry of this table, in O(pages); no other table is touched.
   *
   * @param txn a write transaction
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public void truncate(final Txn txn) {
    final Table<K, V> t = bound();
    attached.requireCurrent(schema, txn, name, oid);
    t.truncate(txn);
    for (final AbstractIndex<?, K, V> index : indexes) {
      index.clear(txn);
    }
  }

  private enum Mode {
    UPSERT,
    INSERT,
    REPLACE
  }

  private boolean write(final Txn txn, final K key, final V value, final Mode mode) {
    final Table<K, V> t = bound();
    Objects.requireNonNull(value, () -> "null value for table '" + name + "'");
    attached.requireCurrent(schema, txn, name, oid);
    if (indexes.isEmpty() && references.isEmpty()) {
      switch (mode) {
        case INSERT:
          return t.insert(txn, key, value);
        case REPLACE:
          return t.replace(txn, key, value);
        default:
          t.put(txn, key, value);
          return true;
      }
    }
    final Object[] present = oldIndexKeys(t, txn, key);
    if ((mode == Mode.INSERT && present != null) || (mode == Mode.REPLACE && present == null)) {
      return false;
    }
    // 1. check everything that can refuse the write, before writing anything
    final Object[] oldKeys = present == null ? new Object[indexes.size()] : present;
    final Object[] newKeys = new Object[indexes.size()];
    for (int i = 0; i < indexes.size(); i++) {
      newKeys[i] = extract(indexes.get(i), value, key);
      checkIndex(indexes.get(i), txn, key, oldKeys[i], newKeys[i]);
    }
    for (final Reference<K, V, ?> reference : references) {
      reference.check(txn, key, value);
    }
    // 2. write the row (its own key and value checks happen before LMDB is touched)
    warnIfRepair(oldKeys, key, "overwriting");
    t.put(txn, key, value);
    // 3. move every index entry through its one maintenance path
    for (int i = 0; i < indexes.size(); i++) {
      updateIndex(indexes.get(i), txn, key, oldKeys[i], newKeys[i]);
    }
    return true;
  }

  /**
   * The index keys of the row stored under {@code key}, or null if there is none. For a row whose
   * value cannot be decoded, every key is {@link AbstractIndex#UNREADABLE}, so that each index
   * finds the row's entries by scanning.
   */
  private Object[] oldIndexKeys(final Table<K, V> t, final Txn txn, final K key) {
    final V old;
    try {
      old = t.get(txn, key);
    } catch (CorruptValueException e) {
      final Object[] unknown = new Object[indexes.size()];
      Arrays.fill(unknown, AbstractIndex.UNREADABLE);
      return unknown;
    }
    return old == null ? null : extractAll(old);
  }

  /** Logs the repair of a corrupt row if {@code oldKeys} are those of one. */
  private void warnIfRepair(final Object[] oldKeys, final K key, final String action) {
    if (oldKeys.length > 0 && oldKeys[0] == AbstractIndex.UNREADABLE) {
      LOG.warn(
          "table '{}': the value under key {} cannot be decoded; {} it, and removing the index "
              + "entries that point to it by scanning {} index(es)",
          name,
          AbstractIndex.describe(key),
          action,
          indexes.size());
    }
  }

  private Object[] extractAll(final V value) {
    final Object[] keys = new Object[indexes.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = indexes.get(i).extract(value);
    }
    return keys;
  }

  private Object extract(final AbstractIndex<?, K, V> index, final V value, final K key) {
    try {
      return index.extract(value);
    } catch (RuntimeException e) {
      throw new ConstraintViolationException(
          "index '" + index.name + "' cannot extract its key from the value: " + e,
          name,
          key,
          e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <I, K, V> void checkIndex(
      final AbstractIndex<I, K, V> index,
      final Txn txn,
      final K key,
      final Object oldKey,
      final Object newKey) {
    index.check(txn, key, (I) oldKey, (I) newKey);
  }

  @SuppressWarnings("unchecked")
  private static <I, K, V> void updateIndex(
      final AbstractIndex<I, K, V> index,
      final Txn txn,
      final K key,
      final Object oldKey,
      final Object newKey) {
    index.update(txn, key, (I) oldKey, (I) newKey);
  }

  /** Adds every row's entry to {@code index} (which must be empty): backfill and rebuild. */
  final void backfill(final Txn txn, final AbstractIndex<?, K, V> index) {
    final Table<K, V> t = table;
    final List<Row<K, Object>> pending = new ArrayList<>();
    try (Cursor<K, V> c = t.select(txn, KeyRange.all())) {
      while (c.next()) {
        final K key = c.key();
        final Object indexKey = extract(index, c.value(), key);
        checkIndex(index, txn, key, null, indexKey);
        pending.add(new Row<>(key, indexKey));
        if (pending.size() == 4096) {
          flush(txn, index, pending);
        }
      }
    }
    flush(txn, index, pending);
  }

  private void flush(
      final Txn txn, final AbstractIndex<?, K, V> index, final List<Row<K, Object>> pending) {
    // writes happen outside the scan's reads of zero-copy values; a unique clash among the
    // pending rows themselves is caught here
    for (final Row<K, Object> row : pending) {
      if (row.value() != null) {
        checkIndex(index, txn, row.key(), null, row.value());
        updateIndex(index, txn, row.key(), null, row.value());
      }
    }
    pending.clear();
  }

  /** A value codec storing keys of another table (index entries: index key -> primary key). */
  static <K> ValueCodec<K> keyAsValue(final KeyCodec<K> codec) {
    return new KeyValueCodec<>(codec);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + " " + oid + ": " + keyCodec.id() + " -> "
        + valueCodec.id() + "]";
  }
}
