package org.lodestore.benchmarks.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.Rows;

/**
 * One store behind the workloads of issue 6: the single interface through which the JMH benchmarks
 * compare implementations (the Caffeine pattern). {@link Impl} creates the adapters.
 *
 * <p>Contract shared by all implementations, so that they do the same work:
 *
 * <ul>
 *   <li>Every read runs in its own read transaction (or the store's equivalent) and returns data
 *       the caller may keep: a {@link Market} record or a scan checksum.
 *   <li>Markets are keyed by the 16-byte UUID layout of {@link org.lodestore.benchmarks.data.Keys},
 *       ticks by (series UUID, time); stores with their own key types (SQL, MapDB tuples) use the
 *       equivalent native types with the same order within a series.
 *   <li>{@link #insert} is an insert, not an upsert: an existing oid or name fails the whole batch,
 *       which is one transaction. It maintains the indexes {@link StoreOptions#indexes()} asks for.
 *   <li>A workload the store cannot do throws {@link UnsupportedWorkloadException}; {@link Impl}
 *       declares which ones and why, so the report lists them instead of skipping them.
 * </ul>
 *
 * <p>An adapter is used by one thread at a time: it owns its codecs, reusable buffers and reused
 * views, as a single-threaded client of its store would. The concurrent workloads (W6, W7) give
 * each thread its own {@link #forThread()} handle on the one open store.
 */
public interface StoreAdapter extends AutoCloseable {
  /** Rows per transaction when loading a dataset. */
  int LOAD_BATCH = 10_000;

  /** The implementation this adapter belongs to. */
  Impl impl();

  /** Loads markets {@code 0 .. data.markets() - 1} in transactions of {@link #LOAD_BATCH}. */
  default void loadMarkets(Dataset data) {
    List<Market> batch = new ArrayList<>(LOAD_BATCH);
    for (int i = 0; i < data.markets(); i++) {
      batch.add(data.market(i));
      if (batch.size() == LOAD_BATCH) {
        insert(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      insert(batch);
    }
  }

  /** Loads every tick of every series of {@code data}. */
  default void loadTicks(Dataset data) {
    throw new UnsupportedWorkloadException(impl(), Workload.W3);
  }

  /** W1: the market with key {@code oid}, decoded; {@code null} if absent. */
  Market get(UUID oid);

  /** W1 one-field variant: the price of market {@code oid}; {@code NaN} if absent. */
  double price(UUID oid);

  /**
   * W2: inserts {@code batch} in one transaction, maintaining the configured indexes.
   *
   * @throws IllegalStateException if an oid or (with an index) a name exists; nothing is written
   */
  default void insert(List<Market> batch) {
    throw new UnsupportedWorkloadException(impl(), Workload.W2);
  }

  /**
   * W3: scans the ticks of {@code series} with {@code fromNanos <= time < toNanos} in time order.
   *
   * @return the {@link Rows#fold} checksum of (time, price, size) of every row, from {@link
   *     Rows#EMPTY}
   */
  default long scan(UUID series, long fromNanos, long toNanos) {
    throw new UnsupportedWorkloadException(impl(), Workload.W3);
  }

  /**
   * W4: the latest {@code n} ticks of {@code series}, newest first.
   *
   * @return the {@link Rows#fold} checksum, in that order
   */
  default long latest(UUID series, int n) {
    throw new UnsupportedWorkloadException(impl(), Workload.W4);
  }

  /** W5 unique index: the market named {@code name}; {@code null} if none. */
  default Market getByName(String name) {
    throw new UnsupportedWorkloadException(impl(), Workload.W5);
  }

  /** W5 UUID-set index: the markets of {@code exchange}, in the store's index order. */
  default List<Market> getByExchange(UUID exchange) {
    throw new UnsupportedWorkloadException(impl(), Workload.W5);
  }

  /**
   * A handle on this adapter's open store for one more thread (W6, W7), as a multi-threaded user of
   * the store writes it: it shares the store, its tables and whatever the store documents as safe
   * to share between threads (SQLite: the one writer connection, under a lock), and has its own
   * codecs, buffers and reused views (SQLite: its own read connection). Every method of the handle
   * may run on its thread while other handles run on theirs. Closing the handle releases only what
   * it owns; the store stays open until this adapter is closed.
   */
  StoreAdapter forThread();

  /** Closes the store (a {@link #forThread()} handle: only what the handle owns); idempotent. */
  @Override
  void close();
}
