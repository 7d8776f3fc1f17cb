package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * Map growth (DESIGN.md, "Transactions"): {@code write(fn)} grows a full map and retries, so its
 * callers never see MAP_FULL while growth is possible; explicit transactions, {@code
 * autoGrow(false)} and the maximum map size surface {@link MapFullException}, and a transaction
 * that hit it writes nothing.
 */
@Tag("slow")
class MapGrowthTest {

  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  private static DatabaseOptions.Builder oneMiB() {
    return DatabaseOptions.builder().initialMapSize(MIB).durability(Durability.NO_SYNC);
  }

  /** Deterministic value of {@code length} bytes for {@code key}, so it can be checked later. */
  private static byte[] value(final long seed, final long key, final int length) {
    final byte[] bytes = new byte[length];
    new Random(seed * 31 + key).nextBytes(bytes);
    return bytes;
  }

  private static long crc(final byte[] bytes) {
    final CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }

  @Test
  void write_fromOneMiBMap_stores100MiBWithoutMapFull() {
    final long seed = TestSeed.seed("MapGrowthTest.write_fromOneMiBMap_stores100MiBWithoutMapFull");
    final long target = 100L * MIB;
    final AtomicInteger calls = new AtomicInteger();
    final List<Integer> lengths = new ArrayList<>();
    long stored = 0;
    try (Database db = Database.open(dir.resolve("db"), oneMiB().build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      long key = 0;
      int transactions = 0;
      final Random r = new Random(seed);
      while (stored < target) {
        // each transaction: a few 64 KiB values (overflow pages) and many 1 KiB values
        final long first = key;
        final int big = 8 + r.nextInt(17);
        final int small = 100 + r.nextInt(400);
        final List<Integer> batch = new ArrayList<>();
        for (int i = 0; i < big + small; i++) {
          batch.add(i < big ? 64 * 1024 : 1024);
        }
        db.write(
            txn -> {
              calls.incrementAndGet();
              long k = first;
              for (final int length : batch) {
                t.put(txn, k, value(seed, k, length));
                k++;
              }
            });
        for (final int length : batch) {
          lengths.add(length);
          stored += length;
        }
        key += batch.size();
        transactions++;
      }
      final DatabaseStats stats = db.stats();
      System.out.println(
          "MapGrowthTest: "
              + stored
              + " bytes in "
              + transactions
              + " transactions, "
              + calls.get()
              + " calls of fn, "
              + stats.mapGrowths()
              + " growths, map "
              + stats.mapSize()
              + " bytes, used "
              + stats.usedBytes());
      assertThat(stats.mapGrowths()).isPositive();
      assertThat(stats.mapSize()).isGreaterThanOrEqualTo(stats.usedBytes()).isGreaterThan(target);
      assertThat(calls.get()).as("fn was retried after growth").isGreaterThan(transactions);
      assertThat(stats.tables().get("blobs").entries()).isEqualTo(lengths.size());
      assertThat(stats.tables().get("blobs").overflowPages()).isPositive();
      // every row reads back, bytes checked by CRC against the deterministic content
      try (Txn txn = db.beginRead();
          Cursor<Long, byte[]> c = t.select(txn, KeyRange.all())) {
        long expectedKey = 0;
        while (c.next()) {
          final long k = c.key();
          assertThat(k).isEqualTo(expectedKey);
          final byte[] v = c.value();
          final int length = lengths.get((int) k);
          assertThat(v).hasSize(length);
          assertThat(crc(v)).as("row %d", k).isEqualTo(crc(value(seed, k, length)));
          expectedKey++;
        }
        assertThat(expectedKey).isEqualTo(lengths.size());
      }
    }
    // and after reopening (the grown map is adopted from the file size)
    try (Database db = Database.open(dir.resolve("db"), oneMiB().build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      try (Txn txn = db.beginRead()) {
        assertThat(t.count(txn)).isEqualTo(lengths.size());
        final long last = lengths.size() - 1;
        assertThat(t.get(txn, last)).isEqualTo(value(seed, last, lengths.get((int) last)));
      }
      assertThat(db.stats().mapSize()).isGreaterThan(target);
    }
  }

  @Test
  void write_withAutoGrowOff_throwsMapFullAndWritesNothingOfThatTransaction() {
    try (Database db = Database.open(dir.resolve("db"), oneMiB().autoGrow(false).build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      db.write(txn -> t.put(txn, 0L, new byte[100]));
      final AtomicInteger calls = new AtomicInteger();
      assertThatThrownBy(
              () ->
                  db.write(
                      txn -> {
                        calls.incrementAndGet();
                        t.put(txn, -1L, new byte[] {1});
                        for (long k = 1; k <= 64; k++) {
                          t.put(txn, k, new byte[32 * 1024]);
                        }
                      }))
          .isInstanceOf(MapFullException.class);
      assertThat(calls.get()).as("no retry without autoGrow").isEqualTo(1);
      assertThat(db.stats().mapGrowths()).isZero();
      assertThat(db.stats().mapSize()).isEqualTo(MIB);
      try (Txn txn = db.beginRead()) {
        assertThat(t.count(txn)).isEqualTo(1);
        assertThat(t.contains(txn, -1L)).isFalse();
        assertThat(t.get(txn, 0L)).hasSize(100);
      }
      // the database still works for writes that fit
      db.write(txn -> t.put(txn, 1L, new byte[10]));
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo(2);
    }
  }

  @Test
  void write_beyondMaxMapSize_throwsMapFullNamingTheLimit() {
    final long max = 4L * MIB;
    try (Database db = Database.open(dir.resolve("db"), oneMiB().maxMapSize(max).build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      long committed = 0;
      MapFullException full = null;
      for (long k = 0; k < 1_000 && full == null; k++) {
        final long key = k;
        try {
          db.write(txn -> t.put(txn, key, new byte[64 * 1024]));
          committed++;
        } catch (MapFullException e) {
          full = e;
        }
      }
      assertThat(full).as("the map stopped growing at its maximum").isNotNull();
      assertThat(full.getMessage()).contains(Long.toString(max));
      assertThat(db.stats().mapSize()).isEqualTo(max);
      final long rows = committed;
      try (Txn txn = db.beginRead()) {
        assertThat(t.count(txn)).isEqualTo(rows);
        assertThat(t.contains(txn, rows)).isFalse();
      }
      // one transaction larger than the limit fails the same way and leaves nothing behind
      assertThatThrownBy(
              () ->
                  db.write(
                      txn -> {
                        t.truncate(txn);
                        for (long k = 0; k < 100; k++) {
                          t.put(txn, 10_000 + k, new byte[64 * 1024]);
                        }
                      }))
          .isInstanceOf(MapFullException.class)
          .hasMessageContaining(Long.toString(max));
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo(rows);
    }
  }

  @Test
  void beginWrite_hittingMapFull_throwsMapFull_thenWriteFnSucceeds() {
    try (Database db = Database.open(dir.resolve("db"), oneMiB().build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      long written = 0;
      try (Txn txn = db.beginWrite()) {
        MapFullException full = null;
        for (long k = 0; k < 1_000 && full == null; k++) {
          try {
            t.put(txn, k, new byte[64 * 1024]);
            written++;
          } catch (MapFullException e) {
            full = e;
          }
        }
        assertThat(full).as("an explicit transaction sees the full map").isNotNull();
        assertThat(full.getMessage()).contains("full");
        assertThatThrownBy(() -> t.put(txn, -1L, new byte[1]))
            .as("the transaction is poisoned")
            .isInstanceOf(MapFullException.class);
        assertThatThrownBy(txn::commit).isInstanceOf(MapFullException.class);
      }
      assertThat(written).isPositive();
      assertThat(db.<Long>readAndGet(t::count)).isZero();
      assertThat(db.stats().mapGrowths()).isZero();
      final long rows = written + 10;
      db.write(
          txn -> {
            for (long k = 0; k < rows; k++) {
              t.put(txn, k, new byte[64 * 1024]);
            }
          });
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo(rows);
      assertThat(db.stats().mapGrowths()).isPositive();
    }
  }

  @Test
  void write_whileReaderOfAnotherThreadIsOpen_growsOnceTheReaderCloses() throws Exception {
    try (Database db = Database.open(dir.resolve("db"), oneMiB().build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      db.write(txn -> t.put(txn, 0L, new byte[] {42}));
      final CountDownLatch open = new CountDownLatch(1);
      final AtomicBoolean sawOldSnapshot = new AtomicBoolean();
      final Thread reader =
          new Thread(
              () -> {
                try (Txn txn = db.beginRead()) {
                  open.countDown();
                  Thread.sleep(300);
                  sawOldSnapshot.set(t.count(txn) == 1 && t.get(txn, 0L)[0] == 42);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      reader.start();
      open.await();
      final long start = System.nanoTime();
      db.write(
          txn -> {
            for (long k = 1; k <= 64; k++) {
              t.put(txn, k, new byte[64 * 1024]);
            }
          });
      final long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      reader.join();
      assertThat(sawOldSnapshot).isTrue();
      assertThat(db.stats().mapGrowths()).isPositive();
      assertThat(waitedMillis).as("growth waited for the reader").isGreaterThanOrEqualTo(200);
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo(65);
    }
  }

  @Test
  void write_whenReaderOutlastsGrowTimeout_throwsMapFullNamingTheOpenTransactions()
      throws Exception {
    final DatabaseOptions options = oneMiB().growTimeout(Duration.ofMillis(200)).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      final CountDownLatch open = new CountDownLatch(1);
      final CountDownLatch release = new CountDownLatch(1);
      final Thread reader =
          new Thread(
              () -> {
                try (Txn txn = db.beginRead()) {
                  open.countDown();
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      reader.start();
      open.await();
      try {
        assertThatThrownBy(
                () ->
                    db.write(
                        txn -> {
                          for (long k = 0; k < 64; k++) {
                            t.put(txn, k, new byte[64 * 1024]);
                          }
                        }))
            .isInstanceOf(MapFullException.class)
            .hasMessageContaining("open transaction");
      } finally {
        release.countDown();
        reader.join();
      }
      assertThat(db.<Long>readAndGet(t::count)).isZero();
    }
  }

  @Test
  void write_whileReaderNestsReadTransactions_growsWithoutWaitingForTheTimeout() throws Exception {
    final DatabaseOptions options = oneMiB().growTimeout(Duration.ofSeconds(20)).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      final CountDownLatch outerOpen = new CountDownLatch(1);
      final AtomicBoolean innerBegan = new AtomicBoolean();
      final Thread reader =
          new Thread(
              () -> {
                try (Txn outer = db.beginRead()) {
                  outerOpen.countDown();
                  Thread.sleep(300); // the writer is growing by now, waiting for this transaction
                  try (Txn inner = db.beginRead()) {
                    innerBegan.set(t.count(inner) == t.count(outer));
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      reader.start();
      outerOpen.await();
      final long start = System.nanoTime();
      db.write(
          txn -> {
            for (long k = 0; k < 64; k++) {
              t.put(txn, k, new byte[64 * 1024]);
            }
          });
      final long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      reader.join();
      assertThat(innerBegan).as("nested read began during the growth").isTrue();
      assertThat(waitedMillis)
          .as("growth waited for the reader, not the timeout")
          .isLessThan(10_000);
      assertThat(db.stats().mapGrowths()).isPositive();
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo(64);
    }
  }

  @Test
  void write_withReadTransactionOpenOnSameThread_refusesNamingTheReadTransactionAndWritesNothing() {
    try (Database db = Database.open(dir.resolve("db"), oneMiB().build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      try (Txn mine = db.beginRead()) {
        assertThatThrownBy(
                () ->
                    db.write(
                        txn -> {
                          for (long k = 0; k < 64; k++) {
                            t.put(txn, k, new byte[64 * 1024]);
                          }
                        }))
            .isInstanceOf(InvalidStateException.class)
            .isNotInstanceOf(MapFullException.class)
            .hasMessageContaining("this thread holds an open transaction (a read transaction)")
            .hasMessageContaining("close it before db.write")
            .hasCauseInstanceOf(MapFullException.class);
        assertThat(mine.isOpen()).isTrue();
      }
      assertThat(db.<Long>readAndGet(t::count)).isZero();
      assertThat(db.stats().mapGrowths()).isZero();
    }
  }

  @Test
  void write_concurrentWritersAndReaders_neverSeeMapFullAndLoseNothing() throws Exception {
    final long seed =
        TestSeed.seed(
            "MapGrowthTest.write_concurrentWritersAndReaders_neverSeeMapFullAndLoseNothing");
    try (Database db = Database.open(dir.resolve("db"), oneMiB().build())) {
      final Table<Long, byte[]> t = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      final int writers = 2;
      final int batches = 40;
      final AtomicBoolean done = new AtomicBoolean();
      final ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
      final List<Future<?>> work = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        final long base = w * 1_000_000L;
        work.add(
            pool.submit(
                () -> {
                  for (int b = 0; b < batches; b++) {
                    final long first = base + b * 16L;
                    db.write(
                        txn -> {
                          for (long k = first; k < first + 16; k++) {
                            t.put(txn, k, value(seed, k, 32 * 1024));
                          }
                        });
                  }
                  return null;
                }));
      }
      final List<Future<Long>> readers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        readers.add(
            pool.submit(
                () -> {
                  long reads = 0;
                  while (!done.get()) {
                    try (Txn txn = db.beginRead()) {
                      final long count = t.count(txn);
                      if (count % 16 != 0) {
                        throw new AssertionError("saw a partial transaction: " + count + " rows");
                      }
                      reads++;
                    }
                  }
                  return reads;
                }));
      }
      for (final Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }
      done.set(true);
      for (final Future<Long> f : readers) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
      }
      pool.shutdown();
      assertThat(db.stats().mapGrowths()).isPositive();
      try (Txn txn = db.beginRead()) {
        assertThat(t.count(txn)).isEqualTo((long) writers * batches * 16);
        for (int w = 0; w < writers; w++) {
          final long k = w * 1_000_000L + batches * 16L - 1;
          assertThat(t.get(txn, k)).isEqualTo(value(seed, k, 32 * 1024));
        }
      }
    }
  }
}
