package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Comparator;

/**
 * Reverses the order of another codec: its delimited (prefix-free) form with every byte
 * complemented.
 *
 * <pre>
 *  +--------------------------------------------+
 *  | ~b0 ~b1 ... ~bn   where b = delimited form  |
 *  +--------------------------------------------+
 * </pre>
 *
 * <p>Complementing bytes reverses unsigned order wherever two encodings differ at some position;
 * the delimited form guarantees that no encoding is a prefix of another, so that is everywhere.
 * Used for "order by ... descending" components of composite index keys.
 *
 * @param <K> the key type
 */
final class DescendingKeyCodec<K> implements KeyCodec<K> {

  private final KeyCodec<K> inner;

  DescendingKeyCodec(final KeyCodec<K> inner) {
    if (!inner.hasDelimitedForm()) {
      throw new IllegalArgumentException(
          "key codec " + inner.id() + " has no delimited form, so it cannot be descending");
    }
    this.inner = inner;
  }

  @Override
  public String id() {
    return "desc(" + inner.id() + ")";
  }

  @Override
  public Comparator<K> comparator() {
    return inner.comparator().reversed();
  }

  @Override
  public int fixedLength() {
    return inner.fixedLength();
  }

  @Override
  public Class<?> keyType() {
    return inner.keyType();
  }

  @Override
  public boolean hasDelimitedForm() {
    return true;
  }

  @Override
  public void encode(final K key, final ByteBuffer dst) {
    final int start = dst.position();
    inner.encodeDelimited(key, dst);
    for (int i = start; i < dst.position(); i++) {
      dst.put(i, (byte) ~dst.get(i));
    }
  }

  @Override
  public K decode(final ByteBuffer src) {
    final K key = decodeDelimited(src);
    if (src.hasRemaining()) {
      throw new IllegalArgumentException(id() + " key has " + src.remaining() + " trailing bytes");
    }
    return key;
  }

  @Override
  public void encodeDelimited(final K key, final ByteBuffer dst) {
    encode(key, dst);
  }

  @Override
  public K decodeDelimited(final ByteBuffer src) {
    // complement a copy of the remaining bytes, decode one delimited component, advance src by it
    final byte[] flipped = new byte[src.remaining()];
    src.duplicate().get(flipped);
    for (int i = 0; i < flipped.length; i++) {
      flipped[i] = (byte) ~flipped[i];
    }
    final ByteBuffer plain = ByteBuffer.wrap(flipped);
    final K key = inner.decodeDelimited(plain);
    src.position(src.position() + plain.position());
    return key;
  }
}
