package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Variable-length byte-array keys, ordered by unsigned lexicographic comparison ({@link
 * Arrays#compareUnsigned(byte[], byte[])}).
 *
 * <pre>
 *  as a whole key or last component:   the bytes
 *  as a non-last component:            the bytes, 0x00 escaped as 0x00 0xFF, then 0x00 0x01
 * </pre>
 */
final class BytesKeyCodec implements KeyCodec<byte[]> {

  static final BytesKeyCodec INSTANCE = new BytesKeyCodec();

  @Override
  public String id() {
    return "bytes";
  }

  @Override
  public Comparator<byte[]> comparator() {
    return Arrays::compareUnsigned;
  }

  @Override
  public int fixedLength() {
    return -1;
  }

  @Override
  public Class<?> keyType() {
    return byte[].class;
  }

  @Override
  public void encode(final byte[] key, final ByteBuffer dst) {
    dst.put(key);
  }

  @Override
  public boolean hasDelimitedForm() {
    return true;
  }

  @Override
  public void encodeDelimited(final byte[] key, final ByteBuffer dst) {
    for (final byte b : key) {
      Escaping.putEscaped(b, dst);
    }
    Escaping.putTerminator(dst);
  }

  @Override
  public byte[] decode(final ByteBuffer src) {
    final byte[] bytes = new byte[src.remaining()];
    src.get(bytes);
    return bytes;
  }

  @Override
  public byte[] decodeDelimited(final ByteBuffer src) {
    return Escaping.readDelimited(src, id());
  }
}
