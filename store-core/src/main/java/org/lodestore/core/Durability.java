package org.lodestore.core;

/** How much a commit waits for the disk; the trade between safety and write speed. */
public enum Durability {
  /**
   * Every commit is flushed (data and meta page) before {@code commit()} returns: an acknowledged
   * commit survives a crash of the process or of the machine. The default.
   */
  SYNC,
  /**
   * Data pages are flushed but the meta page is not: a machine crash may lose the last commit(s),
   * never consistency. A process crash loses nothing. LMDB's {@code MDB_NOMETASYNC}.
   */
  NO_META_SYNC,
  /**
   * Nothing is flushed by commit; the operating system writes pages back when it chooses. A process
   * crash loses nothing; a machine crash may lose recent commits, or (on file systems that reorder
   * writes) corrupt the database. LMDB's {@code MDB_NOSYNC}.
   */
  NO_SYNC
}
