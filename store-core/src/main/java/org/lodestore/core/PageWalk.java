package org.lodestore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.lodestore.core.PageFile.Meta;
import org.lodestore.core.PageFile.Record;

/**
 * Checks the structure of an LMDB {@code data.mdb} without LMDB, from its meta pages down, reading
 * pages with {@link PageFile} (positional reads into heap buffers): a damaged file can make the
 * walk report problems, never fault.
 *
 * <h2>Two depths</h2>
 *
 * <ul>
 *   <li>{@link #atOpen}: the meta pages, the main table (which holds one record per table) with
 *       every record, and the root page of every table and of the free table. A few pages per
 *       table: {@code Database.open} runs it before LMDB maps the file.
 *   <li>{@link #full}: every page of every table, of the sets' sub-databases and of the free table,
 *       the free table's lists of free pages, and the accounting: every page of the file is in
 *       exactly one table or free. {@link Verify}'s child runs it before it lets LMDB read the
 *       file.
 * </ul>
 *
 * <h2>The rules</h2>
 *
 * Meta pages as LMDB checks them (flag, magic, version, a page size that is a power of two), the
 * current one's last page inside the map it records (the file itself may end earlier: pages a
 * transaction allocated and freed are never written), records whose root is a page up to the last
 * and whose depth, page counts and entry counts match the tree; every page: inside the file, its
 * page number field, the kind its level calls for (branch above, leaf at the record's depth,
 * overflow where a value points), bounds {@code 16 <= lower <= upper <= page size}, at least two
 * keys in a branch page (LMDB aborts the process otherwise), node pointers inside the node area,
 * every key and value inside its page, key sizes 1..511, node flags that the table's kind allows (a
 * set flag in a plain table makes LMDB dereference a null pointer), keys in strictly increasing
 * order and inside the key range of the branch entry that leads to them, no page reached twice (no
 * cycle), overflow pages that hold their value.
 *
 * <p>What no rule can see: bytes of keys or values that changed while every rule still holds. LMDB
 * keeps no checksums of pages.
 */
final class PageWalk {

  static final String MAIN_TABLE = "(main table)";
  static final String FREE_TABLE = "(free pages)";

  /** At most this many problems are described; the rest are counted. */
  static final int MAX_PROBLEMS = 50;

  private static final int FREE = 0;
  private static final int MAIN = 1;
  private static final int NAMED = 2;
  private static final int SUB = 3;

  private static final int ORDER_BYTES = 0;
  private static final int ORDER_REVERSE = 1;
  private static final int ORDER_INTEGER = 2;

  /**
   * One problem found.
   *
   * @param table the table it is in, {@link #MAIN_TABLE}, {@link #FREE_TABLE}, or null for the file
   * @param text what is wrong
   */
  record Problem(String table, String text) {
    @Override
    public String toString() {
      return table == null ? text : "table '" + table + "': " + text;
    }
  }

  /**
   * What the full walk counted in one table.
   *
   * @param name the table
   * @param entries its entries (for a set table: its (key, member) pairs)
   * @param pages its pages, with those of its sub-databases
   */
  record TableCount(String name, long entries, long pages) {}

  /**
   * What a walk found.
   *
   * @param meta the meta page LMDB would use, or null if none is valid
   * @param problems the first {@link #MAX_PROBLEMS} problems
   * @param problemCount how many problems in all
   * @param tables what the full walk counted, per table in name order (empty at open)
   * @param freePages the free pages listed (full walk)
   */
  record Result(
      Meta meta,
      List<Problem> problems,
      int problemCount,
      List<TableCount> tables,
      long freePages) {

    boolean ok() {
      return problemCount == 0;
    }
  }

  private final PageFile file;
  private final Meta meta;
  private final int psize;
  private final long lastPage;
  private final boolean full;
  private final List<Problem> problems;
  private int problemCount;
  private final List<TableCount> tables = new ArrayList<>();
  private final Pages reached;
  private final Pages free;
  private final long fileSize;
  private long freePages;

  private PageWalk(
      final PageFile file,
      final Meta meta,
      final boolean full,
      final List<Problem> problems,
      final int problemCount) {
    this.file = file;
    this.meta = meta;
    this.psize = meta.pageSize();
    this.lastPage = meta.lastPage();
    this.full = full;
    this.problems = problems;
    this.problemCount = problemCount;
    this.reached = full ? new Pages(lastPage + 1) : null;
    this.free = full ? new Pages(lastPage + 1) : null;
    this.fileSize = fileSize(file);
  }

  private static long fileSize(final PageFile file) {
    try {
      return file.size();
    } catch (IOException e) {
      return Long.MAX_VALUE; // unknown: page reads past the end still come back short
    }
  }

  /**
   * The check {@code Database.open} runs: meta pages, the main table, every table's record and root
   * page.
   *
   * @param file the open {@code data.mdb}
   * @return what it found
   * @throws IOException if the file cannot be read
   */
  static Result atOpen(final PageFile file) throws IOException {
    return walk(file, false);
  }

  /**
   * The check {@link Verify} runs: every page.
   *
   * @param file the open {@code data.mdb}
   * @return what it found
   * @throws IOException if the file cannot be read
   */
  static Result full(final PageFile file) throws IOException {
    return walk(file, true);
  }

  private static Result walk(final PageFile file, final boolean full) throws IOException {
    final List<Problem> problems = new ArrayList<>();
    final Meta meta = currentMeta(file, problems);
    if (meta == null) {
      return new Result(null, problems, problems.size(), List.of(), 0);
    }
    final PageWalk w = new PageWalk(file, meta, full, problems, problems.size());
    w.run();
    return new Result(
        meta,
        Collections.unmodifiableList(w.problems),
        w.problemCount,
        Collections.unmodifiableList(w.tables),
        w.freePages);
  }

  // ------------------------------------------------------------------------- meta pages

  /** Checks both meta pages as LMDB does and returns the one it would use, or null. */
  private static Meta currentMeta(final PageFile file, final List<Problem> problems)
      throws IOException {
    final long size = file.size();
    final Meta m0 = file.meta(0, 0);
    if (m0 == null) {
      problems.add(new Problem(null, "the file is " + size + " bytes: too short for a meta page"));
      return null;
    }
    final int psize = m0.pageSize();
    if (!metaOk(m0, problems)) {
      return null;
    }
    if (psize < 512 || psize > 65536 || Integer.bitCount(psize) != 1) {
      problems.add(new Problem(null, "meta page 0 is damaged: page size " + psize));
      return null;
    }
    final Meta m1 = file.meta(1, psize);
    if (m1 == null) {
      problems.add(
          new Problem(null, "the file is " + size + " bytes: too short for two meta pages"));
      return null;
    }
    if (!metaOk(m1, problems)) {
      return null;
    }
    if (m1.pageSize() != psize) {
      problems.add(
          new Problem(
              null,
              "meta page 1 is damaged: page size "
                  + m1.pageSize()
                  + ", meta page 0 says "
                  + psize));
      return null;
    }
    final Meta current = m1.txnid() > m0.txnid() ? m1 : m0; // LMDB's choice
    final long last = current.lastPage();
    if (last < PageFile.NUM_METAS - 1 || last > Long.MAX_VALUE / psize - 1) {
      problems.add(
          new Problem(null, "meta page " + current.index() + " is damaged: last page " + last));
      return null;
    }
    // The file may end before the last page: pages a transaction allocated and freed again are
    // never written. They cannot lie past the map the last commit had, though.
    if ((last + 1) * psize > Math.max(current.mapSize(), size)) {
      problems.add(
          new Problem(
              null,
              "meta page "
                  + current.index()
                  + " is damaged: last page "
                  + last
                  + " lies past the map size "
                  + current.mapSize()
                  + " it records"));
      return null;
    }
    return current;
  }

  private static boolean metaOk(final Meta m, final List<Problem> problems) {
    final String which = "meta page " + m.index() + " is damaged: ";
    if ((m.pageFlags() & PageFile.P_META) == 0) {
      problems.add(
          new Problem(
              null,
              which + "flags 0x" + Integer.toHexString(m.pageFlags()) + " are not a meta page's"));
    } else if (m.magic() != PageFile.MAGIC) {
      problems.add(
          new Problem(
              null, which + "magic 0x" + Integer.toHexString(m.magic()) + " is not LMDB's"));
    } else if (m.version() != PageFile.VERSION) {
      problems.add(
          new Problem(
              null,
              which
                  + "format version "
                  + m.version()
                  + " (LMDB 0.9 writes "
                  + PageFile.VERSION
                  + ")"));
    } else {
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------- trees

  /** One tree being walked: a table, the main or free table, or a set's sub-database. */
  private final class Tree {
    final String table;
    final int kind;

    /** The table's flags (a sub-database: its owning table's). */
    final int flags;

    final int depth;
    final Tree owner;
    final int order;

    /** Member size of a DUPFIXED table, once seen (kept on the owning table's tree). */
    int fixedSize = -1;

    long entries;
    long branch;
    long leaf;
    long overflow;

    /** Pages of this tree and of its sub-databases. */
    long pages;

    byte[] last;

    Tree(final String table, final int kind, final int flags, final int depth, final Tree owner) {
      this.table = table;
      this.kind = kind;
      this.flags = flags;
      this.depth = depth;
      this.owner = owner == null ? this : owner;
      this.order =
          kind == FREE
              ? ORDER_INTEGER
              : kind == SUB
                  ? dupOrder(flags)
                  : (flags & PageFile.MDB_INTEGERKEY) != 0
                      ? ORDER_INTEGER
                      : (flags & PageFile.MDB_REVERSEKEY) != 0 ? ORDER_REVERSE : ORDER_BYTES;
    }

    boolean dupSort() {
      return kind == NAMED && (flags & PageFile.MDB_DUPSORT) != 0;
    }

    boolean dupFixed() {
      return (flags & PageFile.MDB_DUPFIXED) != 0;
    }
  }

  private static int dupOrder(final int flags) {
    return (flags & PageFile.MDB_INTEGERDUP) != 0
        ? ORDER_INTEGER
        : (flags & PageFile.MDB_REVERSEDUP) != 0 ? ORDER_REVERSE : ORDER_BYTES;
  }

  private void run() throws IOException {
    final Tree freeTree = tree(FREE_TABLE, FREE, meta.free(), null);
    if (freeTree != null) {
      if (full) {
        walkTree(freeTree, meta.free());
      } else if (meta.free().root() != PageFile.P_INVALID) {
        header(freeTree, meta.free().root(), 1);
      }
    }
    final Tree mainTree = tree(MAIN_TABLE, MAIN, meta.main(), null);
    if (mainTree != null) {
      walkTree(mainTree, meta.main());
    }
    if (full && problemCount == 0) {
      account();
    }
  }

  /** Checks a record and makes its tree; null if the record is unusable (problems recorded). */
  private Tree tree(final String table, final int kind, final Record r, final Tree owner) {
    final String what = kind == SUB ? "a set's sub-database record" : "its record";
    final long pages = r.branchPages() + r.leafPages() + r.overflowPages();
    if (kind != FREE && kind != SUB && (r.flags() & ~PageFile.PERSISTENT_FLAGS) != 0) {
      problem(table, what + " has unknown flags 0x" + Integer.toHexString(r.flags()));
      return null;
    }
    if (r.root() == PageFile.P_INVALID) {
      if (r.depth() != 0 || r.entries() != 0 || pages != 0) {
        problem(
            table,
            what
                + " says it is empty (no root page) but has depth "
                + r.depth()
                + ", "
                + r.entries()
                + " entries and "
                + pages
                + " pages");
        return null;
      }
      return new Tree(table, kind, kind == SUB ? owner.flags : r.flags(), 0, owner);
    }
    if (r.root() < PageFile.NUM_METAS || r.root() > lastPage) {
      problem(table, what + " has root page " + r.root() + ", outside pages 2.." + lastPage);
      return null;
    }
    if (r.depth() < 1 || r.depth() > PageFile.MAX_DEPTH) {
      problem(table, what + " has depth " + r.depth() + " (1.." + PageFile.MAX_DEPTH + ")");
      return null;
    }
    if (r.entries() < 1 || pages < r.depth() || pages < 0 || pages > lastPage + 1) {
      problem(
          table,
          what
              + " counts "
              + r.entries()
              + " entries in "
              + pages
              + " pages at depth "
              + r.depth());
      return null;
    }
    return new Tree(table, kind, kind == SUB ? owner.flags : r.flags(), r.depth(), owner);
  }

  private void walkTree(final Tree t, final Record r) throws IOException {
    if (r.root() == PageFile.P_INVALID) {
      return;
    }
    final int before = problemCount;
    visit(t, r.root(), 1, null, null);
    if (problemCount != before) {
      return; // counts of a broken tree say nothing more
    }
    if (t.entries != r.entries()) {
      problem(
          t.table,
          (t.kind == SUB ? "a set's sub-database" : "the tree")
              + " holds "
              + t.entries
              + " entries, its record says "
              + r.entries());
    }
    if (t.branch != r.branchPages() || t.leaf != r.leafPages() || t.overflow != r.overflowPages()) {
      problem(
          t.table,
          "the tree has "
              + t.branch
              + " branch, "
              + t.leaf
              + " leaf and "
              + t.overflow
              + " overflow pages, its record says "
              + r.branchPages()
              + ", "
              + r.leafPages()
              + " and "
              + r.overflowPages());
    }
  }

  /**
   * Reads page {@code pgno} at {@code level} of {@code t} and checks its header: null if it is
   * unusable (problems recorded).
   */
  private ByteBuffer header(final Tree t, final long pgno, final int level) throws IOException {
    if (pgno < PageFile.NUM_METAS || pgno > lastPage) {
      problem(t.table, "a page number " + pgno + " is outside pages 2.." + lastPage);
      return null;
    }
    if (full && !reached.add(pgno)) {
      problem(t.table, "page " + pgno + " is reached twice (a cycle, or shared with another tree)");
      return null;
    }
    final ByteBuffer p = file.read(pgno * psize, psize);
    if (p.limit() < psize) {
      problem(t.table, "page " + pgno + " is past the end of the file");
      return null;
    }
    final long stored = p.getLong(0);
    if (stored != pgno) {
      problem(t.table, "page " + pgno + " says it is page " + stored);
    }
    final int flags = p.getShort(10) & 0xFFFF & ~PageFile.P_IGNORED;
    final boolean branch = level < t.depth;
    final int expected =
        branch
            ? PageFile.P_BRANCH
            : t.kind == SUB && t.dupFixed() ? PageFile.P_LEAF | PageFile.P_LEAF2 : PageFile.P_LEAF;
    if (flags != expected) {
      problem(
          t.table,
          "page "
              + pgno
              + " has flags 0x"
              + Integer.toHexString(flags)
              + " where "
              + (branch ? "a branch" : "a leaf")
              + " page is due (level "
              + level
              + " of "
              + t.depth
              + ")");
      return null;
    }
    final int lower = p.getShort(12) & 0xFFFF;
    final int upper = p.getShort(14) & 0xFFFF;
    if (lower < PageFile.HEADER || lower > upper || upper > psize || (lower & 1) != 0) {
      problem(
          t.table,
          "page "
              + pgno
              + " has bounds lower "
              + lower
              + ", upper "
              + upper
              + " (16 <= lower <= upper <= "
              + psize
              + ", lower even)");
      return null;
    }
    final int n = (lower - PageFile.HEADER) / 2;
    if (n < (branch && t.kind != FREE ? 2 : 1)) {
      problem(
          t.table,
          "page "
              + pgno
              + " holds "
              + n
              + " keys ("
              + (branch ? "a branch page holds at least 2" : "a page holds at least 1")
              + ")");
      return null;
    }
    if (branch) {
      t.branch++;
    } else {
      t.leaf++;
    }
    t.owner.pages++;
    return p;
  }

  /** Walks the subtree at {@code pgno}, whose keys must lie in [lo, hi) (null: unbounded). */
  private void visit(
      final Tree t, final long pgno, final int level, final byte[] lo, final byte[] hi)
      throws IOException {
    final ByteBuffer p = header(t, pgno, level);
    if (p == null) {
      return;
    }
    final int lower = p.getShort(12) & 0xFFFF;
    final int upper = p.getShort(14) & 0xFFFF;
    final int n = (lower - PageFile.HEADER) / 2;
    if (level < t.depth) {
      branch(t, p, pgno, level, n, upper, lo, hi);
    } else if (t.kind == SUB && t.dupFixed()) {
      if (fixedKeys(t, p, 0, psize, n, "page " + pgno, lo, hi)) {
        t.entries += n;
      }
    } else {
      leaf(t, p, pgno, n, upper, lo, hi);
    }
  }

  private void branch(
      final Tree t,
      final ByteBuffer p,
      final long pgno,
      final int level,
      final int n,
      final int upper,
      final byte[] lo,
      final byte[] hi)
      throws IOException {
    final long[] children = new long[n];
    final byte[][] keys = new byte[n + 1][];
    keys[0] = lo;
    keys[n] = hi;
    for (int i = 0; i < n; i++) {
      final int node = nodeAt(t, p, "page " + pgno, i, upper, psize);
      if (node < 0) {
        return;
      }
      final int ksize = p.getShort(node + 6) & 0xFFFF;
      if (node + 8 + ksize > psize) {
        problem(t.table, "page " + pgno + ": key of node " + i + " runs past the page");
        return;
      }
      children[i] =
          (p.getShort(node) & 0xFFFFL)
              | (p.getShort(node + 2) & 0xFFFFL) << 16
              | (p.getShort(node + 4) & 0xFFFFL) << 32;
      if (i == 0) {
        continue; // LMDB ignores the first key of a branch page
      }
      if (ksize < 1 || ksize > PageFile.MAX_KEY) {
        problem(t.table, "page " + pgno + ": key of node " + i + " is " + ksize + " bytes");
        return;
      }
      final byte[] key = bytes(p, node + 8, ksize);
      if ((i > 1 && compare(t.order, keys[i - 1], key) >= 0)
          || (lo != null && compare(t.order, key, lo) < 0)
          || (hi != null && compare(t.order, key, hi) >= 0)) {
        problem(t.table, "branch page " + pgno + ": key of node " + i + " is out of order");
        return;
      }
      keys[i] = key;
    }
    for (int i = 0; i < n; i++) {
      visit(t, children[i], level + 1, keys[i], keys[i + 1]);
    }
  }

  /** The offset of node {@code i}, checked to lie in the node area; -1 if it does not. */
  private int nodeAt(
      final Tree t,
      final ByteBuffer p,
      final String where,
      final int i,
      final int upper,
      final int size) {
    final int at = (p.getShort(p.position() + PageFile.HEADER + 2 * i) & 0xFFFF);
    if (at < upper || at + 8 > size || (at & 1) != 0) {
      problem(
          t.table,
          where
              + ": node "
              + i
              + " is at offset "
              + at
              + ", outside the node area "
              + upper
              + ".."
              + size);
      return -1;
    }
    return p.position() + at;
  }

  private void leaf(
      final Tree t,
      final ByteBuffer p,
      final long pgno,
      final int n,
      final int upper,
      final byte[] lo,
      final byte[] hi)
      throws IOException {
    for (int i = 0; i < n; i++) {
      final int node = nodeAt(t, p, "page " + pgno, i, upper, psize);
      if (node < 0) {
        return;
      }
      final int flags = p.getShort(node + 4) & 0xFFFF;
      final int ksize = p.getShort(node + 6) & 0xFFFF;
      final long dsize = (p.getShort(node) & 0xFFFFL) | (p.getShort(node + 2) & 0xFFFFL) << 16;
      final String where = "page " + pgno + ", node " + i;
      final boolean big = (flags & PageFile.F_BIGDATA) != 0;
      if (node + 8L + ksize + (big ? 8 : dsize) > psize) {
        problem(
            t.table,
            where
                + ": its key ("
                + ksize
                + " bytes) and value ("
                + (big ? "a page number" : dsize + " bytes")
                + ") run past the page");
        return;
      }
      if ((ksize < 1 && t.kind != SUB) || ksize > PageFile.MAX_KEY) {
        problem(t.table, where + ": key of " + ksize + " bytes (1.." + PageFile.MAX_KEY + ")");
        return;
      }
      final byte[] key = bytes(p, node + 8, ksize);
      if (!inOrder(t, key, lo, hi, where)) {
        return;
      }
      final int data = node + 8 + ksize;
      if (!leafData(t, p, flags, data, dsize, key, where)) {
        return;
      }
    }
  }

  /** Checks that {@code key} follows the tree's previous key and lies in [lo, hi). */
  private boolean inOrder(
      final Tree t, final byte[] key, final byte[] lo, final byte[] hi, final String where) {
    if (t.last != null && compare(t.order, t.last, key) >= 0) {
      problem(t.table, where + ": key out of order (not after the previous key)");
      return false;
    }
    if ((lo != null && compare(t.order, key, lo) < 0)
        || (hi != null && compare(t.order, key, hi) >= 0)) {
      problem(
          t.table,
          where
              + ": key outside the range of the branch entry that leads to it "
              + "(lookups would miss it)");
      return false;
    }
    t.last = key;
    return true;
  }

  /** Checks a leaf node's value by the kind of tree; false if the page should not be read on. */
  private boolean leafData(
      final Tree t,
      final ByteBuffer p,
      final int flags,
      final int data,
      final long dsize,
      final byte[] key,
      final String where)
      throws IOException {
    final int kind = flags & (PageFile.F_BIGDATA | PageFile.F_SUBDATA | PageFile.F_DUPDATA);
    if (flags != kind) {
      problem(t.table, where + ": unknown node flags 0x" + Integer.toHexString(flags));
      return false;
    }
    switch (t.kind) {
      case MAIN:
        if (kind != PageFile.F_SUBDATA || dsize != PageFile.RECORD) {
          problem(
              MAIN_TABLE,
              where
                  + ": entry '"
                  + name(key)
                  + "' is not a table record (flags 0x"
                  + Integer.toHexString(flags)
                  + ", "
                  + dsize
                  + " bytes)");
          return false;
        }
        t.entries++;
        namedTable(name(key), Record.read(p, data));
        return true;
      case FREE:
        if ((kind != 0 && kind != PageFile.F_BIGDATA) || key.length != 8) {
          problem(
              FREE_TABLE,
              where
                  + ": node flags 0x"
                  + Integer.toHexString(flags)
                  + ", a key of "
                  + key.length
                  + " bytes (a transaction id has 8)");
          return false;
        }
        t.entries++;
        return freeList(t, p, data, dsize, kind == PageFile.F_BIGDATA, where);
      case SUB:
        if (kind != 0 || dsize != 0) {
          problem(
              t.table,
              where
                  + ": a member node of a set's sub-database has flags 0x"
                  + Integer.toHexString(flags)
                  + " and "
                  + dsize
                  + " bytes of data");
          return false;
        }
        t.entries++;
        return true;
      default:
        break;
    }
    if (!t.dupSort()) {
      if (kind == PageFile.F_BIGDATA) {
        t.entries++;
        return overflow(t, p.getLong(data), dsize, where);
      }
      if (kind != 0) {
        problem(
            t.table,
            where
                + ": node flags 0x"
                + Integer.toHexString(flags)
                + " in a table that is not a set table");
        return false;
      }
      t.entries++;
      return true;
    }
    if (kind == 0) {
      // a set with one member keeps it as the node's value
      if (dsize > PageFile.MAX_KEY || !memberSize(t, (int) dsize, where)) {
        problem(t.table, where + ": a member of " + dsize + " bytes");
        return false;
      }
      t.entries++;
      return true;
    }
    if (kind == PageFile.F_DUPDATA) {
      final int members = subPage(t, p, data, (int) dsize, where);
      t.entries += Math.max(0, members);
      return members >= 0;
    }
    if (kind == (PageFile.F_DUPDATA | PageFile.F_SUBDATA) && dsize == PageFile.RECORD) {
      final Record r = Record.read(p, data);
      final Tree sub = tree(t.table, SUB, r, t);
      if (sub == null) {
        return false;
      }
      if (full) {
        walkTree(sub, r);
      } else {
        return true;
      }
      t.entries += sub.entries;
      return true;
    }
    problem(
        t.table,
        where
            + ": node flags 0x"
            + Integer.toHexString(flags)
            + " with "
            + dsize
            + " bytes of data in a set table");
    return false;
  }

  /** A named table's record, found in the main table: checked, and walked in full. */
  private void namedTable(final String name, final Record r) throws IOException {
    final Tree t = tree(name, NAMED, r, null);
    if (t == null) {
      return;
    }
    if (!full) {
      if (r.root() != PageFile.P_INVALID) {
        header(t, r.root(), 1);
      }
      return;
    }
    walkTree(t, r);
    tables.add(new TableCount(name, t.entries, t.pages));
  }

  /**
   * The members in a sub-page (a small set inside its node, at {@code at}, {@code size} bytes); -1
   * if it is damaged.
   */
  private int subPage(
      final Tree t, final ByteBuffer p, final int at, final int size, final String where) {
    final String sub = where + ": set sub-page";
    if (size < PageFile.HEADER) {
      problem(t.table, sub + " of " + size + " bytes");
      return -1;
    }
    final int flags = p.getShort(at + 10) & 0xFFFF & ~PageFile.P_IGNORED;
    final int expected = PageFile.P_LEAF | PageFile.P_SUBP | (t.dupFixed() ? PageFile.P_LEAF2 : 0);
    final int lower = p.getShort(at + 12) & 0xFFFF;
    final int upper = p.getShort(at + 14) & 0xFFFF;
    if (flags != expected) {
      problem(
          t.table,
          sub
              + " has flags 0x"
              + Integer.toHexString(flags)
              + ", expected 0x"
              + Integer.toHexString(expected));
      return -1;
    }
    if (lower < PageFile.HEADER || lower > upper || upper > size || (lower & 1) != 0) {
      problem(
          t.table,
          sub + " has bounds lower " + lower + ", upper " + upper + " (size " + size + ")");
      return -1;
    }
    final int n = (lower - PageFile.HEADER) / 2;
    if (n < 1) {
      problem(t.table, sub + " holds no member");
      return -1;
    }
    final Tree members = new Tree(t.table, SUB, t.flags, 1, t);
    final ByteBuffer page = p.duplicate().order(p.order()).position(at);
    if (t.dupFixed()) {
      return fixedKeys(members, page, at, size, n, sub, null, null) ? n : -1;
    }
    for (int i = 0; i < n; i++) {
      final int node = nodeAt(members, page, sub, i, upper, size);
      if (node < 0) {
        return -1;
      }
      final int ksize = p.getShort(node + 6) & 0xFFFF;
      final long dsize = (p.getShort(node) & 0xFFFFL) | (p.getShort(node + 2) & 0xFFFFL) << 16;
      final int nflags = p.getShort(node + 4) & 0xFFFF;
      if (node - at + 8 + ksize > size || ksize > PageFile.MAX_KEY || dsize != 0 || nflags != 0) {
        problem(
            t.table,
            sub
                + ", member "
                + i
                + ": "
                + ksize
                + " bytes, data "
                + dsize
                + ", flags 0x"
                + Integer.toHexString(nflags));
        return -1;
      }
      if (!inOrder(members, bytes(p, node + 8, ksize), null, null, sub + ", member " + i)) {
        return -1;
      }
    }
    return n;
  }

  /**
   * Checks a page (or sub-page at {@code at}) of fixed-size keys (DUPFIXED members): the key size
   * in the header's pad, {@code n} keys packed from offset 16.
   */
  private boolean fixedKeys(
      final Tree t,
      final ByteBuffer p,
      final int at,
      final int size,
      final int n,
      final String where,
      final byte[] lo,
      final byte[] hi) {
    final int ksize = p.getShort(at + 8) & 0xFFFF;
    if (ksize < 1
        || ksize > PageFile.MAX_KEY
        || PageFile.HEADER + (long) n * ksize > size
        || !memberSize(t, ksize, where)) {
      problem(
          t.table,
          where + ": " + n + " fixed-size members of " + ksize + " bytes in " + size + " bytes");
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (!inOrder(
          t, bytes(p, at + PageFile.HEADER + i * ksize, ksize), lo, hi, where + ", member " + i)) {
        return false;
      }
    }
    return true;
  }

  /** Checks that every member of a DUPFIXED table has the same size. */
  private boolean memberSize(final Tree t, final int size, final String where) {
    if (!t.dupFixed()) {
      return true;
    }
    final Tree owner = t.owner;
    if (owner.fixedSize < 0) {
      owner.fixedSize = size;
      return true;
    }
    if (owner.fixedSize != size) {
      problem(
          t.table,
          where
              + ": a member of "
              + size
              + " bytes where the set table's members are "
              + owner.fixedSize);
      return false;
    }
    return true;
  }

  /** Checks the overflow pages at {@code first} that hold a value of {@code dsize} bytes. */
  private boolean overflow(final Tree t, final long first, final long dsize, final String where)
      throws IOException {
    if (first < PageFile.NUM_METAS || first > lastPage) {
      problem(
          t.table,
          where + ": its value's overflow page " + first + " is outside pages 2.." + lastPage);
      return false;
    }
    final ByteBuffer h = file.read(first * psize, PageFile.HEADER);
    final int flags = h.getShort(10) & 0xFFFF & ~PageFile.P_IGNORED;
    final long pages = h.getInt(12) & 0xFFFFFFFFL;
    if (h.getLong(0) != first) {
      problem(t.table, where + ": overflow page " + first + " says it is page " + h.getLong(0));
    }
    if (flags != PageFile.P_OVERFLOW) {
      problem(
          t.table,
          where
              + ": page "
              + first
              + " has flags 0x"
              + Integer.toHexString(flags)
              + " where an overflow page is due");
      return false;
    }
    if (pages < 1
        || first + pages - 1 > lastPage
        || PageFile.HEADER + dsize > pages * psize
        || (first + pages) * psize > fileSize) {
      problem(
          t.table,
          where
              + ": overflow page "
              + first
              + " counts "
              + pages
              + " pages for a value of "
              + dsize
              + " bytes");
      return false;
    }
    if (full) {
      for (long pg = first; pg < first + pages; pg++) {
        if (!reached.add(pg)) {
          problem(t.table, where + ": overflow page " + pg + " is reached twice");
          return false;
        }
      }
    }
    t.overflow += pages;
    t.owner.pages += pages;
    return true;
  }

  /** Checks a list of free pages (a node of the free table) and records them. */
  private boolean freeList(
      final Tree t,
      final ByteBuffer p,
      final int data,
      final long dsize,
      final boolean big,
      final String where)
      throws IOException {
    final ByteBuffer list;
    if (big) {
      final long first = p.getLong(data);
      if (!overflow(t, first, dsize, where)) {
        return false;
      }
      if (!full || dsize > Integer.MAX_VALUE) {
        return true;
      }
      list = file.read(first * psize + PageFile.HEADER, (int) dsize);
    } else {
      list = p.duplicate().order(p.order()).position(data).slice().order(p.order());
    }
    if (!full) {
      return true;
    }
    if (dsize < 8) {
      problem(FREE_TABLE, where + ": a list of free pages of " + dsize + " bytes");
      return false;
    }
    final long count = list.getLong(0);
    if (count < 0 || 8 + count * 8 > dsize) {
      problem(FREE_TABLE, where + ": a list of " + count + " free pages in " + dsize + " bytes");
      return false;
    }
    for (int i = 1; i <= count; i++) {
      final long pg = list.getLong(8 * i);
      if (pg < PageFile.NUM_METAS || pg > lastPage) {
        problem(FREE_TABLE, where + ": free page " + pg + " is outside pages 2.." + lastPage);
        return false;
      }
      if (!free.add(pg)) {
        problem(FREE_TABLE, where + ": page " + pg + " is listed free twice");
        return false;
      }
      freePages++;
    }
    return true;
  }

  /** Every page is a meta page, in exactly one tree, or free. */
  private void account() {
    final long overlap = reached.intersectionCount(free);
    if (overlap > 0) {
      problem(FREE_TABLE, overlap + " pages are listed free but in use");
      return;
    }
    final long accounted = PageFile.NUM_METAS + reached.count() + free.count();
    if (accounted != lastPage + 1) {
      problem(
          null,
          (lastPage + 1 - accounted)
              + " of the file's "
              + (lastPage + 1)
              + " pages are in no table and not free");
    }
  }

  // ------------------------------------------------------------------------- helpers

  private void problem(final String table, final String text) {
    problemCount++;
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(new Problem(table, text));
    }
  }

  private static byte[] bytes(final ByteBuffer p, final int at, final int n) {
    final byte[] b = new byte[n];
    p.get(at, b);
    return b;
  }

  private static String name(final byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }

  /** LMDB's comparators: bytes (memcmp, shorter first), bytes from the end, native integers. */
  static int compare(final int order, final byte[] a, final byte[] b) {
    switch (order) {
      case ORDER_REVERSE:
        {
          int i = a.length - 1;
          int j = b.length - 1;
          for (; i >= 0 && j >= 0; i--, j--) {
            final int d = Byte.toUnsignedInt(a[i]) - Byte.toUnsignedInt(b[j]);
            if (d != 0) {
              return d;
            }
          }
          return a.length - b.length;
        }
      case ORDER_INTEGER:
        if (a.length == b.length && (a.length == 4 || a.length == 8)) {
          for (int i = a.length - 1; i >= 0; i--) {
            final int d = Byte.toUnsignedInt(a[i]) - Byte.toUnsignedInt(b[i]);
            if (d != 0) {
              return d;
            }
          }
          return 0;
        }
        return Arrays.compareUnsigned(a, b);
      default:
        return Arrays.compareUnsigned(a, b);
    }
  }

  /** A set of page numbers, as bits. */
  private static final class Pages {
    private final long[] words;
    private long count;

    Pages(final long pages) {
      this.words = new long[(int) ((pages + 63) >>> 6)];
    }

    /** Adds {@code pg}; false if it was there. */
    boolean add(final long pg) {
      final int w = (int) (pg >>> 6);
      final long bit = 1L << (pg & 63);
      if ((words[w] & bit) != 0) {
        return false;
      }
      words[w] |= bit;
      count++;
      return true;
    }

    long count() {
      return count;
    }

    long intersectionCount(final Pages other) {
      long n = 0;
      for (int i = 0; i < words.length; i++) {
        n += Long.bitCount(words[i] & other.words[i]);
      }
      return n;
    }
  }
}
