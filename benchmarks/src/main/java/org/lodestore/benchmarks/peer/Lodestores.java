package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseListener;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.FeedOptions;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2KeyCodec;

/**
 * What the two Lodestore adapters share: opening, the schema's identities, batched loading, time
 * conversion.
 */
final class Lodestores {
  /** Oid of the market table (store-schema identifies tables by a stable UUID). */
  static final String MARKET_TABLE_OID = "6d1f3c2a-8b4e-4f7a-9c5d-2e1f0a3b4c5d";

  /** Oid of the tick table. */
  static final String TICK_TABLE_OID = "0a7e5b9c-1d2f-4e3a-8b6c-7d8e9f0a1b2c";

  /** The unique name index of the markets. */
  static final String BY_NAME = "by_name";

  /** The exchange -> markets UUID-set index. */
  static final String BY_EXCHANGE = "by_exchange";

  /** The (series, time) key of the tick table: declared once, it keys it and types its prefixes. */
  static final Tuple2KeyCodec<UUID, Instant> TICK_KEY =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);

  private Lodestores() {}

  /** {@code index}, or an {@link IllegalStateException} if the store was opened without it. */
  static <T> T required(T index, String what) {
    if (index == null) {
      throw new IllegalStateException(
          "the store was opened without the " + what + " index (StoreOptions.indexes)");
    }
    return index;
  }

  /**
   * Opens a Database with default options except durability: {@link SyncMode#SYNC} is Lodestore's
   * default full sync, {@link SyncMode#META_NO_SYNC} is {@link Durability#NO_META_SYNC}, {@link
   * SyncMode#NO_SYNC} is {@link Durability#NO_SYNC}. Concurrent {@code db.write} calls (W6) run
   * with whatever the library does by default for them (group commit, where it has it).
   */
  static Database open(Path dir, StoreOptions options) {
    return open(dir, options, null);
  }

  /** As {@link #open(Path, StoreOptions)}, with {@code listener} if not null. */
  static Database open(Path dir, StoreOptions options, DatabaseListener listener) {
    return open(dir, options, listener, false);
  }

  /**
   * As {@link #open(Path, StoreOptions, DatabaseListener)}, with a change feed ({@code
   * FeedOptions.defaults()}) if {@code feed}.
   */
  static Database open(Path dir, StoreOptions options, DatabaseListener listener, boolean feed) {
    Durability durability =
        switch (options.sync()) {
          case SYNC -> Durability.SYNC;
          case META_NO_SYNC -> Durability.NO_META_SYNC;
          case NO_SYNC -> Durability.NO_SYNC;
        };
    DatabaseOptions.Builder builder = DatabaseOptions.builder().durability(durability);
    if (listener != null) {
      builder.listener(listener);
    }
    if (feed) {
      builder.changeFeed(FeedOptions.defaults());
    }
    return Database.open(dir, builder.build());
  }

  /** One row of a batched load. */
  @FunctionalInterface
  interface RowWriter {
    void write(Txn txn, long row);
  }

  /**
   * Writes rows {@code 0 .. count - 1} in write transactions of {@link StoreAdapter#LOAD_BATCH}.
   */
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
