package org.lodestore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.lmdbjava.Env;
import org.lmdbjava.EnvInfo;

/**
 * Checks every key and value LMDB returns before Java reads it: a damaged node (a size or a
 * pointer) otherwise makes Java copy gigabytes, read past the end of the file (SIGBUS, reported as
 * an {@link InternalError}) or outside the map (SIGSEGV). LMDB checks none of it.
 *
 * <p>The rules, all from LMDB's layout:
 *
 * <ul>
 *   <li>in a read transaction a key or value lies in the used part of the map: {@code [map, map +
 *       min((last page + 1) * page size, file size))} (past the end of the file a read would be a
 *       SIGBUS);
 *   <li>one that lies on a page ends in that page, unless it starts right after a page header (an
 *       overflow value, on consecutive pages);
 *   <li>keys are at most 511 bytes;
 *   <li>a write transaction also returns values of the pages it changed, which LMDB keeps outside
 *       the map (and may spill past the last committed page): those are only held to the map's
 *       size;
 *   <li>outside the map LMDB also hands back buffers Lodestore passed in (the key of a lookup by
 *       key and member): in a read transaction those are held to 511 bytes. A damaged node points
 *       at most 128 KiB past its page, so it points outside the map only from a page that close to
 *       the map's end; such a short key or value is the one damage this check lets through.
 * </ul>
 *
 * <p>The map's address comes from {@link UnmappedGuard#mapStart}; where it is unknown, only the
 * rules that need no address hold (lengths within the file's used size, keys of at most 511 bytes).
 *
 * <p>The bounds are cached and refreshed from {@code mdb_env_info} when a check fails, so that
 * pages committed since (by this process or another) and a map that moved when it grew never fail a
 * check: only a key or value that is still out of bounds after the refresh is reported, as {@link
 * CorruptDatabaseException}. The fast path is a volatile read and a few comparisons; the refresh is
 * the only native call, and it runs under the database's gate and never once the environment is
 * released (an unguarded read racing a close then reports the close).
 */
final class StoredBounds {

  /** The map's address (0: unknown), the bytes in use and the map's size, at the last refresh. */
  private record Range(long start, long used, long mapSize) {}

  private final Env<ByteBuffer> env;
  private final Object lock;
  private final BooleanSupplier released;
  private final Path path;
  private final long pageSize;
  private final long pageMask;
  private volatile Range range;

  /**
   * Creates the bounds of one environment.
   *
   * @param env the environment
   * @param lock the lock under which the environment is released
   * @param released whether it is released (read under {@code lock})
   * @param path the database directory, for messages
   * @param pageSize the environment's page size
   */
  StoredBounds(
      final Env<ByteBuffer> env,
      final Object lock,
      final BooleanSupplier released,
      final Path path,
      final int pageSize) {
    this.env = env;
    this.lock = lock;
    this.released = released;
    this.path = path;
    this.pageSize = pageSize;
    this.pageMask = pageSize - 1;
    refresh();
  }

  /**
   * Whether {@code [address, address + length)} lies inside the current map (false when the map's
   * address is unknown). The range is refreshed when the map grows ({@link #refresh}).
   */
  boolean inMap(final long address, final int length) {
    final Range r = range;
    return r != null
        && r.start != 0
        && address >= r.start
        && address + length <= r.start + r.mapSize;
  }

  /**
   * Whether a whole page at {@code address} lies in the used part of the map as last refreshed
   * (false when the map's address is unknown): a page a read transaction may read in place.
   */
  boolean holdsPage(final long address) {
    final Range r = range;
    if (r == null || r.start == 0) {
      return false;
    }
    final long offset = address - r.start;
    return offset >= 0 && (offset & pageMask) == 0 && offset + pageSize <= r.used;
  }

  /** The environment's page size. */
  int pageSize() {
    return (int) pageSize;
  }

  /** Reads the map's range and used size again: at construction, after growth, on a miss. */
  Range refresh() {
    synchronized (lock) {
      if (released.getAsBoolean()) {
        return null;
      }
      final EnvInfo now = env.info();
      final long start = UnmappedGuard.mapStart(env);
      // every page a snapshot reaches was written before its meta page, so it lies in the file;
      // the file may end before the last page (pages allocated and freed again are not written)
      final long used = Math.min((now.lastPageNumber + 1) * pageSize, fileSize());
      final Range r = new Range(start, used, now.mapSize);
      range = r;
      return r;
    }
  }

  /**
   * Checks a key LMDB returned.
   *
   * @param address its address
   * @param length its length
   * @param readTxn whether it came from a read transaction
   * @throws CorruptDatabaseException if it cannot be a key of an intact file
   */
  void checkKey(final long address, final int length, final boolean readTxn) {
    if (length > PageFile.MAX_KEY) {
      throw damaged("a key of " + length + " bytes (LMDB stores at most " + PageFile.MAX_KEY + ")");
    }
    check(address, length, readTxn);
  }

  /**
   * Checks a key or value LMDB returned.
   *
   * @param address its address
   * @param length its length
   * @param readTxn whether it came from a read transaction
   * @throws CorruptDatabaseException if it cannot lie where it lies in an intact file
   */
  void check(final long address, final int length, final boolean readTxn) {
    if (!fits(range, address, length, readTxn)) {
      slow(address, length, readTxn);
    }
  }

  /** Whether a key or value of {@code length} bytes at {@code address} may lie there. */
  private boolean fits(final Range r, final long address, final int length, final boolean readTxn) {
    if (length < 0) {
      return false;
    }
    final long offset = address - r.start;
    if (r.start == 0 || offset < 0 || offset >= r.mapSize) {
      // not in the map: a buffer Lodestore passed in that LMDB handed back (the key of a lookup
      // by key and member), or a page this write transaction changed; or the map is unknown
      return length <= (!readTxn ? r.mapSize : r.start == 0 ? r.used : PageFile.MAX_KEY);
    }
    final long inPage = offset & pageMask;
    return offset + length <= (readTxn ? r.used : r.mapSize)
        && (inPage + length <= pageSize || inPage == PageFile.HEADER);
  }

  private void slow(final long address, final int length, final boolean readTxn) {
    final Range r = refresh();
    if (r == null) {
      throw new InvalidStateException("database " + path + " is closed");
    }
    if (fits(r, address, length, readTxn)) {
      return;
    }
    throw damaged(
        "a key or value of "
            + length
            + " bytes at offset "
            + (address - r.start)
            + " of the map, where "
            + r.used
            + " bytes are in use, lies outside the file or runs"
            + " past its page");
  }

  private long fileSize() {
    try {
      return Files.size(path.resolve("data.mdb"));
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private CorruptDatabaseException damaged(final String what) {
    return new CorruptDatabaseException(
        "the database file is damaged: " + what + "; check it with Verify.run",
        path.resolve("data.mdb"),
        null,
        null);
  }
}
