package org.lodestore.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.InvalidValueException;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple3;
import org.lodestore.core.key.Tuple4;

/**
 * The one JSON form of Lodestore rows, shared by export, import, fixtures and table diffs: keys by
 * their key codec, values by their value codec's id, one row a line (JSON Lines).
 *
 * <pre>
 *  a row of a table      {"table":"markets","key":&lt;key&gt;,"value":&lt;value&gt;}
 *  a member of a set     {"table":"followers","key":&lt;key&gt;,"member":&lt;member key&gt;}
 *
 *  keys                  uuid        "3c1f7f0e-9b1d-4c5e-8f4e-1d2a3b4c5d6e"
 *                        timestamp   "2026-12-01T17:00:00.123456789Z"   (RFC 3339, UTC, to the ns;
 *                                                                        any offset is read)
 *                        int32/int64 a number
 *                        utf8        a string
 *                        bytes(N)    base64 of the bytes
 *                        desc(c)     as c
 *                        tuple(...)  an array of its components
 *                        other       base64 of the codec's encoding
 *  values                cbor        the CBOR value as JSON (byte strings as base64; a tag 37
 *                                    UUID as its text, a tag 0 instant as its text)
 *                        json        the JSON itself
 *                        utf8        a string;  uuid: its text;  int64: a number
 *                        other       base64 of the stored bytes (FlatBuffers, bytes)
 * </pre>
 *
 * <p>Keys convert both ways exactly. CBOR values do not: JSON has no UUIDs, instants or byte
 * strings, so {@link #valueFromJson} writes them as text. To store a value from JSON as its table
 * stores it, decode those bytes with the table's codec and write the object through the table (the
 * codec reads UUIDs and instants from text), as {@code lodestore import} and fixtures do.
 */
public final class RowJson {

  /** The field naming a row's declared table. */
  public static final String TABLE = "table";

  /** The field holding a row's key. */
  public static final String KEY = "key";

  /** The field holding a row's value. */
  public static final String VALUE = "value";

  /** The field holding a set member. */
  public static final String MEMBER = "member";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final CBORMapper CBOR = CBORMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int UUID_TAG = 37;

  private RowJson() {}

  /**
   * The JSON mapper this class reads and writes lines with (plain JSON; thread-safe).
   *
   * @return the mapper
   */
  public static ObjectMapper mapper() {
    return JSON;
  }

  /**
   * A table row's line.
   *
   * @param table the declared table name
   * @param key the key's JSON ({@link #keyToJson})
   * @param value the value's JSON ({@link #valueToJson})
   * @return {@code {"table":..,"key":..,"value":..}}
   */
  public static ObjectNode row(final String table, final JsonNode key, final JsonNode value) {
    final ObjectNode row = NODES.objectNode();
    row.put(TABLE, table);
    row.set(KEY, key);
    row.set(VALUE, value);
    return row;
  }

  /**
   * A set member's line.
   *
   * @param table the declared set table name
   * @param key the key's JSON
   * @param member the member's JSON (by the member codec, as a key)
   * @return {@code {"table":..,"key":..,"member":..}}
   */
  public static ObjectNode member(final String table, final JsonNode key, final JsonNode member) {
    final ObjectNode row = NODES.objectNode();
    row.put(TABLE, table);
    row.set(KEY, key);
    row.set(MEMBER, member);
    return row;
  }

  // ------------------------------------------------------------------ keys

  /**
   * The JSON form of {@code key}.
   *
   * @param codec the key's codec
   * @param key a key of that codec
   * @return its JSON
   */
  public static JsonNode keyToJson(final KeyCodec<?> codec, final Object key) {
    final String id = codec.id();
    final List<String> parts = parts(id);
    if (parts != null) {
      final Object[] components = components(key);
      final ArrayNode array = NODES.arrayNode();
      for (int i = 0; i < parts.size(); i++) {
        array.add(keyToJson(codecOf(parts.get(i)), components[i]));
      }
      return array;
    }
    if (id.startsWith("desc(") && id.endsWith(")")) {
      return keyToJson(codecOf(id.substring(5, id.length() - 1)), key);
    }
    switch (id) {
      case "uuid":
        return NODES.textNode(key.toString());
      case "timestamp":
        return NODES.textNode(((Instant) key).toString());
      case "int32":
        return NODES.numberNode((Integer) key);
      case "int64":
        return number((Long) key);
      case "utf8":
        return NODES.textNode((String) key);
      default:
        if (key instanceof byte[]) {
          return NODES.textNode(Base64.getEncoder().encodeToString((byte[]) key));
        }
        return NODES.textNode(Base64.getEncoder().encodeToString(encode(codec, key)));
    }
  }

  /**
   * The key {@code json} stands for: the inverse of {@link #keyToJson}.
   *
   * @param codec the key's codec
   * @param json its JSON
   * @return the key
   * @throws InvalidKeyException if {@code json} is not a key of {@code codec} (naming the codec and
   *     the JSON)
   */
  public static Object keyFromJson(final KeyCodec<?> codec, final JsonNode json) {
    final String id = codec.id();
    final List<String> parts = parts(id);
    if (parts != null) {
      if (!json.isArray() || json.size() != parts.size()) {
        throw badKey(id, json, "an array of " + parts.size() + " components");
      }
      final Object[] c = new Object[parts.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = keyFromJson(codecOf(parts.get(i)), json.get(i));
      }
      return c.length == 2
          ? Tuple2.of(c[0], c[1])
          : c.length == 3 ? Tuple3.of(c[0], c[1], c[2]) : Tuple4.of(c[0], c[1], c[2], c[3]);
    }
    if (id.startsWith("desc(") && id.endsWith(")")) {
      return keyFromJson(codecOf(id.substring(5, id.length() - 1)), json);
    }
    try {
      switch (id) {
        case "uuid":
          return UUID.fromString(text(json, id));
        case "timestamp":
          return Instant.from(OffsetDateTime.parse(text(json, id)));
        case "int32":
          if (!json.isIntegralNumber() || !json.canConvertToInt()) {
            throw badKey(id, json, "a 32-bit integer");
          }
          return json.intValue();
        case "int64":
          if (!json.isIntegralNumber() || !json.canConvertToLong()) {
            throw badKey(id, json, "a 64-bit integer");
          }
          return json.longValue();
        case "utf8":
          return text(json, id);
        default:
          final byte[] bytes = Base64.getDecoder().decode(text(json, id));
          if (id.startsWith("bytes")) {
            encode(codec, bytes); // checks the length
            return bytes;
          }
          return codec.decode(ByteBuffer.wrap(bytes));
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw badKey(id, json, e.getMessage());
    }
  }

  // ------------------------------------------------------------------ values

  /**
   * The JSON form of a stored value (without any checksum trailer).
   *
   * @param valueCodecId the table's value codec id, as its catalog records it
   * @param value the stored bytes
   * @return its JSON
   * @throws CorruptValueException if {@code value} is not a value of that codec (no table or key is
   *     known here: callers that know them rethrow naming them)
   */
  public static JsonNode valueToJson(final String valueCodecId, final byte[] value) {
    try {
      switch (valueCodecId) {
        case "cbor":
          try (JsonParser p = CBOR.getFactory().createParser(value)) {
            final JsonNode node = cborNode((CBORParser) p, p.nextToken());
            if (p.nextToken() != null) {
              throw new IOException("trailing bytes after the CBOR value");
            }
            return node;
          }
        case "json":
          return JSON.readTree(value);
        case "utf8":
          return NODES.textNode(new String(value, StandardCharsets.UTF_8));
        case "uuid":
          requireLength(value, 16, valueCodecId);
          final ByteBuffer b = ByteBuffer.wrap(value);
          return NODES.textNode(new UUID(b.getLong(), b.getLong()).toString());
        case "int64":
          requireLength(value, 8, valueCodecId);
          return number(ByteBuffer.wrap(value).getLong());
        default:
          return NODES.textNode(Base64.getEncoder().encodeToString(value));
      }
    } catch (IOException e) {
      throw new CorruptValueException(
          "value is not " + valueCodecId + ": " + e.getMessage(), null, null, e);
    }
  }

  /**
   * The bytes {@code json} stands for: the inverse of {@link #valueToJson}, except that CBOR is
   * written as plain CBOR (see the class comment).
   *
   * @param valueCodecId the table's value codec id
   * @param json the value's JSON
   * @return the bytes to store (without checksum: a table that has one adds it)
   * @throws InvalidValueException if {@code json} is not a value of that codec
   */
  public static byte[] valueFromJson(final String valueCodecId, final JsonNode json) {
    try {
      switch (valueCodecId) {
        case "cbor":
          return CBOR.writeValueAsBytes(json);
        case "json":
          return JSON.writeValueAsBytes(json);
        case "utf8":
          return text(json, valueCodecId).getBytes(StandardCharsets.UTF_8);
        case "uuid":
          final UUID id = UUID.fromString(text(json, valueCodecId));
          return ByteBuffer.allocate(16)
              .putLong(id.getMostSignificantBits())
              .putLong(id.getLeastSignificantBits())
              .array();
        case "int64":
          if (!json.isIntegralNumber() || !json.canConvertToLong()) {
            throw new IllegalArgumentException("not a 64-bit integer");
          }
          return ByteBuffer.allocate(8).putLong(json.longValue()).array();
        default:
          return Base64.getDecoder().decode(text(json, valueCodecId));
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidValueException(
          "JSON " + abbreviate(json) + " is not a " + valueCodecId + " value: " + e.getMessage(),
          null,
          null,
          e);
    }
  }

  // ------------------------------------------------------------------ internals

  /** The CBOR value starting at {@code token}, with tag 37 byte strings as UUID text. */
  private static JsonNode cborNode(final CBORParser p, final JsonToken token) throws IOException {
    if (token == null) {
      throw new IOException("no CBOR value");
    }
    switch (token) {
      case START_OBJECT:
        final ObjectNode object = NODES.objectNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          final String name = p.currentName();
          object.set(name, cborNode(p, p.nextToken()));
        }
        return object;
      case START_ARRAY:
        final ArrayNode array = NODES.arrayNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          array.add(cborNode(p, t));
        }
        return array;
      case VALUE_EMBEDDED_OBJECT:
        final int tag = p.getCurrentTag();
        final byte[] bytes = p.getBinaryValue();
        if (tag == UUID_TAG && bytes.length == 16) {
          final ByteBuffer b = ByteBuffer.wrap(bytes);
          return NODES.textNode(new UUID(b.getLong(), b.getLong()).toString());
        }
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return NODES.numberNode(p.getIntValue());
          case LONG:
            return number(p.getLongValue());
          default:
            return NODES.numberNode(p.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        switch (p.getNumberType()) {
          case FLOAT:
            return NODES.numberNode(p.getFloatValue());
          case BIG_DECIMAL:
            return NODES.numberNode(p.getDecimalValue());
          default:
            return NODES.numberNode(p.getDoubleValue());
        }
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new IOException("unexpected CBOR token " + token);
    }
  }

  /**
   * {@code n} as the node JSON text parses to (an int node when it fits), so that trees made here
   * equal trees read from their own text.
   */
  private static JsonNode number(final long n) {
    return n == (int) n ? NODES.numberNode((int) n) : NODES.numberNode(n);
  }

  /** The component ids of a tuple codec id, or null if {@code id} is not a tuple's. */
  private static List<String> parts(final String id) {
    if (!id.startsWith("tuple(") || !id.endsWith(")")) {
      return null;
    }
    final List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 6;
    for (int i = start; i < id.length() - 1; i++) {
      final char ch = id.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (ch == ',' && depth == 0) {
        parts.add(id.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(id.substring(start, id.length() - 1));
    return parts;
  }

  private static KeyCodec<?> codecOf(final String id) {
    return KeyCodecs.forId(id)
        .orElseThrow(
            () -> new IllegalArgumentException("no built-in key codec has the id '" + id + "'"));
  }

  private static Object[] components(final Object key) {
    if (key instanceof Tuple2) {
      final Tuple2<?, ?> t = (Tuple2<?, ?>) key;
      return new Object[] {t.first(), t.second()};
    }
    if (key instanceof Tuple3) {
      final Tuple3<?, ?, ?> t = (Tuple3<?, ?, ?>) key;
      return new Object[] {t.first(), t.second(), t.third()};
    }
    final Tuple4<?, ?, ?, ?> t = (Tuple4<?, ?, ?, ?>) key;
    return new Object[] {t.first(), t.second(), t.third(), t.fourth()};
  }

  @SuppressWarnings("unchecked")
  private static <K> K cast(final Object key) {
    return (K) key;
  }

  private static <K> byte[] encode(final KeyCodec<K> codec, final Object key) {
    final ByteBuffer buffer = ByteBuffer.allocate(512);
    codec.encode(cast(key), buffer);
    buffer.flip();
    final byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static String text(final JsonNode json, final String id) {
    if (!json.isTextual()) {
      throw new IllegalArgumentException("a " + id + " is written as a JSON string");
    }
    return json.textValue();
  }

  private static void requireLength(final byte[] value, final int length, final String id)
      throws IOException {
    if (value.length != length) {
      throw new IOException(id + " needs " + length + " bytes, found " + value.length);
    }
  }

  private static InvalidKeyException badKey(
      final String id, final JsonNode json, final String expected) {
    return new InvalidKeyException(
        "JSON " + abbreviate(json) + " is not a key of codec " + id + ": " + expected,
        null,
        null,
        null);
  }

  private static String abbreviate(final JsonNode json) {
    final String text = String.valueOf(json);
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
