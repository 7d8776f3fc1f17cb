package org.lodestore.schema;

import java.util.UUID;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * A table of UUID keys to string values.
 */
public final class MapUuidString extends SchemaTable<UUID, String> {

  private MapUuidString() {
    super(KeyCodecs.UUID, ValueCodecs.STRING);
  }

  /**
   * Declares the table.
   *
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static MapUuidString create() {
    return new MapUuidString();
  }
}
