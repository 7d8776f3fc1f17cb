package org.lodestore.reliability;

import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.CounterTable;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * The schema the crash test writes: items with a unique index on their name and a UUID-set index on
 * their group, and counters kept in the same transactions.
 */
final class CrashSchema extends Schema {

  /** Counter: rows in {@link #items}. */
  static final String ROWS = "rows";

  /** Counter: row writes (puts and deletes) of committed transactions. */
  static final String WRITES = "writes";

  /** Counter: committed transactions; also the number of the last one. */
  static final String TXNS = "txns";

  /**
   * One row.
   *
   * @param name unique among rows
   * @param group any of a few group ids
   * @param payload filler, so that rows span pages
   */
  public record Item(String name, UUID group, String payload) {}

  final SchemaTable<UUID, Item> items =
      table(
          "5c1d8a52-31f4-4d0e-9c55-0d7f1e2a3b01",
          "items",
          KeyCodecs.UUID,
          CborCodec.of(Item.class));

  final UniqueIndex<String, UUID, Item> byName =
      uniqueIndex(items, "by_name", KeyCodecs.STRING, Item::name);

  final MultiIndex<UUID, UUID, Item> byGroup =
      index(items, "by_group", KeyCodecs.UUID, Item::group);

  final CounterTable<String> counters =
      counterTable("5c1d8a52-31f4-4d0e-9c55-0d7f1e2a3b02", "counters", KeyCodecs.STRING);
}
