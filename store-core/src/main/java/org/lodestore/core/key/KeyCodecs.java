package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  /**
   * The built-in codec whose {@link KeyCodec#id()} is {@code id}, for tools that read a codec's id
   * from a catalog and must decode keys without the code that declared them.
   *
   * <pre>{@code
   * KeyCodec<?> codec = KeyCodecs.forId("tuple(uuid,desc(timestamp))").orElseThrow();
   * }</pre>
   *
   * @param id a codec id: {@code uuid}, {@code timestamp}, {@code int64}, {@code int32}, {@code
   *     utf8}, {@code bytes}, {@code bytesN}, {@code desc(c)} or {@code tuple(c,c[,c[,c]])}
   * @return the codec, or empty if {@code id} names no built-in codec (a user's own codec)
   */
  public static Optional<KeyCodec<?>> forId(final String id) {
    final int[] at = {0};
    final KeyCodec<?> codec = parse(id, at);
    return codec != null && at[0] == id.length() ? Optional.of(codec) : Optional.empty();
  }

  /** The codec whose id starts at {@code at[0]} in {@code id}, advancing it; null if none. */
  private static KeyCodec<?> parse(final String id, final int[] at) {
    int end = at[0];
    while (end < id.length() && Character.isLetterOrDigit(id.charAt(end))) {
      end++;
    }
    final String name = id.substring(at[0], end);
    at[0] = end;
    if (end < id.length() && id.charAt(end) == '(') {
      at[0]++;
      final List<KeyCodec<?>> parts = new ArrayList<>();
      while (true) {
        final KeyCodec<?> part = parse(id, at);
        if (part == null || at[0] >= id.length()) {
          return null;
        }
        parts.add(part);
        final char next = id.charAt(at[0]++);
        if (next == ')') {
          break;
        }
        if (next != ',') {
          return null;
        }
      }
      return composite(name, parts);
    }
    return simple(name);
  }

  private static KeyCodec<?> simple(final String name) {
    switch (name) {
      case "uuid":
        return UUID;
      case "timestamp":
        return TIMESTAMP;
      case "int64":
        return LONG;
      case "int32":
        return INT;
      case "utf8":
        return STRING;
      case "bytes":
        return BYTES;
      default:
        if (name.matches("bytes[1-9][0-9]{0,2}") && Integer.parseInt(name.substring(5)) <= 511) {
          return fixedBytes(Integer.parseInt(name.substring(5)));
        }
        return null;
    }
  }

  private static KeyCodec<?> composite(final String name, final List<KeyCodec<?>> parts) {
    try {
      if (name.equals("desc") && parts.size() == 1) {
        return descending(parts.get(0));
      }
      if (!name.equals("tuple")) {
        return null;
      }
      switch (parts.size()) {
        case 2:
          return tuple(parts.get(0), parts.get(1));
        case 3:
          return tuple(parts.get(0), parts.get(1), parts.get(2));
        case 4:
          return tuple(parts.get(0), parts.get(1), parts.get(2), parts.get(3));
        default:
          return null;
      }
    } catch (IllegalArgumentException e) {
      return null; // e.g. a variable-length component without a delimited form
    }
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
