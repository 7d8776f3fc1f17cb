package org.lodestore.serializers;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.UUID;

/**
 * The Jackson module behind {@link CborCodec#tagsModule()}: writes {@link UUID} and {@link Instant}
 * with their standard CBOR tags, reads them back from the forms other CBOR encoders produce, and
 * refuses text that has no UTF-8 form.
 *
 * <pre>
 *  UUID     write: tag 37 (RFC 9562 / IANA "UUID") over a 16-byte byte string, RFC 4122 byte order
 *                  D8 25 50 &lt;16 bytes&gt;
 *           read:  that, an untagged 16-byte byte string, or the 36-character text form
 *  Instant  write: years 0000..9999: tag 0 (RFC 8949 3.4.1, standard date/time string), RFC 3339
 *                  in UTC                   C0 74..78 1E "2024-01-02T03:04:05[.fraction]Z"
 *                  other years, whole seconds only: tag 1 (RFC 8949 3.4.2, epoch-based date/time)
 *                  over integer seconds     C1 1B 00 00 00 57 FF FF DF 41   (year 13946)
 *           read:  tag 0 or untagged text in any RFC 3339 form; tag 1 (epoch-based date/time)
 *                  or untagged integer or floating-point seconds since 1970-01-01T00:00Z
 *  String   read:  a text string whose UTF-8 decodes to a lone surrogate (an encoded surrogate
 *                  such as ED A0 80, a code point above U+10FFFF) is refused
 * </pre>
 *
 * <p>Reading and writing agree: whatever is read can be written back. An instant outside years
 * 0000..9999 with a fraction of a second has no exact RFC 8949 form (tag 0 has four-digit years,
 * tag 1's floats are not exact), so it is refused both on write and on read. A {@code String} with
 * a lone surrogate has no UTF-8 form, so Jackson's generator refuses it on write and this module
 * refuses it on read: as a {@code String} value (a property, an element of a collection or array,
 * an untyped value) and as the key of a {@code Map<String, ?>}, though not inside a {@code
 * JsonNode} nor as the key of a map nested in an untyped value, which bypass deserializers. The
 * check runs on the decoded text, a range test per {@code char}, and looks further only at a
 * surrogate; Jackson's CBOR parser has no UTF-8 validation option of its own (it checks
 * continuation bytes, not the code points they make). Overlong encodings (C0 AE for ".") read as
 * the character they denote and are written back in shortest form.
 *
 * <p>When the parser or generator is not CBOR's (Jackson's {@code TokenBuffer}, {@code
 * convertValue}) the tags are simply absent; the untagged forms above keep the round trip intact.
 */
final class CborTags {

  /** IANA CBOR tag for a binary UUID. */
  static final int TAG_UUID = 37;

  /** RFC 8949 standard date/time string. */
  static final int TAG_DATE_TIME_STRING = 0;

  /** RFC 8949 epoch-based date/time. */
  static final int TAG_EPOCH_DATE_TIME = 1;

  private static final int UUID_BYTES = 16;
  private static final double MIN_INSTANT_SECOND = Instant.MIN.getEpochSecond();
  private static final double MAX_INSTANT_SECOND = Instant.MAX.getEpochSecond();
  private static final String NOT_UTF8 =
      "not valid UTF-8: CBOR text decodes to a lone surrogate at index %d";
  private static final String OUTSIDE_YEARS =
      "an Instant outside years 0000..9999 has an exact CBOR form (tag 1) only in whole seconds";

  private CborTags() {}

  /** A new module instance; registering it after other modules makes its (de)serializers win. */
  static SimpleModule module() {
    final SimpleModule module =
        new SimpleModule(
            "lodestore-cbor-tags", new Version(1, 0, 0, null, "org.lodestore", "serializers"));
    module.addSerializer(UUID.class, new UuidSerializer());
    module.addDeserializer(UUID.class, new UuidDeserializer());
    module.addSerializer(Instant.class, new InstantSerializer());
    module.addDeserializer(Instant.class, new InstantDeserializer());
    module.addDeserializer(String.class, new TextDeserializer());
    module.addKeyDeserializer(String.class, new TextKeyDeserializer());
    return module;
  }

  /**
   * Whether {@code instant} has a form this module writes: any instant of years 0000..9999 (tag 0),
   * whole seconds beyond them (tag 1).
   */
  static boolean isWritable(final Instant instant) {
    final long seconds = instant.getEpochSecond();
    return instant.getNano() == 0
        || (seconds >= Rfc3339.MIN_SECOND && seconds <= Rfc3339.MAX_SECOND);
  }

  /**
   * The index of the first {@code char} of {@code text} that is a surrogate without its other half
   * (so the text has no UTF-8 form), or -1 if there is none.
   */
  static int loneSurrogate(final String text) {
    final int n = text.length();
    for (int i = 0; i < n; i++) {
      final char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  private static int currentTag(final JsonParser p) {
    return p instanceof CBORParser ? ((CBORParser) p).getCurrentTag() : -1;
  }

  private static final class UuidSerializer extends StdScalarSerializer<UUID> {
    private static final long serialVersionUID = 1L;

    UuidSerializer() {
      super(UUID.class);
    }

    @Override
    public void serialize(
        final UUID value, final JsonGenerator gen, final SerializerProvider provider)
        throws IOException {
      if (!gen.canWriteBinaryNatively()) {
        gen.writeString(value.toString());
        return;
      }
      if (gen instanceof CBORGenerator) {
        ((CBORGenerator) gen).writeTag(TAG_UUID);
      }
      final byte[] bytes = new byte[UUID_BYTES];
      putLong(bytes, 0, value.getMostSignificantBits());
      putLong(bytes, 8, value.getLeastSignificantBits());
      gen.writeBinary(bytes, 0, UUID_BYTES);
    }

    private static void putLong(final byte[] out, final int at, final long v) {
      for (int i = 0; i < 8; i++) {
        out[at + i] = (byte) (v >>> (56 - 8 * i));
      }
    }
  }

  private static final class UuidDeserializer extends StdScalarDeserializer<UUID> {
    private static final long serialVersionUID = 1L;

    UuidDeserializer() {
      super(UUID.class);
    }

    @Override
    public UUID deserialize(final JsonParser p, final DeserializationContext ctxt)
        throws IOException {
      final int tag = currentTag(p);
      if (tag != -1 && tag != TAG_UUID) {
        return (UUID)
            ctxt.handleUnexpectedToken(
                UUID.class, p.currentToken(), p, "CBOR tag %d is not a UUID (tag 37)", tag);
      }
      final JsonToken token = p.currentToken();
      if (token == JsonToken.VALUE_EMBEDDED_OBJECT) {
        final Object embedded = p.getEmbeddedObject();
        if (embedded instanceof byte[] && ((byte[]) embedded).length == UUID_BYTES) {
          final byte[] b = (byte[]) embedded;
          return new UUID(getLong(b, 0), getLong(b, 8));
        }
      } else if (token == JsonToken.VALUE_STRING) {
        try {
          return UUID.fromString(p.getText());
        } catch (IllegalArgumentException e) {
          return (UUID) ctxt.handleWeirdStringValue(UUID.class, p.getText(), "not a UUID");
        }
      } else if (token == JsonToken.VALUE_NULL) {
        return null;
      }
      return (UUID)
          ctxt.handleUnexpectedToken(
              UUID.class, token, p, "a UUID is a 16-byte byte string (tag 37)");
    }

    private static long getLong(final byte[] b, final int at) {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[at + i] & 0xFF);
      }
      return v;
    }
  }

  private static final class InstantSerializer extends StdScalarSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    InstantSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(
        final Instant value, final JsonGenerator gen, final SerializerProvider provider)
        throws IOException {
      final long seconds = value.getEpochSecond();
      if (seconds < Rfc3339.MIN_SECOND || seconds > Rfc3339.MAX_SECOND) {
        if (!isWritable(value)) {
          provider.reportMappingProblem(OUTSIDE_YEARS + ", got %s", value);
          return;
        }
        if (gen instanceof CBORGenerator) {
          ((CBORGenerator) gen).writeTag(TAG_EPOCH_DATE_TIME);
        }
        gen.writeNumber(seconds);
        return;
      }
      final byte[] text = new byte[Rfc3339.MAX_LENGTH];
      final int length = Rfc3339.format(value, text);
      if (gen instanceof CBORGenerator) {
        ((CBORGenerator) gen).writeTag(TAG_DATE_TIME_STRING);
        gen.writeRawUTF8String(text, 0, length);
      } else {
        gen.writeString(new String(text, 0, length, java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
  }

  private static final class InstantDeserializer extends StdScalarDeserializer<Instant> {
    private static final long serialVersionUID = 1L;

    InstantDeserializer() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(final JsonParser p, final DeserializationContext ctxt)
        throws IOException {
      final int tag = currentTag(p);
      final JsonToken token = p.currentToken();
      if (token == JsonToken.VALUE_STRING && (tag == -1 || tag == TAG_DATE_TIME_STRING)) {
        final String text = p.getText();
        final Instant instant;
        try {
          instant = Rfc3339.parse(text);
        } catch (DateTimeException e) {
          return (Instant)
              ctxt.handleWeirdStringValue(Instant.class, text, "not an RFC 3339 date-time");
        }
        return isWritable(instant)
            ? instant
            : (Instant) ctxt.handleWeirdStringValue(Instant.class, text, OUTSIDE_YEARS);
      }
      if (tag == -1 || tag == TAG_EPOCH_DATE_TIME) {
        Instant instant = null;
        try {
          if (token == JsonToken.VALUE_NUMBER_INT) {
            instant = Instant.ofEpochSecond(p.getLongValue());
          } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            instant = fromSeconds(p.getDoubleValue());
          }
        } catch (DateTimeException | ArithmeticException e) {
          return (Instant)
              ctxt.handleWeirdNumberValue(
                  Instant.class, p.getNumberValue(), "outside the range of Instant");
        }
        if (instant != null) {
          return isWritable(instant)
              ? instant
              : (Instant)
                  ctxt.handleWeirdNumberValue(Instant.class, p.getNumberValue(), OUTSIDE_YEARS);
        }
      }
      if (token == JsonToken.VALUE_NULL) {
        return null;
      }
      return (Instant)
          ctxt.handleUnexpectedToken(
              Instant.class,
              token,
              p,
              "an Instant is an RFC 3339 string (tag 0) or epoch seconds (tag 1), got tag %d",
              tag);
    }

    /**
     * Seconds as a CBOR float (at most binary64, which is what tag 1 allows), rounded to the
     * nanosecond. {@code value - floor(value)} is exact in binary64.
     */
    private static Instant fromSeconds(final double value) {
      if (!(value >= MIN_INSTANT_SECOND && value < MAX_INSTANT_SECOND)) {
        throw new DateTimeException("epoch seconds outside the range of Instant: " + value);
      }
      final double floor = Math.floor(value);
      return Instant.ofEpochSecond((long) floor, Math.round((value - floor) * 1e9));
    }
  }

  /** Strings, refusing text with a lone surrogate (see the class comment). */
  private static final class TextDeserializer extends StringDeserializer {
    private static final long serialVersionUID = 1L;

    @Override
    public String deserialize(final JsonParser p, final DeserializationContext ctxt)
        throws IOException {
      final String text = super.deserialize(p, ctxt);
      final int at = text == null ? -1 : loneSurrogate(text);
      return at < 0 ? text : (String) ctxt.handleWeirdStringValue(String.class, text, NOT_UTF8, at);
    }
  }

  /** Keys of {@code Map<String, ?>}, refusing text with a lone surrogate. */
  private static final class TextKeyDeserializer extends KeyDeserializer {
    @Override
    public Object deserializeKey(final String key, final DeserializationContext ctxt)
        throws IOException {
      final int at = loneSurrogate(key);
      return at < 0 ? key : ctxt.handleWeirdKey(String.class, key, NOT_UTF8, at);
    }
  }
}
