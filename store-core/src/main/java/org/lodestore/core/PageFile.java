package org.lodestore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only access to the pages of an LMDB 0.9 {@code data.mdb} (64-bit, little-endian: every
 * platform lmdbjava ships a library for) through positional reads into heap buffers, never a memory
 * map: a damaged or truncated file then gives wrong bytes or a short read, never a fault. Used by
 * {@link PageWalk} at open and by {@link Verify}'s child.
 *
 * <pre>
 *  page header (16 bytes)  pgno u64 @0 | pad u16 @8 | flags u16 @10 | lower u16 @12 | upper u16 @14
 *                          overflow pages: number of pages u32 @12; fixed-size (LEAF2) pages:
 *                          key size in pad
 *  node pointers           u16 each from @16, (lower - 16) / 2 of them, offsets from the page start
 *  node                    lo u16 @0 | hi u16 @2 | flags u16 @4 | ksize u16 @6 | key | data
 *                          branch: child = lo | hi &lt;&lt; 16 | flags &lt;&lt; 32; leaf: dsize = lo | hi &lt;&lt; 16
 *  table record (48)       pad u32 @0 | flags u16 @4 | depth u16 @6 | branch pages u64 @8 |
 *                          leaf pages @16 | overflow pages @24 | entries @32 | root @40
 *  meta page (0 and 1)     @16: magic u32 @0 | version u32 @4 | address @8 | map size @16 |
 *                          free table record @24 (its pad is the page size) | main table record @72
 *                          | last page @120 | transaction id @128
 * </pre>
 */
final class PageFile implements AutoCloseable {

  static final int HEADER = 16;
  static final int P_BRANCH = 0x01;
  static final int P_LEAF = 0x02;
  static final int P_OVERFLOW = 0x04;
  static final int P_META = 0x08;
  static final int P_LEAF2 = 0x20;
  static final int P_SUBP = 0x40;

  /** Page flags that say nothing about the page's content (dirty, loose, keep). */
  static final int P_IGNORED = 0x10 | 0x4000 | 0x8000;

  static final int F_BIGDATA = 0x01;
  static final int F_SUBDATA = 0x02;
  static final int F_DUPDATA = 0x04;

  static final int MDB_REVERSEKEY = 0x02;
  static final int MDB_DUPSORT = 0x04;
  static final int MDB_INTEGERKEY = 0x08;
  static final int MDB_DUPFIXED = 0x10;
  static final int MDB_INTEGERDUP = 0x20;
  static final int MDB_REVERSEDUP = 0x40;

  /** The flags a table record may carry. */
  static final int PERSISTENT_FLAGS = 0x7E;

  static final long P_INVALID = -1L;
  static final int NUM_METAS = 2;
  static final int MAX_KEY = 511;

  /** LMDB's cursor stack: no tree is deeper. */
  static final int MAX_DEPTH = 32;

  static final int RECORD = 48;
  static final int MAGIC = 0xBEEFC0DE;
  static final int VERSION = 1;

  /** A table record ({@code MDB_db}). */
  record Record(
      int pad,
      int flags,
      int depth,
      long branchPages,
      long leafPages,
      long overflowPages,
      long entries,
      long root) {

    static Record read(final ByteBuffer b, final int at) {
      return new Record(
          b.getInt(at),
          b.getShort(at + 4) & 0xFFFF,
          b.getShort(at + 6) & 0xFFFF,
          b.getLong(at + 8),
          b.getLong(at + 16),
          b.getLong(at + 24),
          b.getLong(at + 32),
          b.getLong(at + 40));
    }
  }

  /** One meta page. */
  record Meta(
      int index,
      int pageFlags,
      int magic,
      int version,
      long mapSize,
      Record free,
      Record main,
      long lastPage,
      long txnid) {

    /** The page size, which LMDB keeps in the free table record's pad. */
    int pageSize() {
      return free.pad();
    }
  }

  private static final int META_BYTES = HEADER + 136;

  final Path path;
  private final FileChannel channel;

  private PageFile(final Path path, final FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Opens {@code data.mdb} for reading.
   *
   * @param path the file
   * @return the open file
   * @throws IOException if it cannot be opened
   */
  static PageFile open(final Path path) throws IOException {
    return new PageFile(path, FileChannel.open(path, StandardOpenOption.READ));
  }

  /** The file's size now. */
  long size() throws IOException {
    return channel.size();
  }

  /**
   * Reads {@code length} bytes at {@code offset} into a little-endian heap buffer; its limit is
   * what the file held (less than {@code length} past the end of the file).
   */
  ByteBuffer read(final long offset, final int length) throws IOException {
    final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (channel.read(b, offset + b.position()) < 0) {
        break;
      }
    }
    return b.flip();
  }

  /** Reads meta page {@code index}, which starts at {@code offset}; null past the end. */
  Meta meta(final int index, final long offset) throws IOException {
    final ByteBuffer b = read(offset, META_BYTES);
    if (b.limit() < META_BYTES) {
      return null;
    }
    final int m = HEADER;
    return new Meta(
        index,
        b.getShort(10) & 0xFFFF,
        b.getInt(m),
        b.getInt(m + 4),
        b.getLong(m + 16),
        Record.read(b, m + 24),
        Record.read(b, m + 72),
        b.getLong(m + 120),
        b.getLong(m + 128));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
