package org.lodestore.cli;

import org.lodestore.core.Attachable;
import org.lodestore.core.Database;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.StoredCatalog.StoredIndex;
import org.lodestore.schema.StoredCatalog.StoredTable;

/**
 * Every LMDB database of a database as stored bytes, Lodestore's own and the schemas' included, for
 * {@code export --raw} and its import: through the {@link OwnerAccess} that {@link Database#attach}
 * hands an {@link Attachable} (what {@code OwnerAccess} calls a tool that restores stored bytes on
 * purpose). Values keep their checksum trailers; nothing is decoded or checked.
 */
final class RawAccess implements Attachable {

  private OwnerAccess access;

  private RawAccess() {}

  static RawAccess of(final Database db) {
    return db.attach(new RawAccess());
  }

  @Override
  public void attachTo(final Database db, final OwnerAccess ownerAccess) {
    this.access = ownerAccess;
  }

  /** The plain LMDB database {@code name}, created in a write transaction if missing. */
  Table<byte[], byte[]> table(final Txn txn, final String name) {
    return access.table(txn, name, KeyCodecs.BYTES, ValueCodecs.BYTES);
  }

  /**
   * The set (LMDB {@code DUPSORT}) database {@code name}, created in a write transaction if
   * missing, with fixed-size members of {@code fixedMembers} bytes ({@code DUPFIXED}) if that is
   * positive.
   */
  SetTable<byte[], byte[]> setTable(final Txn txn, final String name, final int fixedMembers) {
    final KeyCodec<byte[]> members =
        fixedMembers > 0 ? KeyCodecs.fixedBytes(fixedMembers) : KeyCodecs.BYTES;
    return access.setTable(txn, name, KeyCodecs.BYTES, members);
  }

  /**
   * The member length of set database {@code dbi} if the catalog says its members have a fixed size
   * (a set table of fixed-size members, or a multi index of a table with fixed-size keys), else 0.
   */
  static int fixedMembers(final DatabaseModel model, final String dbi) {
    for (final DatabaseModel.Declared d : model.declared) {
      final StoredTable t = d.table();
      if (t.isSet() && t.dbi().equals(dbi)) {
        return fixedLength(t.valueCodec());
      }
      for (final StoredIndex i : t.indexes()) {
        if (!i.unique() && i.dbi().equals(dbi)) {
          return fixedLength(t.keyCodec());
        }
      }
    }
    return 0;
  }

  private static int fixedLength(final String codecId) {
    return KeyCodecs.forId(codecId).map(KeyCodec::fixedLength).orElse(0);
  }
}
