package org.lodestore.serializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lodestore.serializers.TestBuffers.bytes;
import static org.lodestore.serializers.TestBuffers.direct;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lodestore.core.CorruptValueException;
import org.lodestore.serializers.TestTypes.Exchange;
import org.lodestore.serializers.TestTypes.ExchangeV1;
import org.lodestore.serializers.TestTypes.ExchangeV2;
import org.lodestore.serializers.TestTypes.Kind;
import org.lodestore.serializers.TestTypes.Point;

class JsonCodecTest {

  private static <T> T roundTrip(final JsonCodec<T> codec, final T value) {
    return codec.decode(direct(bytes(codec.encode(value))));
  }

  private static byte[] utf8(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void roundTrip_recordWithEverySupportedComponentType() {
    final Exchange exchange = TestTypes.sampleExchange();
    assertThat(roundTrip(JsonCodec.of(Exchange.class), exchange))
        .usingRecursiveComparison()
        .isEqualTo(exchange);
  }

  @Test
  void roundTrip_mapOfStringToObject() {
    final Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", List.of(1, "two", Map.of("three", true)));
    map.put("b", null);
    assertThat(roundTrip(JsonCodec.of(new TypeReference<Map<String, Object>>() {}), map))
        .isEqualTo(map);
  }

  record Row(UUID id, java.time.Instant at, java.math.BigDecimal fee, Kind kind, byte[] logo) {}

  @Test
  void encode_writesReadableJsonText() {
    final String text =
        StandardCharsets.UTF_8
            .decode(
                JsonCodec.of(Row.class)
                    .encode(
                        new Row(
                            UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"),
                            java.time.Instant.parse("2024-01-02T03:04:05.123456789Z"),
                            new java.math.BigDecimal("273.150"),
                            Kind.FUTURE,
                            new byte[] {1, 2, 3})))
            .toString();
    assertThat(text)
        .isEqualTo(
            "{\"id\":\"00112233-4455-6677-8899-aabbccddeeff\","
                + "\"at\":\"2024-01-02T03:04:05.123456789Z\","
                + "\"fee\":273.150,\"kind\":\"FUTURE\",\"logo\":\"AQID\"}");
  }

  @Test
  void decode_ignoresUnknownProperties() {
    final UUID oid = UUID.randomUUID();
    final byte[] v2 =
        bytes(JsonCodec.of(ExchangeV2.class).encode(new ExchangeV2(oid, "x", Kind.SPOT)));
    assertThat(JsonCodec.of(ExchangeV1.class).decode(direct(v2)))
        .isEqualTo(new ExchangeV1(oid, "x"));
  }

  @Test
  void decode_malformedTrailingOrNull_isCorrupt() {
    final JsonCodec<Point> codec = JsonCodec.of(Point.class);
    for (final String bad :
        List.of(
            "", "null", "{\"name\":", "{\"name\":\"a\",\"x\":1} {}", "[1,2]", "{\"x\":\"abc\"}")) {
      assertThatThrownBy(() -> codec.decode(direct(utf8(bad))))
          .as(bad)
          .isInstanceOf(CorruptValueException.class)
          .hasMessageContaining("JSON");
    }
  }

  @Test
  void of_nonJsonMapper_isRejected() {
    assertThatThrownBy(() -> JsonCodec.of(Point.class, CborCodec.newMapper()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CBOR");
  }

  @Test
  void id_isJson() {
    assertThat(JsonCodec.of(Point.class).id()).isEqualTo("json");
  }

  @Test
  void typeFingerprint_isWhatCborGives_forTheSameTypeAndRules() {
    assertThat(JsonCodec.of(Point.class).typeFingerprint())
        .isEqualTo(CborCodec.of(Point.class).typeFingerprint());
  }
}
