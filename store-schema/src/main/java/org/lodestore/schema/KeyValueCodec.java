package org.lodestore.schema;

import java.nio.ByteBuffer;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;

/** Stores a key of another table as a value, in that key's own encoding. */
final class KeyValueCodec<K> implements ValueCodec<K> {

  private static final ThreadLocal<ByteBuffer> SCRATCH =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(4096));

  private final KeyCodec<K> codec;

  KeyValueCodec(final KeyCodec<K> codec) {
    this.codec = codec;
  }

  @Override
  public String id() {
    return "key:" + codec.id();
  }

  @Override
  public ByteBuffer encode(final K value) {
    final ByteBuffer buffer = SCRATCH.get().clear();
    codec.encode(value, buffer);
    return buffer.flip();
  }

  @Override
  public K decode(final ByteBuffer src) {
    return codec.decode(src);
  }
}
