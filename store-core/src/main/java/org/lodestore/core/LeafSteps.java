package org.lodestore.core;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import org.agrona.UnsafeApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps a read transaction's cursor through the rows of its current leaf page in Java, reading the
 * page where it lies in the memory map, instead of one {@code mdb_cursor_get} per row; LMDB is
 * called again only to cross to the next page (or for a value on overflow pages). A scan's rows
 * then cost a few loads each instead of a native call.
 *
 * <h2>What it reads, and why that is safe</h2>
 *
 * After every native positioning it reads LMDB's cursor ({@code MDB_cursor}, LMDB 0.9, 64-bit) for
 * the page and index it stands on, and trusts them only if they agree exactly with the row LMDB
 * just returned: the page lies wholly in the used part of the map ({@link StoredBounds#holdsPage}),
 * is a leaf, and its node at that index holds the very key address LMDB returned. If they disagree
 * once (another LMDB build with another layout), stepping in Java is turned off for the process.
 * Within the page every node is checked to lie inside it before it is read; a node that does not,
 * or whose value is on overflow pages, is left to LMDB. Before handing back to LMDB the cursor's
 * index is set to the row the scan stands on, so that LMDB's next step starts from there. Only read
 * transactions use it: their pages never change while they are open.
 *
 * <pre>
 *  MDB_cursor   mc_snum u16 @64 | mc_top u16 @66 | mc_flags u32 @68 | mc_pg[32] u64 @72 |
 *               mc_ki[32] u16 @328
 *  leaf page    header 16 bytes (lower u16 @12: end of the node offsets) | node offsets u16 @16..
 *  leaf node    dsize lo u16 @0 | hi u16 @2 | flags u16 @4 (F_BIGDATA 0x01) | ksize u16 @6 |
 *               key @8 | value @8 + ksize
 * </pre>
 *
 * Not for set tables ({@code MDB_DUPSORT}: rows live in sub-pages) nor write transactions.
 */
final class LeafSteps {

  private static final Logger LOG = LoggerFactory.getLogger(LeafSteps.class);

  private static final long MC_TOP = 66;
  private static final long MC_PG = 72;
  private static final long MC_KI = 72 + 8 * PageFile.MAX_DEPTH;
  private static final Field CURSOR_PTR = cursorPointerField();

  /** Off once LMDB's cursor disagreed with what LMDB returned (another layout), or by property. */
  private static volatile boolean enabled =
      CURSOR_PTR != null && !Boolean.getBoolean("lodestore.leafSteps.disabled");

  private final StoredBounds bounds;
  private final int pageSize;
  private final long cursor;

  /** The current leaf page, or 0 when LMDB's position is not known to Java. */
  private long page;

  private int count;
  private int index;

  /** Rows this object stepped to in Java (for tests). */
  long steps;

  /** Views of the current row's key and value, re-pointed per row (internal). */
  private final ByteBuffer key = Views.create(0, 0, null);

  private final ByteBuffer value = Views.create(0, 0, null);

  private LeafSteps(final StoredBounds bounds, final long cursor) {
    this.bounds = bounds;
    this.pageSize = bounds.pageSize();
    this.cursor = cursor;
  }

  /** Steps for {@code lmdb} (a cursor of a read transaction on a plain table), or null if off. */
  static LeafSteps of(final StoredBounds bounds, final org.lmdbjava.Cursor<ByteBuffer> lmdb) {
    if (!enabled) {
      return null;
    }
    try {
      final Pointer ptr = (Pointer) CURSOR_PTR.get(lmdb);
      return ptr == null ? null : new LeafSteps(bounds, ptr.address());
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  /** Whether Java stepping is on in this process (off once LMDB's cursor disagreed). */
  static boolean isEnabled() {
    return enabled;
  }

  /** Forgets the position: LMDB moved the cursor (or the transaction was renewed). */
  void lose() {
    page = 0;
  }

  /** Whether the current row is the one Java stepped to (then {@link #key()}, {@link #value()}). */
  boolean active() {
    return page != 0;
  }

  ByteBuffer key() {
    return key;
  }

  ByteBuffer value() {
    return value;
  }

  /**
   * Learns where LMDB's cursor stands after LMDB positioned it on the row whose key is at {@code
   * keyAddress}; leaves Java stepping off if LMDB's cursor says otherwise.
   */
  void found(final long keyAddress) {
    page = 0;
    if (!enabled) {
      return;
    }
    final int top = UnsafeApi.getShort(cursor + MC_TOP) & 0xFFFF;
    if (top >= PageFile.MAX_DEPTH) {
      disable("mc_top " + top);
      return;
    }
    final long pg = UnsafeApi.getLong(cursor + MC_PG + 8L * top);
    final int ki = UnsafeApi.getShort(cursor + MC_KI + 2L * top) & 0xFFFF;
    if (!bounds.holdsPage(pg)) {
      if (keyAddress - (keyAddress & -(long) pageSize) < PageFile.HEADER
          || !bounds.holdsPage(keyAddress & -(long) pageSize)) {
        return; // a page committed since the bounds were read, or a key outside the map
      }
      disable("mc_pg does not hold the key LMDB returned");
      return;
    }
    final int flags = UnsafeApi.getShort(pg + 10) & 0xFFFF;
    final int lower = UnsafeApi.getShort(pg + 12) & 0xFFFF;
    final int n = (lower - PageFile.HEADER) >> 1;
    if ((flags & (PageFile.P_LEAF | PageFile.P_LEAF2 | PageFile.P_SUBP)) != PageFile.P_LEAF
        || lower < PageFile.HEADER
        || lower > pageSize
        || ki >= n) {
      disable("mc_pg is not a leaf holding mc_ki");
      return;
    }
    final int offset = UnsafeApi.getShort(pg + PageFile.HEADER + 2L * ki) & 0xFFFF;
    if (pg + offset + 8 != keyAddress) {
      disable("the node at mc_ki is not the key LMDB returned");
      return;
    }
    page = pg;
    count = n;
    index = ki;
    if (!at(ki)) {
      page = 0; // a value on overflow pages: LMDB's buffers hold this row, and LMDB steps on
    }
  }

  /**
   * Steps to the next row of the page: true if Java did (the row is in {@link #key()} and {@link
   * #value()}); false if LMDB must step (the page ended, or the next node is not for Java), with
   * LMDB's cursor set to the current row first.
   */
  boolean next() {
    if (page == 0) {
      return false;
    }
    if (index + 1 < count && at(index + 1)) {
      index++;
      steps++;
      return true;
    }
    return handBack();
  }

  /**
   * Steps to the next row if it is on this page and for Java, reading only the page (not LMDB's
   * cursor, which a racing end of the transaction may free); false, changing nothing, otherwise.
   */
  boolean nextInPage() {
    if (page != 0 && index + 1 < count && at(index + 1)) {
      index++;
      steps++;
      return true;
    }
    return false;
  }

  /** As {@link #nextInPage()}, towards the start of the page. */
  boolean prevInPage() {
    if (page != 0 && index > 0 && at(index - 1)) {
      index--;
      steps++;
      return true;
    }
    return false;
  }

  /** As {@link #next()}, towards the start of the page. */
  boolean prev() {
    if (page == 0) {
      return false;
    }
    if (index > 0 && at(index - 1)) {
      index--;
      steps++;
      return true;
    }
    return handBack();
  }

  /** Sets LMDB's cursor index to the row Java stands on; LMDB steps next. */
  private boolean handBack() {
    final int top = UnsafeApi.getShort(cursor + MC_TOP) & 0xFFFF;
    if (top < PageFile.MAX_DEPTH && UnsafeApi.getLong(cursor + MC_PG + 8L * top) == page) {
      UnsafeApi.putShort(cursor + MC_KI + 2L * top, (short) index);
    } else {
      disable("LMDB's cursor left the page Java was reading");
    }
    page = 0;
    return false;
  }

  /** Points the views at node {@code i} if it lies wholly in the page and holds its value. */
  private boolean at(final int i) {
    final long pg = page;
    final int offset = UnsafeApi.getShort(pg + PageFile.HEADER + 2L * i) & 0xFFFF;
    if (offset < PageFile.HEADER + 2 * count || offset + 8 > pageSize) {
      return false;
    }
    final long node = pg + offset;
    final int flags = UnsafeApi.getShort(node + 4) & 0xFFFF;
    final int ksize = UnsafeApi.getShort(node + 6) & 0xFFFF;
    final long dsize =
        (UnsafeApi.getShort(node) & 0xFFFFL) | ((UnsafeApi.getShort(node + 2) & 0xFFFFL) << 16);
    if ((flags & (PageFile.F_BIGDATA | PageFile.F_SUBDATA | PageFile.F_DUPDATA)) != 0
        || offset + 8L + ksize + dsize > pageSize) {
      return false;
    }
    Views.repoint(key, node + 8, ksize);
    Views.repoint(value, node + 8 + ksize, (int) dsize);
    return true;
  }

  private static void disable(final String why) {
    if (enabled) {
      enabled = false;
      LOG.debug("stepping LMDB leaf pages in Java is off: {} (another LMDB layout)", why);
    }
  }

  private static Field cursorPointerField() {
    try {
      final Field field = org.lmdbjava.Cursor.class.getDeclaredField("ptrCursor");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException | RuntimeException e) {
      return null;
    }
  }
}
