package org.lodestore.benchmarks.peer;

/**
 * How an adapter opens its store.
 *
 * @param sync durability of commits
 * @param indexes maintained indexes: 0 none, 1 the unique {@code name} index, 2 also the UUID-set
 *     {@code exchange -> markets} index
 * @param expectedMarkets rows the market table will hold (only Chronicle Map sizes itself by it)
 * @param valueChecksums whether {@code lodestore-fb} declares its FlatBuffers tables with value
 *     checksums ({@code ValueChecksum.CRC32C}); ignored by every other implementation (measured by
 *     {@code ValueChecksumBenchmark})
 * @param metrics whether {@code lodestore-fb} opens its database with store-micrometer's {@code
 *     LodestoreMetrics} as its listener, bound to a {@code SimpleMeterRegistry} with the map,
 *     reader and row gauges; ignored by every other implementation (measured by {@code
 *     MetricsBenchmark})
 * @param feed whether {@code lodestore-fb} keeps a change feed, and what reads it; ignored by every
 *     other implementation (measured by {@code FeedBenchmark})
 */
public record StoreOptions(
    SyncMode sync,
    int indexes,
    long expectedMarkets,
    boolean valueChecksums,
    boolean metrics,
    FeedMode feed) {
  /** Validates the values. */
  public StoreOptions {
    if (indexes < 0 || indexes > 2) {
      throw new IllegalArgumentException("indexes must be 0, 1 or 2: " + indexes);
    }
    if (feed == null) {
      throw new NullPointerException("feed");
    }
  }

  /** Options without a change feed. */
  public StoreOptions(
      SyncMode sync, int indexes, long expectedMarkets, boolean valueChecksums, boolean metrics) {
    this(sync, indexes, expectedMarkets, valueChecksums, metrics, FeedMode.OFF);
  }

  /** Options without metrics. */
  public StoreOptions(SyncMode sync, int indexes, long expectedMarkets, boolean valueChecksums) {
    this(sync, indexes, expectedMarkets, valueChecksums, false);
  }

  /** Options without value checksums and metrics (every workload of the comparison). */
  public StoreOptions(SyncMode sync, int indexes, long expectedMarkets) {
    this(sync, indexes, expectedMarkets, false, false);
  }
}
