package org.lodestore.schema;

import java.util.UUID;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * A table of byte-array keys to UUID values.
 */
public final class MapBytesUuid extends SchemaTable<byte[], UUID> {

  private MapBytesUuid() {
    super(KeyCodecs.BYTES, ValueCodecs.UUID);
  }

  /**
   * Declares the table.
   *
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static MapBytesUuid create() {
    return new MapBytesUuid();
  }
}
