package org.lodestore.benchmarks.data;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import org.lodestore.benchmarks.fbs.TickFb;

/**
 * Encodes a tick value as the FlatBuffers {@code TickFb} table (price, size, sequence; the time is
 * in the key) and reads its fields back without allocating. Not thread-safe.
 */
public final class TickCodec {
  private final FlatBufferBuilder builder = new FlatBufferBuilder(64);
  private final TickFb table = new TickFb();

  /** Returns the encoded bytes of one tick. */
  public byte[] encode(double price, double size, long sequence) {
    FlatBufferBuilder b = builder;
    b.clear();
    b.finish(TickFb.createTickFb(b, price, size, sequence));
    return b.sizedByteArray();
  }

  /** Points the reusable flyweight at the table at the buffer's position. */
  public TickFb wrap(ByteBuffer value) {
    return TickFb.getRootAsTickFb(value, table);
  }

  /** Points the reusable flyweight at {@code value}. */
  public TickFb wrap(byte[] value) {
    return wrap(ByteBuffer.wrap(value));
  }
}
