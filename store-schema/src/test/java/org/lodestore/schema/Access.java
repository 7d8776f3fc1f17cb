package org.lodestore.schema;

import org.lodestore.core.Attachable;
import org.lodestore.core.Database;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;

/**
 * The owner's way into a database for tests that read the catalog or write bytes underneath a
 * schema on purpose (corrupt rows, duplicates written around an index): plain tables of a schema's
 * names refuse writes, and the catalog's name is reserved.
 */
final class Access {

  private Access() {}

  /** An {@link OwnerAccess} to {@code db}, from an attach that does nothing else. */
  static OwnerAccess of(final Database db) {
    final OwnerAccess[] access = new OwnerAccess[1];
    db.attach((Attachable) (d, a) -> access[0] = a);
    return access[0];
  }

  /**
   * Table {@code name} opened through the owner access (in a transaction of its own, committed so
   * that the table stays usable): its writes bypass the schema's indexes.
   */
  static <K, V> Table<K, V> table(
      final Database db, final String name, final KeyCodec<K> keys, final ValueCodec<V> values) {
    final OwnerAccess access = of(db);
    try (Txn txn = db.options().readOnly() ? db.beginRead() : db.beginWrite()) {
      final Table<K, V> table = access.table(txn, name, keys, values);
      txn.commit();
      return table;
    }
  }
}
