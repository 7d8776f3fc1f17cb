package org.lodestore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Lodestore does to LMDB's files itself, before LMDB maps them, so that a full or damaged file
 * system is a typed exception and never a JVM crash.
 *
 * <h2>Why</h2>
 *
 * LMDB reads its files through memory maps. A mapped page that the file cannot back (the file ends
 * before it, or the file system has no block to give it) raises SIGBUS at its first touch, and
 * SIGBUS kills the JVM. Three ways there are closed here:
 *
 * <ol>
 *   <li>A new database on a full disk. LMDB extends a new {@code lock.mdb} with {@code ftruncate}
 *       (which allocates nothing), maps it and writes its mutexes into the map: no block, SIGBUS.
 *       {@link #reserveLockFile} creates the file first, writing every byte under a temporary name
 *       (a full disk fails that write with ENOSPC), and hard-links it into place, so that LMDB
 *       finds a file of the size it wants, all of it allocated, and never extends it. An existing
 *       {@code lock.mdb} is never touched: another process may have it mapped, and closing a
 *       descriptor of it would drop this process's POSIX locks on it. LMDB writes the meta pages of
 *       a new {@code data.mdb} with {@code pwrite}, which fails cleanly; a file that got only part
 *       of them is emptied again ({@link #resetUnfinished}), since LMDB refuses such a file forever
 *       ("not an LMDB file") although it holds nothing.
 *   <li>A {@code data.mdb} shorter than its newest meta page says (a truncated copy, an interrupted
 *       backup made by another tool). {@link #checkDataFile} reads both meta pages with plain reads
 *       and refuses the file unless every page up to the newest one's last page is in the file, or
 *       is free: LMDB never writes a page that one transaction allocated and freed again, so a
 *       healthy file may end before its last page; the free list then names every missing page, and
 *       LMDB never reads a free page.
 *   <li>A backup that fails half-way. {@link #prepareBackup} and {@link #publishBackup} copy into a
 *       temporary directory inside the target and rename the finished, synced file into place.
 * </ol>
 *
 * <h2>LMDB 0.9 layout read here</h2>
 *
 * All numbers in the machine's byte order; offsets in bytes.
 *
 * <pre>
 * page header   0 pgno (8) | 8 pad (2) | 10 flags (2) | 12 lower (2) | 14 upper (2)
 *               | 16 node offsets (2 each); an overflow page keeps its page count at 12 (4)
 * meta pages 0 and 1, after the header:
 *  16 magic 0xBEEFC0DE (4) | 20 version 1 (4) | 24 address (8) | 32 map size (8)
 *  40 FREE_DBI record (48): 40 pad = page size (4) | 44 flags (2) | 46 depth (2)
 *                           | 48 branch, 56 leaf, 64 overflow pages, 72 entries (8 each)
 *                           | 80 root (8)
 *  88 MAIN_DBI record (48): ... | 128 root (8)
 * 136 last page (8) | 144 txnid (8)
 * node, at its offset: 0 lo (2) | 2 hi (2) | 4 flags (2) | 6 key size (2) | 8 key | data
 *   branch node: child page = lo | hi &lt;&lt; 16 | flags &lt;&lt; 32
 *   leaf node:   data size = lo | hi &lt;&lt; 16;
 *                flag 0x01 (F_BIGDATA): the data is the number of its first overflow page (8)
 * FREE_DBI leaf: key = txnid (8), data = page list: count n (8), then n page numbers (8 each)
 * lock.mdb      (maxReaders - 1) * 64 + 192 bytes: one cache line per reader slot, three for the
 *               header with the mutexes and the first slot (Linux, POSIX robust mutexes)
 * </pre>
 */
final class DataFiles {

  private static final Logger LOG = LoggerFactory.getLogger(DataFiles.class);

  static final String DATA = "data.mdb";
  static final String LOCK = "lock.mdb";

  /** The prefix of a backup's temporary directory inside its target. */
  static final String BACKUP_PREFIX = ".lodestore-backup-";

  private static final boolean LINUX =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final int PAGE_HEADER = 16;
  private static final int P_BRANCH = 0x01;
  private static final int P_LEAF = 0x02;
  private static final int P_META = 0x08;
  private static final int F_BIGDATA = 0x01;
  private static final int NODE_HEADER = 8;
  private static final int MAGIC = 0xBEEFC0DE;
  private static final int VERSION = 1;
  private static final int META_MAGIC = 16;
  private static final int META_VERSION = 20;
  private static final int META_PAGE_SIZE = 40;
  private static final int META_FREE_ROOT = 80;
  private static final int META_MAIN_ROOT = 128;
  private static final int META_LAST_PAGE = 136;
  private static final int META_TXNID = 144;
  private static final int META_END = 152;
  private static final long P_INVALID = -1L;

  private static final int READER_SLOT = 64;
  private static final int LOCK_HEADER = 192;

  /** Fewer bytes free than this, and an EIO from a write is taken for a full disk. */
  private static final long NEARLY_FULL = 1L << 20;

  /** How often a short file is looked at again, in case a writer committed meanwhile. */
  private static final int ATTEMPTS = 5;

  /** The most missing tail pages whose freedom is checked (a bit each). */
  private static final long MAX_TAIL_PAGES = 1L << 28;

  private DataFiles() {}

  // ---------------------------------------------------------------- lock.mdb

  /**
   * The size LMDB 0.9.33 gives a new {@code lock.mdb} for {@code maxReaders} reader slots.
   *
   * @param maxReaders the reader slots
   * @return bytes
   */
  static long lockFileSize(final int maxReaders) {
    return (long) (maxReaders - 1) * READER_SLOT + LOCK_HEADER;
  }

  /**
   * Creates {@code lock.mdb} with all its blocks allocated, unless it exists (see the class
   * comment). Where that is not possible (no hard links, a read-only directory, not Linux) LMDB
   * creates the file itself, as without this step.
   *
   * @param dir the database directory
   * @param options the options it is opened with
   * @throws StorageFullException if the disk has no room for the file
   */
  static void reserveLockFile(final Path dir, final DatabaseOptions options) {
    final Path lock = dir.resolve(LOCK);
    if (!LINUX
        || Files.exists(lock, LinkOption.NOFOLLOW_LINKS)
        || options.readOnly() && !Files.exists(dir.resolve(DATA))) {
      return; // (read-only without data.mdb: LMDB refuses before it would create the lock file)
    }
    final Path temp = dir.resolve(LOCK + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    try {
      // the mode LMDB gives the file (lmdbjava passes 0664), under the same umask
      try (FileChannel ch =
          FileChannel.open(
              temp,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-r--")))) {
        writeZeros(ch, lockFileSize(options.maxReaders()));
      }
      try {
        Files.createLink(lock, temp); // atomic: never replaces a file another opener created
      } catch (FileAlreadyExistsException e) {
        // another process created it meanwhile; LMDB uses that one
      }
    } catch (IOException | UnsupportedOperationException e) {
      if (isFull(e, dir)) {
        throw new StorageFullException(lock, null, null, e);
      }
      LOG.debug("cannot reserve {} ({}); LMDB creates it", lock, e.toString());
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", temp, e.toString());
      }
    }
  }

  private static void writeZeros(final FileChannel ch, final long size) throws IOException {
    final ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 64 << 10));
    for (long pos = 0; pos < size; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
      while (zeros.hasRemaining()) {
        pos += ch.write(zeros, pos);
      }
    }
  }

  /**
   * After the open of a new database failed for want of space: a {@code data.mdb} without both of
   * its meta pages holds nothing, so it is emptied, and the next open starts a new database.
   *
   * @param dir the database directory
   */
  static void resetUnfinished(final Path dir) {
    final Path file = dir.resolve(DATA);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      final long size = ch.size();
      if (size == 0) {
        return;
      }
      final ByteBuffer meta = read(ch, 0, META_END);
      if (meta != null && problem(meta, 0) != null) {
        return; // not a meta page LMDB began to write: not ours to touch
      }
      if (meta == null || size < 2L * meta.getInt(META_PAGE_SIZE)) {
        ch.truncate(0);
        LOG.info("emptied {}: the disk filled up before its meta pages were written", file);
      }
    } catch (IOException e) {
      LOG.debug("nothing to reset in {}: {}", file, e.toString());
    }
  }

  // ---------------------------------------------------------------- data.mdb

  /** The fields of a meta page this class uses. */
  private record Meta(int pageSize, long lastPage, long txnid, long freeRoot, long mainRoot) {}

  /**
   * Refuses a {@code data.mdb} that LMDB would fault on: see the class comment. A missing file is a
   * new database; an empty one too (LMDB's rule), except for a read-only open. A file that cannot
   * be read is left to LMDB to report.
   *
   * @param dir the database directory
   * @param readOnly whether the open is read-only
   * @throws CorruptDatabaseException if the file is too short, not an LMDB file, or of another
   *     format version
   */
  static void checkDataFile(final Path dir, final boolean readOnly) {
    final Path file = dir.resolve(DATA);
    final FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException | UnsupportedOperationException e) {
      return;
    }
    try (ch) {
      Meta previous = null;
      for (int attempt = 1; ; attempt++) {
        final Meta meta = newestMeta(ch, file, readOnly);
        if (meta == null) {
          return;
        }
        final long size = ch.size(); // after the meta pages: a writer writes pages before metas
        final String shortBy = missingPages(ch, meta, size);
        if (shortBy == null) {
          return;
        }
        if (attempt == ATTEMPTS || meta.equals(previous)) {
          throw new CorruptDatabaseException(file, shortBy, null);
        }
        previous = meta; // read again: a writer in another process may have committed meanwhile
      }
    } catch (IOException e) {
      LOG.debug("cannot check {}: {}", file, e.toString());
    }
  }

  /** The meta page LMDB would use (the one with the larger txnid), or null for an empty file. */
  private static Meta newestMeta(final FileChannel ch, final Path file, final boolean readOnly)
      throws IOException {
    final ByteBuffer first = read(ch, 0, META_END);
    if (first == null) {
      final long size = ch.size();
      if (size == 0 && !readOnly) {
        return null;
      }
      throw new CorruptDatabaseException(
          file,
          size == 0
              ? "it is empty: it holds no database, and a read-only open cannot create one"
              : "it is " + size + " bytes, too short to hold its meta pages",
          null);
    }
    refuseBadMeta(first, 0, file);
    final int pageSize = first.getInt(META_PAGE_SIZE);
    if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
      throw new CorruptDatabaseException(
          file, "meta page 0 records an impossible page size of " + pageSize + " bytes", null);
    }
    final ByteBuffer second = read(ch, pageSize, META_END);
    if (second == null) {
      throw new CorruptDatabaseException(
          file,
          "it is "
              + ch.size()
              + " bytes, too short to hold its two meta pages of "
              + pageSize
              + " bytes",
          null);
    }
    refuseBadMeta(second, 1, file);
    // LMDB's choice: meta page 0 unless page 1's transaction is newer
    final ByteBuffer newest =
        Long.compareUnsigned(second.getLong(META_TXNID), first.getLong(META_TXNID)) > 0
            ? second
            : first;
    return new Meta(
        pageSize,
        newest.getLong(META_LAST_PAGE),
        newest.getLong(META_TXNID),
        newest.getLong(META_FREE_ROOT),
        newest.getLong(META_MAIN_ROOT));
  }

  private static void refuseBadMeta(final ByteBuffer page, final int n, final Path file) {
    final String problem = problem(page, n);
    if (problem != null) {
      throw new CorruptDatabaseException(file, problem, null);
    }
  }

  /** What is wrong with meta page {@code n}, as LMDB checks it, or null. */
  private static String problem(final ByteBuffer page, final int n) {
    final int magic = page.getInt(META_MAGIC);
    if (magic != MAGIC) {
      return "it is not an LMDB data file (meta page "
          + n
          + " has magic number 0x"
          + Integer.toHexString(magic)
          + ", expected 0x"
          + Integer.toHexString(MAGIC)
          + ")";
    }
    if ((u16(page, 10) & P_META) == 0) {
      return "page " + n + " is not a meta page";
    }
    final int version = page.getInt(META_VERSION);
    if (version != VERSION) {
      return "its data format version is "
          + version
          + " (meta page "
          + n
          + "), this LMDB reads "
          + "version "
          + VERSION;
    }
    return null;
  }

  /** Why the file lacks pages that {@code meta} may use, or null if it lacks none. */
  private static String missingPages(final FileChannel ch, final Meta meta, final long size)
      throws IOException {
    final long last = meta.lastPage();
    if (last < 1 || last > Long.MAX_VALUE / meta.pageSize() - 1) {
      return "its newest meta page records an impossible last page " + last;
    }
    for (final long root : new long[] {meta.freeRoot(), meta.mainRoot()}) {
      if (root != P_INVALID && (root < 2 || root > last)) {
        return "its newest meta page records a root page " + root + " outside pages 2.." + last;
      }
    }
    final long pages = size / meta.pageSize();
    if (pages > last || tailIsFree(ch, meta, pages)) {
      return null;
    }
    return "it is "
        + size
        + " bytes, but its newest meta page (transaction "
        + meta.txnid()
        + ") uses pages up to "
        + last
        + " of "
        + meta.pageSize()
        + " bytes, which needs "
        + (last + 1) * meta.pageSize()
        + " bytes: the file was truncated";
  }

  /**
   * Whether every page from {@code pages} (the first one the file lacks) to the last page is on the
   * free list of {@code meta}, read from the file (a free-list page that is itself missing or
   * malformed answers false).
   */
  private static boolean tailIsFree(final FileChannel ch, final Meta meta, final long pages)
      throws IOException {
    final long missing = meta.lastPage() + 1 - pages;
    if (meta.freeRoot() == P_INVALID || missing > MAX_TAIL_PAGES) {
      return false;
    }
    final int pageSize = meta.pageSize();
    final BitSet free = new BitSet((int) missing);
    final ArrayDeque<Long> todo = new ArrayDeque<>();
    todo.push(meta.freeRoot());
    final ByteBuffer page = ByteBuffer.allocate(pageSize).order(ORDER);
    long visited = 0;
    while (!todo.isEmpty()) {
      final long pgno = todo.pop();
      if (pgno < 2
          || pgno >= pages
          || ++visited > pages
          || !readFully(ch, page, pgno * pageSize)
          || page.getLong(0) != pgno) {
        return false;
      }
      final int flags = u16(page, 10);
      final int keys = (u16(page, 12) - PAGE_HEADER) / 2;
      if (keys < 0 || PAGE_HEADER + 2 * keys > pageSize || (flags & (P_BRANCH | P_LEAF)) == 0) {
        return false;
      }
      for (int i = 0; i < keys; i++) {
        final int node = u16(page, PAGE_HEADER + 2 * i);
        if (node < PAGE_HEADER || node + NODE_HEADER > pageSize) {
          return false;
        }
        final long lo = u16(page, node + (ORDER == ByteOrder.LITTLE_ENDIAN ? 0 : 2));
        final long hi = u16(page, node + (ORDER == ByteOrder.LITTLE_ENDIAN ? 2 : 0));
        final long nodeFlags = u16(page, node + 4);
        final int data = node + NODE_HEADER + u16(page, node + 6);
        if ((flags & P_BRANCH) != 0) {
          todo.push(lo | hi << 16 | nodeFlags << 32);
        } else if (nodeFlags == F_BIGDATA) {
          if (data + 8 > pageSize
              || !collectOverflow(ch, page.getLong(data), lo | hi << 16, meta, pages, free)) {
            return false;
          }
        } else if (nodeFlags != 0
            || data + (lo | hi << 16) > pageSize
            || !collect(page, data, lo | hi << 16, pages, missing, free)) {
          return false;
        }
      }
    }
    return free.cardinality() == missing;
  }

  /** Reads a page list kept in overflow pages starting at {@code first}. */
  private static boolean collectOverflow(
      final FileChannel ch,
      final long first,
      final long length,
      final Meta meta,
      final long pages,
      final BitSet free)
      throws IOException {
    final int pageSize = meta.pageSize();
    final long span = (PAGE_HEADER + length + pageSize - 1) / pageSize;
    if (first < 2 || length > Integer.MAX_VALUE || first + span > pages) {
      return false;
    }
    final ByteBuffer list = ByteBuffer.allocate((int) length).order(ORDER);
    return readFully(ch, list, first * pageSize + PAGE_HEADER)
        && collect(list, 0, length, pages, meta.lastPage() + 1 - pages, free);
  }

  /**
   * Marks in {@code free} the pages of the page list at {@code offset} that the file lacks (bit 0:
   * page {@code pages}); false if the list is malformed.
   */
  private static boolean collect(
      final ByteBuffer buf,
      final int offset,
      final long length,
      final long pages,
      final long missing,
      final BitSet free) {
    final long n = length < 8 ? -1 : buf.getLong(offset);
    if (n < 0 || (n + 1) * 8 > length) {
      return false;
    }
    for (long i = 1; i <= n; i++) {
      final long pgno = buf.getLong(offset + (int) (8 * i));
      if (pgno >= pages && pgno - pages < missing) {
        free.set((int) (pgno - pages));
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- backups

  /**
   * Makes {@code target} ready for a backup: created if missing, a leftover temporary directory of
   * a backup that was killed deleted, otherwise empty; returns a new temporary directory in it.
   *
   * @param target the backup's directory
   * @return the directory LMDB copies into
   * @throws LodestoreException if the target holds anything else, or cannot be prepared
   * @throws StorageFullException if the disk is full
   */
  static Path prepareBackup(final Path target) {
    try {
      Files.createDirectories(target);
      final List<Path> entries;
      try (Stream<Path> list = Files.list(target)) {
        entries = list.collect(Collectors.toList());
      }
      for (final Path entry : entries) {
        if (!entry.getFileName().toString().startsWith(BACKUP_PREFIX)) {
          throw new LodestoreException("backup target " + target + " is not empty");
        }
      }
      for (final Path stale : entries) {
        deleteTree(stale); // never finished, so never used
      }
      return Files.createDirectory(
          target.resolve(BACKUP_PREFIX + Long.toHexString(RANDOM.nextLong())));
    } catch (IOException e) {
      throw ioFailure("cannot prepare backup target " + target, target, e);
    }
  }

  /**
   * Finishes a backup: syncs the copy, renames it to {@code target/data.mdb}, removes the temporary
   * directory and syncs the target directory, so that a {@code data.mdb} there is always complete.
   *
   * @param temp the temporary directory LMDB copied into
   * @param target the backup's directory
   * @throws StorageFullException if the disk is full
   * @throws LodestoreException if the copy cannot be synced or renamed
   */
  static void publishBackup(final Path temp, final Path target) {
    final Path copy = temp.resolve(DATA);
    try {
      try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        ch.force(true); // the bytes are on disk before the name is
      }
      Files.move(copy, target.resolve(DATA), StandardCopyOption.ATOMIC_MOVE);
      Files.delete(temp);
    } catch (IOException e) {
      throw ioFailure("cannot finish backup " + target, target, e);
    }
    syncDirectory(target);
  }

  /**
   * Deletes what a failed backup left, best effort.
   *
   * @param temp the temporary directory
   */
  static void discardBackup(final Path temp) {
    try {
      deleteTree(temp);
    } catch (IOException e) {
      LOG.warn("cannot delete the unfinished backup {}: {}", temp, e.toString());
    }
  }

  /** Makes a rename in {@code dir} durable; where directories cannot be synced, skips it. */
  private static void syncDirectory(final Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // the data file itself is synced: at worst its new name is lost in a power failure
      LOG.debug("cannot sync directory {}: {}", dir, e.toString());
    }
  }

  private static void deleteTree(final Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      final List<Path> paths = new ArrayList<>();
      all.forEach(paths::add);
      paths.sort(Comparator.reverseOrder());
      for (final Path p : paths) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---------------------------------------------------------------- full disks

  /**
   * The exception for an I/O failure of {@code path}: {@link StorageFullException} if the disk is
   * full, else a {@link LodestoreException} saying {@code what}.
   *
   * @param what what failed
   * @param path the file or directory concerned
   * @param e the failure
   * @return the exception to throw
   */
  static LodestoreException ioFailure(final String what, final Path path, final IOException e) {
    return isFull(e, path)
        ? new StorageFullException(path, null, null, e)
        : new LodestoreException(what + ": " + e, e);
  }

  /** Whether {@code e} says the disk is full (as the JDK words ENOSPC, EDQUOT, or EIO then). */
  private static boolean isFull(final Exception e, final Path path) {
    final String message = String.valueOf(e.getMessage());
    return message.contains("No space left")
        || message.contains("quota")
        || message.contains("Input/output error") && nearlyFull(path);
  }

  /**
   * Whether the file system of {@code path} has almost no space left: how a short write that LMDB
   * reports as EIO is told apart from a failing disk.
   *
   * @param path a file or directory on it
   * @return true if less than 1 MiB is usable
   */
  static boolean nearlyFull(final Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing != null && Files.getFileStore(existing).getUsableSpace() < NEARLY_FULL;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- reading

  /** {@code length} bytes at {@code position}, or null if the file ends first. */
  private static ByteBuffer read(final FileChannel ch, final long position, final int length)
      throws IOException {
    final ByteBuffer buf = ByteBuffer.allocate(length).order(ORDER);
    return readFully(ch, buf, position) ? buf : null;
  }

  private static boolean readFully(final FileChannel ch, final ByteBuffer buf, final long position)
      throws IOException {
    buf.clear();
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int u16(final ByteBuffer buf, final int offset) {
    return Short.toUnsignedInt(buf.getShort(offset));
  }
}
