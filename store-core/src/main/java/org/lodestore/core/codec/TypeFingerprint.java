package org.lodestore.core.codec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ValueCodec} knows about the type of its values, beyond its {@link ValueCodec#id()
 * id}: the type's name and, for types written as a map of named properties (records and POJOs
 * through Jackson), each property's name and type as the codec writes them. A schema records it in
 * its catalog and compares it with the declaration when a table is attached again, so that a table
 * of one type is not silently read as another.
 *
 * <pre>
 *  CBOR/JSON record Market(String symbol, long priceCents)
 *      type "com.example.Market", properties {symbol: "java.lang.String", priceCents: "long"}
 *  CBOR/JSON Map&lt;String, Object&gt; (no properties of its own)
 *      type "java.util.Map&lt;java.lang.String,java.lang.Object&gt;", properties null
 *  FlatBuffers generated table Market
 *      type "com.example.fbs.Market", properties null
 * </pre>
 *
 * <p>{@link #properties()} is null for a type that has no named properties of its own (a scalar, a
 * collection, a map, a FlatBuffers table); it is empty for a type whose properties are known to be
 * none. Property order does not matter to {@link #equals}: it is the order the codec writes them
 * in, kept for messages.
 *
 * @param type the type's name: a Java class name, or Jackson's canonical form of a generic type
 * @param properties property name to the property's type name, in the order written; or null
 */
public record TypeFingerprint(String type, Map<String, String> properties) {

  /**
   * Creates a fingerprint.
   *
   * @param type the type's name, not null
   * @param properties property name to type name, or null if the type has no named properties
   */
  public TypeFingerprint {
    Objects.requireNonNull(type, "type");
    if (properties != null) {
      final Map<String, String> copy = new LinkedHashMap<>();
      properties.forEach(
          (name, propertyType) ->
              copy.put(
                  Objects.requireNonNull(name, "property name"),
                  Objects.requireNonNull(propertyType, "property type")));
      properties = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * A fingerprint of a type without named properties.
   *
   * @param type the type's name
   * @return the fingerprint
   */
  public static TypeFingerprint of(final String type) {
    return new TypeFingerprint(type, null);
  }

  /**
   * Whether the type is written as named properties (a record or POJO).
   *
   * @return true if {@link #properties()} is not null
   */
  public boolean hasProperties() {
    return properties != null;
  }

  /**
   * The type and its properties as {@code com.example.Market{symbol: java.lang.String, priceCents:
   * long}}, or the type alone.
   *
   * @return the text
   */
  @Override
  public String toString() {
    if (properties == null) {
      return type;
    }
    final StringBuilder sb = new StringBuilder(type).append('{');
    String sep = "";
    for (final Map.Entry<String, String> p : properties.entrySet()) {
      sb.append(sep).append(p.getKey()).append(": ").append(p.getValue());
      sep = ", ";
    }
    return sb.append('}').toString();
  }
}
