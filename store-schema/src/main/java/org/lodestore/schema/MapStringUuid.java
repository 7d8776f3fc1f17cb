package org.lodestore.schema;

import java.util.UUID;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * A table of string keys to UUID values.
 */
public final class MapStringUuid extends SchemaTable<String, UUID> {

  private MapStringUuid() {
    super(KeyCodecs.STRING, ValueCodecs.UUID);
  }

  /**
   * Declares the table.
   *
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static MapStringUuid create() {
    return new MapStringUuid();
  }
}
