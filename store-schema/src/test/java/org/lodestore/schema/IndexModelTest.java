package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.serializers.CborCodec;
import org.lodestore.testsupport.TestSeed;

/**
 * Model-based random test of automatic index maintenance: random put, insert, replace, update and
 * delete on a table with four indexes (unique; non-unique; unique and nullable; composite "group,
 * newest first" and nullable) run against a real database and against a {@link TreeMap} of rows
 * from which the expected index entries are derived.
 *
 * <p>Many writes are meant to be refused: a code or tag another row holds (unique violation), a
 * null code or category (non-nullable index), an empty or overlong code (index key LMDB cannot
 * store). A refused write must throw the typed exception naming the index and change nothing.
 *
 * <p>After every operation its result is compared with the model, and so are the row it touched,
 * every index bucket it touched or would have touched, and the count of the table and every index.
 * The whole table and every index (scanned forward and in reverse) are compared exactly with the
 * entries derived from the model rows: every few hundred operations, at the end of every write
 * transaction (inside it, and after it committed or aborted, from a read transaction), after many
 * refused writes, and after closing and reopening the database. Transactions commit, abort, close
 * without commit, or run through {@code write(fn)} and sometimes throw to roll back.
 *
 * <p>The seed is printed; {@code -Dlodestore.seed=<seed>} replays a failure, whose message holds
 * the seed, the operation number and the last operations.
 */
@Tag("slow")
class IndexModelTest {

  record Item(String code, String category, String tag, UUID group, Instant at, long n) {}

  /** The key of by_group_newest: per group, newest first. */
  static final Tuple2KeyCodec<UUID, Instant> GROUP_NEWEST =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.TIMESTAMP));

  static final String ITEMS_OID = "3f0c6a52-8a7e-4d1b-9b1e-0c2d4e6f8a10";
  static final String NOTES_OID = "3f0c6a52-8a7e-4d1b-9b1e-0c2d4e6f8a11";

  static final class Shop extends Schema {
    final SchemaTable<UUID, Item> items =
        table(ITEMS_OID, "items", KeyCodecs.UUID, CborCodec.of(Item.class));
    final UniqueIndex<String, UUID, Item> byCode =
        uniqueIndex(items, "by_code", KeyCodecs.STRING, Item::code);
    final MultiIndex<String, UUID, Item> byCategory =
        index(items, "by_category", KeyCodecs.STRING, Item::category);
    final UniqueIndex<String, UUID, Item> byTag =
        uniqueIndex(items, "by_tag", KeyCodecs.STRING, Item::tag).nullable();
    final MultiIndex<Tuple2<UUID, Instant>, UUID, Item> byGroupNewest =
        index(items, "by_group_newest", GROUP_NEWEST, IndexModelTest::groupKey).nullable();
    final SchemaTable<UUID, String> notes =
        table(NOTES_OID, "notes", KeyCodecs.UUID, ValueCodecs.STRING);
  }

  static Tuple2<UUID, Instant> groupKey(final Item item) {
    return item.group() == null ? null : Tuple2.of(item.group(), item.at());
  }

  @TempDir Path dir;

  @Test
  void randomWrites_keepEveryIndexExactlyDerivedFromRows() {
    final long seed =
        TestSeed.seed("IndexModelTest.randomWrites_keepEveryIndexExactlyDerivedFromRows");
    new Run(dir, seed, 50_000 * TestSeed.scale()).run();
  }

  // ------------------------------------------------------------------ the model's view of indexes

  /** One index as the model sees it: how a row's key is derived, ordered and validated. */
  static final class Spec<I> {
    final String name;
    final boolean unique;
    final boolean nullable;
    final Function<Item, I> key;
    final Comparator<I> order;
    final Predicate<I> storable;
    final Function<Shop, Index<I, UUID, Item>> index;

    Spec(
        final String name,
        final boolean unique,
        final boolean nullable,
        final Function<Item, I> key,
        final KeyCodec<I> codec,
        final Predicate<I> storable,
        final Function<Shop, Index<I, UUID, Item>> index) {
      this.name = name;
      this.unique = unique;
      this.nullable = nullable;
      this.key = key;
      this.order = codec.comparator();
      this.storable = storable;
      this.index = index;
    }

    /** The entries (index key, primary key) the rows must produce, in scan order. */
    List<Map.Entry<I, UUID>> expected(final TreeMap<UUID, Item> rows) {
      final List<Map.Entry<I, UUID>> out = new ArrayList<>();
      for (final Map.Entry<UUID, Item> row : rows.entrySet()) {
        final I k = key.apply(row.getValue());
        if (k != null) {
          out.add(Map.entry(k, row.getKey()));
        }
      }
      out.sort(
          Comparator.<Map.Entry<I, UUID>, I>comparing(Map.Entry::getKey, order)
              .thenComparing(Map.Entry::getValue, KeyCodecs.UUID_ORDER));
      return out;
    }

    /** The primary keys holding {@code indexKey}, in primary-key order. */
    List<UUID> holders(final TreeMap<UUID, Item> rows, final I indexKey) {
      final List<UUID> out = new ArrayList<>();
      for (final Map.Entry<UUID, Item> row : rows.entrySet()) {
        final I k = key.apply(row.getValue());
        if (k != null && order.compare(k, indexKey) == 0) {
          out.add(row.getKey());
        }
      }
      return out;
    }

    List<Map.Entry<I, UUID>> scan(final Shop s, final Txn txn, final KeyRange<I> range) {
      final List<Map.Entry<I, UUID>> out = new ArrayList<>();
      try (Cursor<I, UUID> c = select(s, txn, range)) {
        while (c.next()) {
          out.add(Map.entry(c.key(), c.value()));
        }
      }
      return out;
    }

    Cursor<I, UUID> select(final Shop s, final Txn txn, final KeyRange<I> range) {
      return index.apply(s).select(txn, range);
    }

    Page<Row<UUID, Item>> page(final Shop s, final Txn txn, final KeyRange<I> range) {
      return index.apply(s).page(txn, range);
    }

    /** The primary keys the index holds under {@code indexKey}, through its point lookups. */
    List<UUID> lookup(final Shop s, final Txn txn, final I indexKey) {
      final Index<I, UUID, Item> ix = index.apply(s);
      if (ix instanceof UniqueIndex<I, UUID, Item> u) {
        final UUID holder = u.key(txn, indexKey);
        assertThat(u.contains(txn, indexKey))
            .as("%s.contains(%s)", name, indexKey)
            .isEqualTo(holder != null);
        final Item value = u.get(txn, indexKey);
        assertThat(value == null)
            .as("%s.get(%s) == null", name, indexKey)
            .isEqualTo(holder == null);
        return holder == null ? List.of() : List.of(holder);
      }
      final MultiIndex<I, UUID, Item> nx = (MultiIndex<I, UUID, Item>) ix;
      final List<UUID> keys = new ArrayList<>();
      try (Cursor<I, UUID> c = nx.select(txn, indexKey)) {
        while (c.next()) {
          keys.add(c.value());
        }
      }
      assertThat(nx.count(txn, indexKey)).as("%s.count(%s)", name, indexKey).isEqualTo(keys.size());
      return keys;
    }
  }

  static boolean storableString(final String s) {
    final int bytes = s.getBytes(StandardCharsets.UTF_8).length;
    return bytes >= 1 && bytes <= 511;
  }

  static List<Spec<?>> specs() {
    return List.of(
        new Spec<>(
            "by_code",
            true,
            false,
            Item::code,
            KeyCodecs.STRING,
            IndexModelTest::storableString,
            s -> s.byCode),
        new Spec<>(
            "by_category",
            false,
            false,
            Item::category,
            KeyCodecs.STRING,
            IndexModelTest::storableString,
            s -> s.byCategory),
        new Spec<>(
            "by_tag",
            true,
            true,
            Item::tag,
            KeyCodecs.STRING,
            IndexModelTest::storableString,
            s -> s.byTag),
        new Spec<>(
            "by_group_newest",
            false,
            true,
            IndexModelTest::groupKey,
            GROUP_NEWEST,
            k -> true,
            s -> s.byGroupNewest));
  }

  /** A rule a write breaks, per the model. */
  /** What a write breaks: which index, and how (the exception type differs). */
  enum Broken {
    /** A null key in a non-nullable index: ConstraintViolationException. */
    NULL_KEY,
    /**
     * A key LMDB cannot store (empty, over 511 bytes): InvalidKeyException or KeyTooLongException.
     */
    UNSTORABLE_KEY,
    /** A unique key another row holds: UniqueViolationException. */
    UNIQUE
  }

  record Violation(String index, Broken broken) {}

  /** Thrown by a {@code write(fn)} function to roll its transaction back. */
  static final class Rollback extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rollback() {
      super("rollback", null, false, false);
    }
  }

  // ------------------------------------------------------------------ one run

  static final class Run {
    private static final int FULL_CHECK_EVERY = 500;
    private static final int REOPEN_EVERY = 12_000;

    private final Path dir;
    private final long seed;
    private final int operations;
    private final Random rnd;
    private final List<Spec<?>> specs = specs();
    private final Deque<String> recent = new ArrayDeque<>();

    private final List<UUID> keys = new ArrayList<>();
    private final List<UUID> groups = new ArrayList<>();
    private final List<Instant> times = new ArrayList<>();
    private final List<String> categories =
        List.of("tools", "toys", "électronique", "日本", "garden", "a\u0000b");
    private final TreeMap<UUID, String> notes = new TreeMap<>(KeyCodecs.UUID_ORDER);

    private TreeMap<UUID, Item> committed = new TreeMap<>(KeyCodecs.UUID_ORDER);
    private TreeMap<UUID, Item> work;
    private Database db;
    private Shop shop;
    private int op;
    private int refused;
    private int commits;
    private int aborts;
    private int reopens;
    private int queries;

    Run(final Path dir, final long seed, final int operations) {
      this.dir = dir;
      this.seed = seed;
      this.operations = operations;
      this.rnd = new Random(seed);
      for (int i = 0; i < 250; i++) {
        keys.add(new UUID(rnd.nextLong(), rnd.nextLong()));
      }
      for (int i = 0; i < 4; i++) {
        groups.add(new UUID(rnd.nextLong(), rnd.nextLong()));
      }
      times.add(Instant.parse("1969-07-20T20:17:40.123456789Z"));
      times.add(Instant.EPOCH);
      for (int i = 0; i < 18; i++) {
        times.add(
            Instant.ofEpochSecond(
                1_600_000_000L + rnd.nextInt(1_000_000), rnd.nextInt(1_000_000_000)));
      }
    }

    void run() {
      open();
      try {
        db.write(
            txn -> {
              for (int i = 0; i < 20; i++) {
                final UUID k = new UUID(rnd.nextLong(), rnd.nextLong());
                notes.put(k, "note " + i);
                shop.notes.put(txn, k, "note " + i);
              }
            });
        while (op < operations) {
          if (op / REOPEN_EVERY > reopens) {
            reopens++;
            db.close();
            open();
            note("reopen");
            inRead(this::fullCheck, committed);
          }
          transaction();
        }
        db.close();
        open();
        inRead(this::fullCheck, committed);
        inRead(this::reverseAndNotesCheck, committed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "seed="
                + seed
                + " (replay: -D"
                + TestSeed.PROPERTY
                + "="
                + seed
                + "), operation "
                + op
                + ", last operations:\n  "
                + String.join("\n  ", recent)
                + "\n"
                + e,
            e);
      } finally {
        if (db != null) {
          db.close();
        }
      }
      System.out.printf(
          "IndexModelTest: %d operations, %d refused, %d commits, %d aborts, %d reopens, %d queries,"
              + " %d rows at the end%n",
          op, refused, commits, aborts, reopens, queries, committed.size());
      assertThat(refused).as("refused writes exercised").isGreaterThan(operations / 50);
      assertThat(committed).as("rows at the end").isNotEmpty();
    }

    private void open() {
      db =
          Database.open(
              dir.resolve("db"),
              DatabaseOptions.builder()
                  .durability(Durability.NO_SYNC)
                  .initialMapSize(256L << 20)
                  .build());
      shop = db.attach(new Shop());
    }

    private void inRead(
        final java.util.function.BiConsumer<Txn, TreeMap<UUID, Item>> check,
        final TreeMap<UUID, Item> rows) {
      try (Txn txn = db.beginRead()) {
        check.accept(txn, rows);
      }
    }

    private void transaction() {
      final int size = 1 + rnd.nextInt(150);
      final int ending = rnd.nextInt(10);
      work = new TreeMap<>(committed);
      if (ending >= 8) {
        // through write(fn): commits, or rolls back when the function throws
        final boolean rollback = ending == 9;
        try {
          db.write(
              txn -> {
                ops(txn, size);
                fullCheck(txn, work);
                if (rollback) {
                  throw new Rollback();
                }
              });
        } catch (Rollback expected) {
          assertThat(rollback).isTrue();
        }
        finish(!rollback, rollback ? "write(fn) rolled back" : "write(fn) committed");
        return;
      }
      try (Txn txn = db.beginWrite()) {
        ops(txn, size);
        fullCheck(txn, work);
        if (rnd.nextInt(8) == 0) {
          // uncommitted changes are invisible to a reader
          inRead(this::fullCheck, committed);
        }
        if (ending < 6) {
          txn.commit();
          finish(true, "commit");
        } else if (ending == 6) {
          txn.abort();
          finish(false, "abort");
        } else {
          finish(false, "close without commit");
        }
      }
      if (ending == 7) {
        inRead(this::fullCheck, committed);
      }
    }

    private void finish(final boolean commit, final String how) {
      note(how);
      if (commit) {
        committed = work;
        commits++;
      } else {
        aborts++;
      }
      work = null;
      inRead(this::fullCheck, committed);
    }

    private void ops(final Txn txn, final int count) {
      for (int i = 0; i < count && op < operations; i++) {
        op++;
        oneOp(txn);
        if (op % FULL_CHECK_EVERY == 0) {
          fullCheck(txn, work);
        }
      }
    }

    // ---------------------------------------------------------------- operations

    private void oneOp(final Txn txn) {
      final UUID k = keys.get(rnd.nextInt(keys.size()));
      final int dice = rnd.nextInt(1000);
      if (dice < 300) {
        write(txn, "put", k, randomItem(), null);
      } else if (dice < 420) {
        write(txn, "insert", k, randomItem(), null);
      } else if (dice < 540) {
        write(txn, "replace", k, randomItem(), null);
      } else if (dice < 680) {
        delete(txn, k);
      } else if (dice < 820) {
        write(txn, "update", k, null, randomChange());
      } else if (dice < 900) {
        pointReads(txn, k);
      } else if (dice < 999) {
        query(txn);
      } else if (rnd.nextInt(5) == 0) {
        note("truncate");
        shop.items.truncate(txn);
        work.clear();
        fullCheck(txn, work);
      } else {
        pointReads(txn, k);
      }
    }

    /** A random row: the pools make index keys collide often, and some keys break a rule. */
    private Item randomItem() {
      final String code;
      final int c = rnd.nextInt(200);
      if (c == 0) {
        code = null; // not nullable
      } else if (c == 1) {
        code = ""; // LMDB cannot store an empty key
      } else if (c == 2) {
        code = "x".repeat(512); // longer than LMDB's key limit
      } else {
        code = "c" + rnd.nextInt(1500);
      }
      final String category =
          rnd.nextInt(80) == 0 ? null : categories.get(rnd.nextInt(categories.size()));
      final String tag = rnd.nextBoolean() ? null : "t" + rnd.nextInt(400);
      final UUID group = rnd.nextInt(4) == 0 ? null : groups.get(rnd.nextInt(groups.size()));
      final Instant at = times.get(rnd.nextInt(times.size()));
      return new Item(code, category, tag, group, at, rnd.nextLong());
    }

    /** A change to one or two fields, applied by {@code update}; deterministic given the draw. */
    private Function<Item, Item> randomChange() {
      final Item other = randomItem();
      final int field = rnd.nextInt(6);
      final boolean two = rnd.nextInt(4) == 0;
      final int second = rnd.nextInt(6);
      return old -> {
        Item x = change(old, other, field);
        return two ? change(x, other, second) : x;
      };
    }

    private static Item change(final Item x, final Item o, final int field) {
      switch (field) {
        case 0:
          return new Item(o.code(), x.category(), x.tag(), x.group(), x.at(), x.n());
        case 1:
          return new Item(x.code(), o.category(), x.tag(), x.group(), x.at(), x.n());
        case 2:
          return new Item(x.code(), x.category(), o.tag(), x.group(), x.at(), x.n());
        case 3:
          return new Item(x.code(), x.category(), x.tag(), o.group(), x.at(), x.n());
        case 4:
          return new Item(x.code(), x.category(), x.tag(), x.group(), o.at(), x.n());
        default:
          return new Item(x.code(), x.category(), x.tag(), x.group(), x.at(), x.n() + 1);
      }
    }

    /** What the model says writing {@code v} under {@code k} breaks, in index order. */
    private List<Violation> violations(final UUID k, final Item v) {
      final List<Violation> out = new ArrayList<>();
      for (final Spec<?> spec : specs) {
        violation(spec, k, v, out);
      }
      return out;
    }

    private <I> void violation(
        final Spec<I> spec, final UUID k, final Item v, final List<Violation> out) {
      final I ik = spec.key.apply(v);
      if (ik == null) {
        if (!spec.nullable) {
          out.add(new Violation(spec.name, Broken.NULL_KEY));
        }
        return;
      }
      if (!spec.storable.test(ik)) {
        out.add(new Violation(spec.name, Broken.UNSTORABLE_KEY));
        return;
      }
      if (spec.unique) {
        for (final UUID holder : spec.holders(work, ik)) {
          if (!holder.equals(k)) {
            out.add(new Violation(spec.name, Broken.UNIQUE));
          }
        }
      }
    }

    private void write(
        final Txn txn,
        final String kind,
        final UUID k,
        final Item given,
        final Function<Item, Item> change) {
      final Item old = work.get(k);
      final Item attempted = change == null ? given : (old == null ? null : change.apply(old));
      note(
          kind
              + " "
              + k
              + " "
              + (change == null ? given : "change of " + old + " -> " + attempted));
      final boolean proceeds =
          switch (kind) {
            case "insert" -> old == null;
            case "replace", "update" -> old != null;
            default -> true;
          };
      final List<Violation> expected = proceeds ? violations(k, attempted) : List.of();
      Object result = null;
      LodestoreException thrown = null;
      try {
        result =
            switch (kind) {
              case "put" -> {
                shop.items.put(txn, k, given);
                yield Boolean.TRUE;
              }
              case "insert" -> shop.items.insert(txn, k, given);
              case "replace" -> shop.items.replace(txn, k, given);
              default -> shop.items.update(txn, k, change::apply);
            };
      } catch (ConstraintViolationException | InvalidKeyException e) {
        thrown = e;
      }
      if (thrown != null) {
        refused++;
        assertThat(expected)
            .as("violations the model expects, but %s threw %s", kind, thrown)
            .isNotEmpty();
        assertThat(thrown.table()).isEqualTo("items");
        assertThat(thrown.key()).isEqualTo(k.toString());
        if (thrown instanceof UniqueViolationException u) {
          assertThat(expected)
              .as("unique violation on %s", u.index())
              .contains(new Violation(u.index(), Broken.UNIQUE));
          assertThat(u.getMessage()).contains(u.index());
        } else {
          final Broken broken =
              thrown instanceof InvalidKeyException ? Broken.UNSTORABLE_KEY : Broken.NULL_KEY;
          final String message = thrown.getMessage();
          assertThat(expected.stream().filter(v -> v.broken() == broken).map(Violation::index))
              .as("%s expected, message: %s", broken, message)
              .anySatisfy(index -> assertThat(message).contains("'" + index + "'"));
        }
      } else {
        assertThat(expected).as("%s should have been refused", kind).isEmpty();
        final Object want =
            switch (kind) {
              case "put" -> Boolean.TRUE;
              case "insert", "replace" -> proceeds;
              default -> attempted;
            };
        assertThat(result).as("%s result", kind).isEqualTo(want);
        if (proceeds) {
          work.put(k, attempted);
        }
      }
      localCheck(txn, k, old, attempted);
      if (thrown != null && rnd.nextInt(8) == 0) {
        fullCheck(txn, work);
      }
    }

    private void delete(final Txn txn, final UUID k) {
      note("delete " + k);
      final Item old = work.remove(k);
      assertThat(shop.items.delete(txn, k)).as("delete result").isEqualTo(old != null);
      localCheck(txn, k, old, null);
    }

    private void pointReads(final Txn txn, final UUID k) {
      note("reads " + k);
      assertThat(shop.items.get(txn, k)).isEqualTo(work.get(k));
      assertThat(shop.items.contains(txn, k)).isEqualTo(work.containsKey(k));
      final Item probe = randomItem();
      for (final Spec<?> spec : specs) {
        bucketCheck(spec, txn, probe);
      }
    }

    // ---------------------------------------------------------------- range queries

    private void query(final Txn txn) {
      queries++;
      final Spec<?> spec = specs.get(rnd.nextInt(specs.size()));
      query(txn, spec);
    }

    @SuppressWarnings("unchecked")
    private <I> void query(final Txn txn, final Spec<I> spec) {
      final List<Map.Entry<I, UUID>> all = spec.expected(work);
      final I a;
      final I b;
      if (spec.name.equals("by_group_newest")) {
        final UUID g = groups.get(rnd.nextInt(groups.size()));
        a = (I) Tuple2.of(g, times.get(rnd.nextInt(times.size())));
        b =
            (I)
                Tuple2.of(
                    rnd.nextInt(3) == 0 ? groups.get(rnd.nextInt(groups.size())) : g,
                    times.get(rnd.nextInt(times.size())));
      } else {
        final Item x = randomItem();
        final Item y = randomItem();
        a = (I) storableOr(spec.key.apply(x), "c1");
        b = (I) storableOr(spec.key.apply(y), "t2");
      }
      final Comparator<I> o = spec.order;
      final int kind = rnd.nextInt(9);
      KeyRange<I> range;
      Predicate<I> in;
      switch (kind) {
        case 0 -> {
          range = KeyRange.all();
          in = x -> true;
        }
        case 1 -> {
          range = KeyRange.closed(a, b);
          in = x -> o.compare(x, a) >= 0 && o.compare(x, b) <= 0;
        }
        case 2 -> {
          range = KeyRange.closedOpen(a, b);
          in = x -> o.compare(x, a) >= 0 && o.compare(x, b) < 0;
        }
        case 3 -> {
          range = KeyRange.openClosed(a, b);
          in = x -> o.compare(x, a) > 0 && o.compare(x, b) <= 0;
        }
        case 4 -> {
          range = KeyRange.open(a, b);
          in = x -> o.compare(x, a) > 0 && o.compare(x, b) < 0;
        }
        case 5 -> {
          range = KeyRange.atLeast(a);
          in = x -> o.compare(x, a) >= 0;
        }
        case 6 -> {
          range = KeyRange.lessThan(b);
          in = x -> o.compare(x, b) < 0;
        }
        case 7 -> {
          range = KeyRange.closed(a, a);
          in = x -> o.compare(x, a) == 0;
        }
        default -> {
          if (a instanceof Tuple2<?, ?> t) {
            range = (KeyRange<I>) (KeyRange<?>) KeyRange.prefix(GROUP_NEWEST, (UUID) t.first());
            in = x -> ((Tuple2<?, ?>) x).first().equals(t.first());
          } else {
            final String p = ((String) a).substring(0, Math.min(2, ((String) a).length()));
            range = (KeyRange<I>) (KeyRange<?>) KeyRange.prefix(p);
            in = x -> ((String) x).startsWith(p);
          }
        }
      }
      List<Map.Entry<I, UUID>> want = new ArrayList<>();
      for (final Map.Entry<I, UUID> e : all) {
        if (in.test(e.getKey())) {
          want.add(e);
        }
      }
      if (rnd.nextBoolean()) {
        range = range.reversed();
        Collections.reverse(want);
      }
      final int offset = rnd.nextInt(3) == 0 ? rnd.nextInt(6) : 0;
      final long limit = rnd.nextBoolean() ? rnd.nextInt(12) : Long.MAX_VALUE;
      range = range.offset(offset);
      if (limit != Long.MAX_VALUE) {
        range = range.limit(limit);
      }
      final List<Map.Entry<I, UUID>> skipped =
          want.subList(Math.min(offset, want.size()), want.size());
      final boolean more = skipped.size() > limit;
      final List<Map.Entry<I, UUID>> page =
          new ArrayList<>(skipped.subList(0, (int) Math.min(limit, skipped.size())));
      note("query " + spec.name + " " + range);
      assertThat(spec.scan(shop, txn, range)).as("%s scan of %s", spec.name, range).isEqualTo(page);
      final Page<Row<UUID, Item>> paged = spec.page(shop, txn, range);
      final List<Row<UUID, Item>> rows = new ArrayList<>();
      for (final Map.Entry<I, UUID> e : page) {
        rows.add(new Row<>(e.getValue(), work.get(e.getValue())));
      }
      assertThat(paged.rows()).as("%s page of %s", spec.name, range).isEqualTo(rows);
      assertThat(paged.moreAvailable())
          .as("%s moreAvailable of %s", spec.name, range)
          .isEqualTo(more);
      if (spec.name.equals("by_category")) {
        final Page<Row<UUID, Item>> byKey =
            shop.byCategory.page(txn, (String) a, offset, limit == Long.MAX_VALUE ? 1000 : limit);
        final List<UUID> holders = spec.holders(work, (I) a);
        final List<UUID> expectedKeys =
            holders.subList(
                Math.min(offset, holders.size()),
                (int) Math.min(holders.size(), offset + (limit == Long.MAX_VALUE ? 1000 : limit)));
        assertThat(byKey.rows())
            .extracting(Row::key)
            .as("by_category page(%s)", a)
            .isEqualTo(expectedKeys);
        assertThat(byKey.moreAvailable())
            .isEqualTo(
                holders.size() - Math.min(offset, holders.size())
                    > (limit == Long.MAX_VALUE ? 1000 : limit));
      }
    }

    private static Object storableOr(final Object key, final String fallback) {
      return key instanceof String s && storableString(s) ? s : fallback;
    }

    // ---------------------------------------------------------------- checks

    /** The touched row, the index buckets of its old, new and attempted keys, and all sizes. */
    private void localCheck(final Txn txn, final UUID k, final Item old, final Item attempted) {
      assertThat(shop.items.get(txn, k)).as("row %s", k).isEqualTo(work.get(k));
      for (final Spec<?> spec : specs) {
        if (old != null) {
          bucketCheck(spec, txn, old);
        }
        if (attempted != null) {
          bucketCheck(spec, txn, attempted);
        }
        final Item now = work.get(k);
        if (now != null) {
          bucketCheck(spec, txn, now);
        }
      }
      sizeCheck(txn, work);
    }

    private <I> void bucketCheck(final Spec<I> spec, final Txn txn, final Item row) {
      final I ik = spec.key.apply(row);
      if (ik == null || !spec.storable.test(ik)) {
        return;
      }
      assertThat(spec.lookup(shop, txn, ik))
          .as("index %s under %s", spec.name, ik)
          .isEqualTo(spec.holders(work, ik));
    }

    private void sizeCheck(final Txn txn, final TreeMap<UUID, Item> rows) {
      assertThat(shop.items.count(txn)).as("row count").isEqualTo(rows.size());
      for (final Spec<?> spec : specs) {
        assertThat(spec.index.apply(shop).count(txn))
            .as("size of %s", spec.name)
            .isEqualTo(rows.values().stream().filter(r -> spec.key.apply(r) != null).count());
      }
    }

    /** Every row, and every entry of every index, exactly. */
    private void fullCheck(final Txn txn, final TreeMap<UUID, Item> rows) {
      final List<Map.Entry<UUID, Item>> stored = new ArrayList<>();
      try (Cursor<UUID, Item> c = shop.items.select(txn, KeyRange.all())) {
        for (final Row<UUID, Item> row : c) {
          stored.add(Map.entry(row.key(), row.value()));
        }
      }
      assertThat(stored).as("rows").isEqualTo(new ArrayList<>(rows.entrySet()));
      for (final Spec<?> spec : specs) {
        indexCheck(spec, txn, rows);
      }
      sizeCheck(txn, rows);
    }

    private <I> void indexCheck(final Spec<I> spec, final Txn txn, final TreeMap<UUID, Item> rows) {
      assertThat(spec.scan(shop, txn, KeyRange.all()))
          .as("entries of %s", spec.name)
          .isEqualTo(spec.expected(rows));
    }

    private void reverseAndNotesCheck(final Txn txn, final TreeMap<UUID, Item> rows) {
      for (final Spec<?> spec : specs) {
        reverseCheck(spec, txn, rows);
      }
      final List<Map.Entry<UUID, String>> stored = new ArrayList<>();
      try (Cursor<UUID, String> c = shop.notes.select(txn, KeyRange.all())) {
        for (final Row<UUID, String> row : c) {
          stored.add(Map.entry(row.key(), row.value()));
        }
      }
      assertThat(stored).as("bystander table").isEqualTo(new ArrayList<>(notes.entrySet()));
    }

    private <I> void reverseCheck(
        final Spec<I> spec, final Txn txn, final TreeMap<UUID, Item> rows) {
      final List<Map.Entry<I, UUID>> want = new ArrayList<>(spec.expected(rows));
      Collections.reverse(want);
      assertThat(spec.scan(shop, txn, KeyRange.<I>all().reversed()))
          .as("reverse entries of %s", spec.name)
          .isEqualTo(want);
    }

    private void note(final String what) {
      if (recent.size() == 20) {
        recent.removeFirst();
      }
      recent.addLast("#" + op + " " + what);
    }
  }
}
