package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.time.Instant;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Txn;

/** What the two Lodestore adapters share: opening, batched loading, time conversion. */
final class Lodestores {
  private Lodestores() {}

  /**
   * Opens a Database with default options except durability: {@link SyncMode#SYNC} is Lodestore's
   * default full sync, {@link SyncMode#NO_SYNC} is {@link Durability#NO_SYNC}.
   */
  static Database open(Path dir, StoreOptions options) {
    return Database.open(
        dir,
        DatabaseOptions.builder()
            .durability(options.sync() == SyncMode.SYNC ? Durability.SYNC : Durability.NO_SYNC)
            .build());
  }

  /** One row of a batched load. */
  @FunctionalInterface
  interface RowWriter {
    void write(Txn txn, long row);
  }

  /** Writes rows {@code 0 .. count - 1} in write transactions of {@link StoreAdapter#LOAD_BATCH}. */
  static void inBatches(Database db, long count, RowWriter writer) {
    for (long start = 0; start < count; start += StoreAdapter.LOAD_BATCH) {
      long from = start;
      long to = Math.min(count, start + StoreAdapter.LOAD_BATCH);
      db.write(
          txn -> {
            for (long i = from; i < to; i++) {
              writer.write(txn, i);
            }
          });
    }
  }

  static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
