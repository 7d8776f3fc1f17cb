package org.lodestore.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.lodestore.core.Cursor;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Txn;

/**
 * What {@link Schema#check} found: every row, index entry, reference and catalog entry of an
 * attached schema compared with what the declarations say they must be.
 *
 * <h2>What is checked</h2>
 *
 * <ul>
 *   <li>{@link Kind#UNREADABLE_VALUE}: a row's value does not decode by its codec, or fails its
 *       checksum; a set member does not decode.
 *   <li>{@link Kind#MISSING_INDEX_ENTRY}: a row derives an index key the index does not hold for it
 *       (or a null key from an index that is not nullable).
 *   <li>{@link Kind#STALE_INDEX_ENTRY}: an index entry whose row is gone, or whose row derives
 *       another key (or none), or that cannot be decoded.
 *   <li>{@link Kind#DANGLING_REFERENCE}: a row's reference points to no row of its target table.
 *   <li>{@link Kind#CATALOG}: a table's catalog entry is missing or contradicts its declaration.
 * </ul>
 *
 * <p>Cost: one pass over every table and every index, each row looked up once per index and
 * reference, O(n log n) in all; the memory used does not grow with the data (at most {@value
 * #RECORDED} problems are kept, all are counted).
 */
public final class SchemaCheck {

  /** The most problems {@link #problems()} keeps. */
  public static final int RECORDED = 1_000;

  /** How often, in rows, the progress callback is called. */
  static final int PROGRESS_EVERY = 1_000;

  /** What kind of problem. */
  public enum Kind {
    /** A value that does not decode or fails its checksum. */
    UNREADABLE_VALUE,
    /** An index entry a row derives and the index lacks. */
    MISSING_INDEX_ENTRY,
    /** An index entry no row derives. */
    STALE_INDEX_ENTRY,
    /** A reference to a row that does not exist. */
    DANGLING_REFERENCE,
    /** A catalog entry that contradicts the declarations. */
    CATALOG
  }

  /**
   * One problem.
   *
   * @param kind what kind
   * @param table the declared table's name
   * @param index the index's (or reference's backing index's) name, or null
   * @param key the row's key as described in messages ({@code LodestoreException.describeKey}), or
   *     null for a problem of the whole table
   * @param message what is wrong, in words
   */
  public record Problem(Kind kind, String table, String index, String key, String message) {

    @Override
    public String toString() {
      return kind
          + " "
          + table
          + (index == null ? "" : "." + index)
          + (key == null ? "" : " key " + key)
          + ": "
          + message;
    }
  }

  private final List<Problem> problems = new ArrayList<>();
  private long problemCount;
  private long rowsChecked;
  private final LongConsumer progress;

  private SchemaCheck(final LongConsumer progress) {
    this.progress = progress;
  }

  /**
   * Whether nothing was found.
   *
   * @return true if no problem was found
   */
  public boolean ok() {
    return problemCount == 0;
  }

  /**
   * The rows and set members read.
   *
   * @return the count
   */
  public long rowsChecked() {
    return rowsChecked;
  }

  /**
   * Every problem found, also those beyond {@link #RECORDED}.
   *
   * @return the count
   */
  public long problemCount() {
    return problemCount;
  }

  /**
   * The first {@value #RECORDED} problems, in the order found (table by table).
   *
   * @return them; unmodifiable
   */
  public List<Problem> problems() {
    return Collections.unmodifiableList(problems);
  }

  @Override
  public String toString() {
    return ok()
        ? "ok: " + rowsChecked + " rows checked"
        : problemCount + " problems in " + rowsChecked + " rows, first: " + problems.get(0);
  }

  // ------------------------------------------------------------------ the walk

  static SchemaCheck run(
      final Schema schema,
      final List<SchemaTable<?, ?>> tables,
      final List<SchemaSetTable<?, ?>> sets,
      final Txn txn,
      final LongConsumer progress) {
    final SchemaCheck check = new SchemaCheck(Objects.requireNonNull(progress, "progress"));
    for (final SchemaSetTable<?, ?> set : sets) {
      check.catalog(schema, txn, set, null);
      check.set(txn, set);
    }
    for (final SchemaTable<?, ?> table : tables) {
      check.catalog(schema, txn, null, table);
      check.rows(txn, table);
      for (final Index<?, ?, ?> index : table.indexes()) {
        check.entries(txn, index);
      }
    }
    progress.accept(check.rowsChecked);
    return check;
  }

  /** The catalog entry of {@code set} or {@code table} (one is null) matches its declaration. */
  private void catalog(
      final Schema schema,
      final Txn txn,
      final SchemaSetTable<?, ?> set,
      final SchemaTable<?, ?> table) {
    final String oid = set != null ? set.oid() : table.oid();
    final String name = set != null ? set.name() : table.name();
    final Catalog.TableEntry entry;
    try {
      entry = schema.catalogEntry(txn, oid);
    } catch (LodestoreException e) {
      found(Kind.CATALOG, name, null, null, "its catalog entry cannot be read: " + e.getMessage());
      return;
    }
    if (entry == null) {
      found(Kind.CATALOG, name, null, null, "the catalog has no entry for oid " + oid);
      return;
    }
    try {
      if (set != null) {
        EvolutionRules.table(
            entry, name, Catalog.TableEntry.SET, set.keyCodec().id(), set.memberCodec().id(), null);
      } else {
        EvolutionRules.table(
            entry,
            name,
            Catalog.TableEntry.TABLE,
            table.keyCodec().id(),
            table.valueCodec().id(),
            table.valueCodec().typeFingerprint());
        EvolutionRules.indexes(entry, table, txn);
        for (final Index<?, ?, ?> index : table.indexes()) {
          if (entry.index(index.name()) == null) {
            found(Kind.CATALOG, name, index.name(), null, "the catalog does not record the index");
          }
        }
      }
    } catch (SchemaMismatchException e) {
      found(Kind.CATALOG, name, null, null, e.getMessage());
    }
  }

  private <K, M> void set(final Txn txn, final SchemaSetTable<K, M> set) {
    final SetTable<K, M> members = set.bound();
    try (Cursor<K, M> c = members.select(txn, KeyRange.<K>all())) {
      while (c.next()) {
        counted();
        try {
          c.key();
          c.value();
        } catch (LodestoreException e) {
          found(Kind.UNREADABLE_VALUE, set.name(), null, describe(c), e.getMessage());
        }
      }
    }
  }

  private <K, V> void rows(final Txn txn, final SchemaTable<K, V> table) {
    try (Cursor<K, V> c = table.select(txn, KeyRange.<K>all())) {
      while (c.next()) {
        counted();
        final K key;
        final V value;
        try {
          key = c.key();
        } catch (LodestoreException e) {
          found(Kind.UNREADABLE_VALUE, table.name(), null, describe(c), e.getMessage());
          continue;
        }
        try {
          value = c.value();
        } catch (LodestoreException e) {
          found(Kind.UNREADABLE_VALUE, table.name(), null, describe(key), e.getMessage());
          continue;
        }
        for (final Index<?, K, V> index : table.indexes()) {
          derived(txn, index, key, value);
        }
        for (final Reference<K, V, ?, ?> reference : table.references()) {
          resolves(txn, reference, key, value);
        }
      }
    }
  }

  /** The entry {@code value} derives in {@code index} is there. */
  private <I, K, V> void derived(
      final Txn txn, final Index<I, K, V> index, final K key, final V value) {
    final I indexKey;
    try {
      indexKey = index.extract(value, key);
    } catch (LodestoreException e) {
      found(
          Kind.MISSING_INDEX_ENTRY,
          index.table.name(),
          index.name(),
          describe(key),
          e.getMessage());
      return;
    }
    if (indexKey == null) {
      if (!index.isNullable()) {
        found(
            Kind.MISSING_INDEX_ENTRY,
            index.table.name(),
            index.name(),
            describe(key),
            "the row's index key is null and the index is not nullable");
      }
      return;
    }
    if (!index.holds(txn, indexKey, key)) {
      found(
          Kind.MISSING_INDEX_ENTRY,
          index.table.name(),
          index.name(),
          describe(key),
          "the row derives index key "
              + describe(indexKey)
              + ", which the index does not hold for it");
    }
  }

  private <K, V, R, T> void resolves(
      final Txn txn, final Reference<K, V, R, T> reference, final K key, final V value) {
    final R target;
    try {
      target = reference.targetKey(value);
    } catch (RuntimeException e) {
      return; // the backing index's check reports the row
    }
    if (target != null && !reference.to.contains(txn, target)) {
      found(
          Kind.DANGLING_REFERENCE,
          reference.from.name(),
          Reference.INDEX_PREFIX + reference.name(),
          describe(key),
          "reference '"
              + reference.name()
              + "' points to "
              + describe(target)
              + ", which is not in table '"
              + reference.to.name()
              + "'");
    }
  }

  /** Every entry of {@code index} is derived by its row. */
  private <I, K, V> void entries(final Txn txn, final Index<I, K, V> index) {
    final SchemaTable<K, V> table = index.table;
    try (Cursor<I, K> c = index.select(txn, KeyRange.<I>all())) {
      while (c.next()) {
        final I indexKey;
        final K key;
        try {
          indexKey = c.key();
          key = c.value();
        } catch (LodestoreException e) {
          found(Kind.STALE_INDEX_ENTRY, table.name(), index.name(), describe(c), e.getMessage());
          continue;
        }
        final V value;
        try {
          value = table.get(txn, key);
        } catch (LodestoreException e) {
          continue; // an unreadable row: reported by the row pass
        }
        if (value == null) {
          found(
              Kind.STALE_INDEX_ENTRY,
              table.name(),
              index.name(),
              describe(key),
              "index key " + describe(indexKey) + " points to a row that does not exist");
          continue;
        }
        final I derived;
        try {
          derived = index.extract(value, key);
        } catch (LodestoreException e) {
          continue; // reported by the row pass
        }
        if (derived == null || !index.sameKey(derived, indexKey)) {
          found(
              Kind.STALE_INDEX_ENTRY,
              table.name(),
              index.name(),
              describe(key),
              "index key "
                  + describe(indexKey)
                  + " points to the row, which derives "
                  + (derived == null ? "none" : describe(derived)));
        }
      }
    }
  }

  private void counted() {
    if (++rowsChecked % PROGRESS_EVERY == 0) {
      progress.accept(rowsChecked);
    }
  }

  private void found(
      final Kind kind,
      final String table,
      final String index,
      final String key,
      final String message) {
    problemCount++;
    if (problems.size() < RECORDED) {
      problems.add(new Problem(kind, table, index, key, message));
    }
  }

  private static String describe(final Object key) {
    return LodestoreException.describeKey(key);
  }

  /** The cursor's key as raw bytes, for a row whose key or value cannot be decoded. */
  private static String describe(final Cursor<?, ?> c) {
    final ByteBuffer raw = c.keyView();
    final byte[] bytes = new byte[raw.remaining()];
    raw.duplicate().get(bytes);
    return describe(bytes);
  }
}
