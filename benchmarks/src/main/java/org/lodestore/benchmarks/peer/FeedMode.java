package org.lodestore.benchmarks.peer;

/**
 * Whether {@code lodestore-fb} keeps a change feed, and what reads it (measured by {@code
 * FeedBenchmark}); every other implementation ignores it.
 */
public enum FeedMode {
  /** No change feed (the default). */
  OFF("off"),
  /**
   * A change feed ({@code FeedOptions.defaults()}) read by a {@link FeedAcknowledger}: a
   * subscription that acknowledges what it was given at most every {@value
   * FeedAcknowledger#ACK_EVERY_MILLIS} ms, as a shipper that keeps up with the leader does after
   * each Kafka transaction, so that the feed is trimmed as it would be in production, without
   * Kafka.
   */
  ON("on"),
  /**
   * A change feed that nothing reads or acknowledges: the capture alone (each commit encodes and
   * appends its entry), without trimming, a reader or acknowledgements. A store's backlog grows
   * until it is closed; past {@code FeedOptions}' default limit (1,000,000 entries or 1 GiB) its
   * commits fail, which the benchmarks' stores (a fresh one per W2 iteration, per W6 trial) do not
   * reach.
   */
  CAPTURE("capture");

  private final String id;

  FeedMode(String id) {
    this.id = id;
  }

  /** The JMH parameter value: {@code off}, {@code on} or {@code capture}. */
  public String id() {
    return id;
  }

  /** Parses the JMH parameter value {@code off}, {@code on} or {@code capture}. */
  public static FeedMode of(String id) {
    for (FeedMode mode : values()) {
      if (mode.id.equals(id)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("feed must be off, on or capture: " + id);
  }
}
