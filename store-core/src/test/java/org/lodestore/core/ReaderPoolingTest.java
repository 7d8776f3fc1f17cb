package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Read transactions reuse LMDB's transaction and cursors underneath ({@link TxnGate}, {@link
 * LmdbReader}); to the user each begin is a new transaction, and what the last one handed out stays
 * ended.
 */
class ReaderPoolingTest {

  @TempDir Path dir;
  Database db;

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  private Table<UUID, ByteBuffer> open(final DatabaseOptions options) {
    db = Database.open(dir.resolve("db"), options);
    return db.table("values", KeyCodecs.UUID, ValueCodecs.VIEW);
  }

  private static ByteBuffer bytes(final long n) {
    return ByteBuffer.allocate(8).putLong(0, n);
  }

  @Test
  void nextReadOnSameThread_seesCommitsMadeSinceTheLast() {
    final Table<UUID, ByteBuffer> t = open(DatabaseOptions.defaults());
    final UUID id = UUID.randomUUID();
    for (long n = 1; n <= 50; n++) {
      final long value = n;
      db.write(txn -> t.put(txn, id, bytes(value)));
      assertThat(db.<Long>readAndGet(txn -> t.get(txn, id).getLong(0))).isEqualTo(n);
      try (Txn txn = db.beginRead();
          Cursor<UUID, ByteBuffer> c = t.select(txn, KeyRange.all())) {
        assertThat(c.next()).isTrue();
        assertThat(c.value().getLong(0)).isEqualTo(n);
      }
    }
  }

  @Test
  void endedTransaction_staysEnded_whenTheThreadBeginsAnother() {
    final Table<UUID, ByteBuffer> t = open(DatabaseOptions.defaults());
    final UUID id = UUID.randomUUID();
    db.write(txn -> t.put(txn, id, bytes(42)));
    final Txn first = db.beginRead();
    final ByteBuffer view = t.get(first, id);
    final Cursor<UUID, ByteBuffer> cursor = t.select(first, KeyRange.all());
    assertThat(cursor.next()).isTrue();
    final ByteBuffer keyBytes = cursor.keyView();
    first.close();
    try (Txn second = db.beginRead()) {
      assertThat(second).isNotSameAs(first);
      assertThat(first.isOpen()).isFalse();
      assertThat(second.isOpen()).isTrue();
      assertThatThrownBy(() -> t.get(first, id)).isInstanceOf(InvalidStateException.class);
      assertThatThrownBy(cursor::next).isInstanceOf(InvalidStateException.class);
      assertThatThrownBy(cursor::keyView).isInstanceOf(InvalidStateException.class);
      assertThatThrownBy(() -> view.getLong(0)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> keyBytes.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
      // the second transaction's own cursor (LMDB's renewed one underneath) reads normally
      try (Cursor<UUID, ByteBuffer> c = t.select(second, KeyRange.all())) {
        assertThat(c.next()).isTrue();
        assertThat(c.value().getLong(0)).isEqualTo(42);
        assertThat(c.keyView().remaining()).isEqualTo(16);
      }
      // the old view, handed in, is adopted by the new transaction as before
      assertThat(t.getInto(second, id, view).getLong(0)).isEqualTo(42);
    }
  }

  @Test
  void nestedReadsOnOneThread_eachHaveTheirOwnSnapshot() {
    final Table<UUID, ByteBuffer> t = open(DatabaseOptions.defaults());
    final UUID id = UUID.randomUUID();
    db.write(txn -> t.put(txn, id, bytes(1)));
    try (Txn outer = db.beginRead()) {
      db.write(txn -> t.put(txn, id, bytes(2)));
      try (Txn inner = db.beginRead()) {
        assertThat(t.get(inner, id).getLong(0)).isEqualTo(2);
        assertThat(t.get(outer, id).getLong(0)).isEqualTo(1);
      }
      assertThat(t.get(outer, id).getLong(0)).isEqualTo(1);
    }
  }

  @Test
  void droppedAndRecreatedTable_isScannedThroughAFreshCursor() {
    final Table<UUID, ByteBuffer> t = open(DatabaseOptions.defaults());
    final UUID id = UUID.randomUUID();
    db.write(txn -> t.put(txn, id, bytes(1)));
    try (Txn txn = db.beginRead();
        Cursor<UUID, ByteBuffer> c = t.select(txn, KeyRange.all())) {
      assertThat(c.next()).isTrue(); // LMDB's cursor on "values" is now kept by this thread
    }
    db.write(txn -> db.dropTable(txn, "values"));
    final Table<UUID, ByteBuffer> again = db.table("values", KeyCodecs.UUID, ValueCodecs.VIEW);
    db.write(txn -> again.put(txn, id, bytes(7)));
    try (Txn txn = db.beginRead();
        Cursor<UUID, ByteBuffer> c = again.select(txn, KeyRange.all())) {
      assertThat(c.next()).isTrue();
      assertThat(c.value().getLong(0)).isEqualTo(7);
    }
    assertThatThrownBy(() -> db.readAndGet(txn -> t.get(txn, id)))
        .isInstanceOf(InvalidStateException.class);
  }

  @Test
  void mapGrowth_withKeptReadTransactionsOfOtherThreads_growsAndTheyReadTheNewMap()
      throws Exception {
    final Table<UUID, ByteBuffer> t =
        open(DatabaseOptions.builder().initialMapSize(1L << 20).build());
    final UUID id = UUID.randomUUID();
    db.write(txn -> t.put(txn, id, bytes(5)));
    final CountDownLatch readOnce = new CountDownLatch(1);
    final CountDownLatch grown = new CountDownLatch(1);
    final AtomicReference<Object> seen = new AtomicReference<>();
    final Thread reader =
        new Thread(
            () -> {
              try {
                db.read(txn -> t.get(txn, id).getLong(0)); // keeps its LMDB transaction after
                readOnce.countDown();
                grown.await(30, TimeUnit.SECONDS);
                seen.set(db.readAndGet(txn -> t.count(txn)));
              } catch (Throwable e) {
                seen.set(e);
              }
            });
    reader.start();
    assertThat(readOnce.await(30, TimeUnit.SECONDS)).isTrue();
    final long before = db.stats().mapSize();
    final byte[] big = new byte[64 * 1024];
    for (int i = 0; i < 64; i++) {
      db.write(
          txn ->
              db.table(txn, "big", KeyCodecs.UUID, ValueCodecs.BYTES)
                  .put(txn, UUID.randomUUID(), big));
    }
    assertThat(db.stats().mapSize()).isGreaterThan(before);
    grown.countDown();
    reader.join(30_000);
    assertThat(seen.get()).isEqualTo(1L);
  }

  @Test
  void close_withKeptReadTransactionsOfLiveThreads_releasesTheDatabase() throws Exception {
    final Table<UUID, ByteBuffer> t = open(DatabaseOptions.defaults());
    final UUID id = UUID.randomUUID();
    db.write(txn -> t.put(txn, id, bytes(9)));
    final CountDownLatch read = new CountDownLatch(4);
    final CountDownLatch done = new CountDownLatch(1);
    final List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      final Thread th =
          new Thread(
              () -> {
                db.read(txn -> t.get(txn, id).getLong(0));
                read.countDown();
                try {
                  done.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      th.start();
      threads.add(th);
    }
    assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();
    db.close();
    // the environment was released although four live threads kept their read transactions
    final Database reopened = Database.open(dir.resolve("db"));
    try {
      final Table<UUID, ByteBuffer> again =
          reopened.table("values", KeyCodecs.UUID, ValueCodecs.VIEW);
      assertThat(reopened.<Long>readAndGet(txn -> again.get(txn, id).getLong(0))).isEqualTo(9L);
    } finally {
      reopened.close();
      done.countDown();
      for (final Thread th : threads) {
        th.join(30_000);
      }
    }
  }

  @Test
  void manyReadingThreads_keepAtMostAQuarterOfTheReaderTable_andNeverFillIt() throws Exception {
    final Table<UUID, ByteBuffer> t = open(DatabaseOptions.builder().maxReaders(64).build());
    final UUID id = UUID.randomUUID();
    db.write(txn -> t.put(txn, id, bytes(3)));
    final int threads = 100; // more threads than reader slots, each reading and staying alive
    final CountDownLatch read = new CountDownLatch(threads);
    final CountDownLatch done = new CountDownLatch(1);
    final List<Thread> started = new ArrayList<>();
    final List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      for (int i = 0; i < threads; i++) {
        final Thread th =
            new Thread(
                () -> {
                  try {
                    for (int k = 0; k < 10; k++) {
                      db.read(txn -> t.get(txn, id).getLong(0));
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                  read.countDown();
                  try {
                    done.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        th.start();
        started.add(th);
      }
      assertThat(read.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(errors).isEmpty();
      assertThat(db.gate.pooledReaders()).isBetween(1, 16);
      assertThat(db.stats().readersInUse()).isZero(); // kept ones hold no snapshot
    } finally {
      done.countDown();
      for (final Thread th : started) {
        th.join(30_000);
      }
    }
    db.stats(); // frees the slots of the threads that ended
    assertThat(db.gate.pooledReaders()).isLessThanOrEqualTo(1); // this thread's, if any
  }

  @Test
  void readerPoolingOff_readsAndWritesAsBefore() {
    final Table<UUID, ByteBuffer> t = open(DatabaseOptions.builder().readerPooling(false).build());
    final UUID id = UUID.randomUUID();
    db.write(txn -> t.put(txn, id, bytes(11)));
    assertThat(db.<Long>readAndGet(txn -> t.get(txn, id).getLong(0))).isEqualTo(11L);
    assertThat(db.gate.pooledReaders()).isZero();
  }
}
