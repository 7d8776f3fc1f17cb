package org.lodestore.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.lodestore.reliability.LmdbPages.Kind;
import org.lodestore.reliability.LmdbPages.Node;
import org.lodestore.reliability.LmdbPages.Page;

/**
 * The ways {@link DamagedPagesTest} damages a {@code data.mdb}: one page or one field at a time
 * (leaf, branch and overflow pages, page headers, node sizes and pointers, table records, sub-pages
 * and sub-databases of sets, the free table, the meta pages), and random bytes flipped in several
 * pages. Each case picks its target with the test's random source from the map of the undamaged
 * template ({@link LmdbPages}) and says what it did.
 */
final class PageDamage {

  /** Damages one copy; returns what it did, or null when the template has no such target. */
  interface Mutation {
    String apply(LmdbPages map, SplittableRandom rnd, Patch file) throws IOException;
  }

  /**
   * A named way to damage a file; {@code shortForm} cases run in every build. A {@code defended}
   * case is one the library turns into a {@code CorruptDatabaseException} every time (at open, from
   * LMDB's page-not-found, or from the checks of keys and values); for the others a plain read may
   * also crash inside LMDB or read wrong rows, which is the documented limit.
   */
  record Case(String name, boolean shortForm, boolean defended, Mutation mutation) {
    Case(final String name, final boolean shortForm, final Mutation mutation) {
      this(name, shortForm, DEFENDED.contains(name), mutation);
    }
  }

  /** The cases the library defends (see {@link Case}). */
  static final java.util.Set<String> DEFENDED =
      java.util.Set.of(
          "branchChildOutOfFile",
          "namedRootZeroed",
          "namedRecordRootOutOfFile",
          "namedRecordRootToLeaf",
          "mainRootFlags",
          "mainNodeNotATable",
          "overflowPageNumber",
          "nodeDataSizeHuge",
          "nodeKeySizeHuge",
          "checksummedNodeDataSizeHuge",
          "subDbRootOutOfFile",
          "freeRootZeroed",
          "metaMagic",
          "metaMainRootOutOfFile",
          "metaLastPageHuge",
          "metaPageSize");

  private PageDamage() {}

  /**
   * Every case: the fixed ones, then {@code randomCases} of random flips.
   *
   * @param randomCases how many random-flip cases
   * @param randomInShortForm how many of them run in the short form
   * @return the cases
   */
  static List<Case> catalogue(final int randomCases, final int randomInShortForm) {
    final List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            "zeroLeaf",
            true,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.ROWS));
              f.zero(p * m.psize, m.psize);
              return "zeroed leaf page " + p + " of rows";
            }));
    cases.add(
        new Case(
            "leafFlagsBranch",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.ROWS));
              f.u16(p * m.psize + 10, LmdbPages.P_BRANCH);
              return "leaf page " + p + " of rows: flags LEAF -> BRANCH";
            }));
    cases.add(
        new Case(
            "leafFlagsNone",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.NAMES));
              f.u16(p * m.psize + 10, 0);
              return "leaf page " + p + " of names: flags -> 0";
            }));
    cases.add(
        new Case(
            "leafLowerPastUpper",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.ROWS));
              final int upper = f.u16(p * m.psize + 14);
              f.u16(p * m.psize + 12, Math.min(m.psize - 2, upper + 64));
              return "leaf page " + p + " of rows: lower bound past upper bound";
            }));
    cases.add(
        new Case(
            "leafLowerShrunk",
            true,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.ROWS));
              f.u16(p * m.psize + 12, f.u16(p * m.psize + 12) - 6);
              return "leaf page " + p + " of rows: lower bound -6 (three rows fewer)";
            }));
    cases.add(
        new Case(
            "leafUpperPastPage",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.ROWS));
              f.u16(p * m.psize + 14, 0xFFF0);
              return "leaf page " + p + " of rows: upper bound 0xfff0";
            }));
    cases.add(
        new Case(
            "branchFlagsLeaf",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, branchOf(DamagedPagesData.ROWS, false));
              f.u16(p * m.psize + 10, LmdbPages.P_LEAF);
              return "branch page " + p + " of rows: flags BRANCH -> LEAF";
            }));
    cases.add(
        new Case(
            "zeroBranch",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, branchOf(DamagedPagesData.ROWS, false));
              f.zero(p * m.psize, m.psize);
              return "zeroed branch page " + p + " of rows";
            }));
    cases.add(
        new Case(
            "branchChildOutOfFile",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, branchOf(DamagedPagesData.ROWS, false));
              final long node = m.nodeOffset(p, r.nextInt(m.numKeys(p)));
              f.pgno48(node, m.lastPage + 1000);
              return "branch page " + p + " of rows: a child page number past the last page";
            }));
    cases.add(
        new Case(
            "branchChildOtherTable",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, branchOf(DamagedPagesData.ROWS, false));
              final long other = pick(m, r, leafOf(DamagedPagesData.NAMES));
              f.pgno48(m.nodeOffset(p, r.nextInt(m.numKeys(p))), other);
              return "branch page " + p + " of rows: a child points at leaf " + other + " of names";
            }));
    cases.add(
        new Case(
            "branchChildSelf",
            true,
            (m, r, f) -> {
              final long p = pick(m, r, branchOf(DamagedPagesData.ROWS, true));
              f.pgno48(m.nodeOffset(p, r.nextInt(m.numKeys(p))), p);
              return "branch page " + p + " of rows: a child points at the page itself (a cycle)";
            }));
    cases.add(
        new Case(
            "pageNumberChanged",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.ROWS));
              f.u64(p * m.psize, p + 1);
              return "leaf page " + p + " of rows: its page number field -> " + (p + 1);
            }));
    cases.add(
        new Case(
            "namedRootZeroed",
            true,
            (m, r, f) -> {
              final long root = m.root(m.records.get(DamagedPagesData.NAMES));
              f.zero(root * m.psize, m.psize);
              return "zeroed the root page " + root + " of names";
            }));
    cases.add(
        new Case(
            "namedRecordRootOutOfFile",
            false,
            (m, r, f) -> {
              f.u64(m.records.get(DamagedPagesData.ROWS) + 40, m.lastPage + 10);
              return "the record of rows in the main table: root past the last page";
            }));
    cases.add(
        new Case(
            "namedRecordRootToLeaf",
            false,
            (m, r, f) -> {
              final long leaf = pick(m, r, leafOf(DamagedPagesData.ROWS));
              f.u64(m.records.get(DamagedPagesData.ROWS) + 40, leaf);
              return "the record of rows: root -> one of its leaves (" + leaf + ")";
            }));
    cases.add(
        new Case(
            "namedRecordEntries",
            false,
            (m, r, f) -> {
              final long at = m.records.get(DamagedPagesData.NAMES) + 32;
              f.u64(at, f.u64(at) + 5);
              return "the record of names: entry count +5";
            }));
    cases.add(
        new Case(
            "mainRootFlags",
            false,
            (m, r, f) -> {
              final long root = m.root(m.mainRecord());
              f.u16(root * m.psize + 10, LmdbPages.P_OVERFLOW);
              return "main table's root page " + root + ": flags -> OVERFLOW";
            }));
    cases.add(
        new Case(
            "mainNodeNotATable",
            false,
            (m, r, f) -> {
              final Node n =
                  m.nodes.stream()
                      .filter(
                          x ->
                              x.table().equals(LmdbPages.MAIN)
                                  && x.data() == m.records.get(DamagedPagesData.ROWS))
                      .findFirst()
                      .orElseThrow();
              f.u16(n.offset() + 4, 0);
              return "main table: the node of rows loses its table flag";
            }));
    cases.add(
        new Case(
            "overflowZeroed",
            false,
            (m, r, f) -> {
              final Node n = pickNode(m, r, x -> (x.flags() & LmdbPages.F_BIGDATA) != 0);
              final long page = f.u64(n.data());
              f.zero(page * m.psize, m.psize);
              return "zeroed the first overflow page " + page + " of a value of big";
            }));
    cases.add(
        new Case(
            "overflowPageNumber",
            false,
            (m, r, f) -> {
              final Node n = pickNode(m, r, x -> (x.flags() & LmdbPages.F_BIGDATA) != 0);
              f.u64(n.data(), m.lastPage + 5);
              return "a value of big: overflow page number past the last page";
            }));
    cases.add(
        new Case(
            "overflowPageCount",
            false,
            (m, r, f) -> {
              final Node n = pickNode(m, r, x -> (x.flags() & LmdbPages.F_BIGDATA) != 0);
              final long page = f.u64(n.data());
              f.u32(page * m.psize + 12, 1_000_000);
              return "overflow page " + page + ": page count 1,000,000";
            }));
    cases.add(
        new Case(
            "nodeDataSizeHuge",
            true,
            (m, r, f) -> {
              final Node n = pickNode(m, r, x -> x.table().equals(DamagedPagesData.ROWS));
              f.u16(n.offset() + 2, 0x7FFF);
              return "a node of rows on page " + n.pgno() + ": data size ~2 GiB";
            }));
    cases.add(
        new Case(
            "checksummedNodeDataSizeHuge",
            true,
            (m, r, f) -> {
              final Node n = pickNode(m, r, x -> x.table().equals(DamagedPagesData.SUMS));
              f.u16(n.offset() + 2, 0x7FFF);
              return "a node of the checksummed table sums on page "
                  + n.pgno()
                  + ": data size ~2 GiB";
            }));
    cases.add(
        new Case(
            "nodeDataSizeSmall",
            false,
            (m, r, f) -> {
              final Node n = pickNode(m, r, x -> x.table().equals(DamagedPagesData.ROWS));
              f.u16(n.offset(), 3);
              return "a node of rows on page " + n.pgno() + ": data size -> 3";
            }));
    cases.add(
        new Case(
            "nodeKeySizeHuge",
            false,
            (m, r, f) -> {
              final Node n = pickNode(m, r, x -> x.table().equals(DamagedPagesData.ROWS));
              f.u16(n.offset() + 6, 0xFFFF);
              return "a node of rows on page " + n.pgno() + ": key size 65535";
            }));
    cases.add(
        new Case(
            "nodePointerOut",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, leafOf(DamagedPagesData.ROWS));
              f.u16(p * m.psize + LmdbPages.HEADER + 2L * r.nextInt(m.numKeys(p)), m.psize - 2);
              return "leaf page " + p + " of rows: a node pointer at the page's last two bytes";
            }));
    cases.add(
        new Case(
            "subPageBounds",
            false,
            (m, r, f) -> {
              final Node n =
                  pickNode(
                      m,
                      r,
                      x ->
                          (x.flags() & (LmdbPages.F_DUPDATA | LmdbPages.F_SUBDATA))
                              == LmdbPages.F_DUPDATA);
              f.u16(n.data() + 12, 0xFFF0);
              return "a set's sub-page on page " + n.pgno() + ": lower bound 0xfff0";
            }));
    cases.add(
        new Case(
            "subDbRootOutOfFile",
            true,
            (m, r, f) -> {
              final long record = m.subDbRecords.get(r.nextInt(m.subDbRecords.size()));
              f.u64(record + 40, m.lastPage + 7);
              return "a large set's sub-database: root past the last page";
            }));
    cases.add(
        new Case(
            "leaf2KeySize",
            false,
            (m, r, f) -> {
              final long p = pick(m, r, x -> x.kind() == Kind.LEAF2);
              f.u16(p * m.psize + 8, 200);
              return "fixed-size members page " + p + ": member size 16 -> 200";
            }));
    cases.add(
        new Case(
            "freeRootZeroed",
            false,
            (m, r, f) -> {
              final long root = m.root(m.freeRecord());
              if (root == -1L) {
                return null;
              }
              f.zero(root * m.psize, m.psize);
              return "zeroed the free table's root page " + root;
            }));
    cases.add(
        new Case(
            "metaMagic",
            true,
            (m, r, f) -> {
              f.u32(m.metaOffset + LmdbPages.HEADER, 0x12345678);
              return "current meta page " + m.meta + ": magic number changed";
            }));
    cases.add(
        new Case(
            "metaMainRootOutOfFile",
            false,
            (m, r, f) -> {
              f.u64(m.mainRecord() + 40, m.lastPage + 3);
              return "current meta page: main table root past the last page";
            }));
    cases.add(
        new Case(
            "metaLastPageHuge",
            false,
            (m, r, f) -> {
              f.u64(m.metaOffset + LmdbPages.HEADER + 120, m.lastPage * 64);
              return "current meta page: last page x64 (past the end of the file)";
            }));
    cases.add(
        new Case(
            "metaPageSize",
            false,
            (m, r, f) -> {
              f.u32(LmdbPages.HEADER + 24, 1000);
              return "meta page 0: page size 4096 -> 1000";
            }));
    for (int i = 0; i < randomCases; i++) {
      cases.add(
          new Case(
              "randomFlips" + i,
              i < randomInShortForm,
              (m, r, f) -> {
                final List<Long> used = new ArrayList<>(m.pages.keySet());
                final StringBuilder what = new StringBuilder("flipped bytes in pages");
                for (int p = 0; p < 4; p++) {
                  final long page = used.get(r.nextInt(used.size()));
                  for (int b = 0; b < 6; b++) {
                    f.flip(page * m.psize + r.nextInt(m.psize), 1 + r.nextInt(255));
                  }
                  what.append(' ')
                      .append(page)
                      .append('(')
                      .append(m.pages.get(page).kind())
                      .append(')');
                }
                return what.toString();
              }));
    }
    return cases;
  }

  private static Predicate<Page> leafOf(final String table) {
    return p -> p.table().equals(table) && p.kind() == Kind.LEAF && p.level() > 1 && !p.subDb();
  }

  private static Predicate<Page> branchOf(final String table, final boolean rootToo) {
    return p ->
        p.table().equals(table)
            && p.kind() == Kind.BRANCH
            && (rootToo || p.level() > 1)
            && !p.subDb();
  }

  private static long pick(
      final LmdbPages m, final SplittableRandom r, final Predicate<Page> which) {
    final List<Long> pages = m.pages(which);
    if (pages.isEmpty()) {
      throw new IllegalStateException("the template has no such page; make it larger");
    }
    return pages.get(r.nextInt(pages.size()));
  }

  private static Node pickNode(
      final LmdbPages m, final SplittableRandom r, final Predicate<Node> which) {
    final List<Node> nodes = m.nodes.stream().filter(which).toList();
    if (nodes.isEmpty()) {
      throw new IllegalStateException("the template has no such node; make it larger");
    }
    return nodes.get(r.nextInt(nodes.size()));
  }

  /** Little-endian reads and writes at absolute offsets of one file. */
  static final class Patch implements AutoCloseable {
    private final FileChannel ch;

    Patch(final Path file) throws IOException {
      this.ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private ByteBuffer read(final long at, final int n) throws IOException {
      final ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, at);
      return b.flip();
    }

    private void write(final long at, final ByteBuffer b) throws IOException {
      ch.write(b.flip(), at);
    }

    int u16(final long at) throws IOException {
      return read(at, 2).getShort() & 0xFFFF;
    }

    long u64(final long at) throws IOException {
      return read(at, 8).getLong();
    }

    void u16(final long at, final int v) throws IOException {
      write(at, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v));
    }

    void u32(final long at, final int v) throws IOException {
      write(at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v));
    }

    void u64(final long at, final long v) throws IOException {
      write(at, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v));
    }

    /** A branch node's child page number: lo u16, hi u16, flags u16. */
    void pgno48(final long node, final long pgno) throws IOException {
      u16(node, (int) (pgno & 0xFFFF));
      u16(node + 2, (int) ((pgno >>> 16) & 0xFFFF));
      u16(node + 4, (int) ((pgno >>> 32) & 0xFFFF));
    }

    void zero(final long at, final int n) throws IOException {
      write(at, ByteBuffer.allocate(n).position(n));
    }

    void flip(final long at, final int mask) throws IOException {
      final ByteBuffer b = read(at, 1);
      final byte v = (byte) (b.get(0) ^ mask);
      write(at, ByteBuffer.allocate(1).put(v));
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }
}
