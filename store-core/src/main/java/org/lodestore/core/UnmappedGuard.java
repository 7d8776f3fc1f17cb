package org.lodestore.core;

import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the address range of LMDB's map readable after LMDB lets go of it (on close, or when growing
 * the map moves it), so that a buffer the store could not detach (a {@code duplicate()} or {@code
 * slice()} of a zero-copy view, a FlatBuffers {@code ...AsByteBuffer()}, or a view another thread
 * is reading at that very moment) reads zeros instead of crashing the JVM with SIGSEGV.
 *
 * <p>Two ways, best first:
 *
 * <ol>
 *   <li>{@link #sealBeforeUnmap}: before LMDB unmaps, the range is atomically replaced ({@code
 *       MAP_FIXED}) by read-only zero pages and sealed with {@code mseal(2)} (Linux 6.10+), so
 *       LMDB's own {@code munmap} fails quietly and the range is never unmapped, not even for a
 *       moment. The sealed range stays reserved until the process exits: address space, not memory.
 *   <li>{@link #guard}: after LMDB unmapped, the range is refilled with zero pages ({@code
 *       MAP_FIXED_NOREPLACE}, which never replaces a mapping that something else placed there
 *       meanwhile). A read racing the few microseconds between the two can still fault.
 * </ol>
 *
 * <p>The pages are anonymous, private and {@code PROT_READ}: they all share the kernel's zero page.
 * Linux x86-64 and AArch64 only; elsewhere it does nothing, and derived buffers must not be read
 * after their database closes or grows.
 */
final class UnmappedGuard {

  private static final Logger LOG = LoggerFactory.getLogger(UnmappedGuard.class);

  private static final int PROT_READ = 0x1;
  private static final int MAP_PRIVATE = 0x02;
  private static final int MAP_ANONYMOUS = 0x20;
  private static final int MAP_NORESERVE = 0x4000;
  private static final int MAP_FIXED = 0x10;
  private static final int MAP_FIXED_NOREPLACE = 0x100000;
  private static final long PAGE = 4096;

  /**
   * libc's {@code syscall(2)}. (Through jnr-ffi, libc's {@code mmap} symbol returned EINVAL for valid
   * arguments here, while the raw system call works; every argument is passed as a 64-bit word,
   * which is how the x86-64 and AArch64 ABIs pass them anyway.)
   */
  public interface LibC {
    /**
     * syscall(2).
     *
     * @param number the system call number
     * @param a1 argument 1
     * @param a2 argument 2
     * @param a3 argument 3
     * @param a4 argument 4
     * @param a5 argument 5
     * @param a6 argument 6
     * @return the result, or -1 with errno set
     */
    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
  }

  private static final long SYS_MMAP;
  private static final long SYS_MUNMAP;
  private static final long SYS_MSEAL = 462; // the same number on x86-64 and in the generic table

  static {
    final String arch = System.getProperty("os.arch", "");
    if (arch.equals("amd64") || arch.equals("x86_64")) {
      SYS_MMAP = 9;
      SYS_MUNMAP = 11;
    } else if (arch.equals("aarch64")) {
      SYS_MMAP = 222;
      SYS_MUNMAP = 215;
    } else {
      SYS_MMAP = -1;
      SYS_MUNMAP = -1;
    }
  }

  private static final LibC LIBC = load();

  /** Whether this kernel has mseal(2): probed once by sealing one page of our own. */
  private static final boolean SEALABLE = probeSeal();

  private UnmappedGuard() {}

  private static LibC load() {
    if (SYS_MMAP < 0
        || !System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return null;
    }
    try {
      return LibraryLoader.create(LibC.class).load("c");
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("cannot load libc; unmapped map ranges will not be guarded: {}", e.toString());
      return null;
    }
  }

  private static boolean probeSeal() {
    if (LIBC == null) {
      return false;
    }
    final long page =
        LIBC.syscall(SYS_MMAP, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (page < 0 && page > -4096) {
      return false;
    }
    final boolean sealed = LIBC.syscall(SYS_MSEAL, page, PAGE, 0, 0, 0, 0) == 0;
    if (!sealed) {
      LIBC.syscall(SYS_MUNMAP, page, PAGE, 0, 0, 0, 0);
      LOG.debug("mseal(2) unavailable: unmapped map ranges are guarded after the fact");
    }
    return sealed;
  }

  /**
   * Replaces {@code [start, end)} (the whole current map) by sealed read-only zero pages, right
   * before LMDB unmaps it, so that it is never unmapped. LMDB must not read the map afterwards
   * except its meta pages when resizing, and only with an explicit size (then it does not use
   * them); the caller guarantees that no transaction is open.
   *
   * @return true if sealed; false (nothing changed) if the kernel cannot, and then the caller
   *     guards after the fact with {@link #guard}
   */
  static boolean sealBeforeUnmap(final long start, final long end) {
    if (!SEALABLE || start == 0 || end <= start || start % PAGE != 0) {
      return false;
    }
    final long length = (end - start + PAGE - 1) / PAGE * PAGE;
    final long got =
        LIBC.syscall(
            SYS_MMAP,
            start,
            length,
            PROT_READ,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
            -1,
            0);
    if (got != start) {
      // MAP_FIXED fails only before touching the range (or maps exactly there): nothing changed
      LOG.warn("could not replace map range {}+{} by zero pages: {}", start, length, got);
      return false;
    }
    if (LIBC.syscall(SYS_MSEAL, start, length, 0, 0, 0, 0) != 0) {
      LOG.debug("could not seal {}+{}; guarding after the fact", start, length);
      return false; // the zero pages stay; LMDB unmaps them and guard() maps them again
    }
    return true;
  }

  /**
   * Where {@code file} is mapped in this process, from {@code /proc/self/maps} (LMDB reports no
   * address unless it uses a fixed map).
   *
   * @return {start, end}, or {0, 0} if unknown
   */
  static long[] mappingOf(final java.nio.file.Path file) {
    if (LIBC == null) {
      return new long[2];
    }
    final String suffix = " " + file.toAbsolutePath();
    long start = Long.MAX_VALUE;
    long end = 0;
    try {
      for (final String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"))) {
        if (line.endsWith(suffix)) {
          final int dash = line.indexOf('-');
          final int space = line.indexOf(' ');
          start = Math.min(start, Long.parseUnsignedLong(line.substring(0, dash), 16));
          end = Math.max(end, Long.parseUnsignedLong(line.substring(dash + 1, space), 16));
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      LOG.debug("cannot read /proc/self/maps: {}", e.toString());
    }
    return end == 0 ? new long[2] : new long[] {start, end};
  }

  /**
   * Guards {@code [address, address + length)} except what overlaps {@code [keepAddress, keepAddress
   * + keepLength)} (the new map, after growth; pass 0, 0 after close).
   */
  static void guard(
      final long address, final long length, final long keepAddress, final long keepLength) {
    if (LIBC == null || address == 0 || length <= 0) {
      return;
    }
    final long end = address + length;
    final long keepEnd = keepAddress + keepLength;
    if (keepLength <= 0 || keepEnd <= address || keepAddress >= end) {
      map(address, end);
    } else {
      map(address, Math.min(end, keepAddress));
      map(Math.max(address, keepEnd), end);
    }
  }

  private static void map(final long from, final long to) {
    final long start = from / PAGE * PAGE;
    final long length = (to + PAGE - 1) / PAGE * PAGE - start;
    if (length <= 0) {
      return;
    }
    final long got =
        LIBC.syscall(
            SYS_MMAP,
            start,
            length,
            PROT_READ,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
            -1,
            0);
    if (got < 0 && got > -4096) {
      LOG.debug("could not guard unmapped range {}+{} (something is mapped there)", start, length);
    } else if (got != start) {
      // a kernel without MAP_FIXED_NOREPLACE took the address as a hint: undo
      LIBC.syscall(SYS_MUNMAP, got, length, 0, 0, 0, 0);
    }
  }
}
