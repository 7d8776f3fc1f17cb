package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Comparator;

/**
 * Encodes keys of type {@code K} to bytes whose <b>unsigned lexicographic order equals the natural
 * order of the keys</b> (the order given by {@link #comparator()}). LMDB sorts keys by {@code
 * memcmp}, so this contract is what makes range scans return rows in key order.
 *
 * <p>Every codec documents its byte layout. Encodings are written big-endian into a {@link
 * ByteBuffer} at its position, which the codec advances; decoding reads from the position and
 * advances it.
 *
 * <p><b>Delimited form.</b> A codec used as a non-final component of a composite key must be
 * self-delimiting, so that {@code ("ab","c")} and {@code ("a","bc")} encode differently and sort
 * correctly. Fixed-length codecs are delimited by their length; variable-length codecs (strings,
 * byte arrays) override {@link #encodeDelimited} and {@link #decodeDelimited} with an escaped,
 * terminated form that keeps the ordering contract.
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * @param <K> the key type
 */
public interface KeyCodec<K> {

  /**
   * A stable identifier of this encoding, recorded in the catalog; changing a table's key codec is
   * detected through it.
   *
   * @return the identifier, e.g. {@code "uuid"} or {@code "tuple(uuid,timestamp)"}
   */
  String id();

  /**
   * The natural order of keys, which the encoding preserves.
   *
   * @return a comparator consistent with the unsigned byte order of the encodings
   */
  Comparator<K> comparator();

  /**
   * The length every encoding has, or {@code -1} if it varies.
   *
   * @return the fixed encoded length in bytes, or {@code -1}
   */
  int fixedLength();

  /**
   * Writes the encoding of {@code key} at {@code dst.position()} and advances the position.
   *
   * @param key the key (not null)
   * @param dst a big-endian buffer
   * @throws IllegalArgumentException if the key cannot be represented (the message says why)
   * @throws java.nio.BufferOverflowException if {@code dst} is too small
   */
  void encode(K key, ByteBuffer dst);

  /**
   * Decodes a key that occupies all remaining bytes of {@code src}.
   *
   * @param src a big-endian buffer positioned at the encoding
   * @return the key
   * @throws IllegalArgumentException if the bytes are not a valid encoding
   */
  K decode(ByteBuffer src);

  /**
   * Whether this codec can be a non-last component of a composite key: true for fixed-length codecs
   * and for codecs that override {@link #encodeDelimited} and {@link #decodeDelimited}.
   *
   * @return whether a delimited form exists
   */
  default boolean hasDelimitedForm() {
    return fixedLength() >= 0;
  }

  /**
   * Writes the self-delimiting form used inside composite keys. Fixed-length codecs write the same
   * bytes as {@link #encode}.
   *
   * @param key the key (not null)
   * @param dst a big-endian buffer
   */
  default void encodeDelimited(K key, ByteBuffer dst) {
    if (fixedLength() < 0) {
      throw new UnsupportedOperationException(id() + " has no delimited form");
    }
    encode(key, dst);
  }

  /**
   * Reads the self-delimiting form written by {@link #encodeDelimited}, advancing the position past
   * it.
   *
   * @param src a big-endian buffer positioned at the encoding
   * @return the key
   * @throws IllegalArgumentException if the bytes are not a valid encoding
   */
  default K decodeDelimited(ByteBuffer src) {
    final int length = fixedLength();
    if (length < 0) {
      throw new UnsupportedOperationException(id() + " has no delimited form");
    }
    if (src.remaining() < length) {
      throw new IllegalArgumentException(
          id() + " needs " + length + " bytes, " + src.remaining() + " remain");
    }
    final int limit = src.limit();
    src.limit(src.position() + length);
    try {
      return decode(src);
    } finally {
      src.limit(limit);
    }
  }

  /**
   * Writes the encoding of a key prefix: the leading components of a composite key. For a scalar
   * codec the single component is encoded as a whole key, so a prefix of a string key selects the
   * strings that start with it. A scan of a {@code KeyRange.prefix(...)} range calls this with the
   * table's (or index's) codec; the typed factories of {@code KeyRange} make the components match
   * the key's types, and they are checked again here for a range that reached the scan through a
   * raw type or an unchecked cast.
   *
   * @param components the leading components, in order (at least one)
   * @param dst a big-endian buffer
   * @throws IllegalArgumentException if there are too many components or one has the wrong type
   */
  default void encodePrefix(Object[] components, ByteBuffer dst) {
    if (components.length != 1) {
      throw new IllegalArgumentException(
          id()
              + " is not a composite key; a prefix has exactly one component, got "
              + components.length);
    }
    encode(KeyCodecs.cast(this, components[0], 0), dst);
  }

  /**
   * The Java type of the keys, used to check prefix components.
   *
   * @return the key class
   */
  Class<?> keyType();
}
