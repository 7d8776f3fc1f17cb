package org.lodestore.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte-level changes one write transaction made, in order, buffered on the heap until its
 * commit appends them to the change feed ({@link FeedLog}) as one entry. A nested transaction (one
 * caller's part of a group commit) has a recorder of its own: its commit hands its changes to the
 * parent's ({@link #absorb}), its abort drops them with it.
 *
 * <pre>
 *  tables   the LMDB names the changes touch, each once: u16 length, UTF-8
 *  changes  u8 op | u16 table index | u16 key length | key | i32 value length (-1: none) | value
 * </pre>
 *
 * <p>Only changes LMDB made are recorded: a delete that found nothing, an insert that found the key
 * present and a set add of a member already there record nothing.
 */
final class FeedRecorder {

  /** The largest buffer kept for the thread's next transaction (one per thread that writes). */
  private static final int KEEP = 64 * 1024;

  /** A buffer a finished transaction of this thread left, for the next one: no regrowth. */
  private static final ThreadLocal<byte[]> SPARE = new ThreadLocal<>();

  private final List<String> tables = new ArrayList<>(4);
  private String lastTable;
  private int lastIndex;
  private byte[] buf;
  private int size;
  private int count;

  FeedRecorder() {
    final byte[] spare = SPARE.get();
    if (spare != null) {
      SPARE.set(null);
      buf = spare;
    } else {
      buf = new byte[1024];
    }
  }

  /** Leaves its buffer to the thread's next recorder; this one is not used again. */
  void release() {
    final byte[] b = buf;
    buf = null;
    if (b != null && b.length <= KEEP && SPARE.get() == null) {
      SPARE.set(b);
    }
  }

  boolean isEmpty() {
    return count == 0;
  }

  int count() {
    return count;
  }

  List<String> tables() {
    return tables;
  }

  /** The encoded changes (without the table list): bytes {@code 0..size()}. */
  byte[] changes() {
    return buf;
  }

  int size() {
    return size;
  }

  void put(final String table, final ByteBuffer key, final ByteBuffer value) {
    record(FeedChange.Op.PUT, table, key, value);
  }

  void delete(final String table, final ByteBuffer key) {
    record(FeedChange.Op.DELETE, table, key, null);
  }

  void setAdd(final String table, final ByteBuffer key, final ByteBuffer member) {
    record(FeedChange.Op.SET_ADD, table, key, member);
  }

  void setRemove(final String table, final ByteBuffer key, final ByteBuffer member) {
    record(FeedChange.Op.SET_REMOVE, table, key, member);
  }

  void truncate(final String table) {
    record(FeedChange.Op.TRUNCATE, table, null, null);
  }

  void drop(final String table) {
    record(FeedChange.Op.DROP, table, null, null);
  }

  void create(final String table, final boolean dupSort, final boolean dupFixed) {
    final ByteBuffer flags =
        ByteBuffer.wrap(
            new byte[] {
              (byte) ((dupSort ? FeedChange.DUP_SORT : 0) | (dupFixed ? FeedChange.DUP_FIXED : 0))
            });
    record(FeedChange.Op.CREATE, table, null, flags);
  }

  /** Appends the changes a committed nested transaction recorded. */
  void absorb(final FeedRecorder child) {
    final int[] remap = new int[child.tables.size()];
    for (int i = 0; i < remap.length; i++) {
      remap[i] = indexOf(child.tables.get(i));
    }
    int at = 0;
    while (at < child.size) {
      final int start = at;
      at += 1;
      final int table = u16(child.buf, at);
      at += 2;
      final int keyLength = u16(child.buf, at);
      at += 2 + keyLength;
      final int valueLength = i32(child.buf, at);
      at += 4 + Math.max(0, valueLength);
      ensure(at - start);
      System.arraycopy(child.buf, start, buf, size, at - start);
      buf[size + 1] = (byte) (remap[table] >>> 8);
      buf[size + 2] = (byte) remap[table];
      size += at - start;
      count++;
    }
  }

  private void record(
      final FeedChange.Op op, final String table, final ByteBuffer key, final ByteBuffer value) {
    final int keyLength = key == null ? 0 : key.remaining();
    final int valueLength = value == null ? -1 : value.remaining();
    ensure(1 + 2 + 2 + keyLength + 4 + Math.max(0, valueLength));
    final int index = indexOf(table);
    buf[size++] = op.code;
    buf[size++] = (byte) (index >>> 8);
    buf[size++] = (byte) index;
    buf[size++] = (byte) (keyLength >>> 8);
    buf[size++] = (byte) keyLength;
    if (key != null) {
      key.duplicate().get(buf, size, keyLength);
      size += keyLength;
    }
    buf[size++] = (byte) (valueLength >>> 24);
    buf[size++] = (byte) (valueLength >>> 16);
    buf[size++] = (byte) (valueLength >>> 8);
    buf[size++] = (byte) valueLength;
    if (value != null) {
      value.duplicate().get(buf, size, valueLength);
      size += valueLength;
    }
    count++;
  }

  private int indexOf(final String table) {
    if (table == lastTable) {
      return lastIndex;
    }
    int index = tables.indexOf(table);
    if (index < 0) {
      if (tables.size() == 0xFFFF) {
        throw new LodestoreException("a transaction of the change feed touches too many tables");
      }
      index = tables.size();
      tables.add(table);
    }
    lastTable = table;
    lastIndex = index;
    return index;
  }

  private void ensure(final int more) {
    if (size + more > buf.length) {
      final long wanted = Math.max((long) buf.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 64) {
        throw new LodestoreException(
            "the changes of one transaction exceed what a change feed entry can hold (2 GiB)");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }

  /** The encoded table list: u16 count, then each name as u16 length and UTF-8. */
  byte[] encodedTables() {
    int length = 2;
    final byte[][] names = new byte[tables.size()][];
    for (int i = 0; i < names.length; i++) {
      names[i] = tables.get(i).getBytes(StandardCharsets.UTF_8);
      length += 2 + names[i].length;
    }
    final ByteBuffer out = ByteBuffer.allocate(length);
    out.putShort((short) names.length);
    for (final byte[] name : names) {
      out.putShort((short) name.length).put(name);
    }
    return out.array();
  }

  static int u16(final byte[] b, final int at) {
    return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
  }

  static int i32(final byte[] b, final int at) {
    return (b[at] & 0xFF) << 24
        | (b[at + 1] & 0xFF) << 16
        | (b[at + 2] & 0xFF) << 8
        | b[at + 3] & 0xFF;
  }
}
