package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * The one way to declare a table, {@code table(oid, name, keyCodec, valueCodec)}, covers every key
 * the design names: UUID, timestamp, string, bytes, and the composite keys (UUID, timestamp),
 * (timestamp, UUID), (UUID, UUID), (UUID, String), (String, UUID), (String, String), each with
 * CBOR, FlatBuffers, string and UUID values. Every combination round-trips a put, get and select:
 * values come back equal, keys come back in the order of their codec (unsigned UUID order, code
 * point order, pre-1970 first, unsigned bytes, a string component never running into the next), and
 * all of it survives closing and reopening the database. What the zlmdb-style typed maps ({@code
 * MapUuidCbor}, {@code MapUuidTimestampFlatBuffers}, ...) did is declared here with codecs.
 */
class TableDeclarationTest {

  record Doc(String title, List<String> tags, Map<String, Integer> counts, Instant at, UUID ref) {}

  static String oid(final int i) {
    return String.format("7e5d0000-0000-4000-8000-%012d", i);
  }

  /** A codec of its own for building values: a value built by any codec can be put into a table. */
  static final FlatBuffersCodec<Reading> READINGS =
      FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new);

  /** The key of the (uuid, timestamp) table, which types its prefix ranges. */
  static final Tuple2KeyCodec<UUID, Instant> UUID_TIME =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);

  /** The key of the (string, string) table, which types its prefix ranges. */
  static final Tuple2KeyCodec<String, String> STRING_PAIR =
      KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.STRING);

  /** The tables the focused tests below use, each declared the one way. */
  static final class All extends Schema {
    final FlatBuffersCodec<Reading> readingFb =
        FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new);
    final SchemaTable<UUID, Reading> uuidFlatBuffers =
        table(oid(2), "uuid_fb", KeyCodecs.UUID, readingFb);
    final SchemaSetTable<UUID, UUID> uuidUuidSet =
        setTable(oid(3), "uuid_uuid_set", KeyCodecs.UUID, KeyCodecs.UUID);
    final SchemaTable<String, String> stringString =
        table(oid(6), "string_string", KeyCodecs.STRING, ValueCodecs.STRING);
    final SchemaTable<Instant, String> timestampString =
        table(oid(7), "timestamp_string", KeyCodecs.TIMESTAMP, ValueCodecs.STRING);
    final SchemaTable<Tuple2<UUID, Instant>, Reading> uuidTimestampFlatBuffers =
        table(oid(11), "uuid_timestamp_fb", UUID_TIME, readingFb);
    final SchemaTable<byte[], UUID> bytesUuid =
        table(oid(15), "bytes_uuid", KeyCodecs.BYTES, ValueCodecs.UUID);
    final SchemaTable<Tuple2<String, Long>, byte[]> composed =
        table(
            oid(16),
            "composed",
            KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.LONG),
            ValueCodecs.BYTES);
    final SchemaTable<Tuple2<String, String>, String> stringPairs =
        table(oid(17), "string_pairs", STRING_PAIR, ValueCodecs.STRING);
  }

  /** UUIDs whose unsigned order differs from {@link UUID#compareTo}. */
  static final List<UUID> UUIDS =
      List.of(
          new UUID(0, 1),
          new UUID(-1, 0),
          new UUID(Long.MIN_VALUE, 5),
          new UUID(Long.MAX_VALUE, -1),
          new UUID(1, Long.MIN_VALUE),
          new UUID(1, 2),
          UUID.fromString("6f1c0000-0000-4000-8000-000000000000"));

  /** Strings whose code point order differs from {@link String#compareTo} (the emoji). */
  static final List<String> STRINGS =
      List.of("b", "a", "ab", "é", "日本", "\uD83D\uDE00", "\uFF21", "a\u0000", "Z");

  static final List<Instant> TIMES =
      List.of(
          Instant.parse("2024-01-02T03:04:05.123456789Z"),
          Instant.EPOCH,
          Instant.parse("1969-12-31T23:59:59.999999999Z"),
          Instant.parse("1677-09-21T00:12:44Z"),
          KeyCodecs.TIMESTAMP_MAX,
          Instant.parse("1900-01-01T00:00:00Z"));

  static final List<byte[]> BYTES =
      List.of(
          new byte[] {0},
          new byte[] {0, 0},
          new byte[] {1},
          new byte[] {(byte) 0xFF},
          new byte[] {0x7F},
          new byte[] {(byte) 0x80},
          new byte[] {(byte) 0x80, 0});

  static Doc doc(final int i) {
    return new Doc(
        "doc " + i,
        List.of("t" + i, "x"),
        Map.of("n", i),
        TIMES.get(i % TIMES.size()),
        UUIDS.get(i % UUIDS.size()));
  }

  static Reading reading(final int i) {
    return READINGS.build(b -> Reading.create(b, "sensor-" + i, i * 1_000_000_007L));
  }

  static String readingText(final int i) {
    return "sensor-" + i + "=" + i * 1_000_000_007L;
  }

  // ------------------------------------------------------------------ every key x every value

  /** A key the design names: its codec and keys whose codec order is not Java's natural one. */
  record KeyKind<K>(String name, KeyCodec<K> codec, List<K> keys) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A kind of value: its codec, the i-th value, and how a read value compares. */
  record ValueKind<V>(
      String name,
      ValueCodec<V> codec,
      IntFunction<V> value,
      IntFunction<Object> expected,
      Function<V, Object> read) {
    @Override
    public String toString() {
      return name;
    }
  }

  static <A, B> List<Tuple2<A, B>> pairs(final List<A> as, final List<B> bs) {
    final List<Tuple2<A, B>> out = new ArrayList<>();
    for (final A a : as) {
      for (final B b : bs) {
        out.add(Tuple2.of(a, b));
      }
    }
    return out;
  }

  /** (String, String) keys whose components would collide if they ran together. */
  static List<Tuple2<String, String>> stringPairKeys() {
    final List<Tuple2<String, String>> out =
        new ArrayList<>(pairs(STRINGS.subList(0, 4), STRINGS.subList(0, 4)));
    out.add(Tuple2.of("a", "bc"));
    out.add(Tuple2.of("ab", "c"));
    out.add(Tuple2.of("a\u0000", "b"));
    out.add(Tuple2.of("a", "\u0000b"));
    out.add(Tuple2.of("", "a"));
    out.add(Tuple2.of("a", ""));
    return out;
  }

  static final List<KeyKind<?>> KEY_KINDS =
      List.of(
          new KeyKind<>("uuid", KeyCodecs.UUID, UUIDS),
          new KeyKind<>("timestamp", KeyCodecs.TIMESTAMP, TIMES),
          new KeyKind<>("string", KeyCodecs.STRING, STRINGS),
          new KeyKind<>("bytes", KeyCodecs.BYTES, BYTES),
          new KeyKind<>(
              "uuid_timestamp",
              KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
              pairs(UUIDS.subList(0, 3), TIMES)),
          new KeyKind<>(
              "timestamp_uuid",
              KeyCodecs.tuple(KeyCodecs.TIMESTAMP, KeyCodecs.UUID),
              pairs(TIMES, UUIDS.subList(0, 3))),
          new KeyKind<>(
              "uuid_uuid",
              KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.UUID),
              pairs(UUIDS.subList(0, 3), UUIDS)),
          new KeyKind<>(
              "uuid_string",
              KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.STRING),
              pairs(UUIDS.subList(0, 3), STRINGS)),
          new KeyKind<>(
              "string_uuid",
              KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.UUID),
              pairs(STRINGS, UUIDS.subList(0, 3))),
          new KeyKind<>(
              "string_string",
              KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.STRING),
              stringPairKeys()));

  static final List<ValueKind<?>> VALUE_KINDS =
      List.of(
          new ValueKind<>(
              "cbor",
              CborCodec.of(Doc.class),
              TableDeclarationTest::doc,
              TableDeclarationTest::doc,
              v -> v),
          new ValueKind<>(
              "flatbuffers",
              FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new),
              TableDeclarationTest::reading,
              TableDeclarationTest::readingText,
              Reading::text),
          new ValueKind<>(
              "string", ValueCodecs.STRING, i -> "value " + i, i -> "value " + i, v -> v),
          new ValueKind<>(
              "uuid",
              ValueCodecs.UUID,
              i -> UUIDS.get(i % UUIDS.size()),
              i -> UUIDS.get(i % UUIDS.size()),
              v -> v));

  static Stream<Arguments> everyKeyAndValueKind() {
    final List<Arguments> out = new ArrayList<>();
    for (final KeyKind<?> k : KEY_KINDS) {
      for (final ValueKind<?> v : VALUE_KINDS) {
        out.add(Arguments.of(k, v));
      }
    }
    return out.stream();
  }

  /** One table of the given kinds, declared the one way. */
  static final class One<K, V> extends Schema {
    final SchemaTable<K, V> table;

    One(final KeyKind<K> key, final ValueKind<V> value) {
      table = table(oid(100), key.name() + "_" + value.name(), key.codec(), value.codec());
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("everyKeyAndValueKind")
  void table_everyKeyKindWithEveryValueKind_roundTrips(
      final KeyKind<?> key, final ValueKind<?> value) {
    roundTrip(key, value);
  }

  private <K, V> void roundTrip(final KeyKind<K> key, final ValueKind<V> value) {
    roundTrip(
        db -> db.attach(new One<>(key, value)).table,
        key.keys(),
        value.value(),
        value.expected(),
        value.read());
  }

  // ------------------------------------------------------------------ the round trip

  @TempDir Path dir;

  private Database open() {
    return Database.open(dir.resolve("db"));
  }

  /** Keys as comparable text: byte arrays in hex, anything else itself. */
  private static Object plain(final Object key) {
    return key instanceof byte[] b ? HexFormat.of().formatHex(b) : key;
  }

  /**
   * Puts {@code keys[i] -> value(i)} in reverse order, then checks get, contains, count, first,
   * last and a full select (keys in codec order with their values), in this process and after a
   * reopen.
   */
  private <K, V> void roundTrip(
      final Function<Database, SchemaTable<K, V>> attach,
      final List<K> keys,
      final IntFunction<V> value,
      final IntFunction<Object> expectedValue,
      final Function<V, Object> read) {
    try (Database db = open()) {
      final SchemaTable<K, V> table = attach.apply(db);
      db.write(
          txn -> {
            for (int i = keys.size() - 1; i >= 0; i--) {
              table.put(txn, keys.get(i), value.apply(i));
            }
          });
      check(db, table, keys, expectedValue, read);
    }
    try (Database db = open()) {
      check(db, attach.apply(db), keys, expectedValue, read);
    }
  }

  private <K, V> void check(
      final Database db,
      final SchemaTable<K, V> table,
      final List<K> keys,
      final IntFunction<Object> expectedValue,
      final Function<V, Object> read) {
    final List<Integer> order = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> table.keyCodec().comparator().compare(keys.get(a), keys.get(b)));
    final List<Object> expectedRows = new ArrayList<>();
    for (final int i : order) {
      expectedRows.add(plain(keys.get(i)) + " => " + expectedValue.apply(i));
    }
    try (Txn txn = db.beginRead()) {
      for (int i = 0; i < keys.size(); i++) {
        assertThat(read.apply(table.get(txn, keys.get(i))))
            .as("get %s", keys.get(i))
            .isEqualTo(expectedValue.apply(i));
        assertThat(table.contains(txn, keys.get(i))).isTrue();
      }
      assertThat(table.count(txn)).isEqualTo(keys.size());
      final List<Object> rows = new ArrayList<>();
      try (Cursor<K, V> c = table.select(txn, KeyRange.all())) {
        for (final Row<K, V> row : c) {
          rows.add(plain(row.key()) + " => " + read.apply(row.value()));
        }
      }
      assertThat(rows).isEqualTo(expectedRows);
      assertThat(plain(table.first(txn).orElseThrow().key()))
          .isEqualTo(plain(keys.get(order.get(0))));
      assertThat(plain(table.last(txn).orElseThrow().key()))
          .isEqualTo(plain(keys.get(order.get(order.size() - 1))));
    }
  }

  // ------------------------------------------------------------------ focused cases

  @Test
  void flatBuffersTable_valueBuiltWithItsCodec_isStoredAndReadInPlace() {
    try (Database db = open()) {
      final All all = db.attach(new All());
      final UUID k = UUID.randomUUID();
      db.write(
          txn ->
              all.uuidFlatBuffers.put(
                  txn, k, all.readingFb.build(b -> Reading.create(b, "own", 7))));
      try (Txn txn = db.beginRead()) {
        final Reading r = all.uuidFlatBuffers.get(txn, k);
        assertThat(Reading.text(r)).isEqualTo("own=7");
        final Reading again = all.uuidFlatBuffers.getInto(txn, k, r);
        assertThat(again).isSameAs(r);
        assertThat(Reading.text(again)).isEqualTo("own=7");
        final Reading copy = all.readingFb.copyOf(r);
        assertThat(copy).isNotSameAs(r);
        assertThat(Reading.text(copy)).isEqualTo("own=7");
      }
    }
  }

  @Test
  void stringKeys_selectByStringPrefix_returnsKeysStartingWithIt() {
    try (Database db = open()) {
      final All all = db.attach(new All());
      db.write(txn -> STRINGS.forEach(k -> all.stringString.put(txn, k, k)));
      try (Txn txn = db.beginRead();
          Cursor<String, String> c = all.stringString.select(txn, KeyRange.prefix("a"))) {
        final List<String> keys = new ArrayList<>();
        c.forEach(r -> keys.add(r.key()));
        assertThat(keys).containsExactly("a", "a\u0000", "ab");
      }
    }
  }

  /** A string that is not a key's last component is whole: a prefix on it matches it exactly. */
  @Test
  void stringStringKeys_prefixOnFirstComponent_matchesThatStringOnly() {
    try (Database db = open()) {
      final All all = db.attach(new All());
      final List<Tuple2<String, String>> keys = stringPairKeys();
      db.write(txn -> keys.forEach(k -> all.stringPairs.put(txn, k, k.first() + "|" + k.second())));
      try (Txn txn = db.beginRead()) {
        assertThat(all.stringPairs.count(txn)).isEqualTo(keys.size());
        assertThat(all.stringPairs.get(txn, Tuple2.of("a", "bc"))).isEqualTo("a|bc");
        assertThat(all.stringPairs.get(txn, Tuple2.of("ab", "c"))).isEqualTo("ab|c");
        final List<String> firstA = new ArrayList<>();
        try (Cursor<Tuple2<String, String>, String> c =
            all.stringPairs.select(txn, KeyRange.prefix(STRING_PAIR, "a"))) {
          c.forEach(r -> firstA.add(r.value()));
        }
        assertThat(firstA).containsExactly("a|", "a|\u0000b", "a|a", "a|ab", "a|b", "a|bc", "a|é");
      }
    }
  }

  /** {@link KeyCodecs#TIMESTAMP_MIN} is documented as the earliest instant a key can hold. */
  @Test
  void timestampKeys_representableRangeEnds_roundTrip() {
    roundTrip(
        db -> db.attach(new All()).timestampString,
        List.of(
            KeyCodecs.TIMESTAMP_MAX, KeyCodecs.TIMESTAMP_MIN, KeyCodecs.TIMESTAMP_MIN.plusNanos(1)),
        i -> "end " + i,
        i -> "end " + i,
        v -> v);
  }

  @Test
  void uuidTimestampKeys_prefixRangeReversed_isOneSeriesNewestFirst() {
    try (Database db = open()) {
      final All all = db.attach(new All());
      final List<Tuple2<UUID, Instant>> keys = pairs(UUIDS.subList(0, 3), TIMES);
      db.write(
          txn -> {
            for (int i = 0; i < keys.size(); i++) {
              all.uuidTimestampFlatBuffers.put(txn, keys.get(i), reading(i));
            }
          });
      final UUID series = UUIDS.get(1);
      final Instant t0 = Instant.parse("1900-01-01T00:00:00Z");
      final Instant t1 = Instant.parse("2024-01-02T03:04:05.123456789Z");
      try (Txn txn = db.beginRead()) {
        final List<Instant> newest = new ArrayList<>();
        try (Cursor<Tuple2<UUID, Instant>, Reading> c =
            all.uuidTimestampFlatBuffers.select(
                txn, KeyRange.prefix(UUID_TIME, series).reversed().limit(3))) {
          Reading reuse = null;
          while (c.next()) {
            reuse = c.valueInto(reuse);
            assertThat(reuse.sensor()).startsWith("sensor-");
            newest.add(c.key().second());
          }
          assertThat(c.moreAvailable()).isTrue();
        }
        assertThat(newest).containsExactly(KeyCodecs.TIMESTAMP_MAX, t1, Instant.EPOCH);
        final List<Instant> between = new ArrayList<>();
        try (Cursor<Tuple2<UUID, Instant>, Reading> c =
            all.uuidTimestampFlatBuffers.select(
                txn, KeyRange.closed(Tuple2.of(series, t0), Tuple2.of(series, t1)))) {
          c.forEach(r -> between.add(r.key().second()));
        }
        assertThat(between)
            .containsExactly(
                t0, Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.EPOCH, t1);
      }
    }
  }

  @Test
  void bytesKeys_lookupByAnEqualArray_findsTheRow() {
    roundTrip(
        db -> db.attach(new All()).bytesUuid, BYTES, i -> UUIDS.get(i), i -> UUIDS.get(i), v -> v);
    try (Database db = open()) {
      final All all = db.attach(new All());
      try (Txn txn = db.beginRead()) {
        assertThat(all.bytesUuid.get(txn, new byte[] {(byte) 0x80}))
            .as("lookup by an equal array")
            .isEqualTo(UUIDS.get(5));
      }
    }
  }

  @Test
  void table_anyKeyAndValueCodecs_roundTrips() {
    final List<Tuple2<String, Long>> keys =
        List.of(
            Tuple2.of("a", -1L),
            Tuple2.of("a", 1L),
            Tuple2.of("ab", Long.MIN_VALUE),
            Tuple2.of("", 0L));
    roundTrip(
        db -> db.attach(new All()).composed,
        keys,
        i -> new byte[] {(byte) i, 42},
        i -> HexFormat.of().formatHex(new byte[] {(byte) i, 42}),
        v -> HexFormat.of().formatHex(v));
  }

  @Test
  void setTable_addRemoveContainsCountAndSelectInOrder() {
    final UUID owner = UUID.randomUUID();
    final UUID other = UUID.randomUUID();
    try (Database db = open()) {
      final All all = db.attach(new All());
      final SchemaSetTable<UUID, UUID> set = all.uuidUuidSet;
      try (Txn txn = db.beginWrite()) {
        for (final UUID m : UUIDS) {
          assertThat(set.add(txn, owner, m)).isTrue();
        }
        assertThat(set.add(txn, owner, UUIDS.get(0))).as("already a member").isFalse();
        assertThat(set.add(txn, other, UUIDS.get(0))).isTrue();
        assertThat(set.remove(txn, owner, UUIDS.get(1))).isTrue();
        assertThat(set.remove(txn, owner, UUIDS.get(1))).isFalse();
        txn.commit();
      }
    }
    try (Database db = open()) {
      final SchemaSetTable<UUID, UUID> set = db.attach(new All()).uuidUuidSet;
      final List<UUID> expected = new ArrayList<>(UUIDS);
      expected.remove(1);
      expected.sort(KeyCodecs.UUID_ORDER);
      try (Txn txn = db.beginRead()) {
        assertThat(set.count(txn, owner)).isEqualTo(expected.size());
        assertThat(set.count(txn, UUID.randomUUID())).isZero();
        assertThat(set.contains(txn, owner, UUIDS.get(2))).isTrue();
        assertThat(set.contains(txn, owner, UUIDS.get(1))).isFalse();
        assertThat(set.count(txn)).isEqualTo(expected.size() + 1);
        final List<UUID> members = new ArrayList<>();
        try (Cursor<UUID, UUID> c = set.select(txn, owner)) {
          c.forEach(r -> members.add(r.value()));
        }
        assertThat(members).isEqualTo(expected);
        final List<UUID> lastTwo = new ArrayList<>();
        try (Cursor<UUID, UUID> c =
            set.select(txn, owner, KeyRange.<UUID>all().reversed().limit(2))) {
          c.forEach(r -> lastTwo.add(r.value()));
        }
        assertThat(lastTwo)
            .containsExactly(expected.get(expected.size() - 1), expected.get(expected.size() - 2));
      }
      db.write(txn -> assertThat(set.removeAll(txn, owner)).isTrue());
      try (Txn txn = db.beginRead()) {
        assertThat(set.count(txn, owner)).isZero();
        assertThat(set.count(txn, other)).isEqualTo(1);
      }
    }
  }
}
