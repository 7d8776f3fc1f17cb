package org.lodestore.benchmarks.peer;

/**
 * The durability every implementation is configured for in one run. Each adapter maps it to its
 * store's own setting; the mapping is listed in benchmarks/README.md.
 */
public enum SyncMode {
  /** Every commit is fsync'ed before it returns (Lodestore's default). */
  SYNC("sync"),
  /**
   * The level between, where a store has one: LMDB's {@code MDB_NOMETASYNC} (a commit flushes its
   * data pages but not the meta page that makes it the newest: one sync per commit instead of two)
   * or the closest setting of the other stores (SQLite {@code synchronous=NORMAL}, a RocksDB WAL
   * written without sync, ...). A commit survives a crash of the process; a crash of the machine
   * may lose the latest commits, never consistency.
   */
  META_NO_SYNC("meta-nosync"),
  /** Commits reach the OS but are not fsync'ed; a machine crash may lose recent commits. */
  NO_SYNC("nosync");

  private final String id;

  SyncMode(String id) {
    this.id = id;
  }

  /** The JMH parameter value: {@code sync}, {@code meta-nosync} or {@code nosync}. */
  public String id() {
    return id;
  }

  /** Parses the JMH parameter value {@code sync}, {@code meta-nosync} or {@code nosync}. */
  public static SyncMode of(String id) {
    for (SyncMode mode : values()) {
      if (mode.id.equals(id)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("durability must be sync, meta-nosync or nosync: " + id);
  }
}
