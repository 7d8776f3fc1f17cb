package org.lodestore.core;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lmdbjava.SeekOp;
import org.lodestore.core.key.KeyCodec;

/**
 * A table mapping each key to an ordered set of members, over an LMDB {@code DUPSORT} database
 * ({@code DUPFIXED} too when members have a fixed length, e.g. UUIDs). Add, remove, contains and
 * size are O(log n); no operation rewrites a whole set. Members sort by their codec's order and are
 * 1..511 bytes when encoded. It is the base of UUID-set tables and non-unique indexes.
 *
 * <p>Immutable and thread-safe; every operation takes the {@link Txn} it runs in. A set table that
 * a schema owns ({@link OwnerAccess#claim}) refuses writes through objects from {@link
 * Database#setTable} with {@link SchemaMismatchException}; reads are allowed.
 *
 * @param <K> the key type
 * @param <M> the member type
 */
public final class SetTable<K, M> {

  private static final PutFlags[] NO_DUP = {PutFlags.MDB_NODUPDATA};

  private final TableHandle handle;

  /** Opened through {@link OwnerAccess}: writes even if the table is owned (see {@link Owners}). */
  private final boolean byOwner;

  private final KeyCodec<K> keyCodec;
  private final KeyCodec<M> memberCodec;
  private final String name;
  private final Cursor.Reader<K, M> reader = new EntryReader();

  SetTable(
      final TableHandle handle,
      final KeyCodec<K> keyCodec,
      final KeyCodec<M> memberCodec,
      final boolean byOwner) {
    this(handle, keyCodec, memberCodec, handle.name, byOwner);
  }

  private SetTable(
      final TableHandle handle,
      final KeyCodec<K> keyCodec,
      final KeyCodec<M> memberCodec,
      final String name,
      final boolean byOwner) {
    this.handle = handle;
    this.byOwner = byOwner;
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
    this.memberCodec = Objects.requireNonNull(memberCodec, "memberCodec");
    this.name = Objects.requireNonNull(name, "name");
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
   * Checks that {@code member} can be stored in this table (not null, encodable, 1..511 bytes)
   * without touching the database.
   *
   * @param member the member
   * @throws InvalidKeyException if it cannot be stored; {@link NullPointerException} if null
   */
  @Internal
  public void checkMember(final M member) {
    Encoding.key(name, memberCodec, member, Encoding.secondBuffer());
  }

  /**
   * The same table under another name for messages and exceptions (e.g. a schema table's declared
   * name, when its LMDB database is named by its oid).
   *
   * @param displayName the name to report
   * @return a table object sharing this one's storage and codecs
   */
  SetTable<K, M> withDisplayName(final String displayName) {
    return new SetTable<>(handle, keyCodec, memberCodec, displayName, byOwner);
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
   * How members are encoded.
   *
   * @return the member codec
   */
  public KeyCodec<M> memberCodec() {
    return memberCodec;
  }

  /**
   * Adds {@code member} to the set of {@code key}.
   *
   * @param txn a write transaction
   * @param key the key
   * @param member the member
   * @return true if added; false if it was already a member
   * @throws InvalidKeyException if the key or member cannot be stored (nothing is written)
   */
  public boolean add(final Txn txn, final K key, final M member) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      final ByteBuffer m = Encoding.key(name, memberCodec, member, Encoding.secondBuffer());
      txn.beforeMutation();
      final boolean added = handle.dbi.put(txn.lmdb, k, m, NO_DUP);
      final FeedRecorder feed = txn.recorder(handle);
      if (feed != null) {
        if (added) {
          feed.setAdd(handle.name, k, m);
        } else {
          txn.touchedWithoutChange(); // LMDB touches the page before it finds the member
        }
      }
      return added;
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, key));
    } finally {
      txn.exit();
    }
  }

  /**
   * Removes {@code member} from the set of {@code key}.
   *
   * @param txn a write transaction
   * @param key the key
   * @param member the member
   * @return true if it was a member
   */
  public boolean remove(final Txn txn, final K key, final M member) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      final ByteBuffer m = Encoding.key(name, memberCodec, member, Encoding.secondBuffer());
      txn.beforeMutation();
      final boolean removed = handle.dbi.delete(txn.lmdb, k, m);
      final FeedRecorder feed = removed ? txn.recorder(handle) : null;
      if (feed != null) {
        feed.setRemove(handle.name, k, m);
      }
      return removed;
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, key));
    } finally {
      txn.exit();
    }
  }

  /**
   * Removes the whole set of {@code key}.
   *
   * @param txn a write transaction
   * @param key the key
   * @return true if the key had members
   */
  public boolean removeAll(final Txn txn, final K key) {
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      txn.beforeMutation();
      final boolean removed = handle.dbi.delete(txn.lmdb, k);
      final FeedRecorder feed = removed ? txn.recorder(handle) : null;
      if (feed != null) {
        feed.delete(handle.name, k);
      }
      return removed;
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, key));
    } finally {
      txn.exit();
    }
  }

  /**
   * Whether {@code member} is in the set of {@code key}.
   *
   * @param txn the transaction
   * @param key the key
   * @param member the member
   * @return true if it is
   */
  public boolean contains(final Txn txn, final K key, final M member) {
    txn.enter();
    try {
      handle.check(txn);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      final ByteBuffer m = Encoding.key(name, memberCodec, member, Encoding.secondBuffer());
      try (org.lmdbjava.Cursor<ByteBuffer> c = handle.dbi.openCursor(txn.lmdb)) {
        return c.get(k, m, SeekOp.MDB_GET_BOTH);
      }
    } catch (LmdbException e) {
      throw Lmdb.translate(e, name, key);
    } finally {
      txn.exit();
    }
  }

  /**
   * The number of members of {@code key}'s set, in O(1) once the key is found.
   *
   * @param txn the transaction
   * @param key the key
   * @return the number of members, 0 if the key is absent
   */
  public long count(final Txn txn, final K key) {
    txn.enter();
    try {
      handle.check(txn);
      final ByteBuffer k = Encoding.key(name, keyCodec, key, Encoding.keyBuffer());
      try (org.lmdbjava.Cursor<ByteBuffer> c = handle.dbi.openCursor(txn.lmdb)) {
        return c.get(k, GetOp.MDB_SET_KEY) ? c.count() : 0;
      }
    } catch (LmdbException e) {
      throw Lmdb.translate(e, name, key);
    } finally {
      txn.exit();
    }
  }

  /**
   * Scans the members of {@code key}'s set that fall in {@code range}, in member order (or
   * reverse).
   *
   * @param txn the transaction
   * @param key the key
   * @param range which members, direction, offset and limit
   * @return a cursor whose rows are (key, member); close it
   */
  public Cursor<K, M> select(final Txn txn, final K key, final KeyRange<M> range) {
    Objects.requireNonNull(range, "range");
    txn.enter();
    try {
      handle.check(txn);
      final byte[] k = Encoding.copy(Encoding.key(name, keyCodec, key, Encoding.keyBuffer()));
      return new Cursor<>(txn, handle, name, reader, memberCodec, range, k);
    } finally {
      txn.exit();
    }
  }

  /**
   * Scans all members of {@code key}'s set in member order.
   *
   * @param txn the transaction
   * @param key the key
   * @return a cursor whose rows are (key, member); close it
   */
  public Cursor<K, M> select(final Txn txn, final K key) {
    return select(txn, key, KeyRange.all());
  }

  /**
   * Scans the (key, member) pairs whose key falls in {@code range}: keys in order (or reverse), and
   * each key's members in member order (or reverse). Offset and limit count pairs.
   *
   * @param txn the transaction
   * @param range which keys, direction, offset and limit
   * @return a cursor over the pairs; close it
   */
  public Cursor<K, M> select(final Txn txn, final KeyRange<K> range) {
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
   * The number of (key, member) pairs, in O(1).
   *
   * @param txn the transaction
   * @return the count
   */
  public long count(final Txn txn) {
    return handle.stats(txn).entries();
  }

  /**
   * Removes every pair, in O(pages); no other table is touched.
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

  /** Decodes (key, member) rows. */
  private final class EntryReader implements Cursor.Reader<K, M> {
    @Override
    public K key(final Txn txn, final ByteBuffer key) {
      try {
        return keyCodec.decode(key);
      } catch (RuntimeException e) {
        throw handle.db.corrupt(
            new CorruptValueException(
                "stored key cannot be decoded by " + keyCodec.id(), name, null, e));
      }
    }

    @Override
    public M value(final Txn txn, final ByteBuffer value, final ByteBuffer key) {
      final ByteBuffer stored = txn.scratchView(Views.address(value), value.remaining());
      try {
        return memberCodec.decode(stored);
      } catch (RuntimeException e) {
        throw handle.db.corrupt(
            new CorruptValueException(
                "stored member cannot be decoded by " + memberCodec.id(),
                name,
                Encoding.storedKey(keyCodec, key),
                e));
      }
    }

    @Override
    public M valueInto(
        final Txn txn,
        final ByteBuffer value,
        final M reuse,
        final ByteBuffer key,
        final boolean inPage) {
      return value(txn, value, key);
    }

    @Override
    public boolean decodesUnguarded(final Txn txn, final M reuse) {
      return true; // members decode from the transaction's scratch view
    }
  }

  @Override
  public String toString() {
    return "SetTable[" + name + ": " + keyCodec.id() + " -> {" + memberCodec.id() + "}]";
  }
}
