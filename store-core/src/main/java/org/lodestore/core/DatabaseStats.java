package org.lodestore.core;

import java.util.Map;

/**
 * Sizes of a database and statistics of each of its tables.
 *
 * @param mapSize the current size of the memory map in bytes
 * @param usedBytes the bytes of the map in use (last used page + 1, times the page size)
 * @param pageSize LMDB's page size in bytes
 * @param maxReaders the maximum number of concurrent read transactions
 * @param readersInUse LMDB's reader-table high-water mark: slots used at some point since the
 *     environment was created (it does not go down when transactions end)
 * @param mapGrowths how many times this process grew the map
 * @param tables per table, by name
 */
public record DatabaseStats(
    long mapSize,
    long usedBytes,
    int pageSize,
    int maxReaders,
    int readersInUse,
    int mapGrowths,
    Map<String, TableStats> tables) {

  /**
   * Creates the statistics; the table map is copied.
   *
   * @param mapSize the current size of the memory map in bytes
   * @param usedBytes the bytes of the map in use
   * @param pageSize LMDB's page size in bytes
   * @param maxReaders the maximum number of concurrent read transactions
   * @param readersInUse LMDB's reader-table high-water mark
   * @param mapGrowths how many times this process grew the map
   * @param tables per table, by name
   */
  public DatabaseStats {
    tables = Map.copyOf(tables);
  }
}
