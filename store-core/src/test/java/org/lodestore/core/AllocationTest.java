package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;

/**
 * What the read path allocates on a warm path, counted with the JDK's per-thread allocated-bytes
 * counter (an allocation count, not a timing): point reads into a reused view and a scan that
 * re-points one view per row allocate nothing per call or per row.
 */
class AllocationTest {

  private static final int ROWS = 10_000;
  private static final int GETS = 100_000;

  @TempDir Path dir;
  Database db;
  Table<UUID, ByteBuffer> values;
  Table<Tuple2<UUID, Instant>, ByteBuffer> series;
  final UUID[] keys = new UUID[ROWS];
  final UUID seriesId = new UUID(7, 7);
  static final Tuple2KeyCodec<UUID, Instant> SERIES_KEY =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);
  final KeyRange<Tuple2<UUID, Instant>> all = KeyRange.prefix(SERIES_KEY, seriesId);

  private static final com.sun.management.ThreadMXBean THREADS = threads();

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    values = db.table("values", KeyCodecs.UUID, ValueCodecs.VIEW);
    series = db.table("series", SERIES_KEY, ValueCodecs.VIEW);
    for (int i = 0; i < ROWS; i++) {
      keys[i] = new UUID(1, i);
    }
    db.write(
        txn -> {
          final ByteBuffer value = ByteBuffer.allocate(32);
          for (int i = 0; i < ROWS; i++) {
            value.clear().putLong(0, i);
            values.put(txn, keys[i], value);
            series.put(txn, Tuple2.of(seriesId, Instant.ofEpochSecond(1_700_000_000L, i)), value);
          }
        });
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void warmGetIntoAndScan_allocateUnderOneKilobyteInTotal() {
    assumeTrue(
        THREADS != null && THREADS.isThreadAllocatedMemorySupported(),
        "this JVM has no per-thread allocation counter");
    THREADS.setThreadAllocatedMemoryEnabled(true);
    final ByteBuffer[] reuse = new ByteBuffer[1];
    long sum = 0;
    for (int round = 0; round < 30; round++) { // warm: the JIT compiles the paths measured below
      sum += gets(reuse) + scan(reuse);
    }
    final long before = THREADS.getCurrentThreadAllocatedBytes();
    sum += gets(reuse);
    sum += scan(reuse);
    final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(sum).isPositive();
    assertThat(allocated)
        .as("bytes allocated by %d getInto calls and a %d-row scan", GETS, ROWS)
        .isLessThan(1024);
  }

  /** 100,000 {@code getInto} calls re-pointing one view, in one read transaction. */
  private long gets(final ByteBuffer[] reuse) {
    long sum = 0;
    try (Txn txn = db.beginRead()) {
      for (int i = 0; i < GETS; i++) {
        final ByteBuffer v = values.getInto(txn, keys[i % ROWS], reuse[0]);
        reuse[0] = v;
        sum += v.getLong(0);
      }
    }
    return sum;
  }

  /** One scan of every row: {@code valueInto} the reused view and {@code keyView}. */
  private long scan(final ByteBuffer[] reuse) {
    long sum = 0;
    try (Txn txn = db.beginRead();
        Cursor<Tuple2<UUID, Instant>, ByteBuffer> c = series.select(txn, all)) {
      while (c.next()) {
        final ByteBuffer v = c.valueInto(reuse[0]);
        reuse[0] = v;
        sum += v.getLong(0) + c.keyView().get(20);
      }
    }
    return sum;
  }

  private static com.sun.management.ThreadMXBean threads() {
    final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    return bean instanceof com.sun.management.ThreadMXBean
        ? (com.sun.management.ThreadMXBean) bean
        : null;
  }
}
