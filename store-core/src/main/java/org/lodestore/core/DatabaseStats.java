package org.lodestore.core;

import java.util.Map;

/**
 * Sizes of a database and statistics of each of its tables.
 *
 * @param mapSize the current size of the memory map in bytes
 * @param usedBytes the bytes of the map in use (last used page + 1, times the page size)
 * @param pageSize LMDB's page size in bytes
 * @param maxReaders the maximum number of concurrent read transactions
 * @param readersInUse the reader slots in use now, by open read transactions of any process: those
 *     holding a snapshot (a slot kept by a thread's reset read transaction between reads is not
 *     counted; where LMDB's reader list cannot be read, its high-water mark instead)
 * @param staleReadersCleared reader slots of dead processes this database freed since it opened (at
 *     open, when the reader table was full, and every 64 write transactions or second)
 * @param mapGrowths how many times this process grew the map
 * @param groupCommits commits that {@link Database#write} callers shared since the database opened:
 *     a group of two or more callers run as nested transactions of one transaction, which then
 *     committed (see {@link DatabaseOptions#groupCommit()})
 * @param groupedWrites the callers whose writes those shared commits carried (a caller whose
 *     function threw is not counted); {@code groupedWrites / groupCommits} is the mean group size
 * @param tables per table, by name
 */
public record DatabaseStats(
    long mapSize,
    long usedBytes,
    int pageSize,
    int maxReaders,
    int readersInUse,
    long staleReadersCleared,
    int mapGrowths,
    long groupCommits,
    long groupedWrites,
    Map<String, TableStats> tables) {

  /**
   * Creates the statistics; the table map is copied.
   *
   * @param mapSize the current size of the memory map in bytes
   * @param usedBytes the bytes of the map in use
   * @param pageSize LMDB's page size in bytes
   * @param maxReaders the maximum number of concurrent read transactions
   * @param readersInUse the reader slots holding a snapshot now
   * @param staleReadersCleared reader slots of dead processes freed since open
   * @param mapGrowths how many times this process grew the map
   * @param groupCommits shared commits of two or more {@code write} callers
   * @param groupedWrites the callers those shared commits carried
   * @param tables per table, by name
   */
  public DatabaseStats {
    tables = Map.copyOf(tables);
  }
}
