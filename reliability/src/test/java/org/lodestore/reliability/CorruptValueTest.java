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
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.reliability.CrashSchema.Item;
import org.lodestore.reliability.fbs.Market;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.serializers.JsonCodec;

/**
 * Values overwritten with random bytes underneath the ORM, through a second {@link Table} object
 * of the same name with {@link ValueCodecs#BYTES}: every read path (get, getInto, scans with
 * value/valueInto, unique and non-unique index lookups, pages, update) reports {@link
 * CorruptValueException} naming the table and the key, for CBOR, JSON, FlatBuffers and store-core
 * codecs and for unique-index entries; nothing else is thrown and the JVM does not crash.
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
    final long seed = Reliability.seed("CorruptValueTest");
    final SplittableRandom rnd = new SplittableRandom(seed);
    int corrupted = 0;
    try (Database db = Database.open(tmp.resolve("db"))) {
      final CrashSchema s = db.attach(new CrashSchema());
      final List<UUID> keys = new ArrayList<>();
      final UUID group = new UUID(9, 9);
      db.write(txn -> {
        for (int i = 0; i < ROWS; i++) {
          final UUID key = new UUID(rnd.nextLong(), rnd.nextLong());
          s.items.put(txn, key, new Item("item-" + i, group, "payload " + i));
          keys.add(key);
        }
      });
      // the same rows under other codecs, in plain tables
      final FlatBuffersCodec<Market> fbs = FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
      final Table<UUID, Market> markets = db.table("markets", KeyCodecs.UUID, fbs);
      final Table<UUID, Item> json = db.table("json", KeyCodecs.UUID, JsonCodec.of(Item.class));
      final Table<UUID, Item> cbor = db.table("cbor", KeyCodecs.UUID, CborCodec.of(Item.class));
      final Table<UUID, Long> longs = db.table("longs", KeyCodecs.UUID, ValueCodecs.LONG);
      final Table<UUID, UUID> uuids = db.table("uuids", KeyCodecs.UUID, ValueCodecs.UUID);
      db.write(txn -> {
        for (final UUID key : keys) {
          markets.put(txn, key, fbs.build(b -> {
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
        final Table<UUID, byte[]> raw = OwnerTables.table(db, name, KeyCodecs.UUID, ValueCodecs.BYTES);
        final List<UUID> victims = new ArrayList<>();
        db.write(txn -> {
          for (int i = 0; i < CORRUPTED; i++) {
            final UUID key = keys.get(rnd.nextInt(keys.size()));
            final byte[] junk = new byte[rnd.nextInt(3) == 0 ? rnd.nextInt(8) : rnd.nextInt(600)];
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
          OwnerTables.table(db, "ix:" + s.items.oid() + ":by_name", KeyCodecs.STRING, ValueCodecs.BYTES);
      final List<String> badNames = new ArrayList<>();
      db.write(txn -> {
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
        scan("items.select", items, bad.get(s.items.oid()),
            c -> readAll(s.items.select(txn, KeyRange.all()), c));
        scan("items.page", items, bad.get(s.items.oid()),
            c -> s.items.page(txn, KeyRange.all()).rows().size());
        scan("byGroup.records", items, bad.get(s.items.oid()),
            c -> s.byGroup.records(txn, group, 0, ROWS).rows().size());
        for (int i = 0; i < ROWS; i++) {
          final String name = "item-" + i;
          if (badNames.contains(name)) {
            expect("byName.key", "ix:" + s.items.oid() + ":by_name|" + s.items.name() + ".by_name|by_name",
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
    final int reported = outcomes.entrySet().stream()
        .filter(e -> e.getKey().endsWith("=corrupt")).mapToInt(Map.Entry::getValue).sum();
    final int[] flips = singleBitFlips(rnd);
    Reliability.report(
        "corruptValues",
        "valuesCorrupted", corrupted,
        "bitFlips", flips[0],
        "bitFlipsReadSilentlyWrong", flips[1],
        "reads", outcomes.values().stream().mapToInt(Integer::intValue).sum(),
        "reportedCorrupt", reported,
        "problems", problems.size(),
        "seed", seed,
        "outcomes", outcomes.toString().replace(" ", ""));
    assertThat(problems).as("seed %d", seed).isEmpty();
    assertThat(reported).isPositive();
  }

  /**
   * What a checksum would catch: flips one random bit in each of 500 valid CBOR rows and counts
   * the rows that still decode, to a different value, with no error at all. No assertion: Lodestore
   * has no value checksums (see the report of issue 7), so this is a figure, not a failure.
   *
   * @return {flipped, decoded silently to a different value}
   */
  private int[] singleBitFlips(final SplittableRandom rnd) {
    final CborCodec<Item> codec = CborCodec.of(Item.class);
    int silent = 0;
    final int n = 500;
    for (int i = 0; i < n; i++) {
      final Item item = new Item("item-" + rnd.nextInt(1000), new UUID(rnd.nextLong(), rnd.nextLong()),
          "payload " + rnd.nextInt());
      final java.nio.ByteBuffer encoded = codec.encode(item);
      final byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      final int bit = rnd.nextInt(bytes.length * 8);
      bytes[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        if (!item.equals(codec.decode(FuzzSupport.stored(bytes)))) {
          silent++;
        }
      } catch (CorruptValueException e) {
        // detected
      }
    }
    return new int[] {n, silent};
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
      // a page or records() stops at the first corrupt row: it must be one of the victims
      if (victims.stream().noneMatch(
          v -> String.valueOf(v).equals(e.key()) || encodedHex(v).equals(e.key()))) {
        problem(what + ": corrupt key " + e.key() + " is not one that was overwritten");
      }
      named(what, table, null, e);
    } catch (RuntimeException e) {
      problem(what + " threw " + e);
    }
  }

  private void expect(final String what, final String table, final Object key, final Runnable read) {
    try {
      read.run();
      count(what, "decoded");
    } catch (CorruptValueException e) {
      named(what, table, key, e);
    } catch (RuntimeException e) {
      problem(what + " of " + key + " threw " + e + " instead of CorruptValueException");
    }
  }

  private void expect(final String what, final String table, final Object key,
      final java.util.function.Supplier<?> read) {
    expect(what, table, key, (Runnable) read::get);
  }

  /** Checks that {@code e} names {@code table} and (if given) {@code key}. */
  private void named(final String what, final String table, final Object key,
      final CorruptValueException e) {
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
    return org.lodestore.core.LodestoreException.describeKey(java.util.Arrays.copyOf(b.array(), b.position()));
  }

  /**
   * Was a known defect, fixed (the scan decodes the key for the message): a corrupt value met by a
   * scan ({@code Cursor.value()}/{@code valueInto()}, and
   * so {@code page}, {@code records}, iteration) names its key as the hex of the encoded key
   * ({@code key=0x0a44de45...}), while {@code get} of the same row names the typed key ({@code
   * key=0a44de45-29bc-...}). The row reader passes the raw key buffer; it should decode it with
   * the table's key codec (falling back to hex only if the key itself does not decode).
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
      db.write(txn -> {
        s.items.put(txn, a, new Item("a", group, ""));
        s.items.put(txn, b, new Item("b", group, ""));
      });
      final Table<UUID, byte[]> raw = OwnerTables.table(db, s.items.oid(), KeyCodecs.UUID, ValueCodecs.BYTES);
      db.write(txn -> {
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
      db.read(txn -> {
        assertThat(s.items.get(txn, a).name()).isEqualTo("a2");
        assertThat(s.byName.key(txn, "a2")).isEqualTo(a);
        assertThat(s.byName.contains(txn, "a")).isFalse();
        assertThat(s.items.contains(txn, b)).isFalse();
        assertThat(s.byName.contains(txn, "b")).isFalse();
        assertThat(s.byGroup.contains(txn, group, b)).isFalse();
        return null;
      });
    }
  }
}
