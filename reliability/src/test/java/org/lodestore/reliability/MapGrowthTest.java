package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.KeyRange;
import org.lodestore.core.MapFullException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * Map growth under load: from a 1 MiB map to at least 200 MiB, written only through {@code
 * Database.write(fn)} while four reader threads read (point gets, zero-copy views, scans). No
 * {@link MapFullException} may reach the writer; readers see only committed rows, byte for byte.
 * The number of resizes ({@code stats().mapGrowths()}) is reported.
 */
@Tag("stress")
class MapGrowthTest {

  private static final long TARGET = 200L << 20;

  @TempDir Path tmp;

  /** What a run saw. */
  private record Outcome(
      long mapSize,
      int growths,
      long rows,
      long mapFull,
      long reads,
      long maxStallMillis,
      List<Throwable> errors) {}

  @Test
  void growFromOneMebibyte_underReaders_noMapFullReachesWriter() throws Exception {
    final long seed = TestSeed.seed("MapGrowthTest");
    final Outcome o = run(seed, tmp.resolve("db"), false, Duration.ofSeconds(30));
    Reliability.report(
        "mapGrowth",
        "fromBytes",
        1 << 20,
        "toBytes",
        o.mapSize,
        "resizes",
        o.growths,
        "rows",
        o.rows,
        "mapFullReachedCaller",
        o.mapFull,
        "readerOps",
        o.reads,
        "maxWriteStallMs",
        o.maxStallMillis,
        "readerErrors",
        o.errors.size(),
        "seed",
        seed);
    assertThat(o.errors).as("reader errors (seed %d)", seed).isEmpty();
    assertThat(o.mapFull).as("MapFullException reaching write(fn) callers").isZero();
    assertThat(o.mapSize).isGreaterThanOrEqualTo(TARGET);
    assertThat(o.growths).isGreaterThanOrEqualTo(8);
  }

  /**
   * Was a known defect, fixed (a thread that holds a transaction no longer waits for the growth):
   * growth waits for every open transaction to end, and {@code begin()} waits while the map grows.
   * A reader that holds one read transaction and begins a second (allowed: "many at once on one
   * thread") waits for the growth, which waits for the reader's first transaction: both stall until
   * {@code growTimeout} and then the writer gets {@link MapFullException}.
   */
  @Test
  void growWhileReadersNestTransactions_noMapFullReachesWriter() throws Exception {
    final long seed = TestSeed.seed("MapGrowthTest-nested");
    final Outcome o = run(seed, tmp.resolve("nested"), true, Duration.ofSeconds(2));
    Reliability.report(
        "mapGrowth-nestedReaders",
        "toBytes",
        o.mapSize,
        "resizes",
        o.growths,
        "mapFullReachedCaller",
        o.mapFull,
        "maxWriteStallMs",
        o.maxStallMillis,
        "readerErrors",
        o.errors.size(),
        "seed",
        seed);
    assertThat(o.errors).isEmpty();
    assertThat(o.mapFull).as("MapFullException reaching write(fn) callers").isZero();
  }

  private static Outcome run(
      final long seed, final Path dir, final boolean nested, final Duration growTimeout)
      throws Exception {
    final SplittableRandom rnd = new SplittableRandom(seed);
    final List<UUID> committed = new CopyOnWriteArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong reads = new AtomicLong();
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    long mapFull = 0;
    long rows = 0;
    long maxStall = 0;
    final long mapSize;
    final int growths;
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder()
                .initialMapSize(1L << 20)
                .durability(Durability.NO_SYNC)
                .growTimeout(growTimeout)
                .build())) {
      final Table<UUID, byte[]> table = db.table("blobs", KeyCodecs.UUID, ValueCodecs.BYTES);
      final Table<UUID, ByteBuffer> views = db.table("blobs", KeyCodecs.UUID, ValueCodecs.VIEW);
      final List<Thread> readers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        final SplittableRandom r = rnd.split();
        final Thread t =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    try {
                      // rows committed before the snapshot began are all in it
                      final int known = committed.size();
                      if (nested) {
                        try (Txn outer = db.beginRead()) {
                          readSome(table, views, outer, committed, known, r);
                          try (Txn inner = db.beginRead()) {
                            readSome(table, views, inner, committed, known, r);
                          }
                        }
                      } else {
                        db.read(
                            txn -> {
                              readSome(table, views, txn, committed, known, r);
                            });
                      }
                      reads.incrementAndGet();
                    } catch (RuntimeException | Error e) {
                      errors.add(e);
                      return;
                    }
                  }
                },
                "growth-reader-" + i);
        t.start();
        readers.add(t);
      }
      try {
        while (db.stats().mapSize() < TARGET) {
          final int n = 16 + rnd.nextInt(64);
          final List<UUID> batch = new ArrayList<>();
          final long started = System.nanoTime();
          try {
            db.write(
                txn -> {
                  batch.clear();
                  for (int i = 0; i < n; i++) {
                    final UUID key = new UUID(rnd.nextLong(), rnd.nextLong());
                    table.put(
                        txn, key, value(key, 4096 + (int) (key.getLeastSignificantBits() & 8191)));
                    batch.add(key);
                  }
                });
            committed.addAll(batch);
            rows += n;
          } catch (MapFullException e) {
            mapFull++;
            if (nested && mapFull >= 3) {
              break; // shown; each one costs growTimeout
            }
          }
          maxStall = Math.max(maxStall, (System.nanoTime() - started) / 1_000_000);
        }
      } finally {
        stop.set(true);
        for (final Thread t : readers) {
          t.join(60_000);
        }
      }
      mapSize = db.stats().mapSize();
      growths = db.stats().mapGrowths();
    }
    return new Outcome(
        mapSize, growths, rows, mapFull, reads.get(), maxStall, new ArrayList<>(errors));
  }

  /** The value of a row: its length and bytes derive from the key, so readers can check it. */
  static byte[] value(final UUID key, final int length) {
    final byte[] v = new byte[length];
    long x = key.getMostSignificantBits();
    for (int i = 0; i < length; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      v[i] = (byte) (x >>> 56);
    }
    return v;
  }

  private static void readSome(
      final Table<UUID, byte[]> table,
      final Table<UUID, ByteBuffer> views,
      final Txn txn,
      final List<UUID> committed,
      final int size,
      final SplittableRandom r) {
    for (int i = 0; i < 4 && size > 0; i++) {
      final UUID key = committed.get(r.nextInt(size));
      final ByteBuffer view = views.get(txn, key);
      if (view == null) {
        throw new AssertionError("committed row " + key + " missing");
      }
      final byte[] expected = value(key, view.remaining());
      for (int j = 0; j < expected.length; j += 509) {
        if (view.get(j) != expected[j]) {
          throw new AssertionError("row " + key + " differs at byte " + j);
        }
      }
    }
    try (Cursor<UUID, byte[]> c = table.select(txn, KeyRange.<UUID>all().limit(3))) {
      while (c.next()) {
        final UUID key = c.key();
        final byte[] v = c.value();
        if (v.length < 4096 || v[0] != value(key, 1)[0]) {
          throw new AssertionError("scanned row " + key + " is not one the writer wrote");
        }
      }
    }
  }
}
