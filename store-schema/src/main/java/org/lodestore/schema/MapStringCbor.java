package org.lodestore.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;

/**
 * A table of string keys to CBOR values (plain RFC 8949, readable by any CBOR decoder).
 *
 * @param <V> the value type
 */
public final class MapStringCbor<V> extends SchemaTable<String, V> {

  private MapStringCbor(final CborCodec<V> codec) {
    super(KeyCodecs.STRING, codec);
  }

  /**
   * Declares the table, values encoded as CBOR by Jackson with Lodestore's defaults.
   *
   * @param type the value class (record, POJO, map...)
   * @param <V> the value type
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static <V> MapStringCbor<V> of(final Class<V> type) {
    return new MapStringCbor<>(CborCodec.of(type));
  }

  /**
   * Declares the table, values encoded as CBOR by the given mapper.
   *
   * @param type the value class
   * @param mapper a CBOR-configured Jackson mapper
   * @param <V> the value type
   * @return the declaration
   */
  public static <V> MapStringCbor<V> of(final Class<V> type, final ObjectMapper mapper) {
    return new MapStringCbor<>(CborCodec.of(type, mapper));
  }
}
