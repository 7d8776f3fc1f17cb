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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * Every typed map round-trips a put, get and select: values come back equal, keys come back in the
 * order of their codec (unsigned UUID order, code point order, pre-1970 first, unsigned bytes),
 * and all of it survives closing and reopening the database.
 */
class TypedMapsTest {

  record Doc(String title, List<String> tags, Map<String, Integer> counts, Instant at, UUID ref) {}

  static String oid(final int i) {
    return String.format("7e5d0000-0000-4000-8000-%012d", i);
  }

  static final class All extends Schema {
    final MapUuidCbor<Doc> uuidCbor = table(oid(1), "uuid_cbor", MapUuidCbor.of(Doc.class));
    final MapUuidFlatBuffers<Reading> uuidFlatBuffers =
        table(oid(2), "uuid_fb", MapUuidFlatBuffers.of(Reading::getRootAsReading, Reading::new));
    final MapUuidUuidSet uuidUuidSet = setTable(oid(3), "uuid_uuid_set", MapUuidUuidSet.create());
    final MapStringUuid stringUuid = table(oid(4), "string_uuid", MapStringUuid.create());
    final MapStringCbor<Doc> stringCbor = table(oid(5), "string_cbor", MapStringCbor.of(Doc.class));
    final MapStringString stringString = table(oid(6), "string_string", MapStringString.create());
    final MapTimestampString timestampString =
        table(oid(7), "timestamp_string", MapTimestampString.create());
    final MapTimestampUuidCbor<Doc> timestampUuidCbor =
        table(oid(8), "timestamp_uuid_cbor", MapTimestampUuidCbor.of(Doc.class));
    final MapTimestampUuidFlatBuffers<Reading> timestampUuidFlatBuffers =
        table(oid(9), "timestamp_uuid_fb",
            MapTimestampUuidFlatBuffers.of(Reading::getRootAsReading, Reading::new));
    final MapUuidTimestampCbor<Doc> uuidTimestampCbor =
        table(oid(10), "uuid_timestamp_cbor", MapUuidTimestampCbor.of(Doc.class));
    final MapUuidTimestampFlatBuffers<Reading> uuidTimestampFlatBuffers =
        table(oid(11), "uuid_timestamp_fb",
            MapUuidTimestampFlatBuffers.of(Reading::getRootAsReading, Reading::new));
    final MapUuidUuidCbor<Doc> uuidUuidCbor =
        table(oid(12), "uuid_uuid_cbor", MapUuidUuidCbor.of(Doc.class));
    final MapUuidUuid uuidUuid = table(oid(13), "uuid_uuid", MapUuidUuid.create());
    final MapUuidString uuidString = table(oid(14), "uuid_string", MapUuidString.create());
    final MapBytesUuid bytesUuid = table(oid(15), "bytes_uuid", MapBytesUuid.create());
    final SchemaTable<Tuple2<String, Long>, byte[]> composed =
        table(oid(16), "composed",
            SchemaTable.of(KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.LONG), ValueCodecs.BYTES));
  }

  /** The key of the (uuid, timestamp) maps, which types their prefix ranges. */
  static final Tuple2KeyCodec<UUID, Instant> UUID_TIME =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);

  /** A codec of its own for building values: any codec's built value can be put into the maps. */
  static final FlatBuffersCodec<Reading> READINGS =
      FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new);

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

  static Doc doc(final int i) {
    return new Doc("doc " + i, List.of("t" + i, "x"), Map.of("n", i), TIMES.get(i % TIMES.size()),
        UUIDS.get(i % UUIDS.size()));
  }

  static Reading reading(final int i) {
    return READINGS.build(b -> Reading.create(b, "sensor-" + i, i * 1_000_000_007L));
  }

  static String readingText(final int i) {
    return "sensor-" + i + "=" + i * 1_000_000_007L;
  }

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
      final Function<All, SchemaTable<K, V>> pick,
      final List<K> keys,
      final IntFunction<V> value,
      final IntFunction<Object> expectedValue,
      final Function<V, Object> read) {
    try (Database db = open()) {
      final SchemaTable<K, V> table = pick.apply(db.attach(new All()));
      db.write(txn -> {
        for (int i = keys.size() - 1; i >= 0; i--) {
          table.put(txn, keys.get(i), value.apply(i));
        }
      });
      check(db, table, keys, expectedValue, read);
    }
    try (Database db = open()) {
      check(db, pick.apply(db.attach(new All())), keys, expectedValue, read);
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
        assertThat(read.apply(table.get(txn, keys.get(i)))).as("get %s", keys.get(i)).isEqualTo(expectedValue.apply(i));
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
      assertThat(plain(table.first(txn).orElseThrow().key())).isEqualTo(plain(keys.get(order.get(0))));
      assertThat(plain(table.last(txn).orElseThrow().key()))
          .isEqualTo(plain(keys.get(order.get(order.size() - 1))));
    }
  }

  private static List<Tuple2<UUID, Instant>> uuidTimes() {
    final List<Tuple2<UUID, Instant>> out = new ArrayList<>();
    for (final UUID u : UUIDS.subList(0, 3)) {
      for (final Instant t : TIMES) {
        out.add(Tuple2.of(u, t));
      }
    }
    return out;
  }

  private static List<Tuple2<Instant, UUID>> timeUuids() {
    final List<Tuple2<Instant, UUID>> out = new ArrayList<>();
    for (final Tuple2<UUID, Instant> k : uuidTimes()) {
      out.add(Tuple2.of(k.second(), k.first()));
    }
    return out;
  }

  @Test
  void mapUuidCbor_putGetSelect_roundTrips() {
    roundTrip(s -> s.uuidCbor, UUIDS, TypedMapsTest::doc, TypedMapsTest::doc, v -> v);
  }

  @Test
  void mapUuidFlatBuffers_putGetSelect_roundTrips() {
    roundTrip(s -> s.uuidFlatBuffers, UUIDS, TypedMapsTest::reading, TypedMapsTest::readingText, Reading::text);
  }

  @Test
  void mapUuidFlatBuffers_buildOfTheMap_storesTheBuiltValue() {
    try (Database db = open()) {
      final All all = db.attach(new All());
      final UUID k = UUID.randomUUID();
      db.write(txn -> all.uuidFlatBuffers.put(txn, k, all.uuidFlatBuffers.build(b -> Reading.create(b, "own", 7))));
      try (Txn txn = db.beginRead()) {
        final Reading r = all.uuidFlatBuffers.get(txn, k);
        assertThat(Reading.text(r)).isEqualTo("own=7");
        final Reading again = all.uuidFlatBuffers.getInto(txn, k, r);
        assertThat(again).isSameAs(r);
        assertThat(Reading.text(again)).isEqualTo("own=7");
      }
    }
  }

  @Test
  void mapStringUuid_putGetSelect_roundTrips() {
    roundTrip(s -> s.stringUuid, STRINGS, i -> UUIDS.get(i % UUIDS.size()), i -> UUIDS.get(i % UUIDS.size()), v -> v);
  }

  @Test
  void mapStringCbor_putGetSelect_roundTrips() {
    roundTrip(s -> s.stringCbor, STRINGS, TypedMapsTest::doc, TypedMapsTest::doc, v -> v);
  }

  @Test
  void mapStringString_putGetSelect_roundTrips() {
    roundTrip(s -> s.stringString, STRINGS, i -> "value " + STRINGS.get(i), i -> "value " + STRINGS.get(i), v -> v);
  }

  @Test
  void mapStringString_selectByStringPrefix_returnsKeysStartingWithIt() {
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

  @Test
  void mapTimestampString_putGetSelect_roundTrips() {
    roundTrip(s -> s.timestampString, TIMES, i -> "at " + i, i -> "at " + i, v -> v);
  }

  /** {@link KeyCodecs#TIMESTAMP_MIN} is documented as the earliest instant a key can hold. */
  @Test
  void mapTimestampString_representableRangeEnds_roundTrip() {
    roundTrip(s -> s.timestampString,
        List.of(KeyCodecs.TIMESTAMP_MAX, KeyCodecs.TIMESTAMP_MIN, KeyCodecs.TIMESTAMP_MIN.plusNanos(1)),
        i -> "end " + i, i -> "end " + i, v -> v);
  }

  @Test
  void mapTimestampUuidCbor_putGetSelect_roundTrips() {
    roundTrip(s -> s.timestampUuidCbor, timeUuids(), TypedMapsTest::doc, TypedMapsTest::doc, v -> v);
  }

  @Test
  void mapTimestampUuidFlatBuffers_putGetSelect_roundTrips() {
    roundTrip(s -> s.timestampUuidFlatBuffers, timeUuids(), TypedMapsTest::reading,
        TypedMapsTest::readingText, Reading::text);
  }

  @Test
  void mapUuidTimestampCbor_putGetSelect_roundTrips() {
    roundTrip(s -> s.uuidTimestampCbor, uuidTimes(), TypedMapsTest::doc, TypedMapsTest::doc, v -> v);
  }

  @Test
  void mapUuidTimestampFlatBuffers_putGetSelect_roundTrips() {
    roundTrip(s -> s.uuidTimestampFlatBuffers, uuidTimes(), TypedMapsTest::reading,
        TypedMapsTest::readingText, Reading::text);
  }

  @Test
  void mapUuidTimestampFlatBuffers_prefixRangeReversed_isOneSeriesNewestFirst() {
    try (Database db = open()) {
      final All all = db.attach(new All());
      final List<Tuple2<UUID, Instant>> keys = uuidTimes();
      db.write(txn -> {
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
            all.uuidTimestampFlatBuffers.select(txn, KeyRange.closed(Tuple2.of(series, t0), Tuple2.of(series, t1)))) {
          c.forEach(r -> between.add(r.key().second()));
        }
        assertThat(between)
            .containsExactly(t0, Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.EPOCH, t1);
      }
    }
  }

  @Test
  void mapUuidUuidCbor_putGetSelect_roundTrips() {
    final List<Tuple2<UUID, UUID>> keys = new ArrayList<>();
    for (final UUID a : UUIDS.subList(0, 3)) {
      for (final UUID b : UUIDS) {
        keys.add(Tuple2.of(a, b));
      }
    }
    roundTrip(s -> s.uuidUuidCbor, keys, TypedMapsTest::doc, TypedMapsTest::doc, v -> v);
  }

  @Test
  void mapUuidUuid_putGetSelect_roundTrips() {
    roundTrip(s -> s.uuidUuid, UUIDS, i -> UUIDS.get(UUIDS.size() - 1 - i), i -> UUIDS.get(UUIDS.size() - 1 - i), v -> v);
  }

  @Test
  void mapUuidString_putGetSelect_roundTrips() {
    roundTrip(s -> s.uuidString, UUIDS, i -> STRINGS.get(i), i -> STRINGS.get(i), v -> v);
  }

  @Test
  void mapBytesUuid_putGetSelect_roundTrips() {
    final List<byte[]> keys =
        List.of(new byte[] {0}, new byte[] {0, 0}, new byte[] {1}, new byte[] {(byte) 0xFF},
            new byte[] {0x7F}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0x80, 0});
    roundTrip(s -> s.bytesUuid, keys, i -> UUIDS.get(i), i -> UUIDS.get(i), v -> v);
    try (Database db = open()) {
      final All all = db.attach(new All());
      try (Txn txn = db.beginRead()) {
        assertThat(all.bytesUuid.get(txn, new byte[] {(byte) 0x80})).as("lookup by an equal array").isEqualTo(UUIDS.get(5));
      }
    }
  }

  @Test
  void schemaTableOf_anyKeyAndValueCodecs_roundTrips() {
    final List<Tuple2<String, Long>> keys =
        List.of(Tuple2.of("a", -1L), Tuple2.of("a", 1L), Tuple2.of("ab", Long.MIN_VALUE), Tuple2.of("", 0L));
    roundTrip(s -> s.composed, keys, i -> new byte[] {(byte) i, 42}, i -> HexFormat.of().formatHex(new byte[] {(byte) i, 42}),
        v -> HexFormat.of().formatHex(v));
  }

  @Test
  void mapUuidUuidSet_addRemoveContainsSizeAndMembersInOrder() {
    final UUID owner = UUID.randomUUID();
    final UUID other = UUID.randomUUID();
    try (Database db = open()) {
      final All all = db.attach(new All());
      final MapUuidUuidSet set = all.uuidUuidSet;
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
      final MapUuidUuidSet set = db.attach(new All()).uuidUuidSet;
      final List<UUID> expected = new ArrayList<>(UUIDS);
      expected.remove(1);
      expected.sort(KeyCodecs.UUID_ORDER);
      try (Txn txn = db.beginRead()) {
        assertThat(set.size(txn, owner)).isEqualTo(expected.size());
        assertThat(set.size(txn, UUID.randomUUID())).isZero();
        assertThat(set.contains(txn, owner, UUIDS.get(2))).isTrue();
        assertThat(set.contains(txn, owner, UUIDS.get(1))).isFalse();
        assertThat(set.count(txn)).isEqualTo(expected.size() + 1);
        final List<UUID> members = new ArrayList<>();
        try (Cursor<UUID, UUID> c = set.members(txn, owner)) {
          c.forEach(r -> members.add(r.value()));
        }
        assertThat(members).isEqualTo(expected);
        final List<UUID> lastTwo = new ArrayList<>();
        try (Cursor<UUID, UUID> c = set.members(txn, owner, KeyRange.<UUID>all().reversed().limit(2))) {
          c.forEach(r -> lastTwo.add(r.value()));
        }
        assertThat(lastTwo).containsExactly(expected.get(expected.size() - 1), expected.get(expected.size() - 2));
      }
      db.write(txn -> assertThat(set.removeAll(txn, owner)).isTrue());
      try (Txn txn = db.beginRead()) {
        assertThat(set.size(txn, owner)).isZero();
        assertThat(set.size(txn, other)).isEqualTo(1);
      }
    }
  }
}
