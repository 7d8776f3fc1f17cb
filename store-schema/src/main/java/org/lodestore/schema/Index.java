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
import org.lodestore.core.TableStats;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodec;

/**
 * An index of a {@link SchemaTable}: every row's index key (computed from its value) maps to the
 * row's primary key, kept up to date by every write to the table inside the writer's transaction.
 * The base of {@link UniqueIndex} (at most one row per index key) and {@link MultiIndex} (any
 * number); declare them with {@code Schema.uniqueIndex} and {@code Schema.index}.
 *
 * <h2>Maintenance</h2>
 *
 * Each index maintains itself: given a row's primary key and its old and new values (old null on
 * insert, new null on delete), it extracts its own keys, checks them, and moves its entry ({@link
 * #update}). A write of the table does this in two steps, so that a refused write changes nothing:
 * first every index {@link #prepare prepares} its {@link Change} (extraction and every check:
 * nullability, encodability, uniqueness; no write), then the row is written, then every change is
 * {@linkplain Change#apply applied}. The keys are extracted before anything is written because a
 * zero-copy value (FlatBuffers) read from the table is detached by the first write.
 *
 * <pre>
 *   write(key, old, new):  changes = [index.prepare(key, old, new) for each index]   may refuse
 *                          table.put(key, new)
 *                          change.apply() for each change                            never refuses
 * </pre>
 *
 * <p>When the old row's stored value cannot be decoded, its index keys are unknown; {@link
 * #prepareRepair} then makes a change that removes whatever entries point to the row (a scan of the
 * whole index) before adding the new one.
 *
 * @param <I> the index key type
 * @param <K> the table's primary key type
 * @param <V> the table's value type
 */
public abstract class Index<I, K, V> {

  final SchemaTable<K, V> table;
  final String name;
  final KeyCodec<I> keyCodec;
  private final Function<? super V, ? extends I> extractor;
  private boolean nullable;

  Index(
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
   * Allows rows whose index key is null; they are left out of the index. Without it, a row whose
   * index key is null is refused with {@link ConstraintViolationException}.
   *
   * @return this index
   */
  public Index<I, K, V> nullable() {
    table.requireUnattached();
    this.nullable = true;
    return this;
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
   * @return true for a {@link UniqueIndex}
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
   * The number of entries in the index (rows with a non-null index key), in O(1).
   *
   * @param txn the transaction
   * @return the count
   */
  public abstract long count(Txn txn);

  /**
   * Scans the index: (index key, primary key) pairs in index-key order (for a {@link MultiIndex},
   * then in primary-key order), both reversed if the range is.
   *
   * @param txn the transaction
   * @param range which index keys, direction, offset, limit (counted in entries)
   * @return the cursor; close it
   */
  public abstract Cursor<I, K> select(Txn txn, KeyRange<I> range);

  /**
   * The rows whose index keys fall in {@code range}, in index order, paged by the range's offset
   * and limit, with whether more matched.
   *
   * @param txn the transaction
   * @param range which index keys, direction, offset, limit
   * @return the page of (primary key, value) rows
   */
  public final Page<Row<K, V>> page(final Txn txn, final KeyRange<I> range) {
    final List<Row<K, V>> rows = new ArrayList<>();
    try (Cursor<I, K> c = select(txn, range)) {
      while (c.next()) {
        final K key = c.value();
        rows.add(new Row<>(key, table.get(txn, key)));
      }
      return new Page<>(rows, c.moreAvailable());
    }
  }

  /**
   * Entries, depth and pages of the index's storage.
   *
   * @param txn the transaction
   * @return the statistics, named by the LMDB database ({@code ix:<table oid>:<index name>})
   */
  public abstract TableStats stats(Txn txn);

  /**
   * Rebuilds the index from its table: clears it, then adds every row's entry. Safe at any time
   * inside a write transaction; a unique violation among existing rows aborts it with {@link
   * UniqueViolationException}.
   *
   * @param txn a write transaction
   * @throws org.lodestore.core.SchemaMismatchException if a newer declaration of the table attached
   *     since this one did and changed what it maintains (nothing is written)
   */
  public final void rebuild(final Txn txn) {
    table.requireAttached();
    table.attached().requireCurrent(table.schema(), txn, table.name(), table.oid());
    rebuildNow(txn);
  }

  // ------------------------------------------------------------ maintenance

  /**
   * What one write does to this index: move the row's entry from {@code from} to {@code to} (either
   * null: no entry), or, for a repair, drop every entry pointing to the row first. Made by {@link
   * #prepare} after every check passed; {@link #apply} writes it and cannot refuse.
   *
   * @param <I> the index key type
   * @param <K> the table's primary key type
   */
  static final class Change<I, K> {
    private final Index<I, K, ?> index;
    private final K key;
    private final I from;
    private final I to;
    private final boolean repair;

    private Change(
        final Index<I, K, ?> index, final K key, final I from, final I to, final boolean repair) {
      this.index = index;
      this.key = key;
      this.from = from;
      this.to = to;
      this.repair = repair;
    }

    /** Checks the move against the index as it stands now (see {@code SchemaTable.backfill}). */
    void checkAgain(final Txn txn) {
      if (to != null) {
        index.checkUnique(txn, key, to);
      }
    }

    /** Writes the move into the index. */
    void apply(final Txn txn) {
      if (repair) {
        index.removeAllFor(txn, key);
      } else if (from != null) {
        index.remove(txn, from, key);
      }
      if (to != null) {
        index.add(txn, to, key);
      }
    }
  }

  /**
   * The one maintenance path, for writes nothing else can refuse (delete, backfill): {@link
   * #prepare} then {@link Change#apply}.
   *
   * @param txn a write transaction
   * @param key the row's primary key
   * @param oldValue the row's value before (null: there was no row)
   * @param newValue the row's value after (null: the row is deleted)
   */
  final void update(final Txn txn, final K key, final V oldValue, final V newValue) {
    final Change<I, K> change = prepare(txn, key, oldValue, newValue);
    if (change != null) {
      change.apply(txn);
    }
  }

  /**
   * Extracts this index's keys from {@code oldValue} and {@code newValue} and checks the new one
   * (not null unless nullable: {@link ConstraintViolationException}; encodable in 1..511 bytes:
   * {@link InvalidKeyException}, {@link KeyTooLongException} when too long, naming this index and
   * the row's key; for a unique index not held by another row: {@link UniqueViolationException}).
   * Writes nothing.
   *
   * @return the change to apply, or null if the row's entry stays where it is
   */
  final Change<I, K> prepare(final Txn txn, final K key, final V oldValue, final V newValue) {
    final I from = oldValue == null ? null : extract(oldValue, key);
    final I to = newValue == null ? null : extract(newValue, key);
    if (newValue != null) {
      check(txn, key, to);
    }
    if (from == null && to == null || from != null && to != null && sameKey(from, to)) {
      return null;
    }
    if (to != null) {
      checkUnique(txn, key, to); // the entry moves to a key another row may hold
    }
    return new Change<>(this, key, from, to, false);
  }

  /**
   * As {@link #prepare} for a row whose old value cannot be decoded: the change removes every entry
   * that points to the row (O(index size)) and adds the new value's.
   */
  final Change<I, K> prepareRepair(final Txn txn, final K key, final V newValue) {
    final I to = newValue == null ? null : extract(newValue, key);
    if (newValue != null) {
      check(txn, key, to);
      if (to != null) {
        checkUnique(txn, key, to);
      }
    }
    return new Change<>(this, key, null, to, true);
  }

  /** The index key of {@code value} (the row under {@code key}), or null. */
  final I extract(final V value, final K key) {
    try {
      return extractor.apply(value);
    } catch (RuntimeException e) {
      throw table.refused(
          new ConstraintViolationException(
              "index '" + name + "' cannot extract its key from the value: " + e,
              table.name(),
              key,
              e));
    }
  }

  /** Nullability and encodability of a row's new index key. */
  private void check(final Txn txn, final K key, final I indexKey) {
    if (indexKey == null) {
      if (!nullable) {
        throw table.refused(
            new ConstraintViolationException(
                name.startsWith(Reference.INDEX_PREFIX)
                    ? "reference '"
                        + name.substring(Reference.INDEX_PREFIX.length())
                        + "' is null and not nullable (declare it nullable() to allow that)"
                    : "index '" + name + "' is not nullable and the row's index key is null",
                table.name(),
                key,
                null));
      }
      return;
    }
    try {
      checkKey(indexKey);
    } catch (InvalidKeyException e) {
      // the same type a bad primary key gets, naming the index and the row rather than the
      // index's storage and the index key
      final String message =
          "index '" + name + "' cannot store the row's index key: " + e.getMessage();
      throw e instanceof KeyTooLongException
          ? new KeyTooLongException(message, table.name(), key, e)
          : new InvalidKeyException(message, table.name(), key, e);
    }
  }

  final boolean sameKey(final I a, final I b) {
    return keyCodec.comparator().compare(a, b) == 0;
  }

  /** Whether {@code a} and {@code b} are the same primary key. */
  final boolean samePrimary(final K a, final K b) {
    return table.keyCodec().comparator().compare(a, b) == 0;
  }

  abstract void checkKey(I indexKey);

  /** Whether the index holds the entry (indexKey, key): {@link SchemaCheck}. */
  abstract boolean holds(Txn txn, I indexKey, K key);

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
    try (Cursor<I, K> c = select(txn, KeyRange.all())) {
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
      return samePrimary(entry.value(), key);
    } catch (CorruptValueException e) {
      return false;
    }
  }

  /** Opens (creating if missing) the index's storage inside the attach transaction. */
  abstract void open(OwnerAccess access, Txn txn);

  /** Forgets the storage bound by {@link #open}. */
  abstract void unbind();

  /** Removes every entry. */
  abstract void clear(Txn txn);

  /** {@link #rebuild}, inside the attach that creates the index. */
  final void rebuildNow(final Txn txn) {
    clear(txn);
    table.backfill(txn, this);
  }

  /** How the index is named in messages: {@code table.index}. */
  final String displayName() {
    return table.name() + "." + name;
  }

  /** The name of the LMDB database holding this index. */
  final String dbiName() {
    return "ix:" + table.oid() + ":" + name;
  }

  static String describe(final Object key) {
    return LodestoreException.describeKey(key);
  }

  static <I> KeyRange<I> exactly(final I indexKey) {
    return KeyRange.closed(indexKey, indexKey);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + table.name()
        + "."
        + name
        + ": "
        + keyCodec.id()
        + (nullable ? ", nullable" : "")
        + "]";
  }
}
