package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.serializers.CborCodec;
import org.lodestore.testsupport.TestSeed;

/**
 * {@link SchemaTable#deleteRange} and {@link SchemaTable#getAll} / {@link UniqueIndex#getAll} on a
 * time-series table with a multi-valued and a unique index, cross-checked against a TreeMap model
 * over random ranges (prefix forward and backward with limits, time windows): the table holds
 * exactly the model's rows and every index exactly what those rows derive; and a range holding a
 * row another table references (RESTRICT) is refused whole.
 */
class SchemaDeleteRangeTest {

  record Reading(String sensor, long seq) {}

  record Alert(Tuple2<UUID, Instant> reading) {}

  static final Tuple2KeyCodec<UUID, Instant> KEY =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);

  static final class Plant extends Schema {
    final SchemaTable<Tuple2<UUID, Instant>, Reading> readings =
        table("7e000000-0000-4000-8000-000000000001", "readings", KEY, CborCodec.of(Reading.class));
    final MultiIndex<String, Tuple2<UUID, Instant>, Reading> bySensor =
        index(readings, "by_sensor", KeyCodecs.STRING, Reading::sensor);
    final UniqueIndex<Long, Tuple2<UUID, Instant>, Reading> bySeq =
        uniqueIndex(readings, "by_seq", KeyCodecs.LONG, Reading::seq);
    final SchemaTable<UUID, Alert> alerts =
        table(
            "7e000000-0000-4000-8000-000000000002",
            "alerts",
            KeyCodecs.UUID,
            CborCodec.of(Alert.class));
    final Reference<UUID, Alert, Tuple2<UUID, Instant>, Reading> alertReading =
        reference(alerts, "reading", Alert::reading, readings);
  }

  /** The key order: series (small positive UUIDs, so signed order is unsigned), then time. */
  private static final Comparator<Tuple2<UUID, Instant>> ORDER =
      Comparator.<Tuple2<UUID, Instant>, UUID>comparing(Tuple2::first)
          .thenComparing(Tuple2::second);

  @TempDir Path dir;

  private Database db;
  private Plant p;
  private final NavigableMap<Tuple2<UUID, Instant>, Reading> model = new TreeMap<>(ORDER);
  private final List<UUID> series = List.of(new UUID(1, 1), new UUID(1, 2), new UUID(1, 3));
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    p = db.attach(new Plant());
    long seq = 0;
    for (final UUID s : series) {
      for (int i = 0; i < 300; i++) {
        model.put(Tuple2.of(s, T0.plusSeconds(i)), new Reading("sensor-" + (i % 7), seq++));
      }
    }
    db.write(txn -> model.forEach((k, v) -> p.readings.put(txn, k, v)));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void deleteRange_removesExactlyTheModelsRows_andEveryIndexFollows() {
    final Random random = new Random(TestSeed.seed("SchemaDeleteRangeTest"));
    for (int round = 0; round < 40; round++) {
      final UUID s = series.get(random.nextInt(series.size()));
      final KeyRange<Tuple2<UUID, Instant>> range;
      final List<Tuple2<UUID, Instant>> expected;
      final NavigableMap<Tuple2<UUID, Instant>, Reading> ofSeries =
          model.subMap(Tuple2.of(s, Instant.MIN), true, Tuple2.of(s, Instant.MAX), true);
      if (random.nextBoolean()) {
        final int limit = 1 + random.nextInt(40);
        final boolean back = random.nextBoolean();
        KeyRange<Tuple2<UUID, Instant>> r = KeyRange.prefix(KEY, s);
        r = back ? r.reversed() : r;
        range = r.limit(limit);
        expected =
            new ArrayList<>(back ? ofSeries.descendingKeySet() : ofSeries.navigableKeySet())
                .subList(0, Math.min(limit, ofSeries.size()));
      } else {
        final Instant from = T0.plusSeconds(random.nextInt(300));
        final Instant to = from.plusSeconds(random.nextInt(30));
        range = KeyRange.closedOpen(Tuple2.of(s, from), Tuple2.of(s, to));
        expected =
            new ArrayList<>(
                model.subMap(Tuple2.of(s, from), true, Tuple2.of(s, to), false).keySet());
      }
      final long deleted = db.writeAndGet(txn -> p.readings.deleteRange(txn, range));
      assertThat(deleted).as("round %d: %s", round, range).isEqualTo(expected.size());
      expected.forEach(model::remove);
      checkAgainstModel();
    }
  }

  @Test
  void getAll_readsManyKeysAndIndexKeys_inTheCallersOrder() {
    final Tuple2<UUID, Instant> a = Tuple2.of(series.get(2), T0.plusSeconds(5));
    final Tuple2<UUID, Instant> b = Tuple2.of(series.get(0), T0.plusSeconds(7));
    final Tuple2<UUID, Instant> absent = Tuple2.of(series.get(0), T0.minusSeconds(1));
    try (Txn txn = db.beginRead()) {
      final Map<Tuple2<UUID, Instant>, Reading> rows =
          p.readings.getAll(txn, List.of(a, absent, b, a));
      assertThat(rows.keySet()).containsExactly(a, b);
      assertThat(rows.get(a)).isEqualTo(model.get(a));
      final Map<Long, Reading> bySeq = p.bySeq.getAll(txn, List.of(905L, 7L, 3L));
      assertThat(bySeq.keySet()).containsExactly(7L, 3L);
      assertThat(bySeq.get(7L)).isEqualTo(model.get(Tuple2.of(series.get(0), T0.plusSeconds(7))));
    }
  }

  @Test
  void deleteRange_overAReferencedRow_isRefusedWhole() {
    final Tuple2<UUID, Instant> watched = Tuple2.of(series.get(1), T0.plusSeconds(150));
    db.write(txn -> p.alerts.put(txn, new UUID(9, 9), new Alert(watched)));
    assertThatThrownBy(
            () -> db.write(txn -> p.readings.deleteRange(txn, KeyRange.prefix(KEY, series.get(1)))))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("alerts")
        .hasMessageContaining("RESTRICT");
    checkAgainstModel();
    // a range beside the referenced row goes through
    db.write(
        txn ->
            assertThat(
                    p.readings.deleteRange(
                        txn, KeyRange.closedOpen(Tuple2.of(series.get(1), T0), watched)))
                .isEqualTo(150));
    model.subMap(Tuple2.of(series.get(1), T0), true, watched, false).clear();
    checkAgainstModel();
  }

  /** The table holds the model's rows, and each index exactly what they derive. */
  private void checkAgainstModel() {
    try (Txn txn = db.beginRead()) {
      final List<Tuple2<UUID, Instant>> keys = new ArrayList<>();
      try (Cursor<Tuple2<UUID, Instant>, Reading> c = p.readings.select(txn, KeyRange.all())) {
        while (c.next()) {
          keys.add(c.key());
          assertThat(c.value()).isEqualTo(model.get(c.key()));
        }
      }
      assertThat(keys).containsExactlyElementsOf(model.keySet());
      assertThat(p.bySeq.count(txn)).isEqualTo(model.size());
      assertThat(p.bySensor.count(txn)).isEqualTo(model.size());
      final Map<String, Long> perSensor = new TreeMap<>();
      model.forEach(
          (k, v) -> {
            perSensor.merge(v.sensor(), 1L, Long::sum);
            assertThat(p.bySeq.key(txn, v.seq())).isEqualTo(k);
          });
      for (int i = 0; i < 7; i++) {
        assertThat(p.bySensor.count(txn, "sensor-" + i))
            .isEqualTo(perSensor.getOrDefault("sensor-" + i, 0L));
      }
    }
  }
}
