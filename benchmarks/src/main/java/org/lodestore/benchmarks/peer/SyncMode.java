package org.lodestore.benchmarks.peer;

/**
 * The durability every implementation is configured for in one run. Each adapter maps it to its
 * store's own setting; the mapping is listed in benchmarks/README.md.
 */
public enum SyncMode {
  /** Every commit is fsync'ed before it returns (Lodestore's default). */
  SYNC,
  /** Commits reach the OS but are not fsync'ed; a machine crash may lose recent commits. */
  NO_SYNC;

  /** Parses the JMH parameter value {@code sync} or {@code nosync}. */
  public static SyncMode of(String id) {
    return switch (id) {
      case "sync" -> SYNC;
      case "nosync" -> NO_SYNC;
      default -> throw new IllegalArgumentException("durability must be sync or nosync: " + id);
    };
  }
}
