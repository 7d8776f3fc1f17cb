package org.lodestore.serializers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.core.codec.ValueCodec;

/**
 * Values as UTF-8 JSON text through Jackson, for debugging, export and tables a human reads with
 * {@code mdb_dump}. It accepts the same types as {@link CborCodec}; CBOR is smaller and faster and
 * remains the codec to store data with.
 *
 * <pre>
 *  UUID      "00112233-4455-6677-8899-aabbccddeeff"
 *  Instant   "2024-01-02T03:04:05.123Z" (ISO-8601, UTC, exact to the nanosecond)
 *  BigDecimal  a JSON number with all its digits (a BigDecimal property reads it back exactly)
 *  byte[]    base64 text
 *  enum      its name()
 *  Optional  the value or null
 * </pre>
 *
 * <p>Unknown properties are ignored on read; trailing content after the value, a JSON {@code null}
 * and anything else unreadable raise {@link CorruptValueException}. Instances are immutable and
 * thread-safe; {@link #encode}'s buffer is per codec and thread and is overwritten by its next
 * call.
 *
 * @param <T> the value type
 */
public final class JsonCodec<T> implements ValueCodec<T> {

  /** The codec id recorded in the catalog. */
  public static final String ID = "json";

  private final JacksonValues<T> values;

  /** {@link #typeFingerprint()}, once computed (a benign race: every thread computes the same). */
  private volatile TypeFingerprint fingerprint;

  private JsonCodec(final ObjectMapper mapper, final JavaType type) {
    if (!JsonFactory.FORMAT_NAME_JSON.equals(mapper.getFactory().getFormatName())) {
      throw new IllegalArgumentException(
          "JsonCodec needs a JSON mapper, got one for " + mapper.getFactory().getFormatName());
    }
    this.values = new JacksonValues<>("JSON", mapper, type);
  }

  /**
   * A codec for {@code type} with the default mapper ({@link #newMapper()}).
   *
   * @param type the value class
   * @param <T> the value type
   * @return the codec
   */
  public static <T> JsonCodec<T> of(final Class<T> type) {
    return of(type, DefaultMapper.INSTANCE);
  }

  /**
   * A codec for {@code type} that uses the caller's mapper as configured.
   *
   * @param type the value class
   * @param mapper a JSON mapper, fully configured; later changes to it are not seen
   * @param <T> the value type
   * @return the codec
   * @throws IllegalArgumentException if the mapper does not produce JSON
   */
  public static <T> JsonCodec<T> of(final Class<T> type, final ObjectMapper mapper) {
    Objects.requireNonNull(type, "type");
    return new JsonCodec<>(mapper, mapper.constructType(type));
  }

  /**
   * A codec for a generic type such as {@code new TypeReference<Map<String, Object>>() {}}, with
   * the default mapper.
   *
   * @param type the value type
   * @param <T> the value type
   * @return the codec
   */
  public static <T> JsonCodec<T> of(final TypeReference<T> type) {
    return of(type, DefaultMapper.INSTANCE);
  }

  /**
   * A codec for a generic type with the caller's mapper.
   *
   * @param type the value type
   * @param mapper a JSON mapper
   * @param <T> the value type
   * @return the codec
   * @throws IllegalArgumentException if the mapper does not produce JSON
   */
  public static <T> JsonCodec<T> of(final TypeReference<T> type, final ObjectMapper mapper) {
    Objects.requireNonNull(type, "type");
    return new JsonCodec<>(mapper, mapper.constructType(type));
  }

  /**
   * A new mapper with Lodestore's defaults: JDK 8 and java.time modules, dates as ISO-8601 text,
   * enums by name, unknown properties ignored, trailing content rejected.
   *
   * @return a new, independent mapper
   */
  public static JsonMapper newMapper() {
    return JsonMapper.builder()
        .addModule(new Jdk8Module())
        .addModule(new JavaTimeModule())
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_ENUMS_USING_INDEX)
        .build();
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
   * Encodes {@code value} as UTF-8 JSON.
   *
   * @param value the value
   * @return a heap buffer owned by this codec and thread, holding the text between position and
   *     limit; overwritten by the next {@code encode} of this codec on this thread
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if Jackson cannot serialize the value
   */
  @Override
  public ByteBuffer encode(final T value) {
    return values.encode(value);
  }

  /**
   * Decodes the JSON text between {@code src}'s position and limit, leaving {@code src}'s position
   * unchanged and keeping no reference to it.
   *
   * @param src the stored bytes
   * @return a new heap object, independent of {@code src}
   * @throws CorruptValueException if the bytes are not JSON for this type, are {@code null}, or are
   *     followed by trailing content
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
    return "JsonCodec[" + values.type().toCanonical() + "]";
  }

  /** Holder so that the default mapper is built on first use. */
  private static final class DefaultMapper {
    static final ObjectMapper INSTANCE = newMapper();
  }
}
