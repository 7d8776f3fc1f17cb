package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Comparator;

/**
 * Signed 64-bit keys: 8 bytes big-endian with the sign bit flipped, so that negative values sort
 * before positive ones.
 *
 * <pre>
 *  0                        8
 *  +------------------------+
 *  | value ^ 0x8000...0000  |   big-endian
 *  +------------------------+
 * </pre>
 */
final class LongKeyCodec implements KeyCodec<Long> {

  static final LongKeyCodec INSTANCE = new LongKeyCodec();

  @Override
  public String id() {
    return "int64";
  }

  @Override
  public Comparator<Long> comparator() {
    return Comparator.naturalOrder();
  }

  @Override
  public int fixedLength() {
    return 8;
  }

  @Override
  public Class<?> keyType() {
    return Long.class;
  }

  @Override
  public void encode(final Long key, final ByteBuffer dst) {
    dst.putLong(key ^ Long.MIN_VALUE);
  }

  @Override
  public Long decode(final ByteBuffer src) {
    KeyCodecs.requireLength(this, src, 8);
    return src.getLong() ^ Long.MIN_VALUE;
  }
}
