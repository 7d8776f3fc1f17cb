package org.lodestore.core;

import java.nio.ByteBuffer;

/**
 * What a {@link Cursor} uses underneath, kept for reuse: LMDB's cursor, and direct buffers for the
 * range's encoded bounds, so that a seek passes them to LMDB as they are (no copy per seek).
 *
 * <p>In a pooled read transaction ({@link LmdbReader}) the whole of it is reused: the LMDB cursor
 * is renewed ({@code mdb_cursor_renew}) instead of opened, and the view {@link Cursor#keyView()}
 * hands out is re-pointed (it was detached when the last transaction ended). Elsewhere (a write
 * transaction, an unpooled read) the LMDB cursor is opened and closed each time, and only the
 * buffers are reused (see {@link TxnGate}).
 *
 * <pre>
 *   bounds: one direct buffer, three regions of {@value #REGION} bytes (keys are at most 511)
 *   +-----------------+-----------------+------------------------------------+
 *   | lower bound     | upper bound     | prefix successor (reverse prefix)  |
 *   +-----------------+-----------------+------------------------------------+
 *   0                 512               1024                                1536
 * </pre>
 */
final class LmdbCursor {

  static final int REGION = 512;

  private final ByteBuffer bounds = ByteBuffer.allocateDirect(3 * REGION);

  /** The lower bound's region; the caller sets position 0 and the limit. */
  final ByteBuffer lower = region(0);

  final ByteBuffer upper = region(1);
  final ByteBuffer successor = region(2);

  /** The table this LMDB cursor is open on, when it is kept open for renewal. */
  TableHandle handle;

  /** LMDB's cursor, or null between uses in a write or unpooled transaction. */
  org.lmdbjava.Cursor<ByteBuffer> lmdb;

  /** Whether a {@link Cursor} uses it now. */
  boolean inUse;

  /**
   * Java stepping through leaf pages for {@link #lmdb} (read transactions); see {@link LeafSteps}.
   */
  private LeafSteps leaf;

  private org.lmdbjava.Cursor<ByteBuffer> leafFor;

  /** The view {@link Cursor#keyView()} re-points; kept across transactions, detached between. */
  ByteBuffer keyBytes;

  private ByteBuffer region(final int index) {
    final ByteBuffer b = bounds.duplicate();
    b.position(index * REGION).limit((index + 1) * REGION);
    return b.slice();
  }

  /** Copies {@code bytes} (position to limit) into {@code region}, set to position 0, limit n. */
  static ByteBuffer fill(final ByteBuffer region, final ByteBuffer bytes) {
    region.clear();
    region.put(bytes);
    return region.flip();
  }

  /** Leaf stepping for the current LMDB cursor of a read transaction, or null where it is off. */
  LeafSteps leafSteps(final StoredBounds bounds) {
    if (leafFor != lmdb) {
      leafFor = lmdb;
      leaf = LeafSteps.of(bounds, lmdb);
    }
    return leaf;
  }

  /** Closes LMDB's cursor, if open. */
  void closeLmdb() {
    final org.lmdbjava.Cursor<ByteBuffer> c = lmdb;
    if (c != null) {
      lmdb = null;
      leaf = null;
      leafFor = null;
      c.close();
    }
  }
}
