package org.lodestore.reliability;

import org.lodestore.core.Attachable;
import org.lodestore.core.Database;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;

/**
 * Writes underneath a schema on purpose (corrupt rows and index entries): a schema's tables refuse
 * writes through plain {@code db.table(...)} objects, so tests that damage them go through an
 * {@link OwnerAccess}, which only {@link Database#attach} hands out.
 */
final class OwnerTables {

  private OwnerTables() {}

  /** Table {@code name}, opened (and committed) through an owner access: writes bypass indexes. */
  static <K, V> Table<K, V> table(
      final Database db, final String name, final KeyCodec<K> keys, final ValueCodec<V> values) {
    final OwnerAccess[] access = new OwnerAccess[1];
    db.attach((Attachable) (d, a) -> access[0] = a);
    try (Txn txn = db.beginWrite()) {
      final Table<K, V> table = access[0].table(txn, name, keys, values);
      txn.commit();
      return table;
    }
  }
}
