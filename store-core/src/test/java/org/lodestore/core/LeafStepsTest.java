package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * Scans of read transactions step through leaf pages in Java ({@link LeafSteps}): they return
 * exactly what LMDB's own steps return, across page boundaries, around values on overflow pages,
 * forward and backward, and the layout check keeps the Java stepping on.
 */
class LeafStepsTest {

  @TempDir Path dir;
  Database db;
  Table<Long, byte[]> rows;
  final NavigableMap<Long, byte[]> model = new TreeMap<>();

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    rows = db.table("rows", KeyCodecs.LONG, ValueCodecs.BYTES);
    final long seed = TestSeed.seed("LeafStepsTest");
    final SplittableRandom r = new SplittableRandom(seed);
    db.write(
        txn -> {
          for (int i = 0; i < 5_000; i++) {
            final long key = r.nextLong(1_000_000);
            // mostly small values (many rows per page), some larger than a page (overflow pages)
            final byte[] value =
                new byte[r.nextInt(50) == 0 ? 5_000 + r.nextInt(9_000) : r.nextInt(120)];
            r.nextBytes(value);
            rows.put(txn, key, value);
            model.put(key, value);
          }
        });
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void scansOfReadTransactions_returnWhatTheModelHolds_forwardBackwardAndInRanges() {
    check(KeyRange.all(), model);
    check(KeyRange.<Long>all().reversed(), model.descendingMap());
    final SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 200; i++) {
      final long a = r.nextLong(1_000_000);
      final long b = a + r.nextLong(50_000);
      check(KeyRange.closedOpen(a, b), model.subMap(a, true, b, false));
      check(KeyRange.closed(a, b).reversed(), model.subMap(a, true, b, true).descendingMap());
      final int limit = 1 + r.nextInt(300);
      final int offset = r.nextInt(20);
      check(
          KeyRange.atLeast(a).offset(offset).limit(limit),
          first(model.tailMap(a, true), offset, limit));
    }
    assertThat(LeafSteps.isEnabled()).as("LMDB's cursor layout agreed on every page").isTrue();
    try (Txn txn = db.beginRead();
        Cursor<Long, byte[]> c = rows.select(txn, KeyRange.all())) {
      final long before = c.javaSteps();
      int n = 0;
      while (c.next()) {
        n++;
      }
      // every row but the first of each page (and those around overflow values) is a Java step
      assertThat(c.javaSteps() - before)
          .as("rows stepped in Java of %d", n)
          .isGreaterThan(n * 8L / 10);
    }
  }

  @Test
  void scanInAWriteTransaction_isUnchanged_andSeesItsOwnWrites() {
    db.write(
        txn -> {
          rows.put(txn, -1L, new byte[] {1});
          final List<Long> keys = new ArrayList<>();
          try (Cursor<Long, byte[]> c = rows.select(txn, KeyRange.all())) {
            while (c.next()) {
              keys.add(c.key());
            }
          }
          assertThat(keys).hasSize(model.size() + 1).startsWith(-1L);
        });
  }

  private void check(final KeyRange<Long> range, final Map<Long, byte[]> expected) {
    final List<Map.Entry<Long, byte[]>> want = new ArrayList<>(expected.entrySet());
    try (Txn txn = db.beginRead();
        Cursor<Long, byte[]> c = rows.select(txn, range)) {
      int i = 0;
      while (c.next()) {
        assertThat(i).as("more rows than expected for %s", range).isLessThan(want.size());
        assertThat(c.key()).as("row %d of %s", i, range).isEqualTo(want.get(i).getKey());
        assertThat(c.value())
            .as("value of row %d of %s", i, range)
            .isEqualTo(want.get(i).getValue());
        final ByteBuffer kb = c.keyView();
        assertThat(kb.remaining()).isEqualTo(8);
        i++;
      }
      assertThat(i).as("rows of %s", range).isEqualTo(want.size());
    }
  }

  private static Map<Long, byte[]> first(
      final Map<Long, byte[]> from, final int skip, final int n) {
    final Map<Long, byte[]> out = new TreeMap<>();
    int i = 0;
    for (final Map.Entry<Long, byte[]> e : from.entrySet()) {
      if (i >= skip && out.size() < n) {
        out.put(e.getKey(), e.getValue());
      }
      i++;
    }
    return out;
  }
}
