package org.lodestore.core;

import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills an address range that LMDB just unmapped (on close, or when growing the map moved it) with
 * read-only zero pages, so that a buffer the store could not detach (a {@code duplicate()} or
 * {@code slice()} of a zero-copy view, or a FlatBuffers {@code ...AsByteBuffer()}) reads zeros
 * instead of crashing the JVM with SIGSEGV.
 *
 * <p>The pages are anonymous, private and {@code PROT_READ}: they all share the kernel's zero page
 * and cost address space, not memory. {@code MAP_FIXED_NOREPLACE} never replaces a mapping that
 * something else placed there meanwhile. Linux only (kernel 4.17+); elsewhere it does nothing, and
 * derived buffers must not be read after their database closes or grows.
 */
final class UnmappedGuard {

  private static final Logger LOG = LoggerFactory.getLogger(UnmappedGuard.class);

  private static final int PROT_READ = 0x1;
  private static final int MAP_PRIVATE = 0x02;
  private static final int MAP_ANONYMOUS = 0x20;
  private static final int MAP_NORESERVE = 0x4000;
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
