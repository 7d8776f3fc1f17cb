package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Comparator;

/**
 * Signed 32-bit keys: 4 bytes big-endian with the sign bit flipped, so that negative values sort
 * before positive ones.
 *
 * <pre>
 *  0                  4
 *  +----------------------+
 *  | value ^ 0x80000000   |   big-endian
 *  +----------------------+
 * </pre>
 */
final class IntKeyCodec implements KeyCodec<Integer> {

  static final IntKeyCodec INSTANCE = new IntKeyCodec();

  @Override
  public String id() {
    return "int32";
  }

  @Override
  public Comparator<Integer> comparator() {
    return Comparator.naturalOrder();
  }

  @Override
  public int fixedLength() {
    return 4;
  }

  @Override
  public Class<?> keyType() {
    return Integer.class;
  }

  @Override
  public void encode(final Integer key, final ByteBuffer dst) {
    dst.putInt(key ^ Integer.MIN_VALUE);
  }

  @Override
  public Integer decode(final ByteBuffer src) {
    KeyCodecs.requireLength(this, src, 4);
    return src.getInt() ^ Integer.MIN_VALUE;
  }
}
