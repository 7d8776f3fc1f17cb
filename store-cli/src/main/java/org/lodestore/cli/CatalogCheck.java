package org.lodestore.cli;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.TableStats;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.RowJson;
import org.lodestore.schema.SchemaCheck.Kind;
import org.lodestore.schema.SchemaCheck.Problem;
import org.lodestore.schema.StoredCatalog;
import org.lodestore.schema.StoredCatalog.StoredIndex;
import org.lodestore.schema.StoredCatalog.StoredTable;

/**
 * What {@code verify} checks without the schema's classes, from the catalog alone: every value
 * matches its checksum and decodes by its codec (CBOR, JSON, strings, UUIDs, numbers; FlatBuffers
 * and byte values are not decoded), every key and set member decodes, every index entry points to a
 * row that exists, and a non-nullable index has an entry for every row (counted: which rows lack
 * one takes the schema's code, {@code --schema}). Problems are reported as {@code Schema.check}
 * reports them.
 *
 * <p>Memory does not grow with the data: each index entry is looked up in its table.
 *
 * @see org.lodestore.schema.Schema#check
 */
final class CatalogCheck {

  /** Value codecs {@link RowJson#valueToJson} decodes, and so checks. */
  private static final Set<String> DECODED = Set.of("cbor", "json", "utf8", "uuid", "int64");

  private final StoredCatalog catalog;
  private final RawAccess raw;
  private final DatabaseStats stats;
  private final Consumer<Problem> problems;
  private final LongConsumer progress;
  private long rows;

  private CatalogCheck(
      final Database db,
      final StoredCatalog catalog,
      final Consumer<Problem> problems,
      final LongConsumer progress) {
    this.catalog = catalog;
    this.raw = RawAccess.of(db);
    this.stats = db.stats();
    this.problems = problems;
    this.progress = progress;
  }

  /**
   * Checks every declared table of {@code db} in {@code txn}.
   *
   * @return the rows and set members read
   */
  static long run(
      final Database db,
      final StoredCatalog catalog,
      final Txn txn,
      final Consumer<Problem> problems,
      final LongConsumer progress) {
    final CatalogCheck check = new CatalogCheck(db, catalog, problems, progress);
    for (final StoredTable t : catalog.tables()) {
      check.table(txn, t);
    }
    progress.accept(check.rows);
    return check.rows;
  }

  private void table(final Txn txn, final StoredTable t) {
    final TableStats s = stats.tables().get(t.dbi());
    if (s == null) {
      problems.accept(
          new Problem(
              Kind.CATALOG,
              t.name(),
              null,
              null,
              "the catalog declares it, but its LMDB database '" + t.dbi() + "' does not exist"));
      return;
    }
    final KeyCodec<?> keyCodec = codec(t.keyCodec());
    if (t.isSet()) {
      members(txn, t, keyCodec, codec(t.valueCodec()));
      return;
    }
    rows(txn, t, keyCodec);
    for (final StoredIndex i : t.indexes()) {
      index(txn, t, keyCodec, i, s.entries());
    }
  }

  private <K> void rows(final Txn txn, final StoredTable t, final KeyCodec<K> keyCodec) {
    final Table<K, byte[]> table = catalog.rawTable(txn, t, keyCodec);
    final Table<byte[], byte[]> bytes = raw.table(txn, t.dbi());
    final boolean decode = DECODED.contains(t.valueCodec());
    // the raw cursor gives every key's bytes, so that a key that does not decode is still named
    try (Cursor<byte[], byte[]> c = bytes.select(txn, KeyRange.all())) {
      while (c.next()) {
        final byte[] keyBytes = c.key();
        final K key;
        try {
          key = keyCodec.decode(ByteBuffer.wrap(keyBytes).asReadOnlyBuffer());
        } catch (RuntimeException e) {
          problems.accept(
              new Problem(
                  Kind.UNREADABLE_VALUE,
                  t.name(),
                  null,
                  LodestoreException.describeKey(keyBytes),
                  "the key does not decode as " + t.keyCodec() + ": " + e.getMessage()));
          step();
          continue;
        }
        try {
          final byte[] value = table.get(txn, key);
          if (decode) {
            RowJson.valueToJson(t.valueCodec(), value);
          }
        } catch (RuntimeException e) {
          problems.accept(
              new Problem(
                  Kind.UNREADABLE_VALUE,
                  t.name(),
                  null,
                  LodestoreException.describeKey(key),
                  e.getMessage()));
        }
        step();
      }
    }
  }

  private <K, M> void members(
      final Txn txn,
      final StoredTable t,
      final KeyCodec<K> keyCodec,
      final KeyCodec<M> memberCodec) {
    final SetTable<byte[], byte[]> set = raw.setTable(txn, t.dbi(), 0);
    try (Cursor<byte[], byte[]> c = set.select(txn, KeyRange.<byte[]>all())) {
      while (c.next()) {
        final byte[] key = c.key();
        try {
          keyCodec.decode(ByteBuffer.wrap(key).asReadOnlyBuffer());
          memberCodec.decode(ByteBuffer.wrap(c.value()).asReadOnlyBuffer());
        } catch (RuntimeException e) {
          problems.accept(
              new Problem(
                  Kind.UNREADABLE_VALUE,
                  t.name(),
                  null,
                  LodestoreException.describeKey(key),
                  "a member does not decode as " + t.valueCodec() + ": " + e.getMessage()));
        }
        step();
      }
    }
  }

  private void index(
      final Txn txn,
      final StoredTable t,
      final KeyCodec<?> rowKeys,
      final StoredIndex i,
      final long tableRows) {
    final TableStats s = stats.tables().get(i.dbi());
    if (s == null) {
      problems.accept(
          new Problem(
              Kind.CATALOG,
              t.name(),
              i.name(),
              null,
              "the catalog declares the index, but its LMDB database '"
                  + i.dbi()
                  + "' does not exist"));
      return;
    }
    final KeyCodec<?> indexKeys = codec(i.keyCodec());
    final Table<byte[], byte[]> rows = raw.table(txn, t.dbi());
    if (i.unique()) {
      try (Cursor<byte[], byte[]> c = raw.table(txn, i.dbi()).select(txn, KeyRange.all())) {
        while (c.next()) {
          entry(txn, t, i, rows, rowKeys, indexKeys, c.key(), c.value());
        }
      }
    } else {
      try (Cursor<byte[], byte[]> c =
          raw.setTable(txn, i.dbi(), 0).select(txn, KeyRange.<byte[]>all())) {
        while (c.next()) {
          entry(txn, t, i, rows, rowKeys, indexKeys, c.key(), c.value());
        }
      }
    }
    if (!i.nullable() && s.entries() < tableRows) {
      problems.accept(
          new Problem(
              Kind.MISSING_INDEX_ENTRY,
              t.name(),
              i.name(),
              null,
              (tableRows - s.entries())
                  + " of its "
                  + tableRows
                  + " rows have no entry in this"
                  + " non-nullable index (--schema names them)"));
    }
  }

  private void entry(
      final Txn txn,
      final StoredTable t,
      final StoredIndex i,
      final Table<byte[], byte[]> rows,
      final KeyCodec<?> rowKeys,
      final KeyCodec<?> indexKeys,
      final byte[] indexKey,
      final byte[] rowKey) {
    if (rowKey.length == 0 || !rows.contains(txn, rowKey)) {
      problems.accept(
          new Problem(
              Kind.STALE_INDEX_ENTRY,
              t.name(),
              i.name(),
              describe(rowKeys, rowKey),
              "index key "
                  + describe(indexKeys, indexKey)
                  + " points to a row that does not exist"));
    }
  }

  private static String describe(final KeyCodec<?> codec, final byte[] bytes) {
    try {
      return LodestoreException.describeKey(
          codec.decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
    } catch (RuntimeException e) {
      return LodestoreException.describeKey(bytes);
    }
  }

  private static KeyCodec<?> codec(final String id) {
    return KeyCodecs.forId(id).orElse(KeyCodecs.BYTES);
  }

  private void step() {
    rows++;
    if (rows % 1_000 == 0) {
      progress.accept(rows);
    }
  }
}
