package org.lodestore.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.KeyTooLongException;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodec;

/**
 * What every index shares: its declaration (name, key codec, key extractor, nullability) and the
 * single maintenance entry point {@link #update}, through which every put, insert, replace, delete,
 * backfill and rebuild of its table changes it.
 *
 * <p>A write first asks each index to {@link #check} the new row (nullability, encodability,
 * uniqueness) before anything is written, then writes the row, then calls {@link #update} on each
 * index with the old and new index keys. So a refused write leaves the table and every index as
 * they were.
 *
 * <p>When the old row's stored value cannot be decoded, its index keys are unknown: the write
 * passes {@link #UNREADABLE} as the old key, and {@link #update} removes whatever entries point to
 * the row ({@link #removeAllFor}, a scan of the whole index) before adding the new one.
 *
 * @param <I> the index key type
 * @param <K> the table's primary key type
 * @param <V> the table's value type
 */
public abstract class AbstractIndex<I, K, V> {

  /**
   * Stands for the old index key of a row whose stored value cannot be decoded (its real key is
   * unknown); see {@link #update}.
   */
  static final Object UNREADABLE = new Object();

  final SchemaTable<K, V> table;
  final String name;
  final KeyCodec<I> keyCodec;
  private final Function<? super V, ? extends I> extractor;
  boolean nullable;

  AbstractIndex(
      final SchemaTable<K, V> table,
      final String name,
      final KeyCodec<I> keyCodec,
      final Function<? super V, ? extends I> extractor) {
    this.table = Objects.requireNonNull(table, "table");
    this.name = Objects.requireNonNull(name, "index name");
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
    this.extractor = Objects.requireNonNull(extractor, "extractor");
    if (name.isEmpty() || name.contains(":")) {
      throw new IllegalArgumentException("index name must be non-empty without ':': " + name);
    }
  }

  /**
   * The index's name, unique within its table.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Whether rows whose index key is null are allowed (and left out of the index).
   *
   * @return true if nullable
   */
  public boolean isNullable() {
    return nullable;
  }

  /**
   * Whether the index maps each key to at most one row.
   *
   * @return true for a unique index
   */
  public abstract boolean isUnique();

  /**
   * How index keys are encoded (and ordered).
   *
   * @return the codec
   */
  public KeyCodec<I> keyCodec() {
    return keyCodec;
  }

  /**
   * The number of entries in the index, in O(1).
   *
   * @param txn the transaction
   * @return the count
   */
  public abstract long size(Txn txn);

  /** The index key of {@code value}, or null. */
  final I extract(final V value) {
    return extractor.apply(value);
  }

  /** How the index is named in messages: {@code table.index}. */
  final String displayName() {
    return table.name() + "." + name;
  }

  /**
   * Entries, depth and pages of the index's storage.
   *
   * @param txn the transaction
   * @return the statistics, named by the LMDB database ({@code ix:<table oid>:<index name>})
   */
  public abstract org.lodestore.core.TableStats stats(Txn txn);

  /** Forgets the storage bound by {@link #open}. */
  abstract void unbind();

  /** The name of the LMDB database holding this index. */
  final String dbiName() {
    return "ix:" + table.oid() + ":" + name;
  }

  /**
   * Checks that {@code newKey} (extracted from the row about to be written under {@code key}) may
   * be stored: not null unless nullable ({@link ConstraintViolationException}), encodable in 1..511
   * bytes ({@link InvalidKeyException}, {@link KeyTooLongException} when too long, naming this
   * index and the row's key), and for a unique index not held by another row. Writes nothing.
   */
  final void check(final Txn txn, final K key, final I oldKey, final I newKey) {
    if (newKey == null) {
      if (!nullable) {
        throw new ConstraintViolationException(
            "index '" + name + "' is not nullable and the row's index key is null",
            table.name(),
            key,
            null);
      }
      return;
    }
    try {
      checkKey(newKey);
    } catch (InvalidKeyException e) {
      // the same type a bad primary key gets, naming the index and the row rather than the
      // index's storage and the index key
      final String message =
          "index '" + name + "' cannot store the row's index key: " + e.getMessage();
      throw e instanceof KeyTooLongException
          ? new KeyTooLongException(message, table.name(), key, e)
          : new InvalidKeyException(message, table.name(), key, e);
    }
    if (oldKey == null || oldKey == UNREADABLE || !sameKey(oldKey, newKey)) {
      checkUnique(txn, key, newKey);
    }
  }

  /**
   * The one maintenance path: moves {@code key}'s entry from {@code oldKey} to {@code newKey}
   * (either may be null: insert, delete, or a key that became/stopped being null). An {@code
   * oldKey} of {@link #UNREADABLE} (the old row's value cannot be decoded) removes every entry that
   * points to {@code key}, in O(index size).
   */
  final void update(final Txn txn, final K key, final I oldKey, final I newKey) {
    if (oldKey == UNREADABLE) {
      removeAllFor(txn, key);
    } else if (oldKey != null && newKey != null && sameKey(oldKey, newKey)) {
      return;
    } else if (oldKey != null) {
      remove(txn, oldKey, key);
    }
    if (newKey != null) {
      add(txn, newKey, key);
    }
  }

  final boolean sameKey(final I a, final I b) {
    return keyCodec.comparator().compare(a, b) == 0;
  }

  abstract void checkKey(I indexKey);

  abstract void checkUnique(Txn txn, K key, I indexKey);

  abstract void add(Txn txn, I indexKey, K key);

  abstract void remove(Txn txn, I indexKey, K key);

  /**
   * Removes every entry that points to the row {@code key}, whatever its index key: the repair path
   * for a row whose value cannot be decoded. Scans the whole index, O(index size); entries whose
   * primary key cannot be decoded are skipped.
   */
  final void removeAllFor(final Txn txn, final K key) {
    final List<I> stale = new ArrayList<>(1);
    try (Cursor<I, K> c = scanAll(txn)) {
      while (c.next()) {
        if (pointsTo(c, key)) {
          stale.add(c.key());
        }
      }
    }
    for (final I indexKey : stale) {
      remove(txn, indexKey, key); // after the scan: no writes under an open cursor
    }
  }

  private boolean pointsTo(final Cursor<I, K> entry, final K key) {
    try {
      return table.keyCodec().comparator().compare(entry.value(), key) == 0;
    } catch (CorruptValueException e) {
      return false;
    }
  }

  /** Every entry, as (index key, primary key), in index order. */
  abstract Cursor<I, K> scanAll(Txn txn);

  /** Opens (creating if missing) the index's storage inside the attach transaction. */
  abstract void open(OwnerAccess access, Txn txn);

  /** Removes every entry. */
  abstract void clear(Txn txn);

  /**
   * Rebuilds the index from its table: clears it, then adds every row's entry. Safe at any time
   * inside a write transaction; a unique violation among existing rows aborts it with {@link
   * UniqueViolationException}.
   *
   * @param txn a write transaction
   * @throws org.lodestore.core.SchemaMismatchException if a newer declaration of the table
   *     attached since this one did and changed what it maintains (nothing is written)
   */
  public final void rebuild(final Txn txn) {
    table.requireAttached();
    table.attached().requireCurrent(table.schema(), txn, table.name(), table.oid());
    rebuildNow(txn);
  }

  /** {@link #rebuild}, inside the attach that creates the index. */
  final void rebuildNow(final Txn txn) {
    clear(txn);
    table.backfill(txn, this);
  }

  /** Reads a scan of (index key, primary key) into a page of rows, closing the cursor. */
  final Page<Row<K, V>> page(final Txn txn, final Cursor<I, K> scan) {
    final List<Row<K, V>> rows = new ArrayList<>();
    try (Cursor<I, K> c = scan) {
      while (c.next()) {
        final K key = c.value();
        rows.add(new Row<>(key, table.get(txn, key)));
      }
      return new Page<>(rows, c.moreAvailable());
    }
  }

  static String describe(final Object key) {
    return LodestoreException.describeKey(key);
  }

  static <I> KeyRange<I> exactly(final I indexKey) {
    return KeyRange.closed(indexKey, indexKey);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + table.name() + "." + name + ": " + keyCodec.id()
        + (nullable ? ", nullable" : "") + "]";
  }
}
