package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Byte-array keys of one fixed length, stored raw and ordered by unsigned lexicographic comparison.
 *
 * <pre>
 *  0                 length
 *  +-----------------+
 *  | the bytes       |
 *  +-----------------+
 * </pre>
 */
final class FixedBytesKeyCodec implements KeyCodec<byte[]> {

  private final int length;

  FixedBytesKeyCodec(final int length) {
    if (length < 1 || length > 511) {
      throw new IllegalArgumentException("fixed key length must be 1..511, got " + length);
    }
    this.length = length;
  }

  @Override
  public String id() {
    return "bytes" + length;
  }

  @Override
  public Comparator<byte[]> comparator() {
    return Arrays::compareUnsigned;
  }

  @Override
  public int fixedLength() {
    return length;
  }

  @Override
  public Class<?> keyType() {
    return byte[].class;
  }

  @Override
  public void encode(final byte[] key, final ByteBuffer dst) {
    if (key.length != length) {
      throw new IllegalArgumentException(
          "key must be exactly " + length + " bytes, got " + key.length);
    }
    dst.put(key);
  }

  @Override
  public byte[] decode(final ByteBuffer src) {
    KeyCodecs.requireLength(this, src, length);
    final byte[] bytes = new byte[length];
    src.get(bytes);
    return bytes;
  }
}
