package org.lodestore.reliability;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads LMDB's reader table from {@code lock.mdb}, independently of Lodestore and lmdbjava, to
 * count the reader slots a process holds (a leaked or stale slot is one whose pid is set while no
 * transaction of that process should be open).
 *
 * <p>Use it only where losing this process's POSIX locks on {@code lock.mdb} does not matter (at
 * the end of a single-process test): closing any descriptor of the file drops them, and LMDB relies
 * on them to know that the environment is in use. The library itself never opens the file for that
 * reason; it counts readers through LMDB's {@code mdb_reader_list}.
 *
 * <pre>
 *  lock.mdb (LMDB 0.9, Linux x86_64, POSIX robust mutexes; little-endian)
 *    0   uint32 magic 0xBEEFC0DE
 *    4   uint32 format
 *    8   pthread_mutex_t reader mutex (40 bytes)
 *   48   uint64 last committed txnid
 *   56   uint32 numreaders  (high-water mark: slots ever used, never decremented)
 *   64   write mutex, padded to a cache line
 *  128   reader slots, 64 bytes each:
 *          +0  uint64 txnid of the snapshot (-1 when idle)
 *          +8  int32  pid (0 when the slot is free)
 *          +16 pthread_t tid
 * </pre>
 */
final class LockFile {

  private static final int MAGIC = 0xBEEFC0DE;
  private static final int NUM_READERS = 56;
  private static final int READERS = 128;
  private static final int SLOT = 64;
  private static final int SLOT_PID = 8;

  private LockFile() {}

  /**
   * The number of reader slots held by process {@code pid}.
   *
   * @param dir the database directory
   * @param pid the process
   * @return slots whose pid is {@code pid}
   * @throws IOException if the lock file cannot be read
   * @throws IllegalStateException if the file does not have LMDB's layout
   */
  static int slotsHeldBy(final Path dir, final long pid) throws IOException {
    return count(dir, pid, false);
  }

  /**
   * The number of reader slots of process {@code pid} that hold a snapshot (an open read
   * transaction); a slot kept by a pooled, reset transaction (txnid -1) holds none.
   *
   * @param dir the database directory
   * @param pid the process
   * @return slots whose pid is {@code pid} and whose txnid is set
   * @throws IOException if the lock file cannot be read
   * @throws IllegalStateException if the file does not have LMDB's layout
   */
  static int snapshotsHeldBy(final Path dir, final long pid) throws IOException {
    return count(dir, pid, true);
  }

  private static int count(final Path dir, final long pid, final boolean snapshots)
      throws IOException {
    try (FileChannel ch = FileChannel.open(dir.resolve("lock.mdb"), StandardOpenOption.READ)) {
      final MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      map.order(ByteOrder.LITTLE_ENDIAN);
      if (map.getInt(0) != MAGIC) {
        throw new IllegalStateException(
            "lock.mdb magic " + Integer.toHexString(map.getInt(0)) + ", not LMDB's");
      }
      final int used = map.getInt(NUM_READERS);
      int held = 0;
      for (int i = 0; i < used; i++) {
        final int at = READERS + i * SLOT;
        if (at + SLOT > map.capacity()) {
          break;
        }
        if (map.getInt(at + SLOT_PID) == pid && (!snapshots || map.getLong(at) != -1L)) {
          held++;
        }
      }
      return held;
    }
  }

  /**
   * The reader table's high-water mark ({@code mti_numreaders}).
   *
   * @param dir the database directory
   * @return slots ever used
   * @throws IOException if the lock file cannot be read
   */
  static int slotsEverUsed(final Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir.resolve("lock.mdb"), StandardOpenOption.READ)) {
      final MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, 64);
      map.order(ByteOrder.LITTLE_ENDIAN);
      return map.getInt(NUM_READERS);
    }
  }
}
