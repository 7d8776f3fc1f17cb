package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.testsupport.TestSeed;

/**
 * {@link Table#deleteRange} (issue 15, item 9) cross-checked against a {@link TreeMap} model:
 * random ranges of every kind ({@link RangeSpec}: open and closed ends, prefixes, forward and
 * reversed, offsets and limits) deleted in batches inside write transactions that commit or abort,
 * over rows of mixed sizes (overflow pages included) spread over many pages; the count returned,
 * the rows the visitor saw (in scan order, with their values), a bystander table the visitor
 * writes, and the whole table after each batch must match the model. And what it refuses.
 */
class TableDeleteRangeTest {

  @TempDir Path dir;

  static Stream<Arguments> domains() {
    return Stream.of(
        Arguments.of(Domain.intString()),
        Arguments.of(Domain.uuidTime()),
        Arguments.of(Domain.bytes()),
        Arguments.of(Domain.shortStrings(3)));
  }

  @Tag("slow")
  @ParameterizedTest(name = "{0}")
  @MethodSource("domains")
  void deleteRange_randomRanges_matchTreeMapModel(final Domain<?> keys) {
    run(keys);
  }

  private <K> void run(final Domain<K> domain) {
    final long seed =
        TestSeed.seed(
            "TableDeleteRangeTest.deleteRange_randomRanges_matchTreeMapModel[" + domain + "]");
    final Random r = new Random(seed);
    final DatabaseOptions options =
        DatabaseOptions.builder().durability(Durability.NO_SYNC).initialMapSize(32L << 20).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<K, byte[]> table = db.table("model", domain.codec, ValueCodecs.BYTES);
      final Table<K, byte[]> audit = db.table("audit", domain.codec, ValueCodecs.BYTES);
      final TreeMap<K, byte[]> model = new TreeMap<>(domain.order());
      final int rounds = 200 * TestSeed.scale();
      for (int round = 0; round < rounds; round++) {
        final String context = "seed=" + seed + " round=" + round;
        final TreeMap<K, byte[]> changed = new TreeMap<>(model);
        try (Txn txn = db.beginWrite()) {
          // refill: the table holds a few hundred to a few thousand rows
          final int refill = changed.size() < 300 ? 1_500 : r.nextInt(200);
          for (int i = 0; i < refill; i++) {
            final K key = domain.random(r);
            final byte[] value = randomValue(r);
            table.put(txn, key, value);
            changed.put(key, value);
          }
          audit.truncate(txn);
          for (int batch = 1 + r.nextInt(3); batch > 0; batch--) {
            final List<K> present = new ArrayList<>(changed.keySet());
            final RangeSpec<K> spec =
                RangeSpec.random(
                    domain,
                    r,
                    () ->
                        !present.isEmpty() && r.nextInt(4) > 0
                            ? present.get(r.nextInt(present.size()))
                            : domain.random(r));
            final List<K> matching = new ArrayList<>();
            for (final K key : changed.keySet()) {
              if (spec.contains(key)) {
                matching.add(key);
              }
            }
            final List<K> expected = spec.apply(matching);
            final List<String> expectedRows = new ArrayList<>();
            for (final K key : expected) {
              expectedRows.add(TestText.show(key) + "=" + TestText.show(changed.get(key)));
            }
            final List<String> visited = new ArrayList<>();
            final boolean visit = r.nextBoolean();
            final long deleted =
                visit
                    ? table.deleteRange(
                        txn,
                        spec.range,
                        (key, value) -> {
                          visited.add(TestText.show(key) + "=" + TestText.show(value));
                          audit.put(txn, key, value); // writes another table meanwhile
                        })
                    : table.deleteRange(txn, spec.range);
            final String what = context + " range=" + spec;
            assertThat(deleted).as(what).isEqualTo(expected.size());
            if (visit) {
              assertThat(visited).as(what + " visited").isEqualTo(expectedRows);
              for (final K key : expected) {
                assertThat(audit.get(txn, key)).as(what).isEqualTo(changed.get(key));
              }
            }
            for (final K key : expected) {
              changed.remove(key);
            }
            assertSame(table, txn, changed, what + " (in the transaction)");
          }
          if (r.nextInt(4) > 0) {
            txn.commit();
            model.clear();
            model.putAll(changed);
          }
        }
        try (Txn txn = db.beginRead()) {
          assertSame(table, txn, model, context + " (after commit or abort)");
        }
      }
    }
  }

  private static <K> void assertSame(
      final Table<K, byte[]> table,
      final Txn txn,
      final TreeMap<K, byte[]> model,
      final String context) {
    final List<String> stored = new ArrayList<>();
    try (Cursor<K, byte[]> c = table.select(txn, KeyRange.all())) {
      while (c.next()) {
        stored.add(TestText.show(c.key()) + "=" + TestText.show(c.value()));
      }
    }
    final List<String> expected = new ArrayList<>();
    for (final Map.Entry<K, byte[]> e : model.entrySet()) {
      expected.add(TestText.show(e.getKey()) + "=" + TestText.show(e.getValue()));
    }
    assertThat(stored).as(context).isEqualTo(expected);
    assertThat(table.count(txn)).as(context).isEqualTo(model.size());
  }

  private static byte[] randomValue(final Random r) {
    final int dice = r.nextInt(20);
    final byte[] value =
        new byte
            [dice == 0
                ? 5_000 + r.nextInt(5_000)
                : dice < 5 ? 200 + r.nextInt(800) : 1 + r.nextInt(40)];
    r.nextBytes(value);
    return value;
  }

  @Test
  void deleteRange_ofOneSeriesOlderThanACutoff_leavesOtherSeriesAndNewerRows() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Tuple2KeyCodec<Integer, Integer> seriesTime =
          KeyCodecs.tuple(KeyCodecs.INT, KeyCodecs.INT);
      final Table<Tuple2<Integer, Integer>, String> ticks =
          db.table("ticks", seriesTime, ValueCodecs.STRING);
      db.write(
          txn -> {
            for (int series = 0; series < 3; series++) {
              for (int t = 0; t < 100; t++) {
                ticks.put(txn, Tuple2.of(series, t), series + "@" + t);
              }
            }
          });
      // retention: drop everything of series 1 older than t=30, in batches of 7
      long total = 0;
      long batch;
      do {
        batch =
            db.writeAndGet(
                txn ->
                    ticks.deleteRange(
                        txn,
                        KeyRange.closedOpen(Tuple2.of(1, Integer.MIN_VALUE), Tuple2.of(1, 30))
                            .limit(7)));
        total += batch;
      } while (batch > 0);
      assertThat(total).isEqualTo(30);
      try (Txn txn = db.beginRead()) {
        assertThat(ticks.count(txn)).isEqualTo(270);
        assertThat(ticks.get(txn, Tuple2.of(1, 29))).isNull();
        assertThat(ticks.get(txn, Tuple2.of(1, 30))).isEqualTo("1@30");
        assertThat(ticks.get(txn, Tuple2.of(0, 0))).isEqualTo("0@0");
        assertThat(ticks.get(txn, Tuple2.of(2, 0))).isEqualTo("2@0");
      }
      // keep the latest 10 of series 2
      final KeyRange<Tuple2<Integer, Integer>> series2 = KeyRange.prefix(seriesTime, 2);
      assertThat(db.<Long>writeAndGet(txn -> ticks.deleteRange(txn, series2.reversed().offset(10))))
          .isEqualTo(90);
      try (Txn txn = db.beginRead()) {
        assertThat(ticks.count(txn, series2)).isEqualTo(10);
        assertThat(ticks.first(txn).orElseThrow().key()).isEqualTo(Tuple2.of(0, 0));
        assertThat(ticks.get(txn, Tuple2.of(2, 89))).isNull();
        assertThat(ticks.get(txn, Tuple2.of(2, 90))).isEqualTo("2@90");
      }
    }
  }

  @Test
  void deleteRange_detachesViewsOfTheTransaction_asEveryWriteDoes() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<Integer, ByteBuffer> t = db.table("views", KeyCodecs.INT, ValueCodecs.VIEW);
      final Table<Integer, byte[]> bytes = db.table("views", KeyCodecs.INT, ValueCodecs.BYTES);
      db.write(
          txn -> {
            for (int i = 0; i < 10; i++) {
              bytes.put(txn, i, new byte[] {(byte) i});
            }
          });
      try (Txn txn = db.beginWrite()) {
        final ByteBuffer view = t.get(txn, 1);
        assertThat(view.get(0)).isEqualTo((byte) 1);
        assertThat(t.deleteRange(txn, KeyRange.atLeast(100))).isZero(); // deletes nothing
        assertThatThrownBy(() -> view.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
        final ByteBuffer other = t.get(txn, 2);
        final List<Integer> seen = new ArrayList<>();
        assertThat(t.deleteRange(txn, KeyRange.closed(2, 4), (k, v) -> seen.add(v.get(0) * 1)))
            .isEqualTo(3);
        assertThat(seen).containsExactly(2, 3, 4);
        assertThatThrownBy(() -> other.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
        txn.commit();
      }
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo(7);
    }
  }

  @Test
  void deleteRange_ofATableASchemaOwns_isRefusedAndDeletesNothing() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final OwnerAccess[] access = new OwnerAccess[1];
      db.attach(
          (Attachable)
              (database, given) -> {
                access[0] = given;
                database.write(
                    txn -> {
                      final Table<Integer, String> owned =
                          given.table(txn, "owned", KeyCodecs.INT, ValueCodecs.STRING);
                      for (int i = 0; i < 5; i++) {
                        owned.put(txn, i, "v" + i);
                      }
                      given.claim(txn, "owned", "test owner");
                    });
              });
      final Table<Integer, String> plain = db.table("owned", KeyCodecs.INT, ValueCodecs.STRING);
      try (Txn txn = db.beginWrite()) {
        assertThatThrownBy(() -> plain.deleteRange(txn, KeyRange.all()))
            .isInstanceOf(SchemaMismatchException.class)
            .hasMessageContaining("owned");
        assertThat(plain.count(txn)).isEqualTo(5);
        final Table<Integer, String> byOwner =
            access[0].table(txn, "owned", KeyCodecs.INT, ValueCodecs.STRING);
        assertThat(byOwner.deleteRange(txn, KeyRange.lessThan(2))).isEqualTo(2);
        txn.commit();
      }
      assertThat(db.<Long>readAndGet(plain::count)).isEqualTo(3);
    }
  }

  @Test
  void deleteRange_refusesReadTransactionsAndBadBounds_deletingNothing() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<String, String> t = db.table("names", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "a", "A"));
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> t.deleteRange(txn, KeyRange.all()))
            .isInstanceOf(InvalidStateException.class)
            .hasMessageContaining("read transaction");
      }
      try (Txn txn = db.beginWrite()) {
        assertThatThrownBy(() -> t.deleteRange(txn, KeyRange.atMost("x".repeat(600))))
            .isInstanceOfSatisfying(
                KeyTooLongException.class, e -> assertThat(e.table()).isEqualTo("names"));
        assertThat(t.count(txn)).isEqualTo(1);
        assertThatThrownBy(() -> t.deleteRange(txn, null)).isInstanceOf(NullPointerException.class);
        txn.commit();
      }
      assertThat(db.<String>readAndGet(txn -> t.get(txn, "a"))).isEqualTo("A");
    }
  }

  @Test
  void deleteRange_whenTheVisitorThrows_stopsThere_andAbortUndoesTheRowsBefore() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<Integer, String> t = db.table("rows", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(
          txn -> {
            for (int i = 0; i < 10; i++) {
              t.put(txn, i, "v" + i);
            }
          });
      try (Txn txn = db.beginWrite()) {
        assertThatThrownBy(
                () ->
                    t.deleteRange(
                        txn,
                        KeyRange.all(),
                        (k, v) -> {
                          if (k == 4) {
                            throw new IllegalStateException("refused at 4");
                          }
                        }))
            .hasMessage("refused at 4");
        assertThat(t.count(txn)).as("0..3 deleted, 4.. kept").isEqualTo(6);
        assertThat(t.first(txn).orElseThrow().key()).isEqualTo(4);
      }
      assertThat(db.<Long>readAndGet(t::count)).as("aborted: all kept").isEqualTo(10);
    }
  }
}
