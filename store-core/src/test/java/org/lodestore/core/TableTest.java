package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.core.key.Tuple3;
import org.lodestore.core.key.Tuple3KeyCodec;
import org.lodestore.core.key.Tuple4KeyCodec;

class TableTest {

  @TempDir Path dir;
  Database db;
  Table<UUID, String> names;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    names = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void put_thenGet_returnsValueInSameAndLaterTransactions() {
    UUID id = UUID.randomUUID();
    db.write(
        txn -> {
          names.put(txn, id, "Ada");
          assertThat(names.get(txn, id)).isEqualTo("Ada");
        });
    String later = db.readAndGet(txn -> names.get(txn, id));
    String absent = db.readAndGet(txn -> names.get(txn, UUID.randomUUID()));
    assertThat(later).isEqualTo("Ada");
    assertThat(absent).isNull();
  }

  @Test
  void insert_failsIfPresent_replace_failsIfAbsent() {
    UUID id = UUID.randomUUID();
    db.write(
        txn -> {
          assertThat(names.replace(txn, id, "x")).isFalse();
          assertThat(names.contains(txn, id)).isFalse();
          assertThat(names.insert(txn, id, "a")).isTrue();
          assertThat(names.insert(txn, id, "b")).isFalse();
          assertThat(names.get(txn, id)).isEqualTo("a");
          assertThat(names.replace(txn, id, "c")).isTrue();
          assertThat(names.get(txn, id)).isEqualTo("c");
          assertThat(names.delete(txn, id)).isTrue();
          assertThat(names.delete(txn, id)).isFalse();
        });
  }

  @Test
  void abortedWrite_leavesNothing() {
    UUID id = UUID.randomUUID();
    try (Txn txn = db.beginWrite()) {
      names.put(txn, id, "gone");
    }
    long count = db.readAndGet(names::count);
    assertThat(count).isZero();
  }

  static final Tuple2KeyCodec<UUID, Instant> TICK_KEY =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);

  @Test
  void compositePrefixScan_returnsOneSeriesInOrder_forwardAndBackward() {
    Table<Tuple2<UUID, Instant>, Long> ticks = db.table("ticks", TICK_KEY, ValueCodecs.LONG);
    UUID a = new UUID(1, 1);
    UUID b = new UUID(1, 2);
    Instant t0 = Instant.parse("1969-12-31T23:59:59Z");
    db.write(
        txn -> {
          for (int i = 0; i < 10; i++) {
            ticks.put(txn, Tuple2.of(a, t0.plusSeconds(i)), (long) i);
            ticks.put(txn, Tuple2.of(b, t0.plusSeconds(i)), 100L + i);
          }
        });
    try (Txn txn = db.beginRead()) {
      List<Long> forward = new ArrayList<>();
      try (Cursor<Tuple2<UUID, Instant>, Long> c =
          ticks.select(txn, KeyRange.prefix(TICK_KEY, a))) {
        c.forEach(row -> forward.add(row.value()));
      }
      assertThat(forward).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      List<Long> latest = new ArrayList<>();
      try (Cursor<Tuple2<UUID, Instant>, Long> c =
          ticks.select(txn, KeyRange.prefix(TICK_KEY, a).reversed().limit(3))) {
        while (c.next()) {
          latest.add(c.value());
        }
        assertThat(c.moreAvailable()).isTrue();
      }
      assertThat(latest).containsExactly(9L, 8L, 7L);
      assertThat(
              ticks.count(
                  txn,
                  KeyRange.closed(
                      Tuple2.of(b, t0.plusSeconds(2)), Tuple2.of(b, t0.plusSeconds(4)))))
          .isEqualTo(3);
      assertThat(ticks.count(txn)).isEqualTo(20);
    }
  }

  @Test
  void overlongKey_isRefusedBeforeAnythingIsWritten() {
    Table<String, String> t = db.table("strings", KeyCodecs.STRING, ValueCodecs.STRING);
    String longKey = "k".repeat(600);
    assertThatThrownBy(() -> db.write(txn -> t.put(txn, longKey, "v")))
        .isInstanceOf(KeyTooLongException.class)
        .hasMessageContaining("strings");
    assertThatThrownBy(() -> db.write(txn -> t.put(txn, "", "v")))
        .isInstanceOf(InvalidKeyException.class);
    long count = db.readAndGet(t::count);
    assertThat(count).isZero();
  }

  @Test
  void rawView_isDetachedAfterTransactionEnds() {
    UUID id = UUID.randomUUID();
    db.write(txn -> names.put(txn, id, "zero-copy"));
    ByteBuffer view;
    try (Txn txn = db.beginRead()) {
      view = names.rawView(txn, id);
      assertThat(StandardCharsets.UTF_8.decode(view.duplicate()).toString()).isEqualTo("zero-copy");
    }
    assertThatThrownBy(() -> view.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void setTable_addRemoveContainsSizeAndOrder() {
    SetTable<UUID, UUID> set = db.setTable("members", KeyCodecs.UUID, KeyCodecs.UUID);
    UUID k = UUID.randomUUID();
    UUID m1 = new UUID(0, 1);
    UUID m2 = new UUID(-1, 2);
    db.write(
        txn -> {
          assertThat(set.add(txn, k, m2)).isTrue();
          assertThat(set.add(txn, k, m1)).isTrue();
          assertThat(set.add(txn, k, m1)).isFalse();
        });
    try (Txn txn = db.beginRead()) {
      assertThat(set.count(txn, k)).isEqualTo(2);
      assertThat(set.contains(txn, k, m1)).isTrue();
      List<UUID> members = new ArrayList<>();
      try (Cursor<UUID, UUID> c = set.select(txn, k)) {
        c.forEach(r -> members.add(r.value()));
      }
      assertThat(members).containsExactly(m1, m2);
    }
    db.write(txn -> assertThat(set.remove(txn, k, m1)).isTrue());
    long size = db.readAndGet(txn -> set.count(txn, k));
    assertThat(size).isEqualTo(1);
  }

  @Test
  void put_invalidKeysAndValues_areRefusedBeforeAnythingIsWritten() {
    Table<Tuple2<String, Instant>, String> events =
        db.table(
            "events", KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.TIMESTAMP), ValueCodecs.STRING);
    SetTable<UUID, String> tags = db.setTable("tags", KeyCodecs.UUID, KeyCodecs.STRING);
    UUID id = UUID.randomUUID();
    try (Txn txn = db.beginWrite()) {
      names.put(txn, id, "kept");
      assertThatThrownBy(() -> names.put(txn, null, "v")).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> names.put(txn, id, null)).isInstanceOf(NullPointerException.class);
      // 503 bytes of string + 2 terminator + 8 timestamp = 513 > 511
      assertThatThrownBy(() -> events.put(txn, Tuple2.of("s".repeat(503), Instant.EPOCH), "v"))
          .isInstanceOf(KeyTooLongException.class)
          .hasMessageContaining("events")
          .hasMessageContaining("511");
      assertThatThrownBy(() -> events.put(txn, Tuple2.of("x", Instant.MAX), "v"))
          .isInstanceOf(InvalidKeyException.class)
          .hasMessageContaining("events")
          .satisfies(e -> assertThat(((LodestoreException) e).key()).contains("x"));
      assertThatThrownBy(() -> events.put(txn, Tuple2.of("\uD800", Instant.EPOCH), "v"))
          .isInstanceOf(InvalidKeyException.class);
      assertThatThrownBy(() -> names.put(txn, id, "\uDC00 unpaired"))
          .isInstanceOf(InvalidValueException.class)
          .hasMessageContaining("names");
      assertThatThrownBy(() -> tags.add(txn, id, "m".repeat(512)))
          .isInstanceOf(KeyTooLongException.class);
      assertThatThrownBy(() -> tags.add(txn, id, "")).isInstanceOf(InvalidKeyException.class);
      // exactly 511 bytes is allowed: 501 + 2 + 8
      events.put(txn, Tuple2.of("s".repeat(501), Instant.EPOCH), "longest");
      assertThat(events.get(txn, Tuple2.of("s".repeat(501), Instant.EPOCH))).isEqualTo("longest");
      // the refusals did not poison the transaction
      txn.commit();
    }
    try (Txn txn = db.beginRead()) {
      assertThat(names.get(txn, id)).isEqualTo("kept");
      assertThat(names.count(txn)).isEqualTo(1);
      assertThat(events.count(txn)).isEqualTo(1);
      assertThat(tags.count(txn)).isZero();
    }
  }

  /**
   * Typed prefixes do not compile with the wrong types (KeyRangePrefixTest); a range that reaches a
   * table through raw types or an unchecked cast is still refused, naming the table.
   */
  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void select_withBoundsOfWrongTypeOrLength_throwsInvalidKeyNamingTheTable() {
    final Tuple3KeyCodec<UUID, Integer, String> key =
        KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.INT, KeyCodecs.STRING);
    Table<Tuple3<UUID, Integer, String>, Long> t = db.table("triples", key, ValueCodecs.LONG);
    final Tuple4KeyCodec<UUID, Integer, String, String> longer =
        KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.INT, KeyCodecs.STRING, KeyCodecs.STRING);
    final KeyRange wrongType = KeyRange.prefix("not a uuid");
    final KeyRange tooMany = KeyRange.prefix(longer, UUID.randomUUID(), 1, "a", "extra");
    try (Txn txn = db.beginRead()) {
      assertThatThrownBy(() -> t.select(txn, wrongType))
          .isInstanceOf(InvalidKeyException.class)
          .hasMessageContaining("triples");
      assertThatThrownBy(() -> t.select(txn, tooMany)).isInstanceOf(InvalidKeyException.class);
      final String overlong = "p".repeat(600);
      assertThatThrownBy(() -> t.select(txn, KeyRange.prefix(key, UUID.randomUUID(), 1, overlong)))
          .isInstanceOf(KeyTooLongException.class);
      assertThat(t.count(txn, KeyRange.prefix(key, UUID.randomUUID(), 7))).isZero();
    }
  }

  @Test
  void twoTableObjects_overOneName_shareRowsAndViewCodecReadsZeroCopy() {
    Table<UUID, ByteBuffer> raw = db.table("names", KeyCodecs.UUID, ValueCodecs.VIEW);
    UUID id = UUID.randomUUID();
    db.write(txn -> names.put(txn, id, "shared"));
    try (Txn txn = db.beginRead()) {
      ByteBuffer view = raw.get(txn, id);
      assertThat(view.isReadOnly()).isTrue();
      assertThat(view.isDirect()).isTrue();
      assertThat(StandardCharsets.UTF_8.decode(view.duplicate()).toString()).isEqualTo("shared");
    }
  }

  @Test
  void emptyPrefix_scansEveryRow_forwardAndReverse() {
    final Table<String, String> t = db.table("words", KeyCodecs.STRING, ValueCodecs.STRING);
    db.write(
        txn -> {
          t.put(txn, "a", "1");
          t.put(txn, "b", "2");
          t.put(txn, "ba", "3");
        });
    db.read(
        txn -> {
          assertThat(t.count(txn, KeyRange.prefix(""))).isEqualTo(3);
          assertThat(t.count(txn, KeyRange.prefix("").reversed())).isEqualTo(3);
          assertThat(t.count(txn, KeyRange.prefix("b"))).isEqualTo(2);
        });
  }

  @Test
  void scanOfCorruptValue_namesTheKeyTypedLikeGetDoes() {
    final Table<UUID, Long> longs = db.table("longs", KeyCodecs.UUID, ValueCodecs.LONG);
    final Table<UUID, byte[]> raw = db.table("longs", KeyCodecs.UUID, ValueCodecs.BYTES);
    final UUID key = UUID.randomUUID();
    db.write(txn -> raw.put(txn, key, new byte[] {1, 2, 3}));
    try (Txn txn = db.beginRead();
        Cursor<UUID, Long> c = longs.select(txn, KeyRange.all())) {
      assertThat(c.next()).isTrue();
      assertThatThrownBy(c::value)
          .isInstanceOfSatisfying(
              CorruptValueException.class,
              e -> {
                assertThat(e.key()).isEqualTo(key.toString());
                assertThat(e.table()).isEqualTo("longs");
              });
    }
  }

  @Test
  void keyView_readsTimestampComponentWithoutDecoding_andDetachesWithItsTransaction() {
    final Table<Tuple2<UUID, Instant>, String> ticks =
        db.table("ticks", TICK_KEY, ValueCodecs.STRING);
    final UUID series = UUID.randomUUID();
    final Instant t0 = Instant.parse("2026-11-21T10:15:30.123456789Z");
    db.write(
        txn -> {
          for (int i = 0; i < 3; i++) {
            ticks.put(txn, Tuple2.of(series, t0.plusNanos(i)), "v" + i);
          }
        });
    final List<Long> nanos = new ArrayList<>();
    ByteBuffer last;
    try (Txn txn = db.beginRead();
        Cursor<Tuple2<UUID, Instant>, String> c =
            ticks.select(txn, KeyRange.prefix(TICK_KEY, series))) {
      ByteBuffer bytes = null;
      while (c.next()) {
        bytes = c.keyView();
        assertThat(bytes.isReadOnly()).isTrue();
        assertThat(bytes.remaining()).isEqualTo(24);
        assertThat(bytes.getLong(0)).isEqualTo(series.getMostSignificantBits()); // uuid as is
        nanos.add(KeyCodecs.timestampNanos(bytes, 16));
        assertThat(Instant.ofEpochSecond(0, KeyCodecs.timestampNanos(bytes, 16)))
            .isEqualTo(c.key().second());
      }
      last = bytes;
    }
    final long first = t0.getEpochSecond() * 1_000_000_000L + t0.getNano();
    assertThat(nanos).containsExactly(first, first + 1, first + 2);
    assertThatThrownBy(() -> last.getLong(16)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void getInto_withAViewOfAnEndedTransaction_rePointsThatSameBuffer() {
    final Table<UUID, ByteBuffer> views = db.table("names", KeyCodecs.UUID, ValueCodecs.VIEW);
    final UUID a = UUID.randomUUID();
    final UUID b = UUID.randomUUID();
    db.write(
        txn -> {
          names.put(txn, a, "first");
          names.put(txn, b, "second");
        });
    final ByteBuffer fromFirst = db.readAndGet(txn -> views.get(txn, a));
    assertThat(fromFirst.remaining()).as("detached when its transaction ended").isZero();
    final String read;
    final ByteBuffer fromSecond;
    try (Txn txn = db.beginRead()) {
      fromSecond = views.getInto(txn, b, fromFirst);
      read = StandardCharsets.UTF_8.decode(fromSecond.duplicate()).toString();
    }
    assertThat(fromSecond).isSameAs(fromFirst);
    assertThat(read).isEqualTo("second");
    assertThat(fromSecond.remaining()).isZero();
  }

  @Test
  void cursorKeyAndValue_afterAnotherThreadClosedTheReadTransaction_throwInvalidState()
      throws Exception {
    db.write(txn -> names.put(txn, UUID.randomUUID(), "x"));
    final Txn txn = db.beginRead();
    final Cursor<UUID, String> c = names.select(txn, KeyRange.all());
    assertThat(c.next()).isTrue();
    final Thread closer = new Thread(txn::close);
    closer.start();
    closer.join();
    assertThatThrownBy(c::key).isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(c::value).isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(() -> c.valueInto(null)).isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(c::keyView).isInstanceOf(InvalidStateException.class);
  }
}
