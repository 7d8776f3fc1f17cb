package org.lodestore.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.serializers.CborCodec;

/**
 * A table of (UUID, UUID) keys to CBOR values (plain RFC 8949, readable by any CBOR decoder).
 *
 * @param <V> the value type
 */
public final class MapUuidUuidCbor<V> extends SchemaTable<Tuple2<UUID, UUID>, V> {

  private MapUuidUuidCbor(final CborCodec<V> codec) {
    super(KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.UUID), codec);
  }

  /**
   * Declares the table, values encoded as CBOR by Jackson with Lodestore's defaults.
   *
   * @param type the value class (record, POJO, map...)
   * @param <V> the value type
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static <V> MapUuidUuidCbor<V> of(final Class<V> type) {
    return new MapUuidUuidCbor<>(CborCodec.of(type));
  }

  /**
   * Declares the table, values encoded as CBOR by the given mapper.
   *
   * @param type the value class
   * @param mapper a CBOR-configured Jackson mapper
   * @param <V> the value type
   * @return the declaration
   */
  public static <V> MapUuidUuidCbor<V> of(final Class<V> type, final ObjectMapper mapper) {
    return new MapUuidUuidCbor<>(CborCodec.of(type, mapper));
  }
}
