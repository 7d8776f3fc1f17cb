package org.lodestore.benchmarks.peer;

import org.lodestore.core.ChangeFeed;
import org.lodestore.core.Database;
import org.lodestore.core.FeedEntry;

/**
 * What stands in for a shipper in the write benchmarks ({@link FeedMode#ON}): a subscription to the
 * database's change feed that is given every entry after its commit, on the subscription's thread,
 * and acknowledges the last one it was given at most every {@value #ACK_EVERY_MILLIS} ms (a shipper
 * that keeps up acknowledges after each Kafka transaction, a few to a few tens of ms apart). Each
 * acknowledgement is a write transaction of its own, and the commits after it trim what it
 * acknowledged: the work a shipped feed costs the leader, without Kafka.
 */
final class FeedAcknowledger implements AutoCloseable {

  /** The most time between two acknowledgements while entries arrive. */
  static final long ACK_EVERY_MILLIS = 10;

  private final ChangeFeed feed;
  private final ChangeFeed.Subscription subscription;
  private long lastAckNanos = System.nanoTime();
  private volatile long given;
  private volatile long acknowledgements;

  FeedAcknowledger(Database db) {
    feed = db.feed();
    subscription = feed.subscribe(feed.lastSeq() + 1, this::accept);
  }

  private void accept(FeedEntry entry) {
    given = entry.seq();
    long now = System.nanoTime();
    if (now - lastAckNanos >= ACK_EVERY_MILLIS * 1_000_000L) {
      feed.acknowledge(entry.seq());
      lastAckNanos = now;
      acknowledgements++;
    }
  }

  /** The seq of the last entry it was given (0 for none). */
  long given() {
    return given;
  }

  /** How many acknowledgements it made. */
  long acknowledgements() {
    return acknowledgements;
  }

  /** Why its subscription ended by itself, or null. */
  Throwable failure() {
    return subscription.failure().orElse(null);
  }

  /** Ends the subscription (before the database is closed). */
  @Override
  public void close() {
    subscription.close();
  }
}
