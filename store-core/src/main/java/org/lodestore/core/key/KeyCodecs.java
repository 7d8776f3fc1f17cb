package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;

/**
 * The key codecs Lodestore ships. Each preserves order: the unsigned byte order of encodings is the
 * order of {@link KeyCodec#comparator()}. The byte layouts are drawn in each codec's class comment
 * and summarised here:
 *
 * <pre>
 *  uuid       16 bytes, RFC 4122 byte order (unsigned msb, then unsigned lsb)
 *  timestamp  8 bytes, epoch nanoseconds big-endian, sign bit flipped (1677-09-21 .. 2262-04-11)
 *  int64      8 bytes big-endian, sign bit flipped
 *  int32      4 bytes big-endian, sign bit flipped
 *  utf8       UTF-8 bytes; inside a tuple: 0x00 -> 00 FF, terminated by 00 01
 *  bytes      raw bytes; inside a tuple: escaped like utf8
 *  bytesN     exactly N raw bytes
 *  tuple      concatenation of the components, all but the last delimited
 *  desc(c)    the delimited form of c with every byte complemented (reverse order)
 * </pre>
 */
public final class KeyCodecs {

  /** UUIDs in RFC 4122 byte order; see {@link #UUID_ORDER}. */
  public static final KeyCodec<UUID> UUID = UuidKeyCodec.INSTANCE;

  /** Instants with nanosecond precision, pre-1970 first; see {@link #TIMESTAMP_MIN}. */
  public static final KeyCodec<Instant> TIMESTAMP = TimestampKeyCodec.INSTANCE;

  /** Signed 64-bit integers. */
  public static final KeyCodec<Long> LONG = LongKeyCodec.INSTANCE;

  /** Signed 32-bit integers. */
  public static final KeyCodec<Integer> INT = IntKeyCodec.INSTANCE;

  /** Strings in Unicode code point order; see {@link #STRING_ORDER}. */
  public static final KeyCodec<String> STRING = StringKeyCodec.INSTANCE;

  /** Variable-length byte arrays in unsigned lexicographic order. */
  public static final KeyCodec<byte[]> BYTES = BytesKeyCodec.INSTANCE;

  /**
   * The order of UUID keys: unsigned most significant bits, then unsigned least significant bits.
   * It differs from {@link java.util.UUID#compareTo}, which compares signed values.
   */
  public static final java.util.Comparator<java.util.UUID> UUID_ORDER = UuidKeyCodec.ORDER;

  /** The order of string keys: Unicode code point order (UTF-8 byte order). */
  public static final java.util.Comparator<String> STRING_ORDER = StringKeyCodec.ORDER;

  /** The earliest instant a timestamp key can hold: 1677-09-21T00:12:43.145224192Z. */
  public static final Instant TIMESTAMP_MIN = TimestampKeyCodec.MIN;

  /** The latest instant a timestamp key can hold: 2262-04-11T23:47:16.854775807Z. */
  public static final Instant TIMESTAMP_MAX = TimestampKeyCodec.MAX;

  private KeyCodecs() {}

  /**
   * Reads a {@link #TIMESTAMP} component from encoded key bytes without decoding the whole key or
   * allocating: for example the time of a {@code (uuid, timestamp)} key from {@link
   * org.lodestore.core.Cursor#keyView()} is {@code timestampNanos(bytes, 16)}.
   *
   * @param encoded the encoded key (absolute indexing; position and limit are not used)
   * @param offset where the 8 timestamp bytes start
   * @return nanoseconds since 1970-01-01T00:00:00Z
   * @throws IndexOutOfBoundsException if fewer than 8 bytes follow {@code offset}
   */
  public static long timestampNanos(final ByteBuffer encoded, final int offset) {
    return encoded.getLong(offset) ^ Long.MIN_VALUE;
  }

  /**
   * Byte arrays of exactly {@code length} bytes.
   *
   * @param length the length, 1..511
   * @return the codec
   */
  public static KeyCodec<byte[]> fixedBytes(final int length) {
    return new FixedBytesKeyCodec(length);
  }

  /**
   * The same keys in reverse order, for "order by ... descending" components of composite keys. The
   * encoding is the codec's delimited form with every byte complemented.
   *
   * @param codec a fixed-length codec or one with a delimited form
   * @param <K> the key type
   * @return the descending codec
   */
  public static <K> KeyCodec<K> descending(final KeyCodec<K> codec) {
    return new DescendingKeyCodec<>(codec);
  }

  /**
   * Composite keys of two components. Any component may be {@link #descending} (e.g. {@code
   * tuple(UUID, descending(TIMESTAMP))}: per UUID, newest first); the result still names both
   * component types, for {@code KeyRange.prefix(codec, first)}.
   *
   * @param a codec of the first component; variable-length codecs must have a delimited form
   * @param b codec of the second component
   * @param <A> type of the first component
   * @param <B> type of the second component
   * @return the codec
   * @throws IllegalArgumentException if {@code a} is variable-length without a delimited form
   */
  public static <A, B> Tuple2KeyCodec<A, B> tuple(final KeyCodec<A> a, final KeyCodec<B> b) {
    return new Tuple2KeyCodec<>(a, b);
  }

  /**
   * Composite keys of three components, typed for prefix ranges of one to three components.
   *
   * @param a codec of the first component
   * @param b codec of the second component
   * @param c codec of the third component
   * @param <A> type of the first component
   * @param <B> type of the second component
   * @param <C> type of the third component
   * @return the codec
   * @throws IllegalArgumentException if {@code a} or {@code b} is variable-length without a
   *     delimited form
   */
  public static <A, B, C> Tuple3KeyCodec<A, B, C> tuple(
      final KeyCodec<A> a, final KeyCodec<B> b, final KeyCodec<C> c) {
    return new Tuple3KeyCodec<>(a, b, c);
  }

  /**
   * Composite keys of four components, typed for prefix ranges of one to four components.
   *
   * @param a codec of the first component
   * @param b codec of the second component
   * @param c codec of the third component
   * @param d codec of the fourth component
   * @param <A> type of the first component
   * @param <B> type of the second component
   * @param <C> type of the third component
   * @param <D> type of the fourth component
   * @return the codec
   * @throws IllegalArgumentException if one of {@code a}, {@code b}, {@code c} is variable-length
   *     without a delimited form
   */
  public static <A, B, C, D> Tuple4KeyCodec<A, B, C, D> tuple(
      final KeyCodec<A> a, final KeyCodec<B> b, final KeyCodec<C> c, final KeyCodec<D> d) {
    return new Tuple4KeyCodec<>(a, b, c, d);
  }

  /** A decoded component as its declared type (the tuple codecs decode each with its codec). */
  @SuppressWarnings("unchecked")
  static <T> T uncheckedCast(final Object o) {
    return (T) o;
  }

  /** Checks a prefix component against the codec's key type. */
  @SuppressWarnings("unchecked")
  static <K> K cast(final KeyCodec<K> codec, final Object component, final int index) {
    if (component == null) {
      throw new NullPointerException("prefix component " + index + " is null");
    }
    if (!codec.keyType().isInstance(component)) {
      throw new IllegalArgumentException(
          "prefix component "
              + index
              + " must be a "
              + codec.keyType().getSimpleName()
              + " for "
              + codec.id()
              + ", got "
              + component.getClass().getSimpleName());
    }
    return (K) component;
  }

  static void requireLength(final KeyCodec<?> codec, final ByteBuffer src, final int length) {
    if (src.remaining() != length) {
      throw new IllegalArgumentException(
          codec.id() + " key must be " + length + " bytes, got " + src.remaining());
    }
  }
}
