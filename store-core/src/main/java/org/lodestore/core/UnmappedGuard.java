package org.lodestore.core;

import java.io.IOException;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import org.agrona.UnsafeApi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the part of LMDB's map that zero-copy views pointed into readable after LMDB lets go of the
 * map (on close, or when growing moves it), so that a buffer the store could not detach (a {@code
 * duplicate()} or {@code slice()} of a view, a FlatBuffers {@code ...AsByteBuffer()}, or a view
 * another thread is reading at that very moment) reads zeros instead of crashing the JVM with
 * SIGSEGV or SIGBUS; and gives that address space back once no such buffer is left.
 *
 * <h2>Design note</h2>
 *
 * <b>What needs guarding.</b> Only a map in which a view or cursor was created ({@link
 * MapEpoch#viewed()}; most open/close cycles of a service create none, and then LMDB simply
 * unmaps), and of it only the data pages a view can point into: from page 2 (pages 0 and 1 are the
 * meta pages) to the last page in use ({@code mdb_env_info}'s last page; LMDB never shrinks it, so
 * every page a view ever pointed into lies below it). The rest of the map, mostly address space
 * beyond the file's end (a 4 TiB map of a 1 MiB database), is released at once.
 *
 * <p><b>Where the map is.</b> By address, not by path: LMDB keeps it in its {@code MDB_env} struct
 * ({@code me_map}), followed by {@code me_txns} and the two meta page pointers {@code me_metas[0] =
 * me_map + 16} and {@code me_metas[1] = me_map + psize + 16}. {@link #locate} finds that pattern
 * among the struct's first words (so it does not depend on the exact offset of a given LMDB build);
 * {@code mdb_env_info}'s {@code me_mapaddr} cannot be used, it is 0 unless {@code MDB_FIXEDMAP}. A
 * path lookup in {@code /proc/self/maps} failed once the directory was renamed, {@code data.mdb}
 * unlinked, or the path contained a newline.
 *
 * <p><b>How, per map with views, right before LMDB unmaps it</b> (the caller guarantees that no
 * transaction is open, so only stray buffers read the range):
 *
 * <ol>
 *   <li>The data pages are replaced by read-only zero pages ({@code mmap MAP_FIXED}, atomic: a
 *       concurrent read sees the old bytes or zeros, never a hole). They are anonymous, private and
 *       {@code MAP_NORESERVE}, and all share the kernel's zero page: address space, no memory.
 *   <li>Sealed ({@code mseal(2)}, Linux 6.10+, within the budget below): the map's top page (past
 *       the data) also becomes a zero page and is sealed. LMDB's {@code munmap} of the whole map
 *       then fails without unmapping anything, so the data range is never unmapped, not even for a
 *       moment, and growth maps the new map elsewhere. We then unmap the rest of the old map (meta
 *       pages, tail) ourselves. What stays: the data range's zero pages (released later) and the
 *       one sealed page (permanent).
 *   <li>Unsealed (no mseal, or the budget is used up): LMDB unmaps the whole map, and the zero
 *       pages are mapped again right after ({@code MAP_FIXED_NOREPLACE}, which never replaces what
 *       something else placed meanwhile). Before a growth, one page just below and one just above
 *       the old map are taken (where free), so the hole LMDB leaves is exactly the old map's size
 *       and the larger new map cannot land on the old data range (a read there would then hit the
 *       new map past the file's end: SIGBUS).
 * </ol>
 *
 * <p><b>When the zero pages go.</b> Every buffer that can read a map range keeps that map's {@link
 * MapEpoch} strongly reachable: a view's attachment ({@code att}) is its {@link Txn} (which holds
 * its epoch), or the epoch itself once detached; the JDK copies the attachment into every derived
 * buffer ({@code DirectByteBuffer}'s duplicate/slice constructor in JDK 17 and 21+: {@code att =
 * db.attachment() != null ? db.attachment() : db}, likewise {@code asLongBuffer()} and friends and
 * {@code MemorySegment.ofBuffer}), and every direct-buffer access ends with {@code
 * Reference.reachabilityFence(this)}, so even a read in progress keeps it. A view detached from an
 * older map is never re-pointed into a newer one ({@link Txn#reuseView}). So once the epoch is
 * phantom-reachable, no buffer can read the range, and its zero pages are unmapped (at the next
 * close or growth in the process) and the address space is reused.
 *
 * <p><b>Budgets.</b> A sealed page is permanent, and it splits the free address space: a map as
 * large as the old one can no longer be placed across it (while its guard lives, neither can the
 * guarded range; that is why the next map of the same size lands elsewhere). So each seal is
 * charged the size of the map it ended, and seals stop at a quarter of the user address space
 * (x86-64: 32 TiB, e.g. 7 closes of a 4 TiB map, or growth one GiB at a time to about 250 GiB) or
 * at 4,096 seals (each is a mapping, and {@code vm.max_map_count} is 65,530 by default), whichever
 * comes first; system property {@code lodestore.mapGuard.sealBudget} (bytes) sets the first, 0
 * disables sealing. Guarded ranges still referenced are charged the same way; when their charge
 * exceeds an eighth of the address space (or their number 4,096) beyond what was left after the
 * last attempt, the guard asks for a garbage collection ({@code System.gc()}; the epochs of
 * transactions that lived long enough to reach the old generation may otherwise wait a long time)
 * and releases what it freed. If the ranges are still referenced after that (the application keeps
 * derived buffers of closed or grown maps), it logs a WARN and goes on guarding: dropping the guard
 * could crash the JVM, refusing a close is impossible and refusing a growth would turn a buffer
 * leak into an outage; address space is the only cost, and if it ever runs out, the next open or
 * growth fails with a typed error (ENOMEM).
 *
 * <p><b>What remains.</b> With a seal, nothing in the map (a buffer built from a raw address, e.g.
 * through Unsafe, is not tracked). Outside it, nothing is guarded: a value written in a write
 * transaction and read back as a view in it lies in LMDB's malloc'd dirty pages, and a buffer
 * derived from that view and read after the commit reads freed memory (a multi-page value's pages
 * may be unmapped by malloc: SIGSEGV). Without one: a read that races the close or growth on
 * another thread, in the microseconds between LMDB's {@code munmap} and the zero pages' {@code
 * mmap}, can fault; so can a later read if another mapping took that hole in those microseconds, or
 * if a fence page could not be placed. Reads after the close or growth returned are safe either
 * way. Linux x86-64 and AArch64 only; elsewhere nothing is guarded, and derived buffers must not be
 * read after their database closes or grows.
 */
final class UnmappedGuard {

  private static final Logger LOG = LoggerFactory.getLogger(UnmappedGuard.class);

  /** The system property that sets the seal budget in bytes of ended maps (0: never seal). */
  static final String SEAL_BUDGET_PROPERTY = "lodestore.mapGuard.sealBudget";

  private static final int PROT_READ = 0x1;
  private static final int MAP_PRIVATE = 0x02;
  private static final int MAP_ANONYMOUS = 0x20;
  private static final int MAP_NORESERVE = 0x4000;
  private static final int MAP_FIXED = 0x10;
  private static final int MAP_FIXED_NOREPLACE = 0x100000;
  private static final int ZERO_PAGES = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  private static final long PAGE = UnsafeApi.pageSize();

  /** LMDB's page header size: {@code me_metas[0]} lies this far into the map. */
  private static final long PAGE_HEADER = 16;

  /**
   * libc's {@code syscall(2)}. (Through jnr-ffi, libc's {@code mmap} symbol returned EINVAL for
   * valid arguments here, while the raw system call works; every argument is passed as a 64-bit
   * word, which is how the x86-64 and AArch64 ABIs pass them anyway.)
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

  /** Offset of lmdbjava's {@code Env.ptr}, the {@code MDB_env*}; -1 if not found. */
  private static final long ENV_POINTER = envPointerOffset();

  /**
   * Whether this kernel has mseal(2) and a {@code munmap} over a sealed page fails without
   * unmapping anything: probed once with two pages of our own (the sealed one stays).
   */
  private static final boolean SEALABLE = probeSeal();

  /** The user address space: the budgets are fractions of it. */
  private static final long USER_SPACE = LIBC == null ? 1L << 47 : userSpace();

  private static final long SEAL_BUDGET = sealBudget();
  private static final long LIVE_BUDGET = USER_SPACE / 8;

  /**
   * Each sealed page and each guarded range is a mapping of its own, and a process may have at most
   * {@code vm.max_map_count} (65,530 by default): at most this many of each.
   */
  private static final int MAX_RANGES = 4096;

  /** Guards the registry and the charges below; held while a map is retired. */
  private static final Object LOCK = new Object();

  private static final ReferenceQueue<MapEpoch> UNREACHABLE = new ReferenceQueue<>();
  private static final Set<Guard> GUARDS = new HashSet<>();

  /** Sizes of the maps ended with a seal (permanent), and how many. */
  private static long sealCharge;

  private static int seals;

  /** Sizes of the maps whose guarded ranges are registered and not yet released. */
  private static long liveCharge;

  /**
   * {@link #liveCharge} and the number of guards after the last collection asked for (or lower).
   */
  private static long liveFloor;

  private static int guardsFloor;

  /** {@link #liveCharge} and the number of guards when last warned about. */
  private static long warnedLive;

  private static int warnedGuards;

  private static boolean warnedSealBudget;
  private static boolean warnedLocate;

  private UnmappedGuard() {}

  /** A range of zero pages guarding a map of {@code epoch}, unmapped once the epoch is gone. */
  private static final class Guard extends PhantomReference<MapEpoch> {
    final long address;
    final long length;
    final long charge;

    Guard(final MapEpoch epoch, final long address, final long length, final long charge) {
      super(epoch, UNREACHABLE);
      this.address = address;
      this.length = length;
      this.charge = charge;
    }
  }

  /** Where LMDB's map is: {@code [start, end)}, page-rounded; LMDB's page size. */
  private record MapRange(long start, long end, long pageSize) {}

  /**
   * Lets LMDB unmap the map of {@code epoch} ({@code lmdbUnmaps}: {@code env.close()} or {@code
   * env.setMapSize(..)}), guarding what a stray buffer may still read, as the class comment says.
   * No transaction may be open or beginning.
   *
   * @param env the environment, still open
   * @param epoch the map's epoch, which no new transaction will get
   * @param remaps true for a growth (LMDB maps a new map at once), false for a close
   * @param lmdbUnmaps the LMDB call that unmaps; its exception is rethrown
   */
  static void retire(
      final Env<?> env, final MapEpoch epoch, final boolean remaps, final Runnable lmdbUnmaps) {
    if (LIBC == null) {
      lmdbUnmaps.run();
      return;
    }
    synchronized (LOCK) {
      releaseUnreachable();
      final MapRange map = epoch.viewed() ? locate(env) : null;
      if (map == null) {
        if (epoch.viewed()) {
          warnLocate();
        }
        lmdbUnmaps.run();
        return;
      }
      final EnvInfo info = env.info();
      final long from = map.start + roundUp(2 * map.pageSize);
      final long to =
          Math.min(map.end, map.start + roundUp((info.lastPageNumber + 1) * map.pageSize));
      if (to <= from) {
        lmdbUnmaps.run(); // no data page, so no view could point into the map
        return;
      }
      final long charge = map.end - map.start;
      makeRoom(charge);
      if (!replace(from, to)) {
        // MAP_FIXED fails only before touching the range: nothing changed
        LOG.warn(
            "cannot guard the old map range {}+{}: mmap failed (errno {})",
            Long.toHexString(from),
            to - from,
            errno());
        lmdbUnmaps.run();
        return;
      }
      final long top = map.end - PAGE;
      final boolean sealed = seal(top, to, charge);
      final long[] fences = !sealed && remaps ? fence(map) : new long[0];
      RuntimeException failed = null;
      try {
        lmdbUnmaps.run();
      } catch (RuntimeException e) {
        failed = e;
      }
      if (sealed) {
        if (failed == null) {
          // LMDB's munmap failed on the sealed page, so its file mapping is all still there
          unmap(map.start, from);
          unmap(to, top);
        } // else LMDB could not map anew and may still read its meta pages there: leave them
        register(epoch, from, Math.min(to, top), charge);
      } else {
        guardAfterUnmap(from, to, env.isClosed() ? null : locate(env), epoch, charge);
        for (final long fence : fences) {
          unmap(fence, fence + PAGE);
        }
      }
      if (failed != null) {
        throw failed;
      }
    }
  }

  /**
   * Whether a registered guard covers {@code address} (for tests). Releases the guards of
   * unreachable epochs first, as every close and growth does.
   */
  static boolean guards(final long address) {
    synchronized (LOCK) {
      releaseUnreachable();
      for (final Guard guard : GUARDS) {
        if (address >= guard.address && address < guard.address + guard.length) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Where {@code env}'s map starts, as {@link #retire} finds it; 0 if unknown. {@link StoredBounds}
   * checks against it the keys and values LMDB returns.
   */
  static long mapStart(final Env<?> env) {
    final MapRange map = locate(env);
    return map == null ? 0 : map.start;
  }

  /** Whether this platform guards at all: Linux x86-64 or AArch64, libc found (for tests). */
  static boolean available() {
    return LIBC != null && ENV_POINTER >= 0;
  }

  /**
   * Where {@code env}'s map is, from its {@code MDB_env} struct (see the class comment), or null if
   * the pattern is not found (then nothing can be guarded).
   */
  private static MapRange locate(final Env<?> env) {
    if (ENV_POINTER < 0) {
      return null;
    }
    try {
      final Pointer struct = (Pointer) UnsafeApi.getReference(env, ENV_POINTER);
      for (long k = 32; k <= 128; k += 8) {
        final long map = struct.getLong(k);
        final long meta0 = struct.getLong(k + 16);
        final long pageSize = struct.getLong(k + 24) - meta0;
        if (map != 0
            && map % PAGE == 0
            && meta0 == map + PAGE_HEADER
            && pageSize >= 512
            && pageSize <= 65536
            && Long.bitCount(pageSize) == 1) {
          return new MapRange(map, map + roundUp(env.info().mapSize), pageSize);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("cannot read LMDB's environment struct: {}", e.toString());
    }
    return null;
  }

  private static void warnLocate() {
    if (!warnedLocate) {
      warnedLocate = true;
      LOG.warn(
          "cannot find LMDB's map in its environment struct (another LMDB build?): map "
              + "ranges are not guarded, and buffers derived from zero-copy views must not be read "
              + "after their database closes or grows");
    }
  }

  /** Seals the map's top page as the class comment says, within the budget. */
  private static boolean seal(final long top, final long to, final long charge) {
    if (!SEALABLE) {
      return false;
    }
    if (sealCharge + charge > SEAL_BUDGET || seals >= MAX_RANGES) {
      if (!warnedSealBudget) {
        warnedSealBudget = true;
        LOG.warn(
            "mseal budget used up ({} seals, {} GiB of ended maps; budget {} seals, {} GiB, "
                + "property {}): later closes and growths of maps with zero-copy views guard "
                + "after LMDB's unmap, and a read of a stray buffer racing that moment on another "
                + "thread can fault",
            seals,
            sealCharge >> 30,
            MAX_RANGES,
            SEAL_BUDGET >> 30,
            SEAL_BUDGET_PROPERTY);
      }
      return false;
    }
    if (top >= to && !replace(top, top + PAGE)) {
      return false;
    }
    if (LIBC.syscall(SYS_MSEAL, top, PAGE, 0, 0, 0, 0) != 0) {
      LOG.debug(
          "could not seal {} (errno {}); guarding after the fact", Long.toHexString(top), errno());
      return false; // the zero page stays until LMDB's munmap removes it with the rest
    }
    sealCharge += charge;
    seals++;
    return true;
  }

  /**
   * Takes the pages just below and above {@code map} where they are free, so that the hole LMDB's
   * unmap leaves is exactly the map's size; returns the pages taken (to give back).
   */
  private static long[] fence(final MapRange map) {
    final long below = map.start - PAGE;
    final long[] taken = new long[2];
    int n = 0;
    if (mapNoReplace(below, map.start)) {
      taken[n++] = below;
    }
    if (mapNoReplace(map.end, map.end + PAGE)) {
      taken[n++] = map.end;
    }
    return java.util.Arrays.copyOf(taken, n);
  }

  /**
   * Maps zero pages over {@code [from, to)} again after LMDB unmapped it, except where {@code keep}
   * (LMDB's new map) lies; registers what it mapped.
   */
  private static void guardAfterUnmap(
      final long from,
      final long to,
      final MapRange keep,
      final MapEpoch epoch,
      final long charge) {
    if (keep == null || keep.end <= from || keep.start >= to) {
      if (mapNoReplace(from, to)) {
        register(epoch, from, to, charge);
        return;
      }
      LOG.debug(
          "could not guard {}+{}: something was mapped there", Long.toHexString(from), to - from);
      return;
    }
    long left = charge;
    if (from < keep.start && mapNoReplace(from, keep.start)) {
      register(epoch, from, keep.start, left);
      left = 0;
    }
    if (keep.end < to && mapNoReplace(keep.end, to)) {
      register(epoch, keep.end, to, left);
    }
  }

  private static void register(
      final MapEpoch epoch, final long from, final long to, final long charge) {
    if (to > from) {
      GUARDS.add(new Guard(epoch, from, to - from, charge));
      liveCharge += charge;
    }
  }

  /** Unmaps the guards whose epochs became unreachable. Holds the lock. */
  private static void releaseUnreachable() {
    for (Reference<? extends MapEpoch> r; (r = UNREACHABLE.poll()) != null; ) {
      release((Guard) r);
    }
  }

  private static void release(final Guard guard) {
    if (GUARDS.remove(guard)) {
      unmap(guard.address, guard.address + guard.length);
      liveCharge -= guard.charge;
      liveFloor = Math.min(liveFloor, liveCharge);
      guardsFloor = Math.min(guardsFloor, GUARDS.size());
    }
  }

  /**
   * Before registering a guard charged {@code charge}: if the guards registered since the last
   * collection asked for exceed the budget (in charge or in number), asks for one and releases what
   * it freed; warns if what stays referenced exceeds the budget. Holds the lock.
   */
  private static void makeRoom(final long charge) {
    if (liveCharge + charge <= liveFloor + LIVE_BUDGET
        && GUARDS.size() < guardsFloor + MAX_RANGES) {
      return;
    }
    System.gc();
    try {
      // the collector found the unreachable epochs; the reference handler enqueues them just after
      for (Reference<? extends MapEpoch> r = UNREACHABLE.remove(100);
          r != null;
          r = UNREACHABLE.remove(10)) {
        release((Guard) r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    liveFloor = liveCharge;
    guardsFloor = GUARDS.size();
    LOG.debug(
        "asked for a collection: {} guarded ranges left ({} GiB of map)",
        GUARDS.size(),
        liveCharge >> 30);
    final boolean over = liveCharge + charge > LIVE_BUDGET || GUARDS.size() >= MAX_RANGES;
    if (over && (liveCharge > 2 * warnedLive || GUARDS.size() > 2 * warnedGuards)) {
      warnedLive = liveCharge; // warn again only once twice as much is held
      warnedGuards = GUARDS.size();
      LOG.warn(
          "{} ranges of closed or grown maps ({} GiB of map) stay guarded because buffers "
              + "derived from their zero-copy views are still reachable; they cost address space "
              + "only, released once those buffers are dropped (copy what you keep)",
          GUARDS.size(),
          liveCharge >> 30);
    }
  }

  // ------------------------------------------------------------ system calls

  /** Atomically replaces {@code [from, to)} by read-only zero pages. */
  private static boolean replace(final long from, final long to) {
    return LIBC.syscall(SYS_MMAP, from, to - from, PROT_READ, ZERO_PAGES | MAP_FIXED, -1, 0)
        == from;
  }

  /** Maps read-only zero pages at {@code [from, to)} if nothing is mapped there. */
  private static boolean mapNoReplace(final long from, final long to) {
    final long got =
        LIBC.syscall(SYS_MMAP, from, to - from, PROT_READ, ZERO_PAGES | MAP_FIXED_NOREPLACE, -1, 0);
    if (got == from) {
      return true;
    }
    if (got != -1) {
      // a kernel without MAP_FIXED_NOREPLACE took the address as a hint: undo
      LIBC.syscall(SYS_MUNMAP, got, to - from, 0, 0, 0, 0);
    }
    return false;
  }

  private static void unmap(final long from, final long to) {
    if (to > from && LIBC.syscall(SYS_MUNMAP, from, to - from, 0, 0, 0, 0) != 0) {
      LOG.debug("munmap {}+{} failed (errno {})", Long.toHexString(from), to - from, errno());
    }
  }

  private static long roundUp(final long bytes) {
    return (bytes + PAGE - 1) / PAGE * PAGE;
  }

  private static int errno() {
    try {
      return LastError.getLastError(jnr.ffi.Runtime.getRuntime(LIBC));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------ set-up

  private static LibC load() {
    if (SYS_MMAP < 0
        || !System.getProperty("os.name", "")
            .toLowerCase(java.util.Locale.ROOT)
            .contains("linux")) {
      return null;
    }
    try {
      return LibraryLoader.create(LibC.class).load("c");
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("cannot load libc; unmapped map ranges will not be guarded: {}", e.toString());
      return null;
    }
  }

  private static long envPointerOffset() {
    try {
      return UnsafeApi.objectFieldOffset(Env.class, "ptr");
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("lmdbjava's Env has no field 'ptr': map ranges will not be guarded");
      return -1;
    }
  }

  private static boolean probeSeal() {
    if (LIBC == null) {
      return false;
    }
    final long pages = LIBC.syscall(SYS_MMAP, 0, 2 * PAGE, PROT_READ, ZERO_PAGES, -1, 0);
    if (pages == -1) {
      return false;
    }
    if (LIBC.syscall(SYS_MSEAL, pages + PAGE, PAGE, 0, 0, 0, 0) != 0) {
      LIBC.syscall(SYS_MUNMAP, pages, 2 * PAGE, 0, 0, 0, 0);
      LOG.debug("mseal(2) unavailable: unmapped map ranges are guarded after the fact");
      return false;
    }
    // LMDB's munmap of a whole map must fail and leave all of it mapped if one page is sealed
    final boolean refused = LIBC.syscall(SYS_MUNMAP, pages, 2 * PAGE, 0, 0, 0, 0) != 0;
    final boolean intact = !mapNoReplace(pages, pages + PAGE);
    LIBC.syscall(SYS_MUNMAP, pages, PAGE, 0, 0, 0, 0);
    if (!(refused && intact)) {
      LOG.debug("munmap over a sealed page is not all-or-nothing here: not sealing");
    }
    return refused && intact;
  }

  /** The user address space: the highest mapping's end rounded up to a power of two. */
  private static long userSpace() {
    long highest = 0;
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
      for (final String line : (Iterable<String>) lines::iterator) {
        final int dash = line.indexOf('-');
        final int space = line.indexOf(' ');
        if (dash > 0 && space > dash && !line.endsWith("[vsyscall]")) {
          final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
          if (end > highest) { // a kernel address would be negative: skipped
            highest = end;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read /proc/self/maps: {}", e.toString());
    }
    return highest <= 0 ? 1L << 47 : Long.highestOneBit(highest - 1) << 1;
  }

  private static long sealBudget() {
    final Long set = Long.getLong(SEAL_BUDGET_PROPERTY);
    return set != null && set >= 0 ? set : USER_SPACE / 4;
  }
}
