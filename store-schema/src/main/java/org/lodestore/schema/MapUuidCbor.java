package org.lodestore.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;

/**
 * A table of UUID keys to CBOR values (plain RFC 8949, readable by any CBOR decoder).
 *
 * @param <V> the value type
 */
public final class MapUuidCbor<V> extends SchemaTable<UUID, V> {

  private MapUuidCbor(final CborCodec<V> codec) {
    super(KeyCodecs.UUID, codec);
  }

  /**
   * Declares the table, values encoded as CBOR by Jackson with Lodestore's defaults.
   *
   * @param type the value class (record, POJO, map...)
   * @param <V> the value type
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static <V> MapUuidCbor<V> of(final Class<V> type) {
    return new MapUuidCbor<>(CborCodec.of(type));
  }

  /**
   * Declares the table, values encoded as CBOR by the given mapper.
   *
   * @param type the value class
   * @param mapper a CBOR-configured Jackson mapper
   * @param <V> the value type
   * @return the declaration
   */
  public static <V> MapUuidCbor<V> of(final Class<V> type, final ObjectMapper mapper) {
    return new MapUuidCbor<>(CborCodec.of(type, mapper));
  }
}
