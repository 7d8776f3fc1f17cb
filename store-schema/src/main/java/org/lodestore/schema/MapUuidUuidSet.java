package org.lodestore.schema;

import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;

/**
 * A set table of UUID keys to ordered sets of UUIDs (LMDB {@code DUPSORT|DUPFIXED}): add, remove,
 * contains and size in O(log n). For a set derived from another table (e.g. markets by exchange),
 * declare an {@link Index} with a UUID key instead, which is maintained for you.
 */
public final class MapUuidUuidSet extends SchemaSetTable<UUID, UUID> {

  private MapUuidUuidSet() {
    super(KeyCodecs.UUID, KeyCodecs.UUID);
  }

  /**
   * Declares the set table.
   *
   * @return the declaration, to pass to {@code Schema.setTable(...)}
   */
  public static MapUuidUuidSet create() {
    return new MapUuidUuidSet();
  }
}
