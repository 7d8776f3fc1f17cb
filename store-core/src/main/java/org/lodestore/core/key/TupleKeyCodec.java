package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.function.Function;

/**
 * Composite keys of 2 to 4 components: the concatenation of the components' encodings, every
 * component but the last in its delimited form.
 *
 * <pre>
 *  +----------------------+----------------------+-----+-------------------+
 *  | c1 (delimited form)  | c2 (delimited form)  | ... | cN (plain form)   |
 *  +----------------------+----------------------+-----+-------------------+
 *  e.g. (uuid, timestamp):   16 bytes uuid | 8 bytes timestamp  = 24 bytes
 *       (string, uuid):      utf8, 00 escaped as 00 FF | 00 01 | 16 bytes uuid
 * </pre>
 *
 * <p>Because every non-last component is self-delimiting and order-preserving, the unsigned order
 * of the concatenation is the lexicographic order of the tuples, and the encoding of the first
 * {@code k} components is a byte prefix of the encoding of every key that starts with them.
 *
 * <p>The public subclasses {@link Tuple2KeyCodec}, {@link Tuple3KeyCodec} and {@link
 * Tuple4KeyCodec} carry the component types, so that a prefix range can be typed by them.
 *
 * @param <T> the tuple type
 */
abstract class TupleKeyCodec<T> implements KeyCodec<T> {

  private final KeyCodec<Object>[] parts;
  private final Function<T, Object[]> split;
  private final Function<Object[], T> join;
  private final Class<?> type;
  private final String id;
  private final int fixedLength;
  private final Comparator<T> comparator;

  @SuppressWarnings("unchecked")
  TupleKeyCodec(
      final Class<?> type,
      final Function<T, Object[]> split,
      final Function<Object[], T> join,
      final KeyCodec<?>... parts) {
    this.parts = (KeyCodec<Object>[]) parts.clone();
    this.split = split;
    this.join = join;
    this.type = type;
    final StringBuilder ids = new StringBuilder("tuple(");
    int fixed = 0;
    for (int i = 0; i < parts.length; i++) {
      ids.append(i == 0 ? "" : ",").append(parts[i].id());
      final int length = parts[i].fixedLength();
      fixed = fixed < 0 || length < 0 ? -1 : fixed + length;
      if (i < parts.length - 1 && length < 0) {
        requireDelimitedForm(parts[i]);
      }
    }
    this.id = ids.append(')').toString();
    this.fixedLength = fixed;
    this.comparator =
        (a, b) -> {
          final Object[] x = split.apply(a);
          final Object[] y = split.apply(b);
          for (int i = 0; i < this.parts.length; i++) {
            final int c = this.parts[i].comparator().compare(x[i], y[i]);
            if (c != 0) {
              return c;
            }
          }
          return 0;
        };
  }

  private static void requireDelimitedForm(final KeyCodec<?> codec) {
    if (!codec.hasDelimitedForm()) {
      throw new IllegalArgumentException(
          "key codec "
              + codec.id()
              + " is variable-length without a delimited form, "
              + "so it can only be the last component of a tuple");
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Comparator<T> comparator() {
    return comparator;
  }

  @Override
  public int fixedLength() {
    return fixedLength;
  }

  @Override
  public Class<?> keyType() {
    return type;
  }

  @Override
  public void encode(final T key, final ByteBuffer dst) {
    final Object[] components = split.apply(key);
    final int last = parts.length - 1;
    for (int i = 0; i < last; i++) {
      parts[i].encodeDelimited(components[i], dst);
    }
    parts[last].encode(components[last], dst);
  }

  @Override
  public T decode(final ByteBuffer src) {
    final Object[] components = new Object[parts.length];
    final int last = parts.length - 1;
    for (int i = 0; i < last; i++) {
      components[i] = parts[i].decodeDelimited(src);
    }
    components[last] = parts[last].decode(src);
    return join.apply(components);
  }

  @Override
  public boolean hasDelimitedForm() {
    return true;
  }

  @Override
  public void encodeDelimited(final T key, final ByteBuffer dst) {
    final Object[] components = split.apply(key);
    for (int i = 0; i < parts.length; i++) {
      parts[i].encodeDelimited(components[i], dst);
    }
  }

  @Override
  public T decodeDelimited(final ByteBuffer src) {
    final Object[] components = new Object[parts.length];
    for (int i = 0; i < parts.length; i++) {
      components[i] = parts[i].decodeDelimited(src);
    }
    return join.apply(components);
  }

  @Override
  public void encodePrefix(final Object[] components, final ByteBuffer dst) {
    if (components.length < 1 || components.length > parts.length) {
      throw new IllegalArgumentException(
          "a prefix of "
              + id
              + " has 1.."
              + parts.length
              + " components, got "
              + components.length);
    }
    final int last = parts.length - 1;
    for (int i = 0; i < components.length; i++) {
      final Object component = KeyCodecs.cast(parts[i], components[i], i);
      if (i == last) {
        parts[i].encode(component, dst);
      } else {
        parts[i].encodeDelimited(component, dst);
      }
    }
  }
}
