package org.lodestore.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A map of the pages of an undamaged LMDB 0.9 {@code data.mdb} (64-bit, little-endian), so that
 * {@link DamagedPagesTest} can pick what to damage: which page is a leaf or a branch of which
 * table, where a table's record sits in the main table, where a sub-page or an overflow value is.
 * It trusts the file (it reads the template, never a damaged copy).
 *
 * <pre>
 *  page header (16 bytes)       pgno u64 @0 | pad u16 @8 | flags u16 @10 | lower u16 @12 | upper u16 @14
 *                               (overflow pages: page count u32 @12)
 *  node pointers                u16 each from @16, (lower - 16) / 2 of them, offsets from the page start
 *  node                         lo u16 @0 | hi u16 @2 | flags u16 @4 | ksize u16 @6 | key | data
 *                               branch: child pgno = lo | hi &lt;&lt; 16 | flags &lt;&lt; 32; leaf: dsize = lo | hi &lt;&lt; 16
 *  table record (MDB_db, 48)    pad u32 @0 | flags u16 @4 | depth u16 @6 | branch, leaf, overflow pages,
 *                               entries, root: u64 @8, @16, @24, @32, @40
 *  meta page 0 and 1 (@16)      magic u32 @0 | version u32 @4 | address @8 | mapsize @16 | free db @24 |
 *                               main db @72 | last page @120 | txnid @128
 * </pre>
 */
final class LmdbPages {

  static final int HEADER = 16;
  static final int P_BRANCH = 0x01;
  static final int P_LEAF = 0x02;
  static final int P_OVERFLOW = 0x04;
  static final int P_LEAF2 = 0x20;
  static final int F_BIGDATA = 0x01;
  static final int F_SUBDATA = 0x02;
  static final int F_DUPDATA = 0x04;
  static final String MAIN = "(main)";
  static final String FREE = "(free)";

  /** What a page is. */
  enum Kind {
    BRANCH,
    LEAF,
    LEAF2,
    OVERFLOW
  }

  /**
   * One page of a tree: its table, kind and level (1 = root), and whether it is in a sub-database.
   */
  record Page(long pgno, Kind kind, String table, int level, boolean subDb) {}

  /**
   * One leaf node: its page, its offset in the file, its flags, and where its data starts in the
   * file.
   */
  record Node(String table, long pgno, long offset, int flags, int ksize, long dsize, long data) {}

  final int psize;
  final int meta;
  final long lastPage;
  final long metaOffset;
  final Map<Long, Page> pages = new TreeMap<>();
  final List<Node> nodes = new ArrayList<>();

  /** File offset of each named table's record (in the main table's leaf). */
  final Map<String, Long> records = new TreeMap<>();

  /** File offsets of the records of sub-databases (large sets). */
  final List<Long> subDbRecords = new ArrayList<>();

  private final ByteBuffer file;

  private LmdbPages(final ByteBuffer file) {
    this.file = file;
    this.psize = file.getInt(HEADER + 24);
    final long tx0 = file.getLong(HEADER + 128);
    final long tx1 = file.getLong(psize + HEADER + 128);
    this.meta = tx1 > tx0 ? 1 : 0;
    this.metaOffset = (long) meta * psize;
    this.lastPage = file.getLong((int) metaOffset + HEADER + 120);
    walk(FREE, (int) metaOffset + HEADER + 24, false);
    walk(MAIN, (int) metaOffset + HEADER + 72, false);
  }

  /**
   * Maps {@code data.mdb}.
   *
   * @param dataFile the file
   * @return its map
   * @throws IOException if it cannot be read
   */
  static LmdbPages of(final Path dataFile) throws IOException {
    return new LmdbPages(
        ByteBuffer.wrap(Files.readAllBytes(dataFile)).order(ByteOrder.LITTLE_ENDIAN));
  }

  /** File offset of the current meta page's main-table record. */
  long mainRecord() {
    return metaOffset + HEADER + 72;
  }

  /** File offset of the current meta page's free-table record. */
  long freeRecord() {
    return metaOffset + HEADER + 24;
  }

  /** The root page number of a table's record at file offset {@code record}. */
  long root(final long record) {
    return file.getLong((int) record + 40);
  }

  /**
   * The pages that pass {@code filter}, in page order.
   *
   * @param filter which
   * @return their numbers
   */
  List<Long> pages(final Predicate<Page> filter) {
    final List<Long> out = new ArrayList<>();
    for (final Page p : pages.values()) {
      if (filter.test(p)) {
        out.add(p.pgno());
      }
    }
    return out;
  }

  /**
   * The offset in the file of node {@code index} of page {@code pgno}.
   *
   * @param pgno the page
   * @param index the node's index
   * @return its offset
   */
  long nodeOffset(final long pgno, final int index) {
    final int page = (int) (pgno * psize);
    return page + (file.getShort(page + HEADER + 2 * index) & 0xFFFF);
  }

  /** The number of nodes on page {@code pgno}. */
  int numKeys(final long pgno) {
    return ((file.getShort((int) (pgno * psize) + 12) & 0xFFFF) - HEADER) / 2;
  }

  private void walk(final String table, final int record, final boolean subDb) {
    final long root = file.getLong(record + 40);
    if (root != -1L) {
      walkPage(table, root, 1, subDb);
    }
  }

  private void walkPage(final String table, final long pgno, final int level, final boolean subDb) {
    final int page = (int) (pgno * psize);
    final int flags = file.getShort(page + 10) & 0xFFFF;
    final int n = numKeys(pgno);
    if ((flags & P_BRANCH) != 0) {
      pages.put(pgno, new Page(pgno, Kind.BRANCH, table, level, subDb));
      for (int i = 0; i < n; i++) {
        final int node = (int) nodeOffset(pgno, i);
        final long child =
            (file.getShort(node) & 0xFFFFL)
                | (file.getShort(node + 2) & 0xFFFFL) << 16
                | (file.getShort(node + 4) & 0xFFFFL) << 32;
        walkPage(table, child, level + 1, subDb);
      }
      return;
    }
    if ((flags & P_LEAF2) != 0) {
      pages.put(pgno, new Page(pgno, Kind.LEAF2, table, level, subDb));
      return;
    }
    pages.put(pgno, new Page(pgno, Kind.LEAF, table, level, subDb));
    for (int i = 0; i < n; i++) {
      final int node = (int) nodeOffset(pgno, i);
      final int nodeFlags = file.getShort(node + 4) & 0xFFFF;
      final int ksize = file.getShort(node + 6) & 0xFFFF;
      final long dsize =
          (file.getShort(node) & 0xFFFFL) | (file.getShort(node + 2) & 0xFFFFL) << 16;
      final int data = node + 8 + ksize;
      nodes.add(new Node(table, pgno, node, nodeFlags, ksize, dsize, data));
      if ((nodeFlags & F_BIGDATA) != 0) {
        final long first = file.getLong(data);
        final int count = file.getInt((int) (first * psize) + 12);
        for (int p = 0; p < count; p++) {
          pages.put(first + p, new Page(first + p, Kind.OVERFLOW, table, level + 1, subDb));
        }
      } else if ((nodeFlags & (F_SUBDATA | F_DUPDATA)) == F_SUBDATA && MAIN.equals(table)) {
        final byte[] name = new byte[ksize];
        file.get(node + 8, name);
        final String named = new String(name, StandardCharsets.UTF_8);
        records.put(named, (long) data);
        walk(named, data, false);
      } else if ((nodeFlags & (F_SUBDATA | F_DUPDATA)) == (F_SUBDATA | F_DUPDATA)) {
        subDbRecords.add((long) data);
        walk(table, data, true);
      }
    }
  }
}
