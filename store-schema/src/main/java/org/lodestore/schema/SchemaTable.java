package org.lodestore.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.FeedChange;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.KeyTooLongException;
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
 * <p>Declared in a schema with {@code table(oid, name, keyCodec, valueCodec)}, the one way to
 * declare a table; usable once the schema is attached.
 *
 * <h2>Writes</h2>
 *
 * {@link #put}, {@link #insert}, {@link #replace}, {@link #update} and {@link #delete} first have
 * every index prepare its change from the old and new values (its own key extraction and checks:
 * null keys, encodability, uniqueness) and check every reference, then write the row, then apply
 * the indexes' changes (see {@link Index}). A refused write throws ({@link
 * UniqueViolationException}, {@link ConstraintViolationException}, {@link InvalidKeyException} or
 * {@link KeyTooLongException} for a primary or index key that cannot be stored, {@code
 * InvalidValueException}) and leaves the table and all its indexes exactly as before. Every write,
 * {@link #truncate} too, is also refused with {@link SchemaMismatchException} when a newer
 * declaration of the table attached since this one and changed what writes must maintain (see
 * "Stale declarations" in {@link Schema}).
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

  /** How often a long backfill logs its progress. */
  private static final long BACKFILL_PROGRESS_NANOS = 5_000_000_000L;

  private final KeyCodec<K> keyCodec;
  private final ValueCodec<V> valueCodec;
  private final List<Index<?, K, V>> indexes = new ArrayList<>();
  private final List<Reference<K, V, ?, ?>> references = new ArrayList<>();

  /**
   * The references of other tables (or this one) to this table's rows: acted on by deletes. A
   * schema attached later may add one to a table that is attached already, hence copy-on-write.
   */
  private final List<Reference<?, ?, K, V>> incoming = new CopyOnWriteArrayList<>();

  private final Map<String, String> properties = new LinkedHashMap<>();
  private String oid;
  private String name;
  private String description = "";

  /** The declared value checksum, or null to take the default (new table) or the catalog's. */
  private ValueChecksum declaredChecksum;

  private Schema schema;
  private volatile Table<K, V> table;

  private final CatalogGeneration.Attached attached = new CatalogGeneration.Attached();

  /** A declaration with these codecs; made by {@code Schema.table} (and {@code counterTable}). */
  SchemaTable(final KeyCodec<K> keyCodec, final ValueCodec<V> valueCodec) {
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
    this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
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
   * final SchemaTable<UUID, Market> markets =
   *     table(OID, "markets", KeyCodecs.UUID, FlatBuffersCodec.of(Market::getRootAsMarket, Market::new))
   *         .valueChecksum(ValueChecksum.CRC32C);                  // opt in: one CRC pass per read
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

  final <I> MultiIndex<I, K, V> addIndex(
      final String indexName, final KeyCodec<I> codec, final Function<? super V, ? extends I> key) {
    final MultiIndex<I, K, V> index = new MultiIndex<>(this, indexName, codec, key);
    addIndex(index);
    return index;
  }

  private void addIndex(final Index<?, K, V> index) {
    requireUnattached();
    for (final Index<?, K, V> existing : indexes) {
      if (existing.name.equals(index.name)) {
        throw new IllegalArgumentException(
            "table '" + name + "' already has an index named '" + index.name + "'");
      }
    }
    indexes.add(index);
  }

  /** Records {@code reference} on both of its tables. */
  static <K, V, R, T> void addReference(final Reference<K, V, R, T> reference) {
    reference.from.requireUnattached();
    reference.from.references.add(reference);
    reference.to.incoming.add(reference);
  }

  /**
   * A numeric field of this table's values with in-transaction mutators (increment, decrement,
   * and/or/xor masks, set/clear bit) that write the row back through this table, indexes
   * maintained; see {@link LongField}. It needs no declaration in the catalog and may be made at
   * any time.
   *
   * @param fieldName the field's name, for messages
   * @param getter reads the field from a value
   * @param wither returns a copy of a value with the field set (for FlatBuffers: a newly built one)
   * @return the field
   */
  public LongField<K, V> longField(
      final String fieldName,
      final ToLongFunction<? super V> getter,
      final BiFunction<? super V, Long, ? extends V> wither) {
    return new LongField<>(this, fieldName, getter, wither, null);
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
  public List<Index<?, K, V>> indexes() {
    return Collections.unmodifiableList(indexes);
  }

  List<Reference<K, V, ?, ?>> references() {
    return references;
  }

  /** The LMDB database name: the oid, so that renaming a table keeps its data. */
  final String dbiName() {
    return oid;
  }

  /** Binds the table's storage, with the value checksum the catalog has (or now records). */
  final void open(final OwnerAccess access, final Txn txn, final ValueChecksum checksum) {
    final Table<K, V> opened =
        access.table(txn, dbiName(), name, keyCodec, valueCodec).withValueChecksum(checksum);
    for (final Index<?, K, V> index : indexes) {
      index.open(access, txn);
    }
    this.table = opened;
  }

  /**
   * The schema that declared this table (tools that check a table with its schema, such as
   * store-testing's table assertions, find it here).
   *
   * @return the schema, or null before it is declared
   */
  public final Schema schema() {
    return schema;
  }

  /** Reports a refused write of this table to the database's listener; returns {@code error}. */
  final <E extends ConstraintViolationException> E refused(final E error) {
    return schema == null ? error : schema.refused(error);
  }

  /**
   * The catalog's view of this declaration, checked by every write (see {@link CatalogGeneration}).
   */
  final CatalogGeneration.Attached attached() {
    return attached;
  }

  /** Forgets what {@link #open} bound, after an attach that did not commit. */
  final void unbind() {
    this.table = null;
    for (final Index<?, K, V> index : indexes) {
      index.unbind();
    }
  }

  /**
   * Entries, depth and pages of this table (not its indexes; see {@link Index#stats}).
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
   * The values of many keys in one call (the ActiveRecord seed's {@code SelectByIds}); see {@link
   * Table#getAll}.
   *
   * @param txn the transaction
   * @param keys the keys, in the order wanted
   * @return the present keys' values in the order of {@code keys}, each key once
   * @throws org.lodestore.core.InvalidKeyException if a key cannot be encoded (nothing is read)
   */
  public Map<K, V> getAll(final Txn txn, final Collection<? extends K> keys) {
    return bound().getAll(txn, keys);
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
  public long count(final Txn txn, final KeyRange<K> range) {
    return bound().count(txn, range);
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
    if (indexes.isEmpty() && incoming.isEmpty()) {
      return t.delete(txn, key);
    }
    if (!incoming.isEmpty()) {
      if (!t.contains(txn, key)) {
        return false;
      }
      checkDelete(txn, List.of(key), new Deletions()); // every RESTRICT, before any write
    }
    return deleteChecked(txn, key);
  }

  /**
   * Checks that deleting the rows {@code keys} may go ahead: no RESTRICT reference to any of them
   * from a row that stays, following CASCADE references into the tables they delete from. Writes
   * nothing; {@code going} collects the rows the delete will remove.
   */
  final void checkDelete(final Txn txn, final List<K> keys, final Deletions going) {
    for (final K key : keys) {
      if (going.add(this, key)) {
        for (final Reference<?, ?, K, V> reference : incoming) {
          reference.checkDelete(txn, List.of(key), going);
        }
      }
    }
  }

  /**
   * Deletes the row {@code key} (checked by {@link #checkDelete}) with its index entries, then does
   * what each reference to it declares for the rows that reference it. The row goes first, so that
   * a cycle of cascades ends.
   */
  final boolean deleteChecked(final Txn txn, final K key) {
    final Table<K, V> t = bound();
    attached.requireCurrent(schema, txn, name, oid);
    final Current<V> old = current(t, txn, key);
    if (old == null) {
      return false;
    }
    final List<Index.Change<?, K>> changes = prepare(txn, key, old, null);
    warnIfRepair(old, key, "deleting");
    t.delete(txn, key);
    apply(txn, changes);
    for (final Reference<?, ?, K, V> reference : incoming) {
      reference.onTargetDeleted(txn, key);
    }
    return true;
  }

  /**
   * Removes the rows of {@code range} with their index entries: exactly the rows {@link #select}
   * returns for it, so direction, offset and limit apply ({@code range.limit(n)} deletes a batch;
   * retention is a loop of such batches, one write transaction each). One cursor deletes where it
   * stands, and each row's index entries move through the indexes' own maintenance, so the work is
   * O(offset + rows deleted). Rows of other tables that reference a deleted row are dealt with as
   * their references declare: every RESTRICT is checked for every row of the range before anything
   * is deleted, so a refused call changes nothing.
   *
   * <p>A row in the range whose stored value cannot be decoded stops the call with {@link
   * CorruptValueException}: the rows before it are deleted in {@code txn} (abort it to undo them);
   * remove that row with {@link #delete}, which repairs its index entries.
   *
   * @param txn a write transaction
   * @param range which rows
   * @return how many rows were deleted
   * @throws ConstraintViolationException if a RESTRICT reference still references a row of the
   *     range (nothing is written)
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public long deleteRange(final Txn txn, final KeyRange<K> range) {
    final Table<K, V> t = bound();
    attached.requireCurrent(schema, txn, name, oid);
    if (!incoming.isEmpty()) {
      // the keys first: every RESTRICT of every row before any write, then row by row
      final List<K> keys = new ArrayList<>();
      try (Cursor<K, V> c = t.select(txn, range)) {
        while (c.next()) {
          keys.add(c.key());
        }
      }
      checkDelete(txn, keys, new Deletions());
      long deleted = 0;
      for (final K key : keys) {
        if (deleteChecked(txn, key)) {
          deleted++;
        }
      }
      return deleted;
    }
    if (indexes.isEmpty()) {
      return t.deleteRange(txn, range);
    }
    // each row's index changes are prepared from its value before anything of it is written
    return t.deleteRange(
        txn,
        range,
        (key, value) -> apply(txn, prepare(txn, key, new Current<>(value, false), null)));
  }

  /**
   * Removes every row and every index entry of this table, in O(pages). Rows of other tables that
   * reference this one are dealt with as their references declare (see {@link Reference}): a
   * RESTRICT reference with any referencing row refuses the truncate, before anything is written;
   * CASCADE deletes the referencing rows, SET_NULL clears their references.
   *
   * @param txn a write transaction
   * @throws ConstraintViolationException if a RESTRICT reference still references a row; nothing is
   *     written
   * @throws SchemaMismatchException if a newer declaration of this table attached since this one
   *     and changed what its writes maintain (see {@link Schema}); nothing is written
   */
  public void truncate(final Txn txn) {
    final Table<K, V> t = bound();
    attached.requireCurrent(schema, txn, name, oid);
    final List<Targets<K>> referenced = new ArrayList<>();
    if (!incoming.isEmpty()) {
      final Deletions going = new Deletions();
      going.addWhole(this);
      for (final Reference<?, ?, K, V> reference : incoming) {
        if (reference.from != this) {
          final List<K> keys = reference.referencedKeys(txn);
          reference.checkDelete(txn, keys, going);
          referenced.add(new Targets<>(reference, keys));
        }
      }
    }
    t.truncate(txn);
    for (final Index<?, K, V> index : indexes) {
      index.clear(txn);
    }
    for (final Targets<K> targets : referenced) {
      for (final K key : targets.keys()) {
        targets.reference().onTargetDeleted(txn, key);
      }
    }
  }

  /** The keys of this table that {@code reference} references, read before a truncate. */
  private record Targets<K>(Reference<?, ?, K, ?> reference, List<K> keys) {}

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
    final Current<V> old = current(t, txn, key);
    if ((mode == Mode.INSERT && old != null) || (mode == Mode.REPLACE && old == null)) {
      return false;
    }
    // 1. everything that can refuse the write, before anything is written
    final List<Index.Change<?, K>> changes = prepare(txn, key, old, value);
    for (final Reference<K, V, ?, ?> reference : references) {
      reference.check(txn, key, value);
    }
    // 2. the row (its own key and value checks happen before LMDB is touched)
    warnIfRepair(old, key, "overwriting");
    t.put(txn, key, value);
    // 3. every index moves its entry
    apply(txn, changes);
    return true;
  }

  /**
   * The row stored under a key: its value, or {@code unreadable} if the stored value cannot be
   * decoded (its index keys are unknown; see "Repairing a corrupt row").
   */
  private record Current<V>(V value, boolean unreadable) {}

  /** The row under {@code key}, or null if there is none. */
  private Current<V> current(final Table<K, V> t, final Txn txn, final K key) {
    try {
      final V value = t.get(txn, key);
      return value == null ? null : new Current<>(value, false);
    } catch (CorruptValueException e) {
      return new Current<>(null, true);
    }
  }

  /** Every index's change for the row {@code key} going from {@code old} to {@code value}. */
  private List<Index.Change<?, K>> prepare(
      final Txn txn, final K key, final Current<V> old, final V value) {
    final List<Index.Change<?, K>> changes = new ArrayList<>(indexes.size());
    for (final Index<?, K, V> index : indexes) {
      final Index.Change<?, K> change =
          old != null && old.unreadable()
              ? index.prepareRepair(txn, key, value)
              : index.prepare(txn, key, old == null ? null : old.value(), value);
      if (change != null) {
        changes.add(change);
      }
    }
    return changes;
  }

  private static <T> void apply(final Txn txn, final List<Index.Change<?, T>> changes) {
    for (final Index.Change<?, T> change : changes) {
      change.apply(txn);
    }
  }

  /** Logs the repair of a corrupt row if {@code old} is one. */
  private void warnIfRepair(final Current<V> old, final K key, final String action) {
    if (old != null && old.unreadable()) {
      LOG.warn(
          "table '{}': the value under key {} cannot be decoded; {} it, and removing the index "
              + "entries that point to it by scanning {} index(es)",
          name,
          Index.describe(key),
          action,
          indexes.size());
    }
  }

  /** A feed change of this table's rows, decoded (see {@link Schema#changes}). */
  final SchemaChange decode(final FeedChange change) {
    if (change.op() == FeedChange.Op.PUT || change.op() == FeedChange.Op.DELETE) {
      final Row<K, V> row = bound().decode(change);
      return new SchemaChange(name, change.op(), row.key(), row.value());
    }
    return new SchemaChange(name, change.op(), null, null);
  }

  /** Adds every row's entry to {@code index} (which must be empty): backfill and rebuild. */
  final void backfill(final Txn txn, final Index<?, K, V> index) {
    final Table<K, V> t = table;
    final List<Index.Change<?, K>> pending = new ArrayList<>();
    final long started = System.nanoTime();
    long logged = started;
    long rows = 0;
    try (Cursor<K, V> c = t.select(txn, KeyRange.all())) {
      while (c.next()) {
        final Index.Change<?, K> change = index.prepare(txn, c.key(), null, c.value());
        if (change != null) {
          pending.add(change);
        }
        if (pending.size() == 4096) {
          flush(txn, pending);
        }
        if (++rows % 4096 == 0 && System.nanoTime() - logged > BACKFILL_PROGRESS_NANOS) {
          logged = System.nanoTime();
          LOG.info("filling index {}: {} rows so far", index.displayName(), rows);
        }
      }
    }
    flush(txn, pending);
    if (rows > 0) {
      LOG.info(
          "filled index {} from {} rows ({} entries) in {} ms",
          index.displayName(),
          rows,
          index.count(txn),
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  /**
   * Applies a backfill's pending changes. Each was prepared against the index as it stood before
   * the batch, so it is checked again first: a unique clash among the batch's rows is caught here.
   * (The changes hold decoded keys, not views, so the writes may follow the scan's reads.)
   */
  private static <T> void flush(final Txn txn, final List<Index.Change<?, T>> pending) {
    for (final Index.Change<?, T> change : pending) {
      change.checkAgain(txn);
      change.apply(txn);
    }
    pending.clear();
  }

  /** A value codec storing keys of another table (index entries: index key -> primary key). */
  static <K> ValueCodec<K> keyAsValue(final KeyCodec<K> codec) {
    return new KeyValueCodec<>(codec);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + name
        + " "
        + oid
        + ": "
        + keyCodec.id()
        + " -> "
        + valueCodec.id()
        + "]";
  }
}
