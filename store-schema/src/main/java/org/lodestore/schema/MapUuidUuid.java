package org.lodestore.schema;

import java.util.UUID;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * A table of UUID keys to UUID values.
 */
public final class MapUuidUuid extends SchemaTable<UUID, UUID> {

  private MapUuidUuid() {
    super(KeyCodecs.UUID, ValueCodecs.UUID);
  }

  /**
   * Declares the table.
   *
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static MapUuidUuid create() {
    return new MapUuidUuid();
  }
}
