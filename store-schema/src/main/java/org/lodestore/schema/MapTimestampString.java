package org.lodestore.schema;

import java.time.Instant;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * A table of timestamp keys to string values.
 */
public final class MapTimestampString extends SchemaTable<Instant, String> {

  private MapTimestampString() {
    super(KeyCodecs.TIMESTAMP, ValueCodecs.STRING);
  }

  /**
   * Declares the table.
   *
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static MapTimestampString create() {
    return new MapTimestampString();
  }
}
