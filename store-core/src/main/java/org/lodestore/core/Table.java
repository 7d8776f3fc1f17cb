package org.lodestore.core;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;

/**
 * A typed table over one LMDB named database: keys of type {@code K} stored in the order of their
 * {@link KeyCodec}, values of type {@code V} encoded by a {@link ValueCodec}. Obtain one from
 * {@link Database#table}. The table object is immutable and thread-safe; every operation takes the
 * {@link Txn} it runs in.
 *
 * <p>Writes check everything first: a null, empty, unencodable or overlong key, or an unencodable
 * value, throws before anything is written. Not-found is {@code null}, {@code false} or an empty
 * {@link Optional}, never an exception.
 *
 * <p>A table that a schema owns ({@link OwnerAccess#claim}) refuses every write through a table
 * object from {@link Database#table} with {@link SchemaMismatchException}, since such a write would
 * bypass the schema's indexes; reads are allowed.
 *
 * <p>Values from a zero-copy codec (FlatBuffers, {@link org.lodestore.core.codec.ValueCodecs#VIEW})
 * read LMDB memory: valid until the transaction ends, in a write transaction until its next write.
 *
 * <p>A table object made with {@link #withValueChecksum} stores a CRC-32C of key and value after
 * each value and checks it on every read that returns a value (get, getInto, rawView, a cursor's
 * value and valueInto, first, last): a damaged value is a {@link CorruptValueException} naming the
 * table and key, never a silently different value. See {@link ValueChecksum}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Table<K, V> {

  private static final PutFlags[] UPSERT = {};
  private static final PutFlags[] NO_OVERWRITE = {PutFlags.MDB_NOOVERWRITE};

  private final TableHandle handle;

  /** Opened through {@link OwnerAccess}: writes even if the table is owned (see {@link Owners}). */
  private final boolean byOwner;

  private final KeyCodec<K> keyCodec;
  private final ValueCodec<V> valueCodec;
  private final String name;
  private final ValueChecksum checksum;
  private final Cursor.Reader<K, V> reader = new RowReader();

  Table(
      final TableHandle handle,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec,
      final boolean byOwner) {
    this(handle, keyCodec, valueCodec, handle.name, ValueChecksum.NONE, byOwner);
  }

  private Table(
      final TableHandle handle,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec,
      final String name,
      final ValueChecksum checksum,
      final boolean byOwner) {
    this.handle = handle;
    this.byOwner = byOwner;
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
    this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
    this.name = Objects.requireNonNull(name, "name");
    this.checksum = Objects.requireNonNull(checksum, "checksum");
  }

  /**
   * Checks that {@code key} can be stored in this table (not null, encodable, 1..511 bytes) without
   * touching the database.
   *
   * @param key the key
   * @throws InvalidKeyException if it cannot be stored; {@link NullPointerException} if null
   */
  @Internal
  public void checkKey(final K key) {
    Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
  }

  /**
   * The same table under another name for messages and exceptions (e.g. a schema table's declared
   * name, when its LMDB database is named by its oid).
   *
   * @param displayName the name to report
   * @return a table object sharing this one's storage and codecs
   */
  Table<K, V> withDisplayName(final String displayName) {
    return new Table<>(handle, keyCodec, valueCodec, displayName, checksum, byOwner);
  }

  /**
   * The same table with stored values checksummed as {@code valueChecksum} says (see {@link
   * ValueChecksum} for the layout): writes through the returned object append the checksum, and
   * every read that returns a value checks it and reports a mismatch as {@link
   * CorruptValueException}. A table object from {@link Database#table} has {@link
   * ValueChecksum#NONE}.
   *
   * <p>The setting belongs to the data: write and read one table always with the same setting (from
   * the first write on). A table written with a checksum and read without one sees the 4-byte
   * trailer as part of each value; one written without and read with one reports every value as
   * corrupt. store-schema records the setting in its catalog and checks it at attach; for a plain
   * table nothing records it.
   *
   * <pre>{@code
   * Table<UUID, Order> orders =
   *     db.table("orders", KeyCodecs.UUID, CborCodec.of(Order.class))
   *         .withValueChecksum(ValueChecksum.CRC32C);
   * }</pre>
   *
   * @param valueChecksum the checksum of this table's stored values
   * @return a table object sharing this one's storage, codecs and name
   */
  public Table<K, V> withValueChecksum(final ValueChecksum valueChecksum) {
    return new Table<>(handle, keyCodec, valueCodec, name, valueChecksum, byOwner);
  }

  /**
   * Whether and how this table object checksums stored values.
   *
   * @return the checksum setting ({@link ValueChecksum#NONE} unless set with {@link
   *     #withValueChecksum})
   */
  public ValueChecksum valueChecksum() {
    return checksum;
  }

  /**
   * Entries, depth and pages of this table, as of {@code txn}.
   *
   * @param txn the transaction
   * @return the statistics (named by the LMDB database name)
   */
  public TableStats stats(final Txn txn) {
    return handle.stats(txn);
  }

  /**
   * The table's name as reported in messages: its LMDB database name, or the declared name of a
   * schema's table (whose LMDB database is named by its oid).
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * How keys are encoded.
   *
   * @return the key codec
   */
  public KeyCodec<K> keyCodec() {
    return keyCodec;
  }

  /**
   * How values are encoded.
   *
   * @return the value codec
   */
  public ValueCodec<V> valueCodec() {
    return valueCodec;
  }

  // ------------------------------------------------------------ reads

  /**
   * The value stored under {@code key}.
   *
   * @param txn the transaction
   * @param key the key
   * @return the value, or null if absent; a zero-copy value lives as long as the transaction (in a
   *     write transaction: until its next write)
   * @throws CorruptValueException if the stored bytes cannot be decoded or fail their checksum
   * @throws InvalidKeyException if the key cannot be encoded
   */
  public V get(final Txn txn, final K key) {
    txn.enter();
    try {
      final ByteBuffer k = encodeKey(txn, key);
      final ByteBuffer stored = lookup(txn, k, key);
      return stored == null ? null : decode(txn, stored, valueLength(txn, k, stored, key), key);
    } finally {
      txn.exit();
    }
  }

  /**
   * The value stored under {@code key}, decoded into {@code reuse} where the codec supports it
   * (FlatBuffers: the object is re-pointed, nothing is allocated).
   *
   * @param txn the transaction
   * @param key the key
   * @param reuse an object from an earlier call, or null
   * @return the value ({@code reuse} where supported), or null if absent
   * @throws CorruptValueException if the stored bytes cannot be decoded or fail their checksum
   */
  public V getInto(final Txn txn, final K key, final V reuse) {
    txn.enter();
    try {
      final ByteBuffer k = encodeKey(txn, key);
      final ByteBuffer stored = lookup(txn, k, key);
      if (stored == null) {
        return null;
      }
      final int length = valueLength(txn, k, stored, key);
      return reuse == null
          ? decode(txn, stored, length, key)
          : decodeInto(txn, stored, length, reuse, key, false);
    } finally {
      txn.exit();
    }
  }

  /**
   * The stored bytes of {@code key}'s value, zero-copy: a read-only buffer over LMDB memory, valid
   * until the transaction ends (in a write transaction: until its next write); after that every
   * access throws {@link IndexOutOfBoundsException}. For a checksummed table (see {@link
   * #withValueChecksum}) the checksum is checked first and the buffer covers the value bytes
   * without it.
   *
   * @param txn the transaction
   * @param key the key
   * @return the bytes (position 0, limit = length), or null if absent
   * @throws CorruptValueException if the stored bytes fail their checksum
   */
  public ByteBuffer rawView(final Txn txn, final K key) {
    txn.enter();
    try {
      final ByteBuffer k = encodeKey(txn, key);
      final ByteBuffer stored = lookup(txn, k, key);
      return stored == null
          ? null
          : txn.newView(Views.address(stored), valueLength(txn, k, stored, key));
    } finally {
      txn.exit();
    }
  }

  /**
   * Whether {@code key} is present. Reads no value, so checks no checksum.
   *
   * @param txn the transaction
   * @param key the key
   * @return true if present
   */
  public boolean contains(final Txn txn, final K key) {
    txn.enter();
    try {
      return lookup(txn, encodeKey(txn, key), key) != null;
    } finally {
      txn.exit();
    }
  }

  /**
   * The values stored under {@code keys}, looked up together: every key is encoded (and checked)
   * first, then the lookups run in the keys' stored order through one LMDB cursor, so keys that
   * share a leaf page cost one descent of the tree between them.
   *
   * <p>The map iterates in the order of {@code keys}; absent keys are left out, and keys that
   * encode to the same bytes (equal keys; for byte arrays, equal contents) appear once, under the
   * first of them. Zero-copy values live as long as the transaction (in a write transaction: until
   * its next write), each its own view.
   *
   * @param txn the transaction
   * @param keys the keys, none null; may be empty
   * @return a new mutable map from each present key to its value, in the order of {@code keys}
   * @throws InvalidKeyException if a key cannot be encoded ({@link KeyTooLongException} if it is
   *     too long), naming the table and that key; nothing is read then
   * @throws NullPointerException if {@code keys} or one of them is null
   * @throws CorruptValueException if a stored value cannot be decoded or fails its checksum
   */
  public Map<K, V> getAll(final Txn txn, final Collection<? extends K> keys) {
    final Object[] typed = Objects.requireNonNull(keys, "keys").toArray();
    txn.enter();
    try {
      handle.check(txn);
      final int n = typed.length;
      final ByteBuffer scratch = Encoding.keyBuffer();
      final byte[][] encoded = new byte[n][];
      for (int i = 0; i < n; i++) {
        @SuppressWarnings("unchecked")
        final K key = (K) typed[i];
        final ByteBuffer k = Encoding.key(name, keyCodec, key, scratch);
        encoded[i] = new byte[k.remaining()];
        k.get(encoded[i]);
      }
      // look up in stored order: LMDB's cursor finds a key on its current leaf page without
      // descending the tree again; the sort is stable, so the first of equal keys comes first
      final Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(encoded[a], encoded[b]));
      final Object[] values = new Object[n];
      final boolean[] found = new boolean[n]; // false for absent keys and repeats of a key
      final LmdbCursor cursor = txn.openCursor(handle);
      try {
        for (int i = 0; i < n; i++) {
          final int at = order[i];
          if (i > 0 && Arrays.equals(encoded[at], encoded[order[i - 1]])) {
            continue;
          }
          final ByteBuffer k = scratch.clear().put(encoded[at]).flip();
          if (cursor.lmdb.get(k, GetOp.MDB_SET_KEY)) {
            final ByteBuffer stored = cursor.lmdb.val();
            values[at] = decode(txn, stored, valueLength(txn, k, stored, typed[at]), typed[at]);
            found[at] = true;
          }
        }
      } catch (LmdbException e) {
        throw Lmdb.translate(e, name, null);
      } finally {
        txn.releaseCursor(cursor);
      }
      final Map<K, V> result = new LinkedHashMap<>(Math.max(4, (int) (n / 0.75f) + 1));
      for (int i = 0; i < n; i++) {
        if (found[i]) {
          @SuppressWarnings("unchecked")
          final K key = (K) typed[i];
          @SuppressWarnings("unchecked")
          final V value = (V) values[i];
          result.put(key, value);
        }
      }
      return result;
    } finally {
      txn.exit();
    }
  }

  /** Checks the handle and encodes {@code key} into the thread's key buffer. */
  private ByteBuffer encodeKey(final Txn txn, final K key) {
    handle.check(txn);
    return Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
  }

  /** The stored bytes under the encoded key {@code k} (trailer included), or null. */
  private ByteBuffer lookup(final Txn txn, final ByteBuffer k, final K key) {
    try {
      return handle.dbi.get(txn.lmdb, k);
    } catch (LmdbException e) {
      throw Lmdb.translate(e, name, key);
    }
  }

  /**
   * The number of value bytes in {@code stored}, found under the encoded key {@code k}: all of
   * them, or, for a checksummed table, those before the trailer once it matched. Leaves both
   * buffers as they were (a cursor's buffers are read again by the next call).
   *
   * @param key the key for the exception: typed, or the encoded key of a scan
   * @throws CorruptValueException if the trailer is missing or does not match
   */
  private int valueLength(
      final Txn txn, final ByteBuffer k, final ByteBuffer stored, final Object key) {
    final int storedLength = stored.remaining();
    if (checksum == ValueChecksum.NONE) {
      return storedLength;
    }
    // before the checksum reads them: a damaged size would make it read past the file
    txn.checkStored(k, stored);
    final int length = storedLength - ValueChecksum.TRAILER;
    if (length < 0) {
      throw corrupt(
          key,
          "stored value is "
              + storedLength
              + " bytes, shorter than its "
              + ValueChecksum.TRAILER
              + "-byte "
              + checksum.id()
              + " checksum",
          null);
    }
    final int recorded = Checksums.trailer(stored, stored.position() + length);
    final int computed = Checksums.crc32c(k, stored, length);
    if (recorded != computed) {
      throw corrupt(
          key,
          String.format(
              "stored value fails its %s checksum (stored %08x, computed %08x over key and value): "
                  + "the value or its key was damaged",
              checksum.id(), recorded, computed),
          null);
    }
    return length;
  }

  // ------------------------------------------------------------ writes

  /**
   * Stores {@code value} under {@code key}, replacing any previous value.
   *
   * @param txn a write transaction
   * @param key the key
   * @param value the value
   * @throws InvalidKeyException if the key cannot be stored (nothing is written)
   * @throws InvalidValueException if the value cannot be encoded (nothing is written)
   * @throws MapFullException if the map is full (the transaction must be aborted)
   */
  public void put(final Txn txn, final K key, final V value) {
    store(txn, key, value, false);
  }

  /**
   * Stores {@code value} under {@code key} only if the key is absent.
   *
   * @param txn a write transaction
   * @param key the key
   * @param value the value
   * @return true if stored; false if the key was present (nothing changed)
   */
  public boolean insert(final Txn txn, final K key, final V value) {
    return store(txn, key, value, true);
  }

  /**
   * Stores {@code value} under {@code key} only if the key is present.
   *
   * @param txn a write transaction
   * @param key the key
   * @param value the value
   * @return true if replaced; false if the key was absent (nothing changed)
   */
  public boolean replace(final Txn txn, final K key, final V value) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      final ByteBuffer bytes = Encoding.value(name, valueCodec, key, value);
      if (handle.dbi.get(txn.lmdb, k) == null) {
        return false;
      }
      txn.beforeMutation();
      write(txn, k, bytes, UPSERT);
      return true;
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, key));
    } finally {
      txn.exit();
    }
  }

  /**
   * Reserves {@code length} bytes under {@code key} and returns LMDB's memory for them, to be
   * filled before the transaction's next operation: one copy instead of two, for Lodestore's own
   * large values (change feed entries). Only for a table whose writes are not recorded and whose
   * values have no checksum.
   */
  ByteBuffer reserve(final Txn txn, final K key, final int length) {
    if (handle.recorded || checksum != ValueChecksum.NONE) {
      throw new IllegalStateException("table " + name + " is recorded or checksummed");
    }
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      txn.beforeMutation();
      return handle.dbi.reserve(txn.lmdb, k, length, UPSERT);
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, key));
    } finally {
      txn.exit();
    }
  }

  private boolean store(final Txn txn, final K key, final V value, final boolean onlyIfAbsent) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      final ByteBuffer bytes = Encoding.value(name, valueCodec, key, value);
      txn.beforeMutation();
      return write(txn, k, bytes, onlyIfAbsent ? NO_OVERWRITE : UPSERT);
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, key));
    } finally {
      txn.exit();
    }
  }

  /**
   * Reserves space under {@code k} and copies {@code bytes} into it: LMDB's only copy; for a
   * checksummed table, followed by the trailer computed over the key and the copied bytes.
   */
  private boolean write(
      final Txn txn, final ByteBuffer k, final ByteBuffer bytes, final PutFlags[] flags) {
    final int length = bytes.remaining();
    final boolean trailer = checksum != ValueChecksum.NONE;
    final ByteBuffer target;
    try {
      target =
          handle.dbi.reserve(txn.lmdb, k, trailer ? length + ValueChecksum.TRAILER : length, flags);
    } catch (Dbi.KeyExistsException e) {
      return false;
    }
    final int start = target.position();
    target.put(bytes.duplicate());
    if (trailer) {
      target.position(start);
      Checksums.putTrailer(target, start + length, Checksums.crc32c(k, target, length));
    }
    final FeedRecorder feed = txn.recorder(handle);
    if (feed != null) {
      final ByteBuffer stored = target.duplicate();
      stored.limit(start + length + (trailer ? ValueChecksum.TRAILER : 0)).position(start);
      feed.put(handle.name, k, stored);
    }
    return true;
  }

  /**
   * Removes {@code key}.
   *
   * @param txn a write transaction
   * @param key the key
   * @return true if it was present
   */
  public boolean delete(final Txn txn, final K key) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      txn.beforeMutation();
      final boolean deleted = handle.dbi.delete(txn.lmdb, k);
      final FeedRecorder feed = deleted ? txn.recorder(handle) : null;
      if (feed != null) {
        feed.delete(handle.name, k);
      }
      return deleted;
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, key));
    } finally {
      txn.exit();
    }
  }

  /**
   * Removes the rows of {@code range} inside {@code txn}: exactly the rows {@link #select} would
   * return for it, so direction, offset and limit apply ({@code range.limit(n)} deletes at most
   * {@code n} rows, a batch; {@code KeyRange.prefix(series).reversed().offset(100)} keeps a series'
   * latest 100 rows and deletes the older ones). One cursor is positioned at the range's start and
   * deletes where it stands, then steps: O(offset + rows deleted), never a scan of the table. Large
   * ranges are split into batches by the caller, one {@code limit(n)} per transaction.
   *
   * @param txn a write transaction
   * @param range which rows
   * @return how many rows were deleted
   * @throws InvalidKeyException if a bound cannot be encoded (nothing is deleted)
   * @throws SchemaMismatchException if a schema owns the table and this table object is not the
   *     owner's (nothing is deleted)
   * @throws InvalidStateException if {@code txn} is a read transaction or ended
   * @throws MapFullException if the map fills up while LMDB rebalances pages (the transaction must
   *     be aborted)
   */
  public long deleteRange(final Txn txn, final KeyRange<K> range) {
    return deleteRange(txn, range, null);
  }

  /**
   * As {@link #deleteRange(Txn, KeyRange)}, calling {@code beforeDelete} with each row's key and
   * value just before that row is deleted, in scan order: for whoever maintains something beside
   * the table (a schema's indexes; an audit trail). It runs between the cursor's operations, so it
   * may read and write other tables in {@code txn}, but must not write this one. A zero-copy value
   * is valid until the next write in {@code txn} (its own, or the row's deletion): read what it
   * needs from it first. If it throws, deleting stops and the exception propagates; the rows
   * deleted before stay deleted in {@code txn} (abort it to undo them).
   *
   * @param txn a write transaction
   * @param range which rows
   * @param beforeDelete called with each row before it is deleted, or null
   * @return how many rows were deleted
   * @throws InvalidKeyException if a bound cannot be encoded (nothing is deleted)
   * @throws SchemaMismatchException if a schema owns the table and this table object is not the
   *     owner's (nothing is deleted)
   * @throws CorruptValueException if {@code beforeDelete} is given and a row's value cannot be
   *     decoded or fails its checksum (the rows before it are deleted, it and the rest are not)
   * @throws InvalidStateException if {@code txn} is a read transaction or ended
   * @throws MapFullException if the map fills up while LMDB rebalances pages (the transaction must
   *     be aborted)
   */
  public long deleteRange(
      final Txn txn, final KeyRange<K> range, final BiConsumer<? super K, ? super V> beforeDelete) {
    Objects.requireNonNull(range, "range");
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner); // refused before anything is deleted
      txn.beforeMutation(); // as every write: even one that finds no row detaches the views
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, null));
    } finally {
      txn.exit();
    }
    long deleted = 0;
    try (Cursor<K, V> cursor = select(txn, range)) {
      while (cursor.next()) {
        if (beforeDelete != null) {
          beforeDelete.accept(cursor.key(), cursor.value());
        }
        cursor.deleteCurrent(byOwner);
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * Removes every row, in O(pages) ({@code mdb_drop}); no other table is touched.
   *
   * @param txn a write transaction
   */
  public void truncate(final Txn txn) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      txn.beforeMutation();
      handle.dbi.drop(txn.lmdb);
      final FeedRecorder feed = txn.recorder(handle);
      if (feed != null) {
        feed.truncate(handle.name);
      }
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, null));
    } finally {
      txn.exit();
    }
  }

  // ------------------------------------------------------------ scans and counts

  /**
   * Scans the rows of {@code range}.
   *
   * @param txn the transaction
   * @param range which keys, direction, offset and limit
   * @return a cursor positioned before the first row; close it
   * @throws InvalidKeyException if a bound cannot be encoded
   */
  public Cursor<K, V> select(final Txn txn, final KeyRange<K> range) {
    Objects.requireNonNull(range, "range");
    txn.enter();
    try {
      handle.check(txn);
      return new Cursor<>(txn, handle, name, reader, keyCodec, range, null);
    } finally {
      txn.exit();
    }
  }

  /**
   * The number of rows, in O(1).
   *
   * @param txn the transaction
   * @return the count
   */
  public long count(final Txn txn) {
    return handle.stats(txn).entries();
  }

  /**
   * The number of rows {@link #select} would return for {@code range} (offset and limit applied),
   * counted without decoding.
   *
   * @param txn the transaction
   * @param range the range
   * @return the count
   */
  public long count(final Txn txn, final KeyRange<K> range) {
    long n = 0;
    try (Cursor<K, V> cursor = select(txn, range)) {
      while (cursor.next()) {
        n++;
      }
    }
    return n;
  }

  /**
   * The row with the least key.
   *
   * @param txn the transaction
   * @return the row, or empty if the table is empty
   * @throws CorruptValueException if its value cannot be decoded or fails its checksum
   */
  public Optional<Row<K, V>> first(final Txn txn) {
    return one(txn, KeyRange.<K>all().limit(1));
  }

  /**
   * The row with the greatest key.
   *
   * @param txn the transaction
   * @return the row, or empty if the table is empty
   * @throws CorruptValueException if its value cannot be decoded or fails its checksum
   */
  public Optional<Row<K, V>> last(final Txn txn) {
    return one(txn, KeyRange.<K>all().reversed().limit(1));
  }

  private Optional<Row<K, V>> one(final Txn txn, final KeyRange<K> range) {
    try (Cursor<K, V> cursor = select(txn, range)) {
      return cursor.next()
          ? Optional.of(new Row<>(cursor.key(), cursor.value()))
          : Optional.empty();
    }
  }

  // ------------------------------------------------------------ change feed

  /**
   * The row a change-feed change to this table carries: its key decoded, and for a {@link
   * FeedChange.Op#PUT} its value checked against the table's checksum (if it has one) and decoded
   * into a heap object (a zero-copy codec's value is a view of the change's bytes, valid as long as
   * they are). For a {@link FeedChange.Op#DELETE} the value is null.
   *
   * @param change a PUT or DELETE of this table (its {@link FeedChange#table()} is this table's
   *     LMDB name)
   * @return the key and value
   * @throws IllegalArgumentException if the change is not a PUT or DELETE of this table
   * @throws CorruptValueException if the key or value cannot be decoded or fails its checksum
   */
  public Row<K, V> decode(final FeedChange change) {
    if (!change.table().equals(handle.name)
        || change.op() != FeedChange.Op.PUT && change.op() != FeedChange.Op.DELETE) {
      throw new IllegalArgumentException(
          "not a row change of table " + handle.name + ": " + change);
    }
    final K key;
    try {
      key = keyCodec.decode(ByteBuffer.wrap(change.key()).asReadOnlyBuffer());
    } catch (RuntimeException e) {
      throw new CorruptValueException(
          "key cannot be decoded by " + keyCodec.id() + ": " + e.getMessage(), name, null, e);
    }
    if (change.op() == FeedChange.Op.DELETE) {
      return new Row<>(key, null);
    }
    final byte[] stored = change.value();
    int length = stored.length;
    if (checksum != ValueChecksum.NONE) {
      length -= ValueChecksum.TRAILER;
      final ByteBuffer k = ByteBuffer.wrap(change.key());
      if (length < 0
          || Checksums.trailer(ByteBuffer.wrap(stored), length)
              != Checksums.crc32c(k, ByteBuffer.wrap(stored), length)) {
        throw corrupt(key, "the change's value fails its " + checksum.id() + " checksum", null);
      }
    }
    try {
      return new Row<>(key, valueCodec.decode(ByteBuffer.wrap(stored, 0, length).slice()));
    } catch (RuntimeException e) {
      throw corrupt(key, e);
    }
  }

  // ------------------------------------------------------------ decoding (Cursor.Reader)

  /** Decodes the first {@code length} bytes of {@code stored} (a checked value's bytes). */
  private V decode(final Txn txn, final ByteBuffer stored, final int length, final Object key) {
    final long address = Views.address(stored);
    final ByteBuffer src =
        valueCodec.isView() ? txn.newView(address, length) : txn.scratchView(address, length);
    try {
      return valueCodec.decode(src);
    } catch (RuntimeException e) {
      throw corrupt(key, e);
    }
  }

  /**
   * Decodes into {@code reuse}; {@code inPage}: the bytes lie wholly inside a page of the used map
   * (the leaf stepper checked), so they need no bounds check.
   */
  private V decodeInto(
      final Txn txn,
      final ByteBuffer stored,
      final int length,
      final V reuse,
      final Object key,
      final boolean inPage) {
    final long address = Views.address(stored);
    final ByteBuffer src;
    if (valueCodec.isView()) {
      final ByteBuffer view = valueCodec.viewBuffer(reuse);
      src =
          inPage && view != null && Views.owner(view) == txn
              ? Views.repoint(view, address, length)
              : txn.reuseView(view, address, length);
    } else {
      src = txn.scratchView(address, length);
    }
    try {
      return valueCodec.decodeInto(src, reuse);
    } catch (RuntimeException e) {
      throw corrupt(key, e);
    }
  }

  /** A corrupt-value failure naming the key typed (a scan passes the stored key bytes). */
  private CorruptValueException corrupt(final Object key, final RuntimeException e) {
    return corrupt(
        key, "stored value cannot be decoded by " + valueCodec.id() + ": " + e.getMessage(), e);
  }

  private CorruptValueException corrupt(
      final Object key, final String message, final RuntimeException cause) {
    final Object shown =
        key instanceof ByteBuffer ? Encoding.storedKey(keyCodec, (ByteBuffer) key) : key;
    return handle.db.corrupt(new CorruptValueException(message, name, shown, cause));
  }

  /** Decodes the rows a {@link Cursor} visits. */
  private final class RowReader implements Cursor.Reader<K, V> {
    @Override
    public K key(final Txn txn, final ByteBuffer key) {
      try {
        return keyCodec.decode(key);
      } catch (RuntimeException e) {
        throw handle.db.corrupt(
            new CorruptValueException(
                "stored key cannot be decoded by " + keyCodec.id() + ": " + e.getMessage(),
                name,
                null,
                e));
      }
    }

    @Override
    public V value(final Txn txn, final ByteBuffer value, final ByteBuffer key) {
      return decode(txn, value, valueLength(txn, key, value, key), key);
    }

    @Override
    public boolean decodesUnguarded(final Txn txn, final V reuse) {
      if (!valueCodec.isView()) {
        return true; // decodes from the transaction's scratch view
      }
      if (reuse == null) {
        return false; // a new view joins the transaction's list
      }
      final ByteBuffer view = valueCodec.viewBuffer(reuse);
      return view != null && Views.owner(view) == txn;
    }

    @Override
    public V valueInto(
        final Txn txn,
        final ByteBuffer value,
        final V reuse,
        final ByteBuffer key,
        final boolean inPage) {
      return decodeInto(txn, value, valueLength(txn, key, value, key), reuse, key, inPage);
    }
  }

  @Override
  public String toString() {
    return "Table["
        + name
        + ": "
        + keyCodec.id()
        + " -> "
        + valueCodec.id()
        + (checksum == ValueChecksum.NONE ? "" : " + " + checksum.id())
        + "]";
  }
}
