package org.lodestore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.lodestore.core.Cursor;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.schema.RowJson;
import org.lodestore.schema.SchemaSetTable;
import org.lodestore.schema.SchemaTable;

/**
 * Rows in the one form fixtures and table diffs compare: a key by its encoding (its identity and
 * its order) and its {@link RowJson} JSON, a value by the JSON of the bytes its codec writes for
 * it. Expected and actual values both pass through the table's codec, so that two values compare
 * equal exactly when the table would store the same bytes for them.
 */
final class Rows {

  /**
   * One row of a table (member null) or one (key, member) pair of a set table (value null).
   *
   * @param keyBytes the key's encoding
   * @param memberBytes the member's encoding, or null for a table row
   * @param key the key's JSON
   * @param value the value's JSON, or null for a set member
   * @param member the member's JSON, or null for a table row
   */
  record Entry(byte[] keyBytes, byte[] memberBytes, JsonNode key, JsonNode value, JsonNode member) {

    /** The row's line ({@link RowJson#row} or {@link RowJson#member}). */
    String line(final String table) {
      return (member == null ? RowJson.row(table, key, value) : RowJson.member(table, key, member))
          .toString();
    }
  }

  /** Key order, then member order: the order LMDB keeps them in. */
  static final Comparator<Entry> ORDER =
      Comparator.comparing(Entry::keyBytes, Arrays::compareUnsigned)
          .thenComparing(
              e -> e.memberBytes() == null ? new byte[0] : e.memberBytes(),
              Arrays::compareUnsigned);

  private Rows() {}

  /** The encoding of {@code key}. */
  static <K> byte[] keyBytes(final KeyCodec<K> codec, final K key) {
    final ByteBuffer buffer = ByteBuffer.allocate(4096);
    codec.encode(key, buffer);
    buffer.flip();
    return bytes(buffer);
  }

  /** The key {@code json} stands for, by {@code codec}. */
  @SuppressWarnings("unchecked")
  static <K> K key(final KeyCodec<K> codec, final JsonNode json) {
    return (K) RowJson.keyFromJson(codec, json);
  }

  /**
   * The value the bytes decode to, decoded from a read-only direct buffer of their own as the store
   * hands them to a codec (a view codec's value reads from it for as long as it is kept).
   */
  static <V> V decode(final ValueCodec<V> codec, final byte[] bytes) {
    final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).flip();
    return codec.decode(direct.asReadOnlyBuffer());
  }

  /** The JSON of the bytes {@code codec} writes for {@code value}. */
  static <V> JsonNode valueJson(final ValueCodec<V> codec, final V value) {
    return RowJson.valueToJson(codec.id(), bytes(codec.encode(value)));
  }

  /** The entry of row ({@code key}, {@code value}) of {@code table}. */
  static <K, V> Entry row(final SchemaTable<K, V> table, final K key, final V value) {
    return new Entry(
        keyBytes(table.keyCodec(), key),
        null,
        RowJson.keyToJson(table.keyCodec(), key),
        valueJson(table.valueCodec(), value),
        null);
  }

  /** The entry of pair ({@code key}, {@code member}) of {@code set}. */
  static <K, M> Entry member(final SchemaSetTable<K, M> set, final K key, final M member) {
    return new Entry(
        keyBytes(set.keyCodec(), key),
        keyBytes(set.memberCodec(), member),
        RowJson.keyToJson(set.keyCodec(), key),
        null,
        RowJson.keyToJson(set.memberCodec(), member));
  }

  /** Every row of {@code table}, in key order. */
  static <K, V> List<Entry> all(final Txn txn, final SchemaTable<K, V> table) {
    final List<Entry> rows = new ArrayList<>();
    try (Cursor<K, V> c = table.select(txn, KeyRange.<K>all())) {
      while (c.next()) {
        rows.add(row(table, c.key(), c.value()));
      }
    }
    return rows;
  }

  /** Every pair of {@code set}, in key then member order. */
  static <K, M> List<Entry> all(final Txn txn, final SchemaSetTable<K, M> set) {
    final List<Entry> pairs = new ArrayList<>();
    try (Cursor<K, M> c = set.select(txn, KeyRange.<K>all())) {
      while (c.next()) {
        pairs.add(member(set, c.key(), c.value()));
      }
    }
    return pairs;
  }

  private static byte[] bytes(final ByteBuffer buffer) {
    final ByteBuffer b = buffer.duplicate();
    final byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }
}
