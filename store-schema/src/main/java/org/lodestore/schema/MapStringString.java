package org.lodestore.schema;

import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * A table of string keys to string values.
 */
public final class MapStringString extends SchemaTable<String, String> {

  private MapStringString() {
    super(KeyCodecs.STRING, ValueCodecs.STRING);
  }

  /**
   * Declares the table.
   *
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static MapStringString create() {
    return new MapStringString();
  }
}
