package org.lodestore.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;

/**
 * The README's demo: writes a small time series with store-core and scans it back. (The full market
 * data demo of the examples issue replaces this.)
 */
public final class Demo {

  private Demo() {}

  /**
   * Runs the demo in {@code data/demo} under the working directory, starting fresh.
   *
   * @param args ignored
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of("data", "demo");
    deleteRecursively(dir);
    final int series = 100;
    final int perSeries = 1_000;
    try (Database db = Database.open(dir)) {
      final Table<Tuple2<UUID, Instant>, Long> ticks =
          db.table("ticks", KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP), ValueCodecs.LONG);
      final UUID[] ids = new UUID[series];
      final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
      final long start = System.nanoTime();
      db.write(
          txn -> {
            for (int s = 0; s < series; s++) {
              ids[s] = UUID.randomUUID();
              for (int i = 0; i < perSeries; i++) {
                ticks.put(txn, Tuple2.of(ids[s], t0.plusSeconds(i)), (long) s * perSeries + i);
              }
            }
          });
      final Duration wrote = Duration.ofNanos(System.nanoTime() - start);
      long sum = 0;
      long rows = 0;
      try (Txn txn = db.beginRead();
          Cursor<Tuple2<UUID, Instant>, Long> latest =
              ticks.select(txn, KeyRange.<Tuple2<UUID, Instant>>prefix(ids[0]).reversed().limit(5))) {
        while (latest.next()) {
          System.out.printf("  latest of series 0: %s -> %d%n", latest.key().second(), latest.value());
        }
        for (final UUID id : ids) {
          try (Cursor<Tuple2<UUID, Instant>, Long> c = ticks.select(txn, KeyRange.prefix(id))) {
            while (c.next()) {
              sum += c.value();
              rows++;
            }
          }
        }
      }
      final DatabaseStats stats = db.stats();
      System.out.printf(
          "wrote %,d rows in %d ms; scanned %,d rows (checksum %d); %,d bytes used of a %,d byte map%n",
          series * perSeries, wrote.toMillis(), rows, sum, stats.usedBytes(), stats.mapSize());
      final long expected = (long) series * perSeries * (series * perSeries - 1) / 2;
      if (rows != (long) series * perSeries || sum != expected) {
        System.err.println("demo failed: scan returned wrong rows");
        System.exit(1);
      }
    }
  }

  private static void deleteRecursively(final Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var paths = java.nio.file.Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
