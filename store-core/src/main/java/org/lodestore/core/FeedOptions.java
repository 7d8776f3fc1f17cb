package org.lodestore.core;

/**
 * How a database keeps its change feed (see {@link ChangeFeed}); immutable, set with {@link
 * DatabaseOptions.Builder#changeFeed(FeedOptions)}.
 *
 * <pre>{@code
 * DatabaseOptions.builder()
 *     .changeFeed(FeedOptions.defaults().maxBacklogEntries(100_000))
 *     .build();
 * }</pre>
 *
 * <p>The backlog is what was committed and not yet {@linkplain ChangeFeed#acknowledge acknowledged}
 * (by a shipper, once Kafka holds it). When a commit would take it past either limit, {@link
 * BacklogPolicy#REFUSE} (the default) refuses that commit with {@link FeedBacklogException}, so
 * that a shipper that stopped cannot fill the disk; {@link BacklogPolicy#DROP_OLDEST} drops the
 * oldest unacknowledged entries instead, and a follower that needed them finds a gap and must
 * bootstrap again.
 */
public final class FeedOptions {

  /** What a commit does when the backlog is full. */
  public enum BacklogPolicy {
    /** The commit is refused with {@link FeedBacklogException}; nothing is written. */
    REFUSE,
    /** The oldest unacknowledged entries are dropped to make room. */
    DROP_OLDEST
  }

  private final long maxBacklogEntries;
  private final long maxBacklogBytes;
  private final BacklogPolicy policy;

  private FeedOptions(final long entries, final long bytes, final BacklogPolicy policy) {
    this.maxBacklogEntries = entries;
    this.maxBacklogBytes = bytes;
    this.policy = policy;
  }

  /**
   * A backlog of at most 1,000,000 entries and 1 GiB, refusing commits beyond.
   *
   * @return the defaults
   */
  public static FeedOptions defaults() {
    return new FeedOptions(1_000_000, 1L << 30, BacklogPolicy.REFUSE);
  }

  /**
   * With a backlog of at most {@code entries} unacknowledged entries.
   *
   * @param entries at least 1
   * @return the new options
   */
  public FeedOptions maxBacklogEntries(final long entries) {
    if (entries < 1) {
      throw new IllegalArgumentException("maxBacklogEntries must be at least 1: " + entries);
    }
    return new FeedOptions(entries, maxBacklogBytes, policy);
  }

  /**
   * With a backlog of at most {@code bytes} of unacknowledged entries.
   *
   * @param bytes at least 1
   * @return the new options
   */
  public FeedOptions maxBacklogBytes(final long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maxBacklogBytes must be at least 1: " + bytes);
    }
    return new FeedOptions(maxBacklogEntries, bytes, policy);
  }

  /**
   * With {@code policy} for a full backlog.
   *
   * @param policy what a commit does then
   * @return the new options
   */
  public FeedOptions onBacklogFull(final BacklogPolicy policy) {
    if (policy == null) {
      throw new NullPointerException("policy");
    }
    return new FeedOptions(maxBacklogEntries, maxBacklogBytes, policy);
  }

  /**
   * The most unacknowledged entries.
   *
   * @return the limit
   */
  public long maxBacklogEntries() {
    return maxBacklogEntries;
  }

  /**
   * The most bytes of unacknowledged entries.
   *
   * @return the limit
   */
  public long maxBacklogBytes() {
    return maxBacklogBytes;
  }

  /**
   * What a commit does when the backlog is full.
   *
   * @return the policy
   */
  public BacklogPolicy backlogPolicy() {
    return policy;
  }

  @Override
  public String toString() {
    return "FeedOptions[maxBacklogEntries="
        + maxBacklogEntries
        + ", maxBacklogBytes="
        + maxBacklogBytes
        + ", "
        + policy
        + "]";
  }
}
