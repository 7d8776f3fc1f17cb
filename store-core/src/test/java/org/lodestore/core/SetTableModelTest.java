package org.lodestore.core;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * Model-based random test of {@link SetTable} against a {@code TreeMap<K, TreeSet<M>>}: add,
 * remove, removeAll, contains, size, members of one key over random member ranges, entries over
 * random key ranges (forward and reverse, offset and limit counting pairs), count, truncate and
 * refused empty keys, in committed, aborted and rolled-back transactions. Run for variable-length
 * members (DUPSORT) and fixed-length UUID members (DUPSORT + DUPFIXED). The seed is printed; {@code
 * -Dlodestore.seed=<seed>} replays a failure.
 */
@Tag("slow")
class SetTableModelTest {

  @TempDir Path dir;

  static Stream<Arguments> domains() {
    final int ops = 30_000 * TestSeed.scale();
    return Stream.of(
        // few keys with up to 340 strings or 300 UUIDs each: sets outgrow LMDB's inline
        // sub-pages into sub-databases
        Arguments.of(Domain.shortStrings(1), Domain.shortStrings(4), ops),
        Arguments.of(
            Domain.ints(List.of(Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE)),
            Domain.manyUuids(300),
            ops));
  }

  @ParameterizedTest(name = "{0} -> set of {1}, {2} operations")
  @MethodSource("domains")
  void randomOperations_matchTreeMapOfTreeSetsModel(
      final Domain<?> keys, final Domain<?> members, final int operations) {
    run(keys, members, operations);
  }

  private <K, M> void run(final Domain<K> keys, final Domain<M> members, final int operations) {
    final long seed =
        TestSeed.seed(
            "SetTableModelTest.randomOperations_matchTreeMapOfTreeSetsModel["
                + keys
                + " -> "
                + members
                + "]");
    final DatabaseOptions options =
        DatabaseOptions.builder().durability(Durability.NO_SYNC).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      new Run<>(db, keys, members, operations, seed).run();
    }
  }

  private static final class Rollback extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rollback() {
      super("rollback", null, false, false);
    }
  }

  private static final class Run<K, M> {
    private final Database db;
    private final Domain<K> keys;
    private final Domain<M> members;
    private final int operations;
    private final long seed;
    private final Random r;
    private final SetTable<K, M> set;
    private final Deque<String> history = new ArrayDeque<>();
    private TreeMap<K, TreeSet<M>> committed;
    private int op;
    private int largestSet;

    Run(
        final Database db,
        final Domain<K> keys,
        final Domain<M> members,
        final int operations,
        final long seed) {
      this.db = db;
      this.keys = keys;
      this.members = members;
      this.operations = operations;
      this.seed = seed;
      this.r = new Random(seed);
      this.set = db.setTable("model", keys.codec, members.codec);
      this.committed = new TreeMap<>(keys.order());
    }

    void run() {
      try {
        int nextFullCheck = 2_500;
        while (op < operations) {
          final int dice = r.nextInt(100);
          if (dice < 12) {
            note("beginRead");
            try (Txn txn = db.beginRead()) {
              final int n = 1 + r.nextInt(30);
              for (int i = 0; i < n; i++) {
                readOp(txn, committed);
              }
            }
          } else if (dice < 22) {
            writeThroughHelper();
          } else {
            writeExplicit();
          }
          if (op >= nextFullCheck) {
            fullCheck();
            nextFullCheck = op + 2_500;
          }
        }
        fullCheck();
        System.out.println(
            "SetTableModelTest["
                + keys
                + " -> "
                + members
                + "] "
                + op
                + " operations, "
                + pairs(committed).size()
                + " pairs at the end, largest set "
                + largestSet);
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
                + " -> "
                + members
                + ", operation #"
                + op
                + ": "
                + e.getMessage()
                + "\nlast operations:\n  "
                + String.join("\n  ", history),
            e);
      }
    }

    private void writeExplicit() {
      final TreeMap<K, TreeSet<M>> pending = deepCopy(committed);
      note("beginWrite");
      try (Txn txn = db.beginWrite()) {
        final int n = 1 + r.nextInt(80);
        for (int i = 0; i < n; i++) {
          anyOp(txn, pending);
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
    }

    private void writeThroughHelper() {
      final boolean rollback = r.nextInt(6) == 0;
      final List<TreeMap<K, TreeSet<M>>> pending = new ArrayList<>(1);
      final int n = 1 + r.nextInt(50);
      note("write(fn)" + (rollback ? " throwing at the end" : ""));
      try {
        db.write(
            txn -> {
              pending.clear();
              pending.add(deepCopy(committed));
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
    }

    private void anyOp(final Txn txn, final TreeMap<K, TreeSet<M>> model) {
      final int dice = r.nextInt(100);
      if (dice >= 40) {
        readOp(txn, model);
        return;
      }
      op++;
      final K key = someKey(model);
      final M member = someMember(model, key);
      final TreeSet<M> current = model.get(key);
      if (dice < 32) {
        note("add " + show(key) + " " + show(member));
        final boolean expected = current == null || !current.contains(member);
        final boolean actual = set.add(txn, key, member);
        check(actual == expected, () -> "add returned " + actual);
        final TreeSet<M> grown = model.computeIfAbsent(key, k -> new TreeSet<>(members.order()));
        grown.add(member);
        largestSet = Math.max(largestSet, grown.size());
      } else if (dice < 36) {
        note("remove " + show(key) + " " + show(member));
        final boolean expected = current != null && current.remove(member);
        if (current != null && current.isEmpty()) {
          model.remove(key);
        }
        final boolean actual = set.remove(txn, key, member);
        check(actual == expected, () -> "remove returned " + actual);
      } else if (dice == 36 && r.nextInt(25) == 0) {
        note("removeAll " + show(key));
        final boolean expected = model.remove(key) != null;
        final boolean actual = set.removeAll(txn, key);
        check(actual == expected, () -> "removeAll returned " + actual);
      } else if (dice < 39 || r.nextInt(100) > 0) {
        emptyKeyOrMemberIsRefused(txn, key, member);
      } else {
        note("truncate");
        set.truncate(txn);
        model.clear();
      }
      // the affected results
      final TreeSet<M> after = model.get(key);
      final long size = set.count(txn, key);
      check(
          size == (after == null ? 0 : after.size()),
          () -> "size of " + show(key) + " is " + size + ", expected " + after);
      final boolean contains = set.contains(txn, key, member);
      check(
          contains == (after != null && after.contains(member)),
          () -> "contains returned " + contains);
      final long count = set.count(txn);
      final long expectedCount = pairs(model).size();
      check(count == expectedCount, () -> "count is " + count + ", expected " + expectedCount);
    }

    /** An empty string key or member encodes to no bytes: refused before anything is written. */
    private void emptyKeyOrMemberIsRefused(final Txn txn, final K key, final M member) {
      if (keys.codec != KeyCodecs.STRING || members.codec != KeyCodecs.STRING) {
        return;
      }
      @SuppressWarnings("unchecked")
      final SetTable<String, String> strings = (SetTable<String, String>) set;
      final boolean emptyKey = r.nextBoolean();
      note("add with an empty " + (emptyKey ? "key" : "member"));
      try {
        if (emptyKey) {
          strings.add(txn, "", (String) member);
        } else {
          strings.add(txn, (String) key, "");
        }
        check(false, () -> "an empty key or member was accepted");
      } catch (InvalidKeyException expected) {
        check(
            expected.table() != null && expected.table().equals("model"),
            () -> "InvalidKeyException does not name the table: " + expected.getMessage());
      }
    }

    private void readOp(final Txn txn, final TreeMap<K, TreeSet<M>> model) {
      op++;
      final int dice = r.nextInt(100);
      final K key = someKey(model);
      final TreeSet<M> current = model.get(key);
      if (dice < 20) {
        final M member = someMember(model, key);
        note("contains " + show(key) + " " + show(member));
        final boolean actual = set.contains(txn, key, member);
        check(
            actual == (current != null && current.contains(member)),
            () -> "contains returned " + actual);
      } else if (dice < 35) {
        note("size " + show(key));
        final long actual = set.count(txn, key);
        check(
            actual == (current == null ? 0 : current.size()),
            () -> "size returned " + actual + ", expected " + current);
      } else if (dice < 65) {
        final RangeSpec<M> spec = RangeSpec.random(members, r, () -> someMember(model, key));
        note("members " + show(key) + " " + spec);
        final List<M> matching =
            current == null
                ? List.of()
                : current.stream().filter(spec::contains).collect(Collectors.toList());
        final List<M> expected = spec.apply(matching);
        final List<M> actual = new ArrayList<>();
        final boolean more;
        try (Cursor<K, M> c =
            r.nextInt(10) == 0
                    && spec.kind == RangeSpec.Kind.ALL
                    && spec.limit == Long.MAX_VALUE
                    && spec.offset == 0
                    && !spec.reversed
                ? set.select(txn, key)
                : set.select(txn, key, spec.range)) {
          while (c.next()) {
            final K rowKey = c.key();
            check(
                keys.order().compare(rowKey, key) == 0,
                () -> "members row has key " + show(rowKey));
            actual.add(c.value());
          }
          more = c.moreAvailable();
        }
        check(
            sameList(actual, expected, members),
            () -> "members returned " + show(actual) + ", expected " + show(expected));
        check(more == spec.moreAvailable(matching.size()), () -> "moreAvailable() is " + more);
      } else if (dice < 90) {
        final RangeSpec<K> spec = RangeSpec.random(keys, r, () -> someKey(model));
        note("entries " + spec);
        final List<Map.Entry<K, M>> matching =
            pairs(model).stream()
                .filter(p -> spec.contains(p.getKey()))
                .collect(Collectors.toList());
        final List<Map.Entry<K, M>> expected = spec.apply(matching);
        final List<Map.Entry<K, M>> actual = new ArrayList<>();
        final boolean more;
        try (Cursor<K, M> c = set.select(txn, spec.range)) {
          for (final Row<K, M> row : c) {
            actual.add(Map.entry(row.key(), row.value()));
          }
          more = c.moreAvailable();
        }
        check(
            samePairs(actual, expected),
            () ->
                "entries returned "
                    + actual.size()
                    + " "
                    + show(actual)
                    + ", expected "
                    + expected.size()
                    + " "
                    + show(expected));
        check(more == spec.moreAvailable(matching.size()), () -> "moreAvailable() is " + more);
      } else {
        note("count");
        final long actual = set.count(txn);
        check(actual == pairs(model).size(), () -> "count returned " + actual);
      }
    }

    private void fullCheck() {
      note("full check");
      try (Txn txn = db.beginRead()) {
        final List<Map.Entry<K, M>> actual = new ArrayList<>();
        try (Cursor<K, M> c = set.select(txn, KeyRange.all())) {
          while (c.next()) {
            actual.add(Map.entry(c.key(), c.value()));
          }
        }
        final List<Map.Entry<K, M>> expected = pairs(committed);
        check(
            samePairs(actual, expected),
            () -> "full scan differs: " + show(actual) + ", expected " + show(expected));
        check(set.count(txn) == expected.size(), () -> "count differs");
        for (final Map.Entry<K, TreeSet<M>> e : committed.entrySet()) {
          check(
              set.count(txn, e.getKey()) == e.getValue().size(),
              () -> "size of " + show(e.getKey()) + " differs");
        }
      }
      final TableStats stats = db.stats().tables().get("model");
      check(
          stats.setTable() && stats.entries() == pairs(committed).size(),
          () -> "stats() says " + stats);
    }

    // ---------------------------------------------------------------- helpers

    private K someKey(final TreeMap<K, TreeSet<M>> model) {
      final K k = keys.random(r);
      if (model.isEmpty() || r.nextInt(10) >= 4) {
        return k;
      }
      final K near = r.nextBoolean() ? model.ceilingKey(k) : model.floorKey(k);
      return near != null ? near : k;
    }

    private M someMember(final TreeMap<K, TreeSet<M>> model, final K key) {
      final M m = members.random(r);
      final TreeSet<M> current = model.get(key);
      if (current == null || r.nextInt(10) >= 5) {
        return m;
      }
      final M near = r.nextBoolean() ? current.ceiling(m) : current.floor(m);
      return near != null ? near : m;
    }

    private TreeMap<K, TreeSet<M>> deepCopy(final TreeMap<K, TreeSet<M>> model) {
      final TreeMap<K, TreeSet<M>> copy = new TreeMap<>(keys.order());
      for (final Map.Entry<K, TreeSet<M>> e : model.entrySet()) {
        copy.put(e.getKey(), new TreeSet<>(e.getValue()));
      }
      return copy;
    }

    private static <K, M> List<Map.Entry<K, M>> pairs(final TreeMap<K, TreeSet<M>> model) {
      final List<Map.Entry<K, M>> pairs = new ArrayList<>();
      for (final Map.Entry<K, TreeSet<M>> e : model.entrySet()) {
        for (final M m : e.getValue()) {
          pairs.add(Map.entry(e.getKey(), m));
        }
      }
      return pairs;
    }

    private static <T> boolean sameList(final List<T> a, final List<T> b, final Domain<T> d) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (d.order().compare(a.get(i), b.get(i)) != 0) {
          return false;
        }
      }
      return true;
    }

    private boolean samePairs(final List<Map.Entry<K, M>> a, final List<Map.Entry<K, M>> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (keys.order().compare(a.get(i).getKey(), b.get(i).getKey()) != 0
            || members.order().compare(a.get(i).getValue(), b.get(i).getValue()) != 0) {
          return false;
        }
      }
      return true;
    }

    private void note(final String what) {
      history.addLast("#" + op + " " + what);
      if (history.size() > 25) {
        history.removeFirst();
      }
    }

    private static String show(final Object value) {
      if (value instanceof List<?> list && list.size() > 40) {
        return TestText.show(list.subList(0, 40).toArray()) + "...";
      }
      return value instanceof List<?> list ? TestText.show(list.toArray()) : TestText.show(value);
    }

    private static void check(final boolean ok, final Supplier<String> message) {
      if (!ok) {
        throw new AssertionError(message.get());
      }
    }
  }
}
