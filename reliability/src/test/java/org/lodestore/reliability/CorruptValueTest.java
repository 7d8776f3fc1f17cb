package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.reliability.CrashSchema.Item;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.serializers.JsonCodec;
import org.lodestore.testsupport.TestSeed;
import org.lodestore.testsupport.fbs.Market;

/**
 * Values overwritten with random bytes underneath the ORM, through a second {@link Table} object of
 * the same name with {@link ValueCodecs#BYTES}: every read path (get, getInto, scans with
 * value/valueInto, unique and non-unique index lookups, pages, update) reports {@link
 * CorruptValueException} naming the table and the key, for CBOR, JSON, FlatBuffers and store-core
 * codecs and for unique-index entries; nothing else is thrown and the JVM does not crash. And
 * single bit flips in {@code data.mdb} inside stored values, reported per kind of table: a
 * checksummed table (store-schema CBOR by default, store-core JSON and store-schema FlatBuffers
 * opted in) reads none of them silently wrong, on any read path; tables without a checksum read
 * most of them as a different value without an error (the figure shows what a checksum buys).
 */
@Tag("corrupt")
class CorruptValueTest {

  private static final int ROWS = 300;
  private static final int CORRUPTED = 60;

  @TempDir Path tmp;

  private final Map<String, Integer> outcomes = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();

  @Test
  void randomBytesUnderneath_areCorruptValueExceptions_namingTableAndKey() {
    final long seed = TestSeed.seed("CorruptValueTest");
    final SplittableRandom rnd = new SplittableRandom(seed);
    int corrupted = 0;
    try (Database db = Database.open(tmp.resolve("db"))) {
      final CrashSchema s = db.attach(new CrashSchema());
      final List<UUID> keys = new ArrayList<>();
      final UUID group = new UUID(9, 9);
      db.write(
          txn -> {
            for (int i = 0; i < ROWS; i++) {
              final UUID key = new UUID(rnd.nextLong(), rnd.nextLong());
              s.items.put(txn, key, new Item("item-" + i, group, "payload " + i));
              keys.add(key);
            }
          });
      // the same rows under other codecs, in plain tables
      final FlatBuffersCodec<Market> fbs =
          FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
      final Table<UUID, Market> markets = db.table("markets", KeyCodecs.UUID, fbs);
      final Table<UUID, Item> json = db.table("json", KeyCodecs.UUID, JsonCodec.of(Item.class));
      final Table<UUID, Item> cbor = db.table("cbor", KeyCodecs.UUID, CborCodec.of(Item.class));
      final Table<UUID, Long> longs = db.table("longs", KeyCodecs.UUID, ValueCodecs.LONG);
      final Table<UUID, UUID> uuids = db.table("uuids", KeyCodecs.UUID, ValueCodecs.UUID);
      db.write(
          txn -> {
            for (final UUID key : keys) {
              markets.put(
                  txn,
                  key,
                  fbs.build(
                      b -> {
                        final int name = b.createString("m");
                        Market.startMarket(b);
                        Market.addName(b, name);
                        Market.addPrice(b, 1.0);
                        return Market.endMarket(b);
                      }));
              json.put(txn, key, new Item("j", group, "x"));
              cbor.put(txn, key, new Item("c", group, "x"));
              longs.put(txn, key, 1L);
              uuids.put(txn, key, key);
            }
          });
      // overwrite some values underneath: random lengths, random bytes
      final List<String> tableNames =
          List.of(s.items.oid(), "markets", "json", "cbor", "longs", "uuids");
      final String items = s.items.oid() + "|" + s.items.name();
      final Map<String, List<UUID>> bad = new TreeMap<>();
      for (final String name : tableNames) {
        final Table<UUID, byte[]> raw =
            OwnerTables.table(db, name, KeyCodecs.UUID, ValueCodecs.BYTES);
        final List<UUID> victims = new ArrayList<>();
        db.write(
            txn -> {
              for (int i = 0; i < CORRUPTED; i++) {
                final UUID key = keys.get(rnd.nextInt(keys.size()));
                final byte[] junk =
                    new byte[rnd.nextInt(3) == 0 ? rnd.nextInt(8) : rnd.nextInt(600)];
                rnd.nextBytes(junk);
                raw.put(txn, key, junk);
                victims.add(key);
              }
            });
        bad.put(name, victims);
        corrupted += victims.size();
      }
      // and some unique-index entries (index key -> primary key)
      final Table<String, byte[]> rawIndex =
          OwnerTables.table(
              db, "ix:" + s.items.oid() + ":by_name", KeyCodecs.STRING, ValueCodecs.BYTES);
      final List<String> badNames = new ArrayList<>();
      db.write(
          txn -> {
            for (int i = 0; i < 20; i++) {
              final String name = "item-" + rnd.nextInt(ROWS);
              final byte[] junk = new byte[rnd.nextInt(15)];
              rnd.nextBytes(junk);
              rawIndex.put(txn, name, junk);
              badNames.add(name);
            }
          });
      corrupted += badNames.size();

      try (Txn txn = db.beginRead()) {
        for (final UUID key : bad.get(s.items.oid())) {
          expect("items.get", items, key, () -> s.items.get(txn, key));
          expect("items.getInto", items, key, () -> s.items.getInto(txn, key, null));
        }
        scan(
            "items.select",
            items,
            bad.get(s.items.oid()),
            c -> readAll(s.items.select(txn, KeyRange.all()), c));
        scan(
            "items.page",
            items,
            bad.get(s.items.oid()),
            c -> s.items.page(txn, KeyRange.all()).rows().size());
        scan(
            "byGroup.page",
            items,
            bad.get(s.items.oid()),
            c -> s.byGroup.page(txn, group, 0, ROWS).rows().size());
        for (int i = 0; i < ROWS; i++) {
          final String name = "item-" + i;
          if (badNames.contains(name)) {
            expect(
                "byName.key",
                "ix:" + s.items.oid() + ":by_name|" + s.items.name() + ".by_name|by_name",
                name,
                () -> s.byName.key(txn, name));
          } else {
            try {
              s.byName.get(txn, name);
              count("byName.get", "ok");
            } catch (CorruptValueException e) {
              named("byName.get", items, null, e);
            }
          }
        }
        checkPlain(txn, "markets", markets, bad.get("markets"), m -> m.price() + m.name().length());
        checkPlain(txn, "json", json, bad.get("json"), Item::name);
        checkPlain(txn, "cbor", cbor, bad.get("cbor"), Item::name);
        checkPlain(txn, "longs", longs, bad.get("longs"), v -> v);
        checkPlain(txn, "uuids", uuids, bad.get("uuids"), v -> v);
      }
      for (final UUID key : bad.get(s.items.oid()).subList(0, 5)) {
        try {
          db.write(txn -> s.items.update(txn, key, v -> v));
          count("items.update", "ok");
        } catch (CorruptValueException e) {
          named("items.update", items, key, e);
        }
      }
    }
    final int reported =
        outcomes.entrySet().stream()
            .filter(e -> e.getKey().endsWith("=corrupt"))
            .mapToInt(Map.Entry::getValue)
            .sum();
    final Map<Kind, int[]> flips = flipBitsOnDisk(tmp.resolve("flips"), rnd);
    int silentChecksummed = 0;
    int silentUnchecksummed = 0;
    int flipped = 0;
    final StringBuilder byKind = new StringBuilder();
    for (final Map.Entry<Kind, int[]> e : flips.entrySet()) {
      final int[] f = e.getValue();
      flipped += f[FLIPPED];
      if (e.getKey().checksummed) {
        silentChecksummed += f[SILENT];
      } else {
        silentUnchecksummed += f[SILENT];
      }
      byKind
          .append(byKind.length() == 0 ? "" : ",")
          .append(e.getKey().label)
          .append(':')
          .append(f[SILENT])
          .append('/')
          .append(f[FLIPPED]);
    }
    Reliability.report(
        "corruptValues",
        "valuesCorrupted",
        corrupted,
        "bitFlips",
        flipped,
        "silentWrongChecksummed",
        silentChecksummed,
        "silentWrongUnchecksummed",
        silentUnchecksummed,
        "silentWrongByKind",
        byKind,
        "reads",
        outcomes.values().stream().mapToInt(Integer::intValue).sum(),
        "reportedCorrupt",
        reported,
        "problems",
        problems.size(),
        "seed",
        seed,
        "outcomes",
        outcomes.toString().replace(" ", ""));
    assertThat(problems).as("seed %d", seed).isEmpty();
    assertThat(reported).isPositive();
    assertThat(silentChecksummed)
        .as("flipped bits read silently wrong from checksummed tables (seed %d): %s", seed, byKind)
        .isZero();
    // the harness sees silent corruption where there is no checksum (else it could not fail)
    assertThat(flips.get(Kind.UNCHECKSUMMED_CBOR)[SILENT]).as("seed %d", seed).isPositive();
  }

  // ------------------------------------------------------------ single bit flips on disk

  /** The kinds of table the bit-flip figures are reported for. */
  private enum Kind {
    /** A store-schema CBOR table: checksummed by default. */
    CHECKSUMMED_CBOR("checksummedCbor", true),
    /** A plain store-core JSON table that opted in with {@code withValueChecksum}. */
    CHECKSUMMED_JSON("checksummedJson", true),
    /** A store-schema FlatBuffers table that opted in with {@code valueChecksum(CRC32C)}. */
    CHECKSUMMED_FLATBUFFERS("checksummedFlatBuffers", true),
    /** A plain store-core CBOR table: no checksum unless asked. */
    UNCHECKSUMMED_CBOR("unchecksummedCbor", false),
    /** A store-schema FlatBuffers table: zero-copy, no checksum by default. */
    UNCHECKSUMMED_FLATBUFFERS("unchecksummedFlatBuffers", false);

    final String label;
    final boolean checksummed;

    Kind(final String label, final boolean checksummed) {
      this.label = label;
      this.checksummed = checksummed;
    }
  }

  private static final int FLIPPED = 0;
  private static final int SILENT = 1;
  private static final int DETECTED = 2;

  /** The schema of the bit-flip database: one table per schema kind. */
  static final class FlipSchema extends Schema {
    final SchemaTable<UUID, Item> cbor =
        table(
            "7a0e3c1b-5d2f-4a6e-8b9c-0d1e2f3a4b01",
            "flip-cbor",
            KeyCodecs.UUID,
            CborCodec.of(Item.class));
    final SchemaTable<UUID, Market> fbs =
        table(
                "7a0e3c1b-5d2f-4a6e-8b9c-0d1e2f3a4b02",
                "flip-fbs",
                KeyCodecs.UUID,
                FlatBuffersCodec.of(Market::getRootAsMarket, Market::new))
            .valueChecksum(ValueChecksum.CRC32C);
    final SchemaTable<UUID, Market> fbsPlain =
        table(
            "7a0e3c1b-5d2f-4a6e-8b9c-0d1e2f3a4b03",
            "flip-fbs-plain",
            KeyCodecs.UUID,
            FlatBuffersCodec.of(Market::getRootAsMarket, Market::new));
  }

  /** The read and write paths of a store-core {@link Table} or a store-schema table. */
  private interface Rows<V> {
    V get(Txn txn, UUID key);

    V getInto(Txn txn, UUID key, V reuse);

    java.nio.ByteBuffer rawView(Txn txn, UUID key);

    Cursor<UUID, V> select(Txn txn, KeyRange<UUID> range);

    java.util.Optional<Row<UUID, V>> first(Txn txn);

    java.util.Optional<Row<UUID, V>> last(Txn txn);

    void put(Txn txn, UUID key, V value);

    static <V> Rows<V> of(final Table<UUID, V> t) {
      return new Rows<>() {
        @Override
        public V get(final Txn txn, final UUID key) {
          return t.get(txn, key);
        }

        @Override
        public V getInto(final Txn txn, final UUID key, final V reuse) {
          return t.getInto(txn, key, reuse);
        }

        @Override
        public java.nio.ByteBuffer rawView(final Txn txn, final UUID key) {
          return t.rawView(txn, key);
        }

        @Override
        public Cursor<UUID, V> select(final Txn txn, final KeyRange<UUID> range) {
          return t.select(txn, range);
        }

        @Override
        public java.util.Optional<Row<UUID, V>> first(final Txn txn) {
          return t.first(txn);
        }

        @Override
        public java.util.Optional<Row<UUID, V>> last(final Txn txn) {
          return t.last(txn);
        }

        @Override
        public void put(final Txn txn, final UUID key, final V value) {
          t.put(txn, key, value);
        }
      };
    }

    static <V> Rows<V> of(final SchemaTable<UUID, V> t) {
      return new Rows<>() {
        @Override
        public V get(final Txn txn, final UUID key) {
          return t.get(txn, key);
        }

        @Override
        public V getInto(final Txn txn, final UUID key, final V reuse) {
          return t.getInto(txn, key, reuse);
        }

        @Override
        public java.nio.ByteBuffer rawView(final Txn txn, final UUID key) {
          return t.rawView(txn, key);
        }

        @Override
        public Cursor<UUID, V> select(final Txn txn, final KeyRange<UUID> range) {
          return t.select(txn, range);
        }

        @Override
        public java.util.Optional<Row<UUID, V>> first(final Txn txn) {
          return t.first(txn);
        }

        @Override
        public java.util.Optional<Row<UUID, V>> last(final Txn txn) {
          return t.last(txn);
        }

        @Override
        public void put(final Txn txn, final UUID key, final V value) {
          t.put(txn, key, value);
        }
      };
    }
  }

  /** One table of the bit-flip database, as read after the flips. */
  private static final class FlipTable<V> {
    final Kind kind;
    final String name;
    final Rows<V> table;
    final Map<UUID, Object> expected = new TreeMap<>();
    final Map<UUID, byte[]> stored = new TreeMap<>();
    final Map<UUID, byte[]> tokens = new TreeMap<>();
    final Function<V, Object> read;

    /** An object for the reuse paths (getInto, valueInto): a view for FlatBuffers. */
    @SuppressWarnings("unchecked")
    V reuse() {
      return kind == Kind.CHECKSUMMED_FLATBUFFERS || kind == Kind.UNCHECKSUMMED_FLATBUFFERS
          ? (V) new Market()
          : null;
    }

    FlipTable(
        final Kind kind, final String name, final Rows<V> table, final Function<V, Object> read) {
      this.kind = kind;
      this.name = name;
      this.table = table;
      this.read = read;
    }
  }

  /** A market's fields as compared after a flip (a view must be read inside its transaction). */
  private static Object marketFields(final Market m) {
    return List.of(m.name(), m.price(), m.quantity());
  }

  /**
   * Flips one random bit inside the stored bytes of every value of one table per {@link Kind}, in
   * {@code data.mdb} itself while the database is closed (as a disk or memory fault would), then
   * reads every row back: a read that returns a different value without an error is silently wrong.
   * A checksummed table must report every flipped row as {@link CorruptValueException} naming table
   * and key on every read path (get, getInto, rawView, scans with value and valueInto, first,
   * last); anything else is a problem.
   *
   * @return per kind: {flipped, read silently wrong, reported as corrupt by get}
   */
  private Map<Kind, int[]> flipBitsOnDisk(final Path dir, final SplittableRandom rnd) {
    final int rows = Reliability.pick(200, 2000);
    final FlatBuffersCodec<Market> fbCodec =
        FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
    final Map<Kind, int[]> result = new java.util.EnumMap<>(Kind.class);
    // 1. write the rows, remembering each value and its stored bytes
    final Map<Kind, FlipTable<?>> written = new java.util.EnumMap<>(Kind.class);
    try (Database db = Database.open(dir)) {
      final Map<Kind, FlipTable<?>> tables = flipTables(db, db.attach(new FlipSchema()));
      db.write(
          txn -> {
            for (int i = 0; i < rows; i++) {
              for (final FlipTable<?> t : tables.values()) {
                final UUID key = new UUID(rnd.nextLong(), rnd.nextLong());
                final String token = String.format("flip-%016x%08x", rnd.nextLong(), rnd.nextInt());
                putFlipRow(txn, t, key, token, rnd, fbCodec);
              }
            }
          });
      try (Txn txn = db.beginRead()) {
        for (final FlipTable<?> t : tables.values()) {
          for (final UUID key : t.expected.keySet()) {
            final java.nio.ByteBuffer view = t.table.rawView(txn, key);
            final byte[] bytes = new byte[view.remaining()];
            view.get(bytes);
            t.stored.put(key, bytes);
          }
        }
      }
      written.putAll(tables);
    }
    // 2. flip one bit inside each stored value, in the file
    final Path file = dir.resolve("data.mdb");
    final byte[] disk;
    try {
      disk = java.nio.file.Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    final Map<String, List<Object[]>> byToken = new java.util.HashMap<>();
    for (final FlipTable<?> t : written.values()) {
      for (final Map.Entry<UUID, byte[]> e : t.tokens.entrySet()) {
        final byte[] value = t.stored.get(e.getKey());
        final int at = indexOf(value, e.getValue(), 0);
        if (at < 0) {
          problem("flip: token of " + t.name + "/" + e.getKey() + " not in its stored value");
          continue;
        }
        final int bit = rnd.nextInt(value.length * 8);
        byToken
            .computeIfAbsent(
                new String(e.getValue(), java.nio.charset.StandardCharsets.US_ASCII),
                k -> new ArrayList<>())
            .add(new Object[] {t, e.getKey(), at, bit});
      }
    }
    final Map<Object, Integer> found = new java.util.HashMap<>();
    final byte[] prefix = "flip-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    final int tokenLength = 5 + 24;
    final List<Runnable> flipsToApply = new ArrayList<>();
    for (int i = indexOf(disk, prefix, 0);
        i >= 0 && i + tokenLength <= disk.length;
        i = indexOf(disk, prefix, i + 1)) {
      final String token =
          new String(disk, i, tokenLength, java.nio.charset.StandardCharsets.US_ASCII);
      final List<Object[]> candidates = byToken.get(token);
      if (candidates == null) {
        continue;
      }
      for (final Object[] c : candidates) {
        final FlipTable<?> t = (FlipTable<?>) c[0];
        final byte[] value = t.stored.get((UUID) c[1]);
        final int start = i - (int) c[2];
        if (start >= 0
            && start + value.length <= disk.length
            && java.util.Arrays.equals(disk, start, start + value.length, value, 0, value.length)) {
          final int bit = (int) c[3];
          // applied after the scan, so that a flip does not hide another copy from the search
          flipsToApply.add(() -> disk[start + bit / 8] ^= (byte) (1 << (bit % 8)));
          found.merge(t.name + "/" + c[1], 1, Integer::sum);
        }
      }
    }
    flipsToApply.forEach(Runnable::run);
    try {
      java.nio.file.Files.write(file, disk);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // 3. read every row back
    try (Database db = Database.open(dir)) {
      final Map<Kind, FlipTable<?>> tables = flipTables(db, db.attach(new FlipSchema()));
      try (Txn txn = db.beginRead()) {
        for (final Map.Entry<Kind, FlipTable<?>> e : tables.entrySet()) {
          final FlipTable<?> before = written.get(e.getKey());
          final int[] f = new int[3];
          result.put(e.getKey(), f);
          readFlipped(txn, e.getValue(), before, found, f);
        }
      }
    }
    return result;
  }

  /** The tables of the bit-flip database, one per kind. */
  private static Map<Kind, FlipTable<?>> flipTables(final Database db, final FlipSchema s) {
    final Map<Kind, FlipTable<?>> tables = new java.util.EnumMap<>(Kind.class);
    tables.put(
        Kind.CHECKSUMMED_CBOR,
        new FlipTable<>(
            Kind.CHECKSUMMED_CBOR, s.cbor.oid() + "|" + s.cbor.name(), Rows.of(s.cbor), v -> v));
    tables.put(
        Kind.CHECKSUMMED_JSON,
        new FlipTable<>(
            Kind.CHECKSUMMED_JSON,
            "flip-json",
            Rows.of(
                db.table("flip-json", KeyCodecs.UUID, JsonCodec.of(Item.class))
                    .withValueChecksum(ValueChecksum.CRC32C)),
            v -> v));
    tables.put(
        Kind.CHECKSUMMED_FLATBUFFERS,
        new FlipTable<>(
            Kind.CHECKSUMMED_FLATBUFFERS,
            s.fbs.oid() + "|" + s.fbs.name(),
            Rows.of(s.fbs),
            CorruptValueTest::marketFields));
    tables.put(
        Kind.UNCHECKSUMMED_CBOR,
        new FlipTable<>(
            Kind.UNCHECKSUMMED_CBOR,
            "flip-cbor-plain",
            Rows.of(db.table("flip-cbor-plain", KeyCodecs.UUID, CborCodec.of(Item.class))),
            v -> v));
    tables.put(
        Kind.UNCHECKSUMMED_FLATBUFFERS,
        new FlipTable<>(
            Kind.UNCHECKSUMMED_FLATBUFFERS,
            s.fbsPlain.oid() + "|" + s.fbsPlain.name(),
            Rows.of(s.fbsPlain),
            CorruptValueTest::marketFields));
    return tables;
  }

  @SuppressWarnings("unchecked")
  private static <V> void putFlipRow(
      final Txn txn,
      final FlipTable<V> t,
      final UUID key,
      final String token,
      final SplittableRandom rnd,
      final FlatBuffersCodec<Market> fbCodec) {
    final V value;
    if (t.kind == Kind.CHECKSUMMED_FLATBUFFERS || t.kind == Kind.UNCHECKSUMMED_FLATBUFFERS) {
      final double price = rnd.nextDouble();
      final long quantity = rnd.nextLong();
      value =
          (V)
              fbCodec.build(
                  b -> {
                    final int name = b.createString(token);
                    Market.startMarket(b);
                    Market.addName(b, name);
                    Market.addPrice(b, price);
                    Market.addQuantity(b, quantity);
                    return Market.endMarket(b);
                  });
      t.expected.put(key, List.of(token, price, quantity));
    } else {
      final Item item =
          new Item(token, new UUID(rnd.nextLong(), rnd.nextLong()), "payload " + rnd.nextInt());
      value = (V) item;
      t.expected.put(key, item);
    }
    t.tokens.put(key, token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    t.table.put(txn, key, value);
  }

  /** Reads every row of {@code t} after the flips and tallies {flipped, silent, detected}. */
  private <V> void readFlipped(
      final Txn txn,
      final FlipTable<V> t,
      final FlipTable<?> before,
      final Map<Object, Integer> found,
      final int[] f) {
    final String what = "flip." + t.kind.label;
    for (final UUID key : before.expected.keySet()) {
      if (!found.containsKey(before.name + "/" + key)) {
        problem(what + ": stored value of " + key + " not found in data.mdb");
        continue;
      }
      f[FLIPPED]++;
      final Object expected = before.expected.get(key);
      try {
        final V v = t.table.get(txn, key);
        Object read;
        try {
          read = v == null ? null : t.read.apply(v);
        } catch (RuntimeException e) {
          read = e; // a damaged view that fails when read: not silent
        }
        if (!(read instanceof RuntimeException) && !expected.equals(read)) {
          f[SILENT]++;
        }
        if (t.kind.checksummed) {
          problem(what + ".get of " + key + " read " + read + " instead of CorruptValueException");
        }
      } catch (CorruptValueException e) {
        f[DETECTED]++;
        flipNamed(what + ".get", t.name, key, e);
      } catch (RuntimeException e) {
        problem(what + ".get of " + key + " threw " + e);
      }
      if (t.kind.checksummed) {
        flipExpectCorrupt(
            what + ".getInto", t.name, key, () -> t.table.getInto(txn, key, t.reuse()));
        flipExpectCorrupt(what + ".rawView", t.name, key, () -> t.table.rawView(txn, key));
      }
    }
    if (!t.kind.checksummed) {
      return;
    }
    // every row was flipped: every row of a scan, and the first and the last, are corrupt
    int scanned = 0;
    UUID firstKey = null;
    UUID lastKey = null;
    try (Cursor<UUID, V> c = t.table.select(txn, KeyRange.all())) {
      while (c.next()) {
        final UUID key = c.key();
        flipExpectCorrupt(what + ".value", t.name, key, c::value);
        flipExpectCorrupt(what + ".valueInto", t.name, key, () -> c.valueInto(t.reuse()));
        firstKey = firstKey == null ? key : firstKey;
        lastKey = key;
        scanned++;
      }
    }
    if (scanned != before.expected.size()) {
      problem(what + ": scan saw " + scanned + " rows of " + before.expected.size());
    }
    flipExpectCorrupt(what + ".first", t.name, firstKey, () -> t.table.first(txn));
    flipExpectCorrupt(what + ".last", t.name, lastKey, () -> t.table.last(txn));
  }

  private void flipExpectCorrupt(
      final String what,
      final String table,
      final UUID key,
      final java.util.function.Supplier<?> read) {
    try {
      final Object v = read.get();
      problem(what + " of " + key + " returned " + v + " instead of CorruptValueException");
    } catch (CorruptValueException e) {
      flipNamed(what, table, key, e);
    } catch (RuntimeException e) {
      problem(what + " of " + key + " threw " + e + " instead of CorruptValueException");
    }
  }

  /** As {@link #named}, without adding to the outcome counts of the random-bytes part. */
  private void flipNamed(
      final String what, final String table, final UUID key, final CorruptValueException e) {
    boolean tableOk = false;
    for (final String name : table.split("\\|")) {
      tableOk |= name.equals(e.table()) && e.getMessage().contains(name);
    }
    if (!tableOk) {
      problem(what + ": exception names table " + e.table() + ", expected " + table + ": " + e);
    }
    if (!key.toString().equals(e.key())) {
      problem(what + ": exception names key " + e.key() + ", expected " + key + ": " + e);
    }
  }

  private static int indexOf(final byte[] haystack, final byte[] needle, final int from) {
    outer:
    for (int i = Math.max(0, from); i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private <K, V> void checkPlain(
      final Txn txn,
      final String table,
      final Table<K, V> t,
      final List<K> victims,
      final Function<V, Object> read) {
    for (final K key : victims) {
      try {
        final V v = t.get(txn, key);
        count(table + ".get", "decoded");
        try {
          read.apply(v); // a value the codec accepted: reading it may fail, never crash
        } catch (RuntimeException e) {
          count(table + ".read", e.getClass().getSimpleName());
        }
      } catch (CorruptValueException e) {
        named(table + ".get", table, key, e);
      } catch (RuntimeException e) {
        problem(table + ".get of " + key + " threw " + e);
      }
    }
    scan(table + ".select", table, victims, c -> readAll(t.select(txn, KeyRange.all()), c));
  }

  /** Reads every row of a scan, decoding values with both value() and valueInto(). */
  private static <K, V> int readAll(final Cursor<K, V> cursor, final List<Object> corruptKeys) {
    int n = 0;
    try (Cursor<K, V> c = cursor) {
      V reuse = null;
      while (c.next()) {
        final K key = c.key();
        try {
          c.value();
          reuse = c.valueInto(reuse);
        } catch (CorruptValueException e) {
          corruptKeys.add(key);
          corruptKeys.add(e);
          reuse = null;
        }
        n++;
      }
    }
    return n;
  }

  private void scan(
      final String what,
      final String table,
      final List<?> victims,
      final Function<List<Object>, Integer> run) {
    final List<Object> corrupt = new ArrayList<>();
    try {
      run.apply(corrupt);
      for (int i = 0; i < corrupt.size(); i += 2) {
        named(what, table, corrupt.get(i), (CorruptValueException) corrupt.get(i + 1));
      }
      count(what, "completed");
    } catch (CorruptValueException e) {
      // a page() stops at the first corrupt row: it must be one of the victims
      if (victims.stream()
          .noneMatch(v -> String.valueOf(v).equals(e.key()) || encodedHex(v).equals(e.key()))) {
        problem(what + ": corrupt key " + e.key() + " is not one that was overwritten");
      }
      named(what, table, null, e);
    } catch (RuntimeException e) {
      problem(what + " threw " + e);
    }
  }

  private void expect(
      final String what, final String table, final Object key, final Runnable read) {
    try {
      read.run();
      count(what, "decoded");
    } catch (CorruptValueException e) {
      named(what, table, key, e);
    } catch (RuntimeException e) {
      problem(what + " of " + key + " threw " + e + " instead of CorruptValueException");
    }
  }

  private void expect(
      final String what,
      final String table,
      final Object key,
      final java.util.function.Supplier<?> read) {
    expect(what, table, key, (Runnable) read::get);
  }

  /** Checks that {@code e} names {@code table} and (if given) {@code key}. */
  private void named(
      final String what, final String table, final Object key, final CorruptValueException e) {
    count(what, "corrupt");
    // a schema table may be named by its schema name or its on-disk name (the oid); an index by
    // its on-disk name or one that contains the index's name
    boolean tableOk = false;
    for (final String name : table.split("\\|")) {
      tableOk |= name.equals(e.table()) && e.getMessage().contains(name);
    }
    if (!tableOk) {
      problem(what + ": exception names table " + e.table() + ", expected " + table + ": " + e);
    }
    if (e.key() == null) {
      problem(what + ": exception names no key: " + e);
    } else if (key != null && !String.valueOf(key).equals(e.key())) {
      if (encodedHex(key).equals(e.key())) {
        // names the key by its encoding, not as the typed key: known defect,
        // see cursorValueOfCorruptRow_namesTypedKey
        count(what, "keyAsEncodedHex");
      } else {
        problem(what + ": exception names key " + e.key() + ", expected " + key + ": " + e);
      }
    }
  }

  /** How LodestoreException renders the encoding of {@code key}. */
  private static String encodedHex(final Object key) {
    final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(512);
    if (key instanceof UUID) {
      KeyCodecs.UUID.encode((UUID) key, b);
    } else {
      KeyCodecs.STRING.encode(String.valueOf(key), b);
    }
    return org.lodestore.core.LodestoreException.describeKey(
        java.util.Arrays.copyOf(b.array(), b.position()));
  }

  /**
   * Was a known defect, fixed (the scan decodes the key for the message): a corrupt value met by a
   * scan ({@code Cursor.value()}/{@code valueInto()}, and so {@code page}, {@code records},
   * iteration) names its key as the hex of the encoded key ({@code key=0x0a44de45...}), while
   * {@code get} of the same row names the typed key ({@code key=0a44de45-29bc-...}). The row reader
   * passes the raw key buffer; it should decode it with the table's key codec (falling back to hex
   * only if the key itself does not decode).
   */
  @Test
  void cursorValueOfCorruptRow_namesTypedKey() {
    try (Database db = Database.open(tmp.resolve("keys"))) {
      final Table<UUID, Long> longs = db.table("longs", KeyCodecs.UUID, ValueCodecs.LONG);
      final Table<UUID, byte[]> raw = db.table("longs", KeyCodecs.UUID, ValueCodecs.BYTES);
      final UUID key = new UUID(0x0a44de4529bce33dL, 0x4b05bb59fbeac602L);
      db.write(txn -> raw.put(txn, key, new byte[] {1, 2, 3}));
      String fromGet = null;
      String fromScan = null;
      try (Txn txn = db.beginRead()) {
        try {
          longs.get(txn, key);
        } catch (CorruptValueException e) {
          fromGet = e.key();
        }
        try (Cursor<UUID, Long> c = longs.select(txn, KeyRange.all())) {
          c.next();
          c.value();
        } catch (CorruptValueException e) {
          fromScan = e.key();
        }
      }
      Reliability.report("corrupt-keyNaming", "get", fromGet, "scan", fromScan);
      assertThat(fromGet).isEqualTo(key.toString());
      assertThat(fromScan).isEqualTo(key.toString());
    }
  }

  private void count(final String what, final String outcome) {
    outcomes.merge(what + "=" + outcome, 1, Integer::sum);
  }

  private void problem(final String text) {
    if (problems.size() < 30) {
      problems.add(text);
    }
  }

  /**
   * Was a known defect: a corrupt row of a table with indexes could not be repaired through the
   * schema. {@code put} and {@code delete} first decode the old value (to move its index entries),
   * so they threw the same {@link CorruptValueException} that the exception's javadoc tells callers
   * to repair by rewriting the record. Now put overwrites it (and delete removes it), with the
   * stale index entries of the unreadable old value found by primary key.
   */
  @Test
  void corruptRowOfIndexedTable_canBeOverwrittenAndDeleted() {
    try (Database db = Database.open(tmp.resolve("repair"))) {
      final CrashSchema s = db.attach(new CrashSchema());
      final UUID a = new UUID(1, 1);
      final UUID b = new UUID(2, 2);
      final UUID group = new UUID(3, 3);
      db.write(
          txn -> {
            s.items.put(txn, a, new Item("a", group, ""));
            s.items.put(txn, b, new Item("b", group, ""));
          });
      final Table<UUID, byte[]> raw =
          OwnerTables.table(db, s.items.oid(), KeyCodecs.UUID, ValueCodecs.BYTES);
      db.write(
          txn -> {
            raw.put(txn, a, new byte[] {(byte) 0xff, 0x13});
            raw.put(txn, b, new byte[] {(byte) 0xff, 0x13});
          });
      String putOutcome = "ok";
      String deleteOutcome = "ok";
      try {
        db.write(txn -> s.items.put(txn, a, new Item("a2", group, "repaired")));
      } catch (RuntimeException e) {
        putOutcome = e.getClass().getSimpleName();
      }
      try {
        db.write(txn -> s.items.delete(txn, b));
      } catch (RuntimeException e) {
        deleteOutcome = e.getClass().getSimpleName();
      }
      Reliability.report("corrupt-repair", "put", putOutcome, "delete", deleteOutcome);
      assertThat(putOutcome).as("put over a corrupt row").isEqualTo("ok");
      assertThat(deleteOutcome).as("delete of a corrupt row").isEqualTo("ok");
      db.read(
          txn -> {
            assertThat(s.items.get(txn, a).name()).isEqualTo("a2");
            assertThat(s.byName.key(txn, "a2")).isEqualTo(a);
            assertThat(s.byName.contains(txn, "a")).isFalse();
            assertThat(s.items.contains(txn, b)).isFalse();
            assertThat(s.byName.contains(txn, "b")).isFalse();
            assertThat(s.byGroup.contains(txn, group, b)).isFalse();
          });
    }
  }
}
