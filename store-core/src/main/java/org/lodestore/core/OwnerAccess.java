package org.lodestore.core;

import java.util.Objects;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;

/**
 * What an {@link Attachable} (a {@code Schema}) may do with the tables it owns, beyond plain {@link
 * Database#table} access. It gets this object from {@link Database#attach} and nowhere else, and
 * keeps it for as long as it uses the database.
 *
 * <ul>
 *   <li>{@link #claim} records, persistently and inside a write transaction, that it owns a table:
 *       from then on plain {@link Table} and {@link SetTable} objects of that name, in this process
 *       or any other, refuse writes and {@link Database#dropTable} refuses to drop it, with {@link
 *       SchemaMismatchException}; they may still read it.
 *   <li>{@link #table} and {@link #setTable} open tables whose writes are not refused, also under
 *       names reserved for Lodestore (starting with {@code "__"}), which plain access refuses.
 *   <li>{@link #dropTable} drops such a table and forgets its owner.
 * </ul>
 *
 * <p>A write through a table opened here bypasses whatever its owner maintains alongside it (a
 * schema's indexes): it is meant for the owner itself, and for tools that repair stored bytes on
 * purpose. Thread-safe; every operation takes the {@link Txn} it runs in.
 */
public final class OwnerAccess {

  private final Database db;

  OwnerAccess(final Database db) {
    this.db = db;
  }

  /**
   * The database this access is for.
   *
   * @return the database
   */
  public Database database() {
    return db;
  }

  /**
   * Opens the table {@code name} inside {@code txn} (creating it in a write transaction), for
   * writes that plain tables of an owned name refuse. As {@link Database#table(Txn, String,
   * KeyCodec, ValueCodec)}, also for reserved names.
   *
   * @param txn the transaction to open it in
   * @param name the table's name on disk: 1..511 UTF-8 bytes
   * @param keyCodec how keys are encoded
   * @param valueCodec how values are encoded
   * @param <K> the key type
   * @param <V> the value type
   * @return the table
   * @throws SchemaMismatchException if {@code name} is a set table
   */
  public <K, V> Table<K, V> table(
      final Txn txn,
      final String name,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec) {
    Objects.requireNonNull(txn, "txn");
    return db.ownedTable(txn, name, keyCodec, valueCodec);
  }

  /**
   * As {@link #table(Txn, String, KeyCodec, ValueCodec)}, reporting the table as {@code
   * displayName} in messages and exceptions (a schema table's declared name, when its LMDB database
   * is named by its oid).
   *
   * @param txn the transaction to open it in
   * @param name the table's name on disk
   * @param displayName the name to report
   * @param keyCodec how keys are encoded
   * @param valueCodec how values are encoded
   * @param <K> the key type
   * @param <V> the value type
   * @return the table
   * @throws SchemaMismatchException if {@code name} is a set table
   */
  public <K, V> Table<K, V> table(
      final Txn txn,
      final String name,
      final String displayName,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec) {
    return table(txn, name, keyCodec, valueCodec).withDisplayName(displayName);
  }

  /**
   * Opens the set table {@code name} inside {@code txn} (creating it in a write transaction), for
   * writes that plain set tables of an owned name refuse. As {@link Database#setTable(Txn, String,
   * KeyCodec, KeyCodec)}, also for reserved names.
   *
   * @param txn the transaction to open it in
   * @param name the table's name on disk
   * @param keyCodec how keys are encoded
   * @param memberCodec how members are encoded
   * @param <K> the key type
   * @param <M> the member type
   * @return the set table
   * @throws SchemaMismatchException if {@code name} is a plain table
   */
  public <K, M> SetTable<K, M> setTable(
      final Txn txn, final String name, final KeyCodec<K> keyCodec, final KeyCodec<M> memberCodec) {
    Objects.requireNonNull(txn, "txn");
    return db.ownedSetTable(txn, name, keyCodec, memberCodec);
  }

  /**
   * As {@link #setTable(Txn, String, KeyCodec, KeyCodec)}, reporting the set table as {@code
   * displayName} in messages and exceptions.
   *
   * @param txn the transaction to open it in
   * @param name the table's name on disk
   * @param displayName the name to report
   * @param keyCodec how keys are encoded
   * @param memberCodec how members are encoded
   * @param <K> the key type
   * @param <M> the member type
   * @return the set table
   * @throws SchemaMismatchException if {@code name} is a plain table
   */
  public <K, M> SetTable<K, M> setTable(
      final Txn txn,
      final String name,
      final String displayName,
      final KeyCodec<K> keyCodec,
      final KeyCodec<M> memberCodec) {
    return setTable(txn, name, keyCodec, memberCodec).withDisplayName(displayName);
  }

  /**
   * Records that {@code owner} owns table {@code name} (whether or not it exists yet), inside write
   * transaction {@code txn}: from its commit on, plain tables of that name refuse writes and drops,
   * in every process.
   *
   * @param txn a write transaction
   * @param name the table's name on disk
   * @param owner who owns it, for messages, e.g. {@code "schema table 'users'"}
   */
  public void claim(final Txn txn, final String name, final String owner) {
    Objects.requireNonNull(txn, "txn");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(owner, "owner");
    Owners.claim(db, txn, name, owner);
  }

  /**
   * Who owns table {@code name}, as {@code txn} sees it.
   *
   * @param txn the transaction
   * @param name the table's name on disk
   * @return the owner recorded by {@link #claim}, or null
   */
  public String ownerOf(final Txn txn, final String name) {
    Objects.requireNonNull(name, "name");
    txn.enter();
    try {
      return Owners.ownerOf(db, txn, name);
    } finally {
      txn.exit();
    }
  }

  /**
   * Tells the database's listener ({@link DatabaseOptions#listener()}) that the owner refuses a
   * write with {@code error}, which the caller then throws; does nothing without a listener.
   *
   * <pre>{@code
   * throw access.writeRefused(DatabaseListener.Refusal.UNIQUE, new UniqueViolationException(...));
   * }</pre>
   *
   * @param reason which kind of refusal
   * @param error the exception about to be thrown, naming the table
   * @param <E> its type
   * @return {@code error}
   */
  public <E extends LodestoreException> E writeRefused(
      final DatabaseListener.Refusal reason, final E error) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(error, "error");
    if (db.listener != null) {
      db.listener.writeRefused(reason, error);
    }
    return error;
  }

  /**
   * Deletes the table (or set table) {@code name} and everything in it, and forgets its owner,
   * inside {@code txn}; as {@link Database#dropTable}, also for owned and reserved names.
   *
   * @param txn a write transaction
   * @param name the table's name
   * @return true if it existed
   */
  public boolean dropTable(final Txn txn, final String name) {
    Owners.release(db, txn, name);
    return db.drop(txn, name, true);
  }
}
