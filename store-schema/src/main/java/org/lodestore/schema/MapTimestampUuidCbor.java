package org.lodestore.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.serializers.CborCodec;

/**
 * A table of (timestamp, UUID) keys to CBOR values (plain RFC 8949, readable by any CBOR decoder).
 *
 * @param <V> the value type
 */
public final class MapTimestampUuidCbor<V> extends SchemaTable<Tuple2<Instant, UUID>, V> {

  private MapTimestampUuidCbor(final CborCodec<V> codec) {
    super(KeyCodecs.tuple(KeyCodecs.TIMESTAMP, KeyCodecs.UUID), codec);
  }

  /**
   * Declares the table, values encoded as CBOR by Jackson with Lodestore's defaults.
   *
   * @param type the value class (record, POJO, map...)
   * @param <V> the value type
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static <V> MapTimestampUuidCbor<V> of(final Class<V> type) {
    return new MapTimestampUuidCbor<>(CborCodec.of(type));
  }

  /**
   * Declares the table, values encoded as CBOR by the given mapper.
   *
   * @param type the value class
   * @param mapper a CBOR-configured Jackson mapper
   * @param <V> the value type
   * @return the declaration
   */
  public static <V> MapTimestampUuidCbor<V> of(final Class<V> type, final ObjectMapper mapper) {
    return new MapTimestampUuidCbor<>(CborCodec.of(type, mapper));
  }
}
