package org.lodestore.core;

import java.nio.file.Path;

/**
 * A change-feed entry does not follow what a replica applied: an entry is missing (trimmed, lost
 * from the topic, retention shorter than the replica's downtime), it belongs to another generation
 * (the source started a new one), or its hash does not chain (the source diverged); or the replica
 * was written outside its feed since its last entry. Nothing of it was applied; the replica must be
 * bootstrapped again from a fresh copy of the source.
 */
public class FeedGapException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** The replica's position when the entry came, or null. */
  private final transient FeedReplica.Position position;

  /** The seq of the entry that did not follow. */
  private final long entrySeq;

  /**
   * Creates the exception.
   *
   * @param message what does not follow what
   * @param replica the replica's directory
   * @param position the replica's position
   * @param entrySeq the seq of the entry that did not follow
   */
  public FeedGapException(
      final String message,
      final Path replica,
      final FeedReplica.Position position,
      final long entrySeq) {
    super("replica " + replica + ": " + message);
    this.position = position;
    this.entrySeq = entrySeq;
  }

  /**
   * The replica's position when the entry came.
   *
   * @return the position, or null after deserialization
   */
  public FeedReplica.Position position() {
    return position;
  }

  /**
   * The seq of the entry that did not follow.
   *
   * @return the seq
   */
  public long entrySeq() {
    return entrySeq;
  }
}
