package org.lodestore.serializers;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.core.codec.ValueCodec;

/**
 * Values as plain RFC 8949 CBOR through Jackson: records, POJOs, {@code Map<String, Object>},
 * lists, nested objects, {@link java.util.UUID}, {@link java.time.Instant}, {@link
 * java.math.BigDecimal}, enums, {@link java.util.Optional} and byte arrays.
 *
 * <h2>On-disk form (the default mapper, see {@link #newMapper()})</h2>
 *
 * <pre>
 *  record / POJO     map of property name to value, declaration order (indefinite length: BF..FF)
 *  Map&lt;String, ?&gt;      map of text keys (indefinite length)
 *  List, array       array (definite length)
 *  String            text string (UTF-8)
 *  int, long         integer in its shortest form
 *  double            float64 (float: float32)
 *  BigInteger        integer, or tag 2/3 bignum beyond 64 bits
 *  BigDecimal        tag 4 decimal fraction [exponent, mantissa]   273.15 = C4 82 21 19 6A B3
 *  byte[]            byte string
 *  enum              text string of name() (never the ordinal)
 *  Optional          the value, or null (F6) when empty
 *  UUID              tag 37 over a 16-byte string, RFC 4122 order  D8 25 50 &lt;16 bytes&gt;
 *  Instant           tag 0 over RFC 3339 text in UTC               C0 74 "2024-01-02T03:04:05Z"
 *                    beyond years 0000..9999: tag 1 over integer seconds    C1 1B ...
 *  other java.time   ISO-8601 text (LocalDate "2024-01-02", Duration "PT1S", ...)
 * </pre>
 *
 * <p>Why tag 0 for {@code Instant}: it is exact to the nanosecond, which tag 1's float seconds are
 * not (binary64 keeps about 0.2 microseconds today), and every CBOR library with date support reads
 * it; the text costs ~20 bytes more than an integer. Its price is RFC 3339's four-digit year, so
 * instants outside 0000-01-01..9999-12-31 are written as tag 1 over integer seconds, which is exact
 * only for whole seconds: such an instant with a fraction of a second (such as {@code Instant.MAX})
 * is refused on write with {@link IllegalArgumentException}, and on read (whatever its form) with
 * {@link CorruptValueException}, so that every value read can be written back. Reads also accept
 * tag 1 (integer or float seconds), so values written by other languages that prefer it decode too.
 * UUID uses tag 37, the IANA-registered binary UUID. Tags 37, 0 and 1 are honoured on typed
 * properties; inside an untyped {@code Map<String, Object>} a UUID reads back as its 16 bytes and
 * an {@code Instant} as its text or number.
 *
 * <p>Evolution: unknown properties are ignored on read, so a record may gain a component without
 * breaking stored values (the new component reads as null/0/empty). Enums that declare a {@code
 * JsonEnumDefaultValue} read unknown names as that value. A value followed by trailing bytes, a
 * value of the wrong shape and a CBOR {@code null} raise {@link CorruptValueException}.
 *
 * <p>Text: RFC 8949 text strings are UTF-8. One that decodes to a lone surrogate (an encoded
 * surrogate such as {@code ED A0 80}, or a code point above U+10FFFF), from which no {@code String}
 * can be written back, raises {@link CorruptValueException} when read into a {@code String} (a
 * property, an element of a collection or array, an untyped value) or a {@code Map<String, ?>} key.
 * Text inside a {@code JsonNode}, and keys of maps nested in untyped ({@code Object}) values, are
 * not checked. The check belongs to {@link #tagsModule()}; Jackson's CBOR parser has no such
 * option.
 *
 * <h2>Threads and buffers</h2>
 *
 * Instances are immutable and thread-safe. {@link #encode} returns a per-thread, per-codec buffer
 * that the next {@code encode} on the same thread overwrites. {@link #decode} reads the stored
 * bytes while it runs and keeps no reference to them: the result is an ordinary heap object that
 * outlives the transaction.
 *
 * @param <T> the value type
 */
public final class CborCodec<T> implements ValueCodec<T> {

  /** The codec id recorded in the catalog. */
  public static final String ID = "cbor";

  private final JacksonValues<T> values;

  /** {@link #typeFingerprint()}, once computed (a benign race: every thread computes the same). */
  private volatile TypeFingerprint fingerprint;

  private CborCodec(final ObjectMapper mapper, final JavaType type) {
    if (!(mapper.getFactory() instanceof CBORFactory)) {
      throw new IllegalArgumentException(
          "CborCodec needs a CBOR mapper (CBORMapper or an ObjectMapper over a CBORFactory), got"
              + " one for "
              + mapper.getFactory().getFormatName());
    }
    this.values = new JacksonValues<>("CBOR", mapper, type);
  }

  /**
   * A codec for {@code type} with the default mapper ({@link #newMapper()}).
   *
   * @param type the value class
   * @param <T> the value type
   * @return the codec
   */
  public static <T> CborCodec<T> of(final Class<T> type) {
    return of(type, DefaultMapper.INSTANCE);
  }

  /**
   * A codec for {@code type} that uses the caller's mapper as configured. Register {@link
   * #tagsModule()} last (or start from {@link #newMapper()}) to keep the standard UUID and Instant
   * tags described above.
   *
   * @param type the value class
   * @param mapper a mapper over a {@link CBORFactory}, fully configured; later changes to it are
   *     not seen
   * @param <T> the value type
   * @return the codec
   * @throws IllegalArgumentException if the mapper does not produce CBOR
   */
  public static <T> CborCodec<T> of(final Class<T> type, final ObjectMapper mapper) {
    Objects.requireNonNull(type, "type");
    return new CborCodec<>(mapper, mapper.constructType(type));
  }

  /**
   * A codec for a generic type such as {@code new TypeReference<Map<String, Object>>() {}}, with
   * the default mapper.
   *
   * @param type the value type
   * @param <T> the value type
   * @return the codec
   */
  public static <T> CborCodec<T> of(final TypeReference<T> type) {
    return of(type, DefaultMapper.INSTANCE);
  }

  /**
   * A codec for a generic type with the caller's mapper.
   *
   * @param type the value type
   * @param mapper a mapper over a {@link CBORFactory}
   * @param <T> the value type
   * @return the codec
   * @throws IllegalArgumentException if the mapper does not produce CBOR
   */
  public static <T> CborCodec<T> of(final TypeReference<T> type, final ObjectMapper mapper) {
    Objects.requireNonNull(type, "type");
    return new CborCodec<>(mapper, mapper.constructType(type));
  }

  /**
   * A new mapper with Lodestore's defaults, to customise and pass to {@link #of(Class,
   * ObjectMapper)}: JDK 8 and java.time modules, then {@link #tagsModule()}; unknown properties
   * ignored; trailing bytes after the value rejected; java.time values other than {@code Instant}
   * as ISO-8601 text; enums by name.
   *
   * @return a new, independent mapper
   */
  public static CBORMapper newMapper() {
    return CBORMapper.builder()
        .addModule(new Jdk8Module())
        .addModule(new JavaTimeModule())
        .addModule(tagsModule())
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_ENUMS_USING_INDEX)
        .build();
  }

  /**
   * A new Jackson module that writes {@link java.util.UUID} as tag 37 and {@link java.time.Instant}
   * as tag 0 or 1 (see the class comment), reads the forms listed there, and refuses text strings
   * that are not valid UTF-8. Register it after {@code JavaTimeModule} so that it wins.
   *
   * @return a new module instance
   */
  public static Module tagsModule() {
    return CborTags.module();
  }

  /**
   * {@inheritDoc}
   *
   * @return {@value #ID}
   */
  @Override
  public String id() {
    return ID;
  }

  /**
   * Encodes {@code value} as CBOR.
   *
   * @param value the value
   * @return a heap buffer owned by this codec and thread, holding the encoding between position and
   *     limit; overwritten by the next {@code encode} of this codec on this thread
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if Jackson cannot serialize the value (no properties, a getter
   *     that throws, a {@code String} with a lone surrogate, an {@code Instant} outside years
   *     0000..9999 with a fraction of a second, ...)
   */
  @Override
  public ByteBuffer encode(final T value) {
    return values.encode(value);
  }

  /**
   * Decodes the CBOR value between {@code src}'s position and limit, leaving {@code src}'s position
   * unchanged and keeping no reference to it.
   *
   * @param src the stored bytes (typically a read-only direct buffer over LMDB memory)
   * @return a new heap object, independent of {@code src}
   * @throws CorruptValueException if the bytes are not CBOR for this type, are CBOR {@code null},
   *     are followed by trailing bytes, or hold a value that could not be encoded again (text that
   *     is not UTF-8, an instant without an exact form; see the class comment)
   */
  @Override
  public T decode(final ByteBuffer src) {
    return values.decode(src);
  }

  /**
   * The value type's name and, for a record or POJO, the name and type of each property this
   * codec's mapper writes (asked of Jackson's own serializer for the type, so annotations, naming
   * strategies and mix-ins count), for the catalog's evolution check. Computed on first use.
   *
   * @return the fingerprint, e.g. {@code com.example.Market{symbol: java.lang.String, priceCents:
   *     long}}
   */
  @Override
  public TypeFingerprint typeFingerprint() {
    TypeFingerprint f = fingerprint;
    if (f == null) {
      f = fingerprint = values.fingerprint();
    }
    return f;
  }

  @Override
  public String toString() {
    return "CborCodec[" + values.type().toCanonical() + "]";
  }

  /** Holder so that the default mapper is built on first use. */
  private static final class DefaultMapper {
    static final ObjectMapper INSTANCE = newMapper();
  }
}
