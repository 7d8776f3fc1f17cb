package org.lodestore.core;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * Model-based random test of {@link Table}: random operations run against a real LMDB database and
 * against a {@link TreeMap} ordered by the key codec's comparator, and every result is compared.
 *
 * <p>Operations: put, insert, replace, delete, truncate (rarely), get, rawView (zero-copy),
 * contains, select over every kind of {@link KeyRange} forward and reverse with random limit and
 * offset (read through next/key/value, the iterator, or the stream, and through a {@code byte[]}
 * and a zero-copy {@code VIEW} table over the same rows), count of a range, count, first, last.
 * They run in write transactions that commit, abort, close without commit, or run through {@code
 * write(fn)} (some throwing, so rolled back); a read transaction held open across a write must keep
 * seeing its snapshot; views handed out must be detached by the next write and at the end of their
 * transaction. The whole table is compared every few thousand operations, and a bystander table
 * must survive every truncate untouched.
 *
 * <p>The seed is printed; {@code -Dlodestore.seed=<seed>} replays a failure, whose message holds
 * the seed, the operation number and the last operations.
 */
@Tag("slow")
class TableModelTest {

  @TempDir Path dir;

  static Stream<Arguments> domains() {
    final int scale = TestSeed.scale();
    return Stream.of(
        Arguments.of(Domain.intString(), 100_000 * scale),
        Arguments.of(Domain.uuidTime(), 30_000 * scale),
        Arguments.of(Domain.bytes(), 30_000 * scale));
  }

  @ParameterizedTest(name = "{0}, {1} operations")
  @MethodSource("domains")
  void randomOperations_matchTreeMapModel(final Domain<?> keys, final int operations) {
    run(keys, operations);
  }

  private <K> void run(final Domain<K> keys, final int operations) {
    final long seed =
        TestSeed.seed("TableModelTest.randomOperations_matchTreeMapModel[" + keys + "]");
    final DatabaseOptions options =
        DatabaseOptions.builder().durability(Durability.NO_SYNC).initialMapSize(16L << 20).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      new Run<>(db, keys, operations, seed).run();
    }
  }

  /** Thrown by a {@code write(fn)} function to roll its transaction back. */
  private static final class Rollback extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rollback() {
      super("rollback", null, false, false);
    }
  }

  private static final class Run<K> {
    private static final int FULL_CHECK_EVERY = 2_500;

    private final Database db;
    private final Domain<K> keys;
    private final int operations;
    private final long seed;
    private final Random r;
    private final Table<K, byte[]> table;
    private final Table<K, ByteBuffer> views;
    private final Table<Integer, String> bystander;
    private final Deque<String> history = new ArrayDeque<>();
    private TreeMap<K, byte[]> committed;
    private int op;
    private int nextFullCheck = FULL_CHECK_EVERY;

    /** Zero-copy buffers handed out in the current transaction (with the bytes they showed). */
    private final List<Map.Entry<ByteBuffer, byte[]>> liveViews = new ArrayList<>();

    Run(final Database db, final Domain<K> keys, final int operations, final long seed) {
      this.db = db;
      this.keys = keys;
      this.operations = operations;
      this.seed = seed;
      this.r = new Random(seed);
      this.table = db.table("model", keys.codec, ValueCodecs.BYTES);
      this.views = db.table("model", keys.codec, ValueCodecs.VIEW);
      this.bystander =
          db.table("bystander", org.lodestore.core.key.KeyCodecs.INT, ValueCodecs.STRING);
      this.committed = new TreeMap<>(keys.order());
    }

    void run() {
      try {
        db.write(
            txn -> {
              for (int i = 0; i < 50; i++) {
                bystander.put(txn, i, "row " + i);
              }
            });
        while (op < operations) {
          final int dice = r.nextInt(100);
          if (dice < 12) {
            readTransaction();
          } else if (dice < 22) {
            writeThroughHelper();
          } else {
            writeExplicit();
          }
          if (op >= nextFullCheck) {
            fullCheck();
            nextFullCheck = op + FULL_CHECK_EVERY;
          }
        }
        fullCheck();
        checkBystander();
        System.out.println(
            "TableModelTest["
                + keys
                + "] "
                + op
                + " operations, "
                + committed.size()
                + " rows at the end");
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "seed="
                + seed
                + " (replay: -D"
                + TestSeed.PROPERTY
                + "="
                + seed
                + "), "
                + keys
                + ", operation #"
                + op
                + ": "
                + e.getMessage()
                + "\nlast operations:\n  "
                + String.join("\n  ", history),
            e);
      }
    }

    // ---------------------------------------------------------------- transactions

    private void readTransaction() {
      note("beginRead");
      try (Txn txn = db.beginRead()) {
        final int n = 1 + r.nextInt(40);
        for (int i = 0; i < n && op < operations; i++) {
          readOp(txn, committed);
        }
      }
      checkViewsDetached("after the read transaction closed");
    }

    private void writeExplicit() {
      final TreeMap<K, byte[]> pending = new TreeMap<>(committed);
      final TreeMap<K, byte[]> snapshot = committed;
      final Txn reader = r.nextInt(4) == 0 ? db.beginRead() : null;
      final List<Map.Entry<ByteBuffer, byte[]>> readerViews = new ArrayList<>();
      note("beginWrite" + (reader != null ? " (with a read transaction open)" : ""));
      try (Txn txn = db.beginWrite()) {
        final int n = 1 + r.nextInt(100);
        for (int i = 0; i < n && op < operations; i++) {
          anyOp(txn, pending);
          if (reader != null && r.nextInt(8) == 0) {
            // the reader's snapshot predates the write transaction: it must not see its writes
            note("  (reader)");
            final List<Map.Entry<ByteBuffer, byte[]>> mine = new ArrayList<>(liveViews);
            liveViews.clear();
            readOp(reader, snapshot);
            readerViews.addAll(liveViews);
            liveViews.clear();
            liveViews.addAll(mine);
          }
        }
        final int end = r.nextInt(100);
        if (end < 75) {
          note("commit");
          txn.commit();
          committed = pending;
        } else if (end < 95) {
          note("abort");
          txn.abort();
        } else {
          note("close without commit");
        }
      }
      checkViewsDetached("after the write transaction ended");
      if (reader != null) {
        for (final Map.Entry<ByteBuffer, byte[]> view : readerViews) {
          check(
              Arrays.equals(bytesOf(view.getKey()), view.getValue()),
              () -> "a reader's zero-copy view changed or was detached by another transaction");
        }
        readOp(reader, snapshot);
        check(table.count(reader) == snapshot.size(), () -> "reader's count changed");
        reader.close();
        liveViews.addAll(readerViews);
        checkViewsDetached("after the reader closed");
      }
    }

    private void writeThroughHelper() {
      final boolean rollback = r.nextInt(6) == 0;
      final List<TreeMap<K, byte[]>> pending = new ArrayList<>(1);
      final int n = 1 + r.nextInt(60);
      note("write(fn)" + (rollback ? " throwing at the end" : ""));
      try {
        db.write(
            txn -> {
              pending.clear();
              pending.add(new TreeMap<>(committed));
              for (int i = 0; i < n; i++) {
                anyOp(txn, pending.get(0));
              }
              if (rollback) {
                throw new Rollback();
              }
            });
        check(!rollback, () -> "write(fn) swallowed the function's exception");
        committed = pending.get(0);
      } catch (Rollback expected) {
        check(rollback, () -> "unexpected rollback");
      }
      checkViewsDetached("after write(fn) returned");
    }

    // ---------------------------------------------------------------- operations

    private void anyOp(final Txn txn, final TreeMap<K, byte[]> model) {
      final int dice = r.nextInt(100);
      if (dice >= 46) {
        readOp(txn, model);
        return;
      }
      op++;
      final K key = someKey(model);
      boolean changed = true;
      if (dice < 18) {
        final byte[] value = randomValue();
        note("put " + show(key) + " = " + show(value));
        table.put(txn, key, value);
        model.put(key, value);
      } else if (dice < 26) {
        final byte[] value = randomValue();
        note("insert " + show(key) + " = " + show(value));
        final boolean expected = !model.containsKey(key);
        final boolean actual = table.insert(txn, key, value);
        check(actual == expected, () -> "insert returned " + actual);
        if (expected) {
          model.put(key, value);
        }
        changed = expected;
      } else if (dice < 34) {
        final byte[] value = randomValue();
        note("replace " + show(key) + " = " + show(value));
        final boolean expected = model.containsKey(key);
        final boolean actual = table.replace(txn, key, value);
        check(actual == expected, () -> "replace returned " + actual);
        if (expected) {
          model.put(key, value);
        }
        changed = expected;
      } else if (dice < 45 || r.nextInt(100) > 0) {
        note("delete " + show(key));
        final boolean expected = model.remove(key) != null;
        final boolean actual = table.delete(txn, key);
        check(actual == expected, () -> "delete returned " + actual);
        changed = expected;
      } else {
        note("truncate");
        table.truncate(txn);
        model.clear();
        check(bystander.count(txn) == 50, () -> "truncate touched another table");
      }
      if (changed) {
        checkViewsDetached("after a write in the same transaction");
      } else {
        // no write happened: a view may stay attached, but must still show the same bytes
        for (final Map.Entry<ByteBuffer, byte[]> view : liveViews) {
          check(
              view.getKey().capacity() == 0
                  || Arrays.equals(bytesOf(view.getKey()), view.getValue()),
              () -> "a zero-copy view changed during a write that changed nothing");
        }
      }
      // the affected result: the key's value and the row count
      final byte[] expected = model.get(key);
      final byte[] stored = table.get(txn, key);
      check(
          Arrays.equals(expected, stored),
          () -> "after the write, get returned " + show(stored) + ", expected " + show(expected));
      final long count = table.count(txn);
      check(count == model.size(), () -> "count is " + count + ", expected " + model.size());
    }

    private void readOp(final Txn txn, final TreeMap<K, byte[]> model) {
      op++;
      final int dice = r.nextInt(100);
      final K key = someKey(model);
      if (dice < 18) {
        note("get " + show(key));
        final byte[] actual = table.get(txn, key);
        check(
            Arrays.equals(actual, model.get(key)),
            () -> "get returned " + show(actual) + ", expected " + show(model.get(key)));
      } else if (dice < 26) {
        note("rawView " + show(key));
        final ByteBuffer view = r.nextBoolean() ? table.rawView(txn, key) : views.get(txn, key);
        final byte[] actual = view == null ? null : bytesOf(view);
        check(
            Arrays.equals(actual, model.get(key)),
            () -> "zero-copy view held " + show(actual) + ", expected " + show(model.get(key)));
        if (view != null) {
          liveViews.add(Map.entry(view, actual));
        }
      } else if (dice < 34) {
        note("contains " + show(key));
        final boolean actual = table.contains(txn, key);
        check(actual == model.containsKey(key), () -> "contains returned " + actual);
      } else if (dice < 70) {
        select(txn, model);
      } else if (dice < 80) {
        final RangeSpec<K> spec = RangeSpec.random(keys, r, () -> someKey(model));
        note("count range " + spec);
        final long expected = spec.apply(matching(model, spec)).size();
        final long actual = table.count(txn, spec.range);
        check(
            actual == expected, () -> "count(range) returned " + actual + ", expected " + expected);
      } else if (dice < 86) {
        note("count");
        final long actual = table.count(txn);
        check(
            actual == model.size(),
            () -> "count returned " + actual + ", expected " + model.size());
      } else {
        final boolean first = dice < 93;
        note(first ? "first" : "last");
        final Optional<Row<K, byte[]>> row = first ? table.first(txn) : table.last(txn);
        final Map.Entry<K, byte[]> expected = first ? model.firstEntry() : model.lastEntry();
        if (expected == null) {
          check(row.isEmpty(), () -> "expected no row, got " + show(row.get()));
        } else {
          check(
              row.isPresent() && sameRow(row.get(), expected),
              () ->
                  "got "
                      + row.map(TableModelTest::show).orElse("nothing")
                      + ", expected "
                      + show(expected));
        }
      }
    }

    private void select(final Txn txn, final TreeMap<K, byte[]> model) {
      final RangeSpec<K> spec = RangeSpec.random(keys, r, () -> someKey(model));
      final boolean zeroCopy = r.nextBoolean();
      final int how = r.nextInt(3);
      note(
          "select "
              + spec
              + (zeroCopy ? " (VIEW)" : "")
              + " via "
              + new String[] {"next/key/value", "iterator", "stream"}[how]);
      final List<Map.Entry<K, byte[]>> matching = matching(model, spec);
      final List<Map.Entry<K, byte[]>> expected = spec.apply(matching);
      final List<Map.Entry<K, byte[]>> actual = new ArrayList<>();
      final boolean more;
      if (zeroCopy) {
        try (Cursor<K, ByteBuffer> c = views.select(txn, spec.range)) {
          read(c, how, actual);
          more = c.moreAvailable();
        }
      } else {
        try (Cursor<K, byte[]> c = table.select(txn, spec.range)) {
          read(c, how, actual);
          more = c.moreAvailable();
        }
      }
      check(
          actual.size() == expected.size() && sameRows(actual, expected),
          () ->
              "select returned "
                  + actual.size()
                  + " rows "
                  + showRows(actual)
                  + ", expected "
                  + expected.size()
                  + " "
                  + showRows(expected));
      final boolean expectedMore = spec.moreAvailable(matching.size());
      check(
          more == expectedMore,
          () ->
              "moreAvailable() is "
                  + more
                  + ", expected "
                  + expectedMore
                  + " ("
                  + matching.size()
                  + " rows in range)");
    }

    private <V> void read(
        final Cursor<K, V> c, final int how, final List<Map.Entry<K, byte[]>> out) {
      switch (how) {
        case 0:
          while (c.next()) {
            // value before key, sometimes twice: each call decodes the current row again
            final byte[] value = bytesOf(c.value());
            final K key = c.key();
            if (r.nextInt(10) == 0) {
              check(Arrays.equals(bytesOf(c.value()), value), () -> "value() changed on re-read");
            }
            out.add(Map.entry(key, value));
          }
          break;
        case 1:
          final Iterator<Row<K, V>> it = c.iterator();
          while (it.hasNext()) {
            final Row<K, V> row = it.next();
            out.add(Map.entry(row.key(), bytesOf(row.value())));
          }
          break;
        default:
          try (Stream<Row<K, V>> rows = c.stream()) {
            rows.forEach(row -> out.add(Map.entry(row.key(), bytesOf(row.value()))));
          }
      }
    }

    // ---------------------------------------------------------------- whole-table checks

    private void fullCheck() {
      note("full check");
      try (Txn txn = db.beginRead()) {
        final List<Map.Entry<K, byte[]>> forward = new ArrayList<>();
        try (Cursor<K, byte[]> c = table.select(txn, KeyRange.all())) {
          while (c.next()) {
            forward.add(Map.entry(c.key(), c.value()));
          }
        }
        final List<Map.Entry<K, byte[]>> expected = new ArrayList<>(committed.entrySet());
        check(
            sameRows(forward, expected),
            () ->
                "full scan differs: "
                    + forward.size()
                    + " rows "
                    + showRows(forward)
                    + ", expected "
                    + expected.size()
                    + " "
                    + showRows(expected));
        final List<Map.Entry<K, byte[]>> backward = new ArrayList<>();
        try (Cursor<K, byte[]> c = table.select(txn, KeyRange.<K>all().reversed())) {
          c.forEach(row -> backward.add(Map.entry(row.key(), row.value())));
        }
        final List<Map.Entry<K, byte[]>> reversed = new ArrayList<>(expected);
        java.util.Collections.reverse(reversed);
        check(sameRows(backward, reversed), () -> "full reverse scan differs");
        check(table.count(txn) == committed.size(), () -> "count differs");
      }
      final TableStats stats = db.stats().tables().get("model");
      check(
          stats != null && stats.entries() == committed.size(),
          () -> "stats() entries " + stats + ", expected " + committed.size());
    }

    private void checkBystander() {
      try (Txn txn = db.beginRead()) {
        check(bystander.count(txn) == 50, () -> "bystander count changed");
        for (int i = 0; i < 50; i++) {
          final String value = bystander.get(txn, i);
          final int row = i;
          check(("row " + i).equals(value), () -> "bystander row " + row + " is " + value);
        }
      }
    }

    private void checkViewsDetached(final String when) {
      for (final Map.Entry<ByteBuffer, byte[]> entry : liveViews) {
        final ByteBuffer view = entry.getKey();
        check(view.capacity() == 0, () -> "a zero-copy view is still attached " + when);
        try {
          view.get(0);
          check(false, () -> "reading a detached view succeeded " + when);
        } catch (IndexOutOfBoundsException expected) {
          // detached, as documented
        }
      }
      liveViews.clear();
    }

    // ---------------------------------------------------------------- helpers

    /** A key of the domain; 40% of the time one present in the model (or its neighbour). */
    private K someKey(final TreeMap<K, byte[]> model) {
      final K k = keys.random(r);
      if (model.isEmpty() || r.nextInt(10) >= 4) {
        return k;
      }
      final K near = r.nextBoolean() ? model.ceilingKey(k) : model.floorKey(k);
      return near != null ? near : k;
    }

    private byte[] randomValue() {
      final int dice = r.nextInt(100);
      final int length;
      if (dice < 30) {
        length = r.nextInt(9);
      } else if (dice < 80) {
        length = 9 + r.nextInt(200);
      } else if (dice < 95) {
        length = 200 + r.nextInt(800);
      } else {
        length = 1000 + r.nextInt(6000); // overflow pages
      }
      final byte[] value = new byte[length];
      r.nextBytes(value);
      return value;
    }

    private List<Map.Entry<K, byte[]>> matching(
        final TreeMap<K, byte[]> model, final RangeSpec<K> spec) {
      return model.entrySet().stream()
          .filter(e -> spec.contains(e.getKey()))
          .collect(Collectors.toList());
    }

    private boolean sameRows(
        final List<Map.Entry<K, byte[]>> a, final List<Map.Entry<K, byte[]>> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (keys.order().compare(a.get(i).getKey(), b.get(i).getKey()) != 0
            || !Arrays.equals(a.get(i).getValue(), b.get(i).getValue())) {
          return false;
        }
      }
      return true;
    }

    private boolean sameRow(final Row<K, byte[]> row, final Map.Entry<K, byte[]> expected) {
      return keys.order().compare(row.key(), expected.getKey()) == 0
          && Arrays.equals(row.value(), expected.getValue());
    }

    private void note(final String what) {
      history.addLast("#" + op + " " + what);
      if (history.size() > 25) {
        history.removeFirst();
      }
    }

    private void check(final boolean ok, final Supplier<String> message) {
      if (!ok) {
        throw new AssertionError(message.get());
      }
    }
  }

  static byte[] bytesOf(final Object value) {
    if (value instanceof ByteBuffer buffer) {
      final byte[] b = new byte[buffer.remaining()];
      buffer.duplicate().get(b);
      return b;
    }
    return (byte[]) value;
  }

  static String show(final Object value) {
    return TestText.show(value);
  }

  static <K> String showRows(final List<Map.Entry<K, byte[]>> rows) {
    return rows.stream()
        .limit(40)
        .map(e -> show(e.getKey()) + "=" + e.getValue().length + "B")
        .collect(Collectors.joining(", ", "[", rows.size() > 40 ? ", ...]" : "]"));
  }
}
