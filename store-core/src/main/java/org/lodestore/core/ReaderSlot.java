package org.lodestore.core;

/**
 * One slot of LMDB's reader table (in {@code lock.mdb}, shared by every process that has the
 * database open), as {@link Database#readers()} lists it.
 *
 * @param pid the process that took the slot
 * @param thread the native thread that took it, as LMDB prints it (hexadecimal)
 * @param txnId the transaction whose snapshot it holds, or -1 when it holds none (a read
 *     transaction a thread keeps between reads)
 * @param processAlive whether a process with that id runs on this machine now (as {@link
 *     ProcessHandle#of} sees it, within this process's PID namespace)
 */
public record ReaderSlot(long pid, String thread, long txnId, boolean processAlive) {

  /**
   * Whether the slot belongs to a process that is gone: it holds its snapshot, and so pins the
   * pages of that snapshot, until it is freed ({@link Database#clearStaleReaders()}).
   *
   * @return true if its process no longer runs
   */
  public boolean stale() {
    return !processAlive;
  }
}
