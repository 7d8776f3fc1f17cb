package org.lodestore.kafka;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.lodestore.core.Attachable;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.FeedEntry;
import org.lodestore.core.KeyRange;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * What the feed tests share: seeds, the short or long form, the {@code RELIABILITY} line, random
 * writes on a leader, a database's contents byte for byte, and reading a topic back.
 */
final class FeedTesting {

  /** {@code -Dlodestore.reliability.long=true} runs the long forms. */
  static final String LONG_PROPERTY = "lodestore.reliability.long";

  private static final SecureRandom FRESH = new SecureRandom();

  private FeedTesting() {}

  /** The seed of one test: {@code -Dlodestore.seed} if set, else a fresh one; printed. */
  static long seed(final String test) {
    final Long fixed = Long.getLong("lodestore.seed");
    final long seed = fixed != null ? fixed : FRESH.nextLong();
    System.out.println(test + " seed=" + seed + " (replay: -Dlodestore.seed=" + seed + ")");
    return seed;
  }

  static boolean longForm() {
    return Boolean.getBoolean(LONG_PROPERTY);
  }

  static int pick(final int shortForm, final int longForm) {
    return longForm() ? longForm : shortForm;
  }

  /** Prints {@code RELIABILITY <name> k1=v1 k2=v2 ...}. */
  static void report(final String name, final Object... figures) {
    final StringBuilder line = new StringBuilder("RELIABILITY ").append(name);
    for (int i = 0; i < figures.length; i += 2) {
      line.append(' ').append(figures[i]).append('=').append(figures[i + 1]);
    }
    System.out.println(line);
  }

  /** Waits until {@code done} holds, polling; false if {@code timeout} passed first. */
  static boolean await(final BooleanSupplier done, final Duration timeout)
      throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  // ------------------------------------------------------------------ the leader's writes

  /**
   * Random writes over plain, checksummed and set tables, with truncates, range deletes, a drop.
   */
  static final class Writes {
    private final Database db;
    private final Random random;
    private final Table<Long, byte[]> plain;
    private final Table<Long, byte[]> checked;
    private final SetTable<Long, UUID> sets;
    private final Table<String, String> doomed;
    private boolean dropped;

    Writes(final Database db, final Random random) {
      this.db = db;
      this.random = random;
      plain = db.table("plain", KeyCodecs.LONG, ValueCodecs.BYTES);
      checked =
          db.table("checked", KeyCodecs.LONG, ValueCodecs.BYTES)
              .withValueChecksum(ValueChecksum.CRC32C);
      sets = db.setTable("sets", KeyCodecs.LONG, KeyCodecs.UUID);
      doomed = db.table("doomed", KeyCodecs.STRING, ValueCodecs.STRING);
    }

    /** One write transaction of a few random changes; returns its feed seq (0 if none). */
    long one() {
      return db.feed().write(this::changes);
    }

    void changes(final Txn txn) {
      for (int op = random.nextInt(8); op >= 0; op--) {
        final long k = random.nextInt(60);
        switch (random.nextInt(10)) {
          case 0, 1, 2 -> plain.put(txn, k, bytes());
          case 3 -> plain.delete(txn, k);
          case 4 -> checked.put(txn, k, bytes());
          case 5 -> sets.add(txn, k, new UUID(0, random.nextInt(4)));
          case 6 -> sets.remove(txn, k, new UUID(0, random.nextInt(4)));
          case 7 -> plain.deleteRange(txn, KeyRange.closed(k, k + 2));
          case 8 -> {
            if (random.nextInt(40) == 0) {
              checked.truncate(txn);
            }
          }
          default -> {
            if (!dropped) {
              doomed.put(txn, "k" + k, "v");
            }
          }
        }
      }
      plain.put(txn, 1_000_000L + random.nextInt(1000), bytes()); // never empty
    }

    /** Drops the "doomed" table (once). */
    void drop() {
      if (!dropped) {
        db.write(txn -> db.dropTable(txn, "doomed"));
        dropped = true;
      }
    }

    private byte[] bytes() {
      final byte[] b = new byte[1 + random.nextInt(40)];
      random.nextBytes(b);
      return b;
    }
  }

  // ------------------------------------------------------------------ contents

  /** Every table but the feed's and the replica's own, as hex pairs (sets as key|member). */
  static Map<String, Map<String, String>> contents(final Database db) {
    final OwnerAccess[] access = new OwnerAccess[1];
    db.attach((Attachable) (d, a) -> access[0] = a);
    final Map<String, Map<String, String>> out = new TreeMap<>();
    try (Txn txn = db.beginRead()) {
      for (final String name : db.tableNames()) {
        if (name.startsWith("__lodestore_feed") || name.equals("__lodestore_replica")) {
          continue;
        }
        final Map<String, String> rows = new TreeMap<>();
        Cursor<byte[], byte[]> c;
        boolean set = true;
        try {
          c =
              access[0]
                  .setTable(txn, name, KeyCodecs.BYTES, KeyCodecs.BYTES)
                  .select(txn, KeyRange.all());
        } catch (SchemaMismatchException e) {
          set = false;
          c =
              access[0]
                  .table(txn, name, KeyCodecs.BYTES, ValueCodecs.BYTES)
                  .select(txn, KeyRange.all());
        }
        try (Cursor<byte[], byte[]> rowsOf = c) {
          while (rowsOf.next()) {
            final String k = HexFormat.of().formatHex(rowsOf.key());
            final String v = HexFormat.of().formatHex(rowsOf.value());
            rows.put(set ? k + "|" + v : k, v);
          }
        }
        out.put((set ? "set " : "") + name, rows);
      }
    }
    return out;
  }

  /** How many rows differ between two contents (missing, extra or changed; tables too). */
  static long mismatches(
      final Map<String, Map<String, String>> a, final Map<String, Map<String, String>> b) {
    long n = 0;
    final TreeMap<String, Map<String, String>> all = new TreeMap<>(a);
    b.forEach(all::putIfAbsent);
    for (final String table : all.keySet()) {
      final Map<String, String> x = a.getOrDefault(table, Map.of());
      final Map<String, String> y = b.getOrDefault(table, Map.of());
      if (!a.containsKey(table) || !b.containsKey(table)) {
        n++;
      }
      for (final Map.Entry<String, String> e : x.entrySet()) {
        if (!e.getValue().equals(y.get(e.getKey()))) {
          n++;
        }
      }
      for (final String k : y.keySet()) {
        if (!x.containsKey(k)) {
          n++;
        }
      }
    }
    return n;
  }

  // ------------------------------------------------------------------ the topic

  /** What a topic holds, read back read_committed and reassembled. */
  record Topic(List<FeedEntry> entries, long records) {

    /** Seqs in {@code [from, to]} the topic lacks. */
    long lost(final long from, final long to) {
      final java.util.BitSet seen = new java.util.BitSet();
      for (final FeedEntry e : entries) {
        if (e.seq() >= from && e.seq() <= to) {
          seen.set((int) (e.seq() - from));
        }
      }
      return (to - from + 1) - seen.cardinality();
    }

    /** Entries whose seq came before (a repeat, or out of order). */
    long duplicated() {
      long n = 0;
      long last = 0;
      for (final FeedEntry e : entries) {
        if (e.seq() <= last) {
          n++;
        }
        last = Math.max(last, e.seq());
      }
      return n;
    }

    /** Entries that do not chain to the one before (same generation, next seq, hash). */
    long chainBreaks() {
      long n = 0;
      for (int i = 1; i < entries.size(); i++) {
        final FeedEntry prev = entries.get(i - 1);
        final FeedEntry e = entries.get(i);
        if (e.seq() == prev.seq() + 1
            && e.generation().equals(prev.generation())
            && !e.follows(prev)) {
          n++;
        }
      }
      return n;
    }

    long lastSeq() {
      return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).seq();
    }
  }

  /** Reads every committed record of the topic's partition 0 and reassembles the entries. */
  static Topic read(final String bootstrap, final String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        Records.consumer(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                8 << 20),
            "test-reader")) {
      final TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      final Assembler assembler = new Assembler(topic);
      final List<FeedEntry> entries = new ArrayList<>();
      long records = 0;
      final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      // read_committed ends at the last stable offset, which moves past a transaction only once
      // its commit marker is written, a moment after commitTransaction() returned: read to the
      // end, then until the end has stayed put for half a second
      long end = c.endOffsets(List.of(tp)).get(tp);
      while (true) {
        while (c.position(tp) < end) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("reading topic " + topic + " timed out");
          }
          for (final ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
            records++; // read_committed: nothing past the last stable offset comes
            final Assembler.Assembled a = assembler.add(r);
            if (a != null) {
              entries.add(a.entry());
            }
          }
        }
        sleep(500);
        final long now = c.endOffsets(List.of(tp)).get(tp);
        if (now == end) {
          return new Topic(entries, records);
        }
        end = now;
      }
    }
  }

  private static void sleep(final long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
