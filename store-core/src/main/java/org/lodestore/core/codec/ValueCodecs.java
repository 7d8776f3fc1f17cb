package org.lodestore.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * The value codecs of store-core. CBOR, JSON and FlatBuffers codecs live in the {@code serializers}
 * module.
 *
 * <pre>
 *  BYTES   the bytes as given
 *  STRING  UTF-8 (strict: unpaired surrogates are refused)
 *  UUID    16 bytes, big-endian msb then lsb
 *  LONG    8 bytes big-endian (two's complement; values are not ordered, keys are)
 *  VIEW    the stored bytes as a read-only ByteBuffer over LMDB memory (zero-copy)
 * </pre>
 */
public final class ValueCodecs {

  /** Byte arrays, stored as given; reads copy the bytes. */
  public static final ValueCodec<byte[]> BYTES = new BytesCodec();

  /** Strings as UTF-8. */
  public static final ValueCodec<String> STRING = new StringCodec();

  /** UUIDs as 16 big-endian bytes. */
  public static final ValueCodec<UUID> UUID = new UuidCodec();

  /** Longs as 8 big-endian bytes. */
  public static final ValueCodec<Long> LONG = new LongCodec();

  /**
   * Zero-copy access to the stored bytes: reads return a read-only {@link ByteBuffer} over LMDB's
   * memory, valid until the transaction ends (in a write transaction: until its next write); after
   * that every access throws {@link IndexOutOfBoundsException}. Writes copy the buffer's remaining
   * bytes.
   */
  public static final ValueCodec<ByteBuffer> VIEW = new ViewCodec();

  private ValueCodecs() {}

  /**
   * The codec of this class whose {@link ValueCodec#id()} is {@code id}: {@code bytes} gives {@link
   * #BYTES}, {@code utf8} {@link #STRING}, {@code uuid} {@link #UUID}, {@code int64} {@link #LONG}.
   * The serializers module's codecs (CBOR, JSON, FlatBuffers) are not known here.
   *
   * @param id a codec id, e.g. from a catalog
   * @return the codec, or empty for any other id
   */
  public static Optional<ValueCodec<?>> forId(final String id) {
    switch (id) {
      case "bytes":
        return Optional.of(BYTES);
      case "utf8":
        return Optional.of(STRING);
      case "uuid":
        return Optional.of(UUID);
      case "int64":
        return Optional.of(LONG);
      default:
        return Optional.empty();
    }
  }

  /** A direct scratch buffer per thread for codecs that must turn values into bytes. */
  private static final ThreadLocal<ByteBuffer[]> SCRATCH =
      ThreadLocal.withInitial(() -> new ByteBuffer[] {ByteBuffer.allocate(256)});

  private static ByteBuffer scratch(final int capacity) {
    final ByteBuffer[] holder = SCRATCH.get();
    if (holder[0].capacity() < capacity) {
      holder[0] = ByteBuffer.allocate(Math.max(capacity, holder[0].capacity() * 2));
    }
    return holder[0].clear();
  }

  private static final class BytesCodec implements ValueCodec<byte[]> {
    @Override
    public String id() {
      return "bytes";
    }

    @Override
    public ByteBuffer encode(final byte[] value) {
      return ByteBuffer.wrap(value);
    }

    @Override
    public byte[] decode(final ByteBuffer src) {
      final byte[] bytes = new byte[src.remaining()];
      src.get(bytes);
      return bytes;
    }
  }

  private static final class StringCodec implements ValueCodec<String> {
    private static final ThreadLocal<CharsetEncoder> ENCODER =
        ThreadLocal.withInitial(
            () ->
                StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT));

    @Override
    public String id() {
      return "utf8";
    }

    @Override
    public ByteBuffer encode(final String value) {
      try {
        return ENCODER.get().encode(java.nio.CharBuffer.wrap(value));
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("string has no UTF-8 form: " + e.getMessage(), e);
      }
    }

    @Override
    public String decode(final ByteBuffer src) {
      return StandardCharsets.UTF_8.decode(src).toString();
    }
  }

  private static final class UuidCodec implements ValueCodec<UUID> {
    @Override
    public String id() {
      return "uuid";
    }

    @Override
    public ByteBuffer encode(final UUID value) {
      return scratch(16)
          .putLong(value.getMostSignificantBits())
          .putLong(value.getLeastSignificantBits())
          .flip();
    }

    @Override
    public UUID decode(final ByteBuffer src) {
      if (src.remaining() != 16) {
        throw new IllegalArgumentException("a UUID value has 16 bytes, got " + src.remaining());
      }
      return new UUID(src.getLong(0), src.getLong(8));
    }
  }

  private static final class LongCodec implements ValueCodec<Long> {
    @Override
    public String id() {
      return "int64";
    }

    @Override
    public ByteBuffer encode(final Long value) {
      return scratch(8).putLong(value).flip();
    }

    @Override
    public Long decode(final ByteBuffer src) {
      if (src.remaining() != 8) {
        throw new IllegalArgumentException("a long value has 8 bytes, got " + src.remaining());
      }
      return src.order(ByteOrder.BIG_ENDIAN).getLong(0);
    }
  }

  private static final class ViewCodec implements ValueCodec<ByteBuffer> {
    @Override
    public String id() {
      return "bytes";
    }

    @Override
    public ByteBuffer encode(final ByteBuffer value) {
      return value.duplicate();
    }

    @Override
    public ByteBuffer decode(final ByteBuffer src) {
      return src;
    }

    @Override
    public boolean isView() {
      return true;
    }

    @Override
    public ByteBuffer decodeInto(final ByteBuffer src, final ByteBuffer reuse) {
      return src;
    }

    @Override
    public ByteBuffer viewBuffer(final ByteBuffer view) {
      return view;
    }
  }
}
