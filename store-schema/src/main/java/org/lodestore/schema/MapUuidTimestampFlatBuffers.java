package org.lodestore.schema;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * A table of (UUID, timestamp) keys to FlatBuffers values, read zero-copy (views valid as long as their transaction).
 *
 * @param <V> the generated FlatBuffers table class
 */
public final class MapUuidTimestampFlatBuffers<V extends Table> extends SchemaTable<Tuple2<UUID, Instant>, V> {

  private final FlatBuffersCodec<V> codec;

  private MapUuidTimestampFlatBuffers(final FlatBuffersCodec<V> codec) {
    super(KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP), codec);
    this.codec = codec;
  }

  /**
   * Declares the table for a generated FlatBuffers class.
   *
   * @param root the generated two-argument root accessor, e.g. {@code Market::getRootAsMarket}
   * @param factory the generated class's constructor, e.g. {@code Market::new}
   * @param <V> the generated table class
   * @return the declaration, to pass to {@code Schema.table(...)}
   */
  public static <V extends Table> MapUuidTimestampFlatBuffers<V> of(
      final FlatBuffersCodec.RootAccessor<V> root, final Supplier<V> factory) {
    return new MapUuidTimestampFlatBuffers<>(FlatBuffersCodec.of(root, factory));
  }

  /**
   * Declares the table with a configured codec (e.g. one with a file identifier).
   *
   * @param codec the codec
   * @param <V> the generated table class
   * @return the declaration
   */
  public static <V extends Table> MapUuidTimestampFlatBuffers<V> of(final FlatBuffersCodec<V> codec) {
    return new MapUuidTimestampFlatBuffers<>(codec);
  }

  /**
   * Declares whether stored values carry a checksum: {@link ValueChecksum#NONE} unless declared
   * (zero-copy reads); {@link ValueChecksum#CRC32C} opts in, checking every read with one CRC pass
   * before the view is handed out. See {@link SchemaTable#valueChecksum(ValueChecksum)}.
   *
   * @param checksum the checksum of this table's values
   * @return this table
   */
  @Override
  public MapUuidTimestampFlatBuffers<V> valueChecksum(final ValueChecksum checksum) {
    super.valueChecksum(checksum);
    return this;
  }

  /**
   * Builds a value to put, with this thread's reused builder: {@code writer} adds the fields and
   * returns the root table's offset (the generated {@code endX}). The result is valid until the
   * next {@code build} on this thread; pass it to {@code put} right away.
   *
   * @param writer writes one value
   * @return the value, over the builder's buffer
   */
  public V build(final ToIntFunction<FlatBufferBuilder> writer) {
    return codec.build(writer);
  }
}
