package org.lodestore.schema;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.FeedChange;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodec;

/**
 * A set table declared in a {@link Schema} with {@code setTable(oid, name, keyCodec, memberCodec)}:
 * each key maps to an ordered set of members, maintained by the application. For sets derived from
 * another table's values, declare a {@link MultiIndex} instead: it is kept up to date
 * automatically.
 *
 * @param <K> the key type
 * @param <M> the member type
 */
public final class SchemaSetTable<K, M> {

  private final KeyCodec<K> keyCodec;
  private final KeyCodec<M> memberCodec;
  private String oid;
  private String name;
  private Schema schema;
  private volatile SetTable<K, M> table;

  private final CatalogGeneration.Attached attached = new CatalogGeneration.Attached();

  /** A declaration with these codecs; made by {@code Schema.setTable}. */
  SchemaSetTable(final KeyCodec<K> keyCodec, final KeyCodec<M> memberCodec) {
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
    this.memberCodec = Objects.requireNonNull(memberCodec, "memberCodec");
  }

  final void declare(final Schema owner, final String tableOid, final String tableName) {
    if (name != null) {
      throw new IllegalStateException("set table '" + name + "' is already declared in a schema");
    }
    this.oid = UUID.fromString(Objects.requireNonNull(tableOid, "oid")).toString();
    this.name = Objects.requireNonNull(tableName, "name");
    this.schema = owner;
  }

  final void open(final OwnerAccess access, final Txn txn) {
    table = access.setTable(txn, oid, name, keyCodec, memberCodec);
  }

  final void unbind() {
    table = null;
  }

  /**
   * The catalog's view of this declaration, checked by every write (see {@link CatalogGeneration}).
   */
  /** A feed change of this set table, decoded (see {@link Schema#changes}). */
  final SchemaChange decode(final FeedChange change) {
    final K key = change.key() == null ? null : decodeKey(keyCodec, change.key());
    final M member =
        change.op() == FeedChange.Op.SET_ADD || change.op() == FeedChange.Op.SET_REMOVE
            ? decodeKey(memberCodec, change.value())
            : null;
    return new SchemaChange(name, change.op(), key, member);
  }

  private <T> T decodeKey(final KeyCodec<T> codec, final byte[] bytes) {
    try {
      return codec.decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    } catch (RuntimeException e) {
      throw new CorruptValueException(
          "stored key or member cannot be decoded by " + codec.id() + ": " + e.getMessage(),
          name,
          null,
          e);
    }
  }

  final CatalogGeneration.Attached attached() {
    return attached;
  }

  /** The bound set table, for a write in {@code txn}: refused if this declaration is stale. */
  private SetTable<K, M> writable(final Txn txn) {
    final SetTable<K, M> t = bound();
    attached.requireCurrent(schema, txn, name, oid);
    return t;
  }

  final SetTable<K, M> bound() {
    final SetTable<K, M> t = table;
    if (t == null) {
      throw new InvalidStateException(
          "set table '" + name + "' is not attached yet: call db.attach(schema) first");
    }
    return t;
  }

  /**
   * The table's stable identity.
   *
   * @return the oid
   */
  public String oid() {
    return oid;
  }

  /**
   * The table's name.
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
   * Adds a member to {@code key}'s set.
   *
   * @param txn a write transaction
   * @param key the key
   * @param member the member
   * @return true if added, false if already present
   * @throws SchemaMismatchException if a newer declaration of this set table attached since this
   *     one and changed its catalog entry (see {@link Schema}); nothing is written
   */
  public boolean add(final Txn txn, final K key, final M member) {
    return writable(txn).add(txn, key, member);
  }

  /**
   * Removes a member from {@code key}'s set.
   *
   * @param txn a write transaction
   * @param key the key
   * @param member the member
   * @return true if it was present
   * @throws SchemaMismatchException if a newer declaration of this set table attached since this
   *     one and changed its catalog entry (see {@link Schema}); nothing is written
   */
  public boolean remove(final Txn txn, final K key, final M member) {
    return writable(txn).remove(txn, key, member);
  }

  /**
   * Removes {@code key}'s whole set.
   *
   * @param txn a write transaction
   * @param key the key
   * @return true if it had members
   * @throws SchemaMismatchException if a newer declaration of this set table attached since this
   *     one and changed its catalog entry (see {@link Schema}); nothing is written
   */
  public boolean removeAll(final Txn txn, final K key) {
    return writable(txn).removeAll(txn, key);
  }

  /**
   * Whether {@code member} is in {@code key}'s set.
   *
   * @param txn the transaction
   * @param key the key
   * @param member the member
   * @return true if it is
   */
  public boolean contains(final Txn txn, final K key, final M member) {
    return bound().contains(txn, key, member);
  }

  /**
   * The size of {@code key}'s set.
   *
   * @param txn the transaction
   * @param key the key
   * @return the number of members, 0 if none
   */
  public long count(final Txn txn, final K key) {
    return bound().count(txn, key);
  }

  /**
   * Iterates {@code key}'s members in order.
   *
   * @param txn the transaction
   * @param key the key
   * @return a cursor of (key, member); close it
   */
  public Cursor<K, M> select(final Txn txn, final K key) {
    return bound().select(txn, key);
  }

  /**
   * Iterates {@code key}'s members in {@code range}.
   *
   * @param txn the transaction
   * @param key the key
   * @param range which members, direction, offset, limit
   * @return a cursor of (key, member); close it
   */
  public Cursor<K, M> select(final Txn txn, final K key, final KeyRange<M> range) {
    return bound().select(txn, key, range);
  }

  /**
   * Iterates the (key, member) pairs of the keys in {@code range}, in key then member order (every
   * pair of the table with {@code KeyRange.all()}).
   *
   * @param txn the transaction
   * @param range which keys, direction, offset, limit
   * @return a cursor of (key, member); close it
   */
  public Cursor<K, M> select(final Txn txn, final KeyRange<K> range) {
    return bound().select(txn, range);
  }

  /**
   * The number of (key, member) pairs, in O(1).
   *
   * @param txn the transaction
   * @return the count
   */
  public long count(final Txn txn) {
    return bound().count(txn);
  }

  /**
   * Removes every pair.
   *
   * @param txn a write transaction
   * @throws SchemaMismatchException if a newer declaration of this set table attached since this
   *     one and changed its catalog entry (see {@link Schema}); nothing is written
   */
  public void truncate(final Txn txn) {
    writable(txn).truncate(txn);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + name
        + " "
        + oid
        + ": "
        + keyCodec.id()
        + " -> {"
        + memberCodec.id()
        + "}]";
  }
}
