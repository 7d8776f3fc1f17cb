package org.lodestore.core;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.SeekOp;
import org.lodestore.core.key.KeyCodec;

/**
 * A scan over the rows of a {@link KeyRange}, in key order (or reverse), backed by an LMDB cursor
 * and bound to its transaction. Close it (try-with-resources); it also closes with its transaction.
 *
 * <p>Two ways to read it:
 *
 * <pre>{@code
 * try (Cursor<UUID, Tick> c = ticks.select(txn, range)) {      // flyweight: no allocation per row
 *   Tick reuse = null;
 *   while (c.next()) {
 *     reuse = c.valueInto(reuse);                               // re-points one object
 *     sum += reuse.price();
 *   }
 * }
 * try (Cursor<UUID, Order> c = orders.select(txn, KeyRange.all())) {
 *   for (Row<UUID, Order> row : c) { ... }                      // a Row per step
 * }
 * }</pre>
 *
 * <p>{@link #key()} and {@link #value()} decode the current row on each call. A zero-copy value is
 * valid until the transaction ends (in a write transaction: until its next write); a value from
 * {@link #valueInto} only until the next {@code valueInto} with the same object. Writes made in the
 * same write transaction while scanning are seen or not depending on where they land relative to
 * the cursor, as in LMDB.
 *
 * <p>Not thread-safe; it belongs to its transaction's thread.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Cursor<K, V> implements AutoCloseable, Iterable<Row<K, V>> {

  /** Decodes rows for a cursor; implemented by {@link Table} and {@link SetTable}. */
  interface Reader<K, V> {
    K key(Txn txn, ByteBuffer key);

    V value(Txn txn, ByteBuffer value, ByteBuffer key);

    /**
     * As {@link #value}, into {@code reuse}; {@code inPage}: the leaf stepper found {@code value}
     * wholly inside a page of the used map, so its bounds need no second check.
     */
    V valueInto(Txn txn, ByteBuffer value, V reuse, ByteBuffer key, boolean inPage);

    /**
     * Whether {@link #valueInto} (or {@link #value} if {@code reuse} is null) with this object
     * would leave the transaction's state alone: a copying codec, or a view codec re-pointing a
     * view the transaction already owns. Then the cursor decodes without the operation guard.
     */
    boolean decodesUnguarded(Txn txn, V reuse);
  }

  private final Txn txn;
  private final TableHandle handle;
  private final String name;
  private final Reader<K, V> reader;
  private final org.lmdbjava.Cursor<ByteBuffer> lmdb;

  /** LMDB's cursor and the bound buffers, reused underneath (see {@link LmdbCursor}). */
  private final LmdbCursor reused;

  /** Steps within a leaf page in Java (read transactions, plain tables), or null. */
  private final LeafSteps leaf;

  /** Scan over the members of this one key of a set table, or null to scan keys. */
  private final byte[] dupKey;

  private final ByteBuffer lower;
  private final boolean lowerInclusive;
  private final ByteBuffer upper;

  /** For a reverse prefix scan: the least key above every key with the prefix, or null. */
  private final ByteBuffer prefixLimit;

  private final KeyRange.Bound upperBound;
  private final boolean reversed;
  private final long limit;
  private long toSkip;
  private long returned;

  /** The view {@link #keyView()} re-points for each row. */
  private ByteBuffer keyBytes;

  private boolean started;
  private boolean done;
  private boolean more;
  private boolean positioned;
  private boolean closed;
  private int seenWrites;

  Cursor(
      final Txn txn,
      final TableHandle handle,
      final String name,
      final Reader<K, V> reader,
      final KeyCodec<?> boundCodec,
      final KeyRange<?> range,
      final byte[] dupKey) {
    this.txn = txn;
    this.handle = handle;
    this.reader = reader;
    this.name = name;
    this.dupKey = dupKey;
    this.reversed = range.reversed;
    this.limit = range.limit;
    this.toSkip = range.offset;
    final String table = name;
    final ByteBuffer scratch = Encoding.secondBuffer();
    // encoded before LMDB's cursor is taken: a key that cannot be encoded leaves nothing open
    final ByteBuffer lowerBytes;
    final ByteBuffer upperBytes;
    if (range.prefix != null) {
      lowerBytes = Encoding.prefix(table, boundCodec, range.prefix, scratch);
      upperBytes = null;
    } else {
      lowerBytes = bound(table, boundCodec, range.lower, range.lowerBound, scratch);
      upperBytes = bound(table, boundCodec, range.upper, range.upperBound, Encoding.keyBuffer());
    }
    try {
      this.reused = txn.openCursor(handle);
    } catch (LmdbException e) {
      throw Lmdb.translate(e, table, null);
    }
    this.lmdb = reused.lmdb;
    this.keyBytes = reused.keyBytes;
    this.leaf =
        txn.isReadOnly() && dupKey == null && !handle.dupSort
            ? reused.leafSteps(txn.db.bounds)
            : null;
    if (leaf != null) {
      leaf.lose(); // it may stand where the last cursor on this LMDB cursor left it
    }
    if (range.prefix != null) {
      final ByteBuffer p = LmdbCursor.fill(reused.lower, lowerBytes);
      this.lower = p;
      this.lowerInclusive = true;
      this.upper = p;
      this.upperBound = KeyRange.Bound.PREFIX;
      this.prefixLimit = reversed ? successor(p, reused.successor) : null;
    } else {
      this.lower = lowerBytes == null ? null : LmdbCursor.fill(reused.lower, lowerBytes);
      this.lowerInclusive = range.lowerBound == KeyRange.Bound.INCLUSIVE;
      this.upper = upperBytes == null ? null : LmdbCursor.fill(reused.upper, upperBytes);
      this.upperBound = range.upperBound;
      this.prefixLimit = null;
    }
    txn.register(this);
  }

  /** The encoded bound in {@code scratch} (position 0 to limit), or null for none. */
  @SuppressWarnings("unchecked")
  private static ByteBuffer bound(
      final String table,
      final KeyCodec<?> codec,
      final Object key,
      final KeyRange.Bound bound,
      final ByteBuffer scratch) {
    if (bound == KeyRange.Bound.NONE) {
      return null;
    }
    return Encoding.key(table, (KeyCodec<Object>) codec, key, scratch);
  }

  /**
   * Writes into {@code dst} the least byte string greater than every string starting with {@code
   * prefix}, and returns it; null if there is none (the prefix is all 0xFF bytes).
   */
  private static ByteBuffer successor(final ByteBuffer prefix, final ByteBuffer dst) {
    for (int i = prefix.limit() - 1; i >= 0; i--) {
      final byte b = prefix.get(i);
      if (b != (byte) 0xFF) {
        dst.clear();
        for (int k = 0; k < i; k++) {
          dst.put(prefix.get(k));
        }
        dst.put((byte) (b + 1));
        return dst.flip();
      }
    }
    return null;
  }

  /**
   * Moves to the next row of the range.
   *
   * @return true if positioned on a row; false once the range (or the limit) is exhausted
   * @throws InvalidStateException if the cursor or its transaction is closed
   */
  public boolean next() {
    if (leaf != null && positioned && !closed && toSkip == 0 && txn.usableUnguarded()) {
      // Within a leaf page, Java steps by reading the mapped page alone: no LMDB call and no
      // transaction state, so no guard (as for key() and valueInto()). Crossing a page, and
      // everything else, takes the guarded path below.
      if (reversed ? leaf.prevInPage() : leaf.nextInPage()) {
        final boolean ok = reversed ? aboveLower() : belowUpper();
        if (!txn.usableUnguarded()) {
          throw txn.endedError(); // ended by another thread meanwhile: what was read is void
        }
        return stepped(ok);
      }
    }
    return nextGuarded();
  }

  private boolean nextGuarded() {
    txn.enter();
    try {
      checkOpen();
      if (done) {
        return false;
      }
      boolean ok;
      if (!started) {
        started = true;
        ok = position();
        if (leaf != null) {
          if (ok) {
            leaf.found(Views.address(lmdb.key()));
          } else {
            leaf.lose();
          }
        }
      } else {
        ok = step();
      }
      while (ok && toSkip > 0) {
        toSkip--;
        ok = step();
      }
      seenWrites = txn.writeCount();
      return stepped(ok);
    } catch (LmdbException e) {
      throw Lmdb.translate(e, name, null);
    } finally {
      txn.exit();
    }
  }

  /** Ends a step that found a row in range ({@code ok}) or not, counting it against the limit. */
  private boolean stepped(boolean ok) {
    if (ok && returned >= limit) {
      more = true;
      ok = false;
    }
    if (!ok) {
      done = true;
      positioned = false;
      return false;
    }
    returned++;
    positioned = true;
    return true;
  }

  /**
   * The current row's key, decoded.
   *
   * @return the key
   * @throws IllegalStateException if {@link #next()} has not returned true for a current row
   */
  public K key() {
    if (unguarded()) {
      // decodes from LMDB memory through an internal scratch view: no LMDB call, no txn state
      try {
        return decodeKey();
      } catch (RuntimeException e) {
        throw txn.isOpen() ? e : txn.endedError();
      }
    }
    txn.enter();
    try {
      return decodeKey();
    } finally {
      txn.exit();
    }
  }

  private K decodeKey() {
    current();
    final ByteBuffer key = rowKey();
    return reader.key(txn, txn.keyView(Views.address(key), key.remaining()));
  }

  /**
   * The current row's key as stored: a read-only view of its encoded bytes in LMDB's memory,
   * without decoding or copying. The layout is the key codec's (each codec in {@link
   * org.lodestore.core.key.KeyCodecs} documents it; a timestamp component reads back with {@link
   * org.lodestore.core.key.KeyCodecs#timestampNanos}). The cursor returns the same buffer each
   * time, re-pointed at the current key; it is detached when the transaction writes or ends, and
   * reads of it then fail with {@link IndexOutOfBoundsException}. For hot loops that need one
   * component of a composite key.
   *
   * @return the encoded key, position 0, big-endian
   * @throws IllegalStateException if there is no current row
   */
  public ByteBuffer keyView() {
    if (unguarded() && keyBytes != null && Views.owner(keyBytes) == txn) {
      current(); // re-pointing a view this transaction owns changes no transaction state
      if (leaf != null && leaf.active()) {
        // the leaf stepper checked that the key lies wholly inside a page of the used map
        final ByteBuffer key = leaf.key();
        return Views.repoint(keyBytes, Views.address(key), key.remaining());
      }
      final ByteBuffer key = lmdb.key();
      return Views.repoint(keyBytes, txn.keyAddress(key), key.remaining());
    }
    txn.enter();
    try {
      current();
      final ByteBuffer key = rowKey();
      keyBytes = txn.reuseView(keyBytes, txn.keyAddress(key), key.remaining());
      reused.keyBytes = keyBytes;
      return keyBytes;
    } finally {
      txn.exit();
    }
  }

  /**
   * The current row's value, decoded. For a zero-copy codec it reads LMDB memory and is valid until
   * the transaction ends (in a write transaction: until its next write).
   *
   * @return the value
   * @throws CorruptValueException if the stored bytes cannot be decoded or fail their checksum
   * @throws IllegalStateException if there is no current row
   */
  public V value() {
    return valueInto(null);
  }

  /**
   * The current row's value, decoded into {@code reuse} where the codec supports it (FlatBuffers:
   * re-points the object, allocating nothing). The result is valid until the next {@code valueInto}
   * with the same object, or the end of the transaction.
   *
   * @param reuse an object from an earlier call, or null the first time
   * @return the value ({@code reuse} itself where supported)
   * @throws CorruptValueException if the stored bytes cannot be decoded or fail their checksum
   * @throws IllegalStateException if there is no current row
   */
  public V valueInto(final V reuse) {
    if (unguarded() && reader.decodesUnguarded(txn, reuse)) {
      try {
        return decodeValue(reuse);
      } catch (RuntimeException e) {
        throw txn.isOpen() ? e : txn.endedError();
      }
    }
    txn.enter();
    try {
      return decodeValue(reuse);
    } finally {
      txn.exit();
    }
  }

  private V decodeValue(final V reuse) {
    current();
    if (reuse == null) {
      return reader.value(txn, rowValue(), rowKey());
    }
    final boolean inPage = leaf != null && leaf.active();
    return inPage
        ? reader.valueInto(txn, leaf.value(), reuse, leaf.key(), true)
        : reader.valueInto(txn, lmdb.val(), reuse, lmdb.key(), false);
  }

  /**
   * Deletes the current row ({@code mdb_cursor_del}), for {@link Table#deleteRange}: afterwards
   * there is no current row, and {@link #next()} moves to the row that followed it in scan
   * direction (LMDB leaves its cursor on the next row, flagged so that a step forward does not skip
   * it; a step back goes to the row before). Detaches the transaction's views, as every write does.
   *
   * @param byOwner whether the table object deleting is its owner's (see {@link OwnerAccess})
   * @throws SchemaMismatchException if the table is owned and {@code byOwner} is false
   * @throws InvalidStateException if there is no current row, or not a write transaction
   */
  void deleteCurrent(final boolean byOwner) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      current();
      txn.beforeMutation();
      final FeedRecorder feed = txn.recorder(handle);
      if (feed != null) {
        feed.delete(handle.name, lmdb.key()); // before: the delete moves the cursor
      }
      lmdb.delete();
      seenWrites = txn.writeCount();
      positioned = false;
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, null));
    } finally {
      txn.exit();
    }
  }

  /**
   * Whether the scan stopped at its limit while further rows were in range: the "more available"
   * answer for paging. Meaningful after {@link #next()} returned false.
   *
   * @return true if the limit cut the scan short
   */
  public boolean moreAvailable() {
    return more;
  }

  /**
   * Iterates the remaining rows, each decoded into a new {@link Row}.
   *
   * @return an iterator over this cursor (not restartable)
   */
  @Override
  public Iterator<Row<K, V>> iterator() {
    return new Iterator<>() {
      private boolean fetched;
      private boolean has;

      @Override
      public boolean hasNext() {
        if (!fetched) {
          has = Cursor.this.next();
          fetched = true;
        }
        return has;
      }

      @Override
      public Row<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        fetched = false;
        return new Row<>(key(), value());
      }
    };
  }

  /**
   * The remaining rows as a sequential stream; closing the stream closes this cursor.
   *
   * @return the stream
   */
  public Stream<Row<K, V>> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(
                iterator(), Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /** Closes the cursor. Idempotent; also happens when its transaction ends. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (!txn.isOpen()) {
      return; // the transaction's end released the LMDB cursor already
    }
    txn.enter();
    try {
      release();
      txn.unregister(this);
    } finally {
      txn.exit();
    }
  }

  /** How many rows were stepped to in Java by the leaf stepper under this cursor, ever (tests). */
  long javaSteps() {
    return leaf == null ? 0 : leaf.steps;
  }

  /** Frees the LMDB cursor; called by close and by the transaction's end. */
  void release() {
    if (!closed) {
      closed = true;
      txn.releaseCursor(reused);
    }
  }

  /**
   * Whether reading the current row may skip the transaction's operation guard: it is usable from
   * this thread and has not written since the cursor positioned (so {@link #current()} calls no
   * LMDB function); see {@link Txn#usableUnguarded()}.
   */
  private boolean unguarded() {
    return txn.usableUnguarded() && seenWrites == txn.writeCount();
  }

  private void checkOpen() {
    if (closed) {
      throw new InvalidStateException("cursor on table '" + name + "' is closed");
    }
  }

  private void current() {
    checkOpen();
    if (!positioned) {
      throw new InvalidStateException(
          "cursor on table '" + name + "' has no current row; call next() first");
    }
    if (seenWrites != txn.writeCount()) {
      // a write in this transaction may have moved the row in memory: re-read the position
      lmdb.seek(SeekOp.MDB_GET_CURRENT);
      seenWrites = txn.writeCount();
    }
  }

  // ------------------------------------------------------------ positioning

  /** The bytes the range bounds apply to: keys, or members of {@link #dupKey}. */
  private ByteBuffer subject() {
    return dupKey == null ? rowKey() : lmdb.val();
  }

  /** The current row's key as stored: where Java stepped to, or what LMDB returned last. */
  private ByteBuffer rowKey() {
    return leaf != null && leaf.active() ? leaf.key() : lmdb.key();
  }

  private ByteBuffer rowValue() {
    return leaf != null && leaf.active() ? leaf.value() : lmdb.val();
  }

  private boolean position() {
    return reversed ? positionLast() : positionFirst();
  }

  private boolean positionFirst() {
    boolean ok;
    if (lower == null) {
      ok = dupKey == null ? lmdb.first() : seekKey();
    } else {
      ok = seekAtLeast(lower);
      if (ok && !lowerInclusive && Encoding.compare(subject(), lower) == 0) {
        ok = lmdb.seek(dupKey == null ? SeekOp.MDB_NEXT_NODUP : SeekOp.MDB_NEXT_DUP);
      }
    }
    return ok && belowUpper();
  }

  private boolean positionLast() {
    boolean ok;
    if (upper == null) {
      ok = dupKey == null ? lmdb.last() : seekKey() && lmdb.seek(SeekOp.MDB_LAST_DUP);
    } else if (upperBound == KeyRange.Bound.INCLUSIVE) {
      ok = seekAtLeast(upper);
      if (ok) {
        if (Encoding.compare(subject(), upper) == 0) {
          if (dupKey == null && handle.dupSort) {
            ok = lmdb.seek(SeekOp.MDB_LAST_DUP);
          }
        } else {
          ok = stepBack();
        }
      } else {
        ok = lastOverall();
      }
    } else {
      final ByteBuffer target = upperBound == KeyRange.Bound.PREFIX ? prefixLimit : upper;
      if (target == null) {
        ok = lastOverall();
      } else {
        ok = seekAtLeast(target) ? stepBack() : lastOverall();
      }
    }
    return ok && aboveLower();
  }

  private boolean lastOverall() {
    return dupKey == null ? lmdb.last() : seekKey() && lmdb.seek(SeekOp.MDB_LAST_DUP);
  }

  private boolean stepBack() {
    return lmdb.seek(dupKey == null ? SeekOp.MDB_PREV : SeekOp.MDB_PREV_DUP);
  }

  private boolean seekKey() {
    final ByteBuffer key = Encoding.keyBuffer().clear().put(dupKey).flip();
    return lmdb.get(key, GetOp.MDB_SET_KEY);
  }

  /** Positions at the first key (or member of dupKey) >= target. */
  private boolean seekAtLeast(final ByteBuffer target) {
    if (!target.hasRemaining()) {
      // every key is >= the empty string (an empty prefix); LMDB refuses zero-length seek keys
      return dupKey == null ? lmdb.first() : seekKey();
    }
    // target is one of the cursor's direct bound buffers: LMDB reads it where it is
    if (dupKey == null) {
      return lmdb.get(target, GetOp.MDB_SET_RANGE);
    }
    final ByteBuffer key = Encoding.keyBuffer().clear().put(dupKey).flip();
    return lmdb.get(key, target, SeekOp.MDB_GET_BOTH_RANGE);
  }

  private boolean step() {
    if (leaf != null) {
      if (reversed ? leaf.prev() : leaf.next()) {
        return reversed ? aboveLower() : belowUpper(); // stepped in Java, within the leaf page
      }
      final boolean ok = reversed ? stepBack() : lmdb.seek(SeekOp.MDB_NEXT);
      if (!ok) {
        leaf.lose();
        return false;
      }
      leaf.found(Views.address(lmdb.key()));
      return reversed ? aboveLower() : belowUpper();
    }
    if (reversed) {
      return stepBack() && aboveLower();
    }
    return lmdb.seek(dupKey == null ? SeekOp.MDB_NEXT : SeekOp.MDB_NEXT_DUP) && belowUpper();
  }

  private boolean belowUpper() {
    if (upper == null) {
      return true;
    }
    final ByteBuffer s = subject();
    switch (upperBound) {
      case INCLUSIVE:
        return Encoding.compare(s, upper) <= 0;
      case EXCLUSIVE:
        return Encoding.compare(s, upper) < 0;
      default:
        return Encoding.comparePrefix(s, upper) <= 0;
    }
  }

  private boolean aboveLower() {
    if (lower == null) {
      return true;
    }
    final int c = Encoding.compare(subject(), lower);
    return c > 0 || (c == 0 && lowerInclusive);
  }
}
