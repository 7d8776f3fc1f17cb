package org.lodestore.serializers;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
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
 * with their standard CBOR tags, and reads them back from the forms other CBOR encoders produce.
 *
 * <pre>
 *  UUID     write: tag 37 (RFC 9562 / IANA "UUID") over a 16-byte byte string, RFC 4122 byte order
 *                  D8 25 50 &lt;16 bytes&gt;
 *           read:  that, an untagged 16-byte byte string, or the 36-character text form
 *  Instant  write: tag 0 (RFC 8949 3.4.1, standard date/time string), RFC 3339 in UTC
 *                  C0 74..78 1E "2024-01-02T03:04:05[.fraction]Z"
 *           read:  tag 0 or untagged text in any RFC 3339 form; tag 1 (epoch-based date/time)
 *                  or untagged integer or floating-point seconds since 1970-01-01T00:00Z
 * </pre>
 *
 * When the parser or generator is not CBOR's (Jackson's {@code TokenBuffer}, {@code convertValue})
 * the tags are simply absent; the untagged forms above keep the round trip intact.
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
    return module;
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
      final byte[] text = new byte[Rfc3339.MAX_LENGTH];
      final int length;
      try {
        length = Rfc3339.format(value, text);
      } catch (IllegalArgumentException e) {
        provider.reportMappingProblem(e, e.getMessage());
        return;
      }
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
        try {
          return Rfc3339.parse(text);
        } catch (DateTimeException e) {
          return (Instant)
              ctxt.handleWeirdStringValue(Instant.class, text, "not an RFC 3339 date-time");
        }
      }
      if (tag == -1 || tag == TAG_EPOCH_DATE_TIME) {
        try {
          if (token == JsonToken.VALUE_NUMBER_INT) {
            return Instant.ofEpochSecond(p.getLongValue());
          }
          if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            return fromSeconds(p.getDoubleValue());
          }
        } catch (DateTimeException | ArithmeticException e) {
          return (Instant)
              ctxt.handleWeirdNumberValue(
                  Instant.class, p.getNumberValue(), "outside the range of Instant");
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
}
