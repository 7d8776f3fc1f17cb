package org.lodestore.serializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lodestore.serializers.TestBuffers.ascii;
import static org.lodestore.serializers.TestBuffers.direct;
import static org.lodestore.serializers.TestBuffers.hex;

import com.fasterxml.jackson.core.type.TypeReference;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lodestore.core.CorruptValueException;
import org.lodestore.serializers.TestTypes.Kind;
import org.lodestore.serializers.TestTypes.Point;

/**
 * The on-disk CBOR format, pinned byte by byte. Every expected array below was written by hand from
 * RFC 8949 (section 3: initial byte = major type << 5 | additional info) and checked against its
 * Appendix A examples where one exists; a Jackson upgrade or a configuration change that alters
 * stored bytes fails here. The decode tests feed bytes as another CBOR encoder would write them.
 */
class CborGoldenBytesTest {

  private static final UUID UUID_FIXTURE = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
  private static final String UUID_BYTES = "00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF";

  /** A record with one component of each tagged or special kind. */
  record Golden(
      UUID id,
      Instant at,
      BigDecimal fee,
      Kind kind,
      Optional<String> site,
      byte[] logo,
      List<String> tags,
      Map<String, Integer> limits) {}

  record Timestamped(Instant at) {}

  private static <T> String encoded(final CborCodec<T> codec, final T value) {
    return hex(codec.encode(value));
  }

  @Test
  void uuid_isTag37OverSixteenByteString() {
    // D8 25 = major 6 (tag), 1-byte argument 0x25 = 37; 50 = major 2 (byte string), length 16.
    assertThat(encoded(CborCodec.of(UUID.class), UUID_FIXTURE)).isEqualTo("D8 25 50 " + UUID_BYTES);
  }

  @Test
  void instant_wholeSeconds_isTag0OverRfc3339Text() {
    // C0 = tag 0; 74 = major 3 (text string), length 20.
    assertThat(encoded(CborCodec.of(Instant.class), Instant.parse("2024-01-02T03:04:05Z")))
        .isEqualTo("C0 74 " + ascii("2024-01-02T03:04:05Z"))
        .isEqualTo("C0 74 32 30 32 34 2D 30 31 2D 30 32 54 30 33 3A 30 34 3A 30 35 5A");
  }

  @Test
  void instant_fractionalSeconds_keepsMillisMicrosOrNanosExactly() {
    final CborCodec<Instant> codec = CborCodec.of(Instant.class);
    // 78 18 = text string with a 1-byte length, 24; 78 1B = 27; 78 1E = 30.
    assertThat(encoded(codec, Instant.parse("2024-01-02T03:04:05.120Z")))
        .isEqualTo("C0 78 18 " + ascii("2024-01-02T03:04:05.120Z"));
    assertThat(encoded(codec, Instant.parse("2024-01-02T03:04:05.123456Z")))
        .isEqualTo("C0 78 1B " + ascii("2024-01-02T03:04:05.123456Z"));
    assertThat(encoded(codec, Instant.parse("1969-12-31T23:59:59.999999999Z")))
        .isEqualTo("C0 78 1E " + ascii("1969-12-31T23:59:59.999999999Z"));
  }

  @Test
  void instant_outsideYears0000To9999_isTag1OverIntegerSeconds() {
    final CborCodec<Instant> codec = CborCodec.of(Instant.class);
    // C1 = tag 1; 1B = major 0 (unsigned) with an 8-byte argument: 377957113665 s, year 13946.
    assertThat(encoded(codec, Instant.ofEpochSecond(377_957_113_665L)))
        .isEqualTo("C1 1B 00 00 00 57 FF FF DF 41");
    // -0001-12-31T23:59:59Z = -62167219201 s; 3B = major 1 (negative), -1 - 0xE79747C00.
    assertThat(encoded(codec, Instant.parse("-0001-12-31T23:59:59Z")))
        .isEqualTo("C1 3B 00 00 00 0E 79 74 7C 00");
    assertThat(codec.decode(direct(hex("C1 3B 00 00 00 0E 79 74 7C 00"))))
        .isEqualTo(Instant.parse("-0001-12-31T23:59:59Z"));
  }

  @Test
  void bigDecimal_isTag4DecimalFraction_asInRfc8949AppendixA() {
    // RFC 8949 Appendix A: 273.15 = 4([-2, 27315]) = C4 82 21 19 6A B3.
    assertThat(encoded(CborCodec.of(BigDecimal.class), new BigDecimal("273.15")))
        .isEqualTo("C4 82 21 19 6A B3");
  }

  @Test
  void scalars_useTheShortestHeads() {
    assertThat(encoded(CborCodec.of(Kind.class), Kind.FUTURE)).isEqualTo("66 " + ascii("FUTURE"));
    assertThat(encoded(CborCodec.of(byte[].class), new byte[] {1, 2, 3})).isEqualTo("43 01 02 03");
    assertThat(encoded(CborCodec.of(String.class), "IETF")).isEqualTo("64 49 45 54 46");
    assertThat(encoded(CborCodec.of(String.class), "\u00fc")).isEqualTo("62 C3 BC");
    assertThat(encoded(CborCodec.of(Integer.class), 1_000_000)).isEqualTo("1A 00 0F 42 40");
    assertThat(encoded(CborCodec.of(Long.class), -500L)).isEqualTo("39 01 F3");
    assertThat(encoded(CborCodec.of(Long.class), 1_000_000_000_000L))
        .isEqualTo("1B 00 00 00 E8 D4 A5 10 00");
    assertThat(encoded(CborCodec.of(Double.class), 1.1)).isEqualTo("FB 3F F1 99 99 99 99 99 9A");
    assertThat(encoded(CborCodec.of(Boolean.class), true)).isEqualTo("F5");
  }

  @Test
  void list_isDefiniteLengthArray() {
    assertThat(encoded(CborCodec.of(new TypeReference<List<Integer>>() {}), List.of(1, 2, 3)))
        .isEqualTo("83 01 02 03");
  }

  @Test
  void map_isIndefiniteLengthMapOfTextKeys() {
    final Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", 1);
    map.put("b", Arrays.asList(true, null));
    map.put("c", 1.5);
    // BF = map of indefinite length (RFC 8949 3.2.2), FF = break. 82 F5 F6 = [true, null].
    assertThat(encoded(CborCodec.of(new TypeReference<Map<String, Object>>() {}), map))
        .isEqualTo("BF 61 61 01 61 62 82 F5 F6 61 63 FB 3F F8 00 00 00 00 00 00 FF");
  }

  @Test
  void record_isMapOfComponentNamesInDeclarationOrder() {
    assertThat(encoded(CborCodec.of(Point.class), new Point("abc", 42, true)))
        .isEqualTo(
            "BF"
                + " 64 6E 61 6D 65 63 61 62 63" // "name": "abc"
                + " 61 78 18 2A" // "x": 42 (18 2A: 1-byte unsigned argument)
                + " 62 6F 6B F5" // "ok": true
                + " FF");
  }

  @Test
  void record_withEveryTaggedKind_matchesFixture() {
    final Golden value =
        new Golden(
            UUID_FIXTURE,
            Instant.parse("2024-01-02T03:04:05.123456789Z"),
            new BigDecimal("273.15"),
            Kind.FUTURE,
            Optional.empty(),
            new byte[] {1, 2, 3},
            List.of("x"),
            Map.of("m", 5));
    final String expected =
        "BF"
            + " 62 69 64 D8 25 50 "
            + UUID_BYTES // "id": 37(h'0011..FF')
            + " 62 61 74 C0 78 1E "
            + ascii("2024-01-02T03:04:05.123456789Z") // "at": 0("...")
            + " 63 66 65 65 C4 82 21 19 6A B3" // "fee": 4([-2, 27315])
            + " 64 6B 69 6E 64 66 46 55 54 55 52 45" // "kind": "FUTURE"
            + " 64 73 69 74 65 F6" // "site": null
            + " 64 6C 6F 67 6F 43 01 02 03" // "logo": h'010203'
            + " 64 74 61 67 73 81 61 78" // "tags": ["x"]
            + " 66 6C 69 6D 69 74 73 BF 61 6D 05 FF" // "limits": {_ "m": 5}
            + " FF";
    final CborCodec<Golden> codec = CborCodec.of(Golden.class);
    assertThat(encoded(codec, value)).isEqualTo(expected);
    assertThat(codec.decode(direct(hex(expected)))).usingRecursiveComparison().isEqualTo(value);
  }

  @Test
  void decode_definiteLengthMapInAnyOrderWithUnknownKey_asAnotherEncoderWrites() {
    final byte[] foreign =
        hex(
            "A4" // map of 4 pairs, definite length
                + " 62 6F 6B F5" // "ok": true
                + " 65 65 78 74 72 61 82 01 02" // "extra": [1, 2] (unknown, ignored)
                + " 61 78 18 2A" // "x": 42
                + " 64 6E 61 6D 65 63 61 62 63"); // "name": "abc"
    assertThat(CborCodec.of(Point.class).decode(direct(foreign)))
        .isEqualTo(new Point("abc", 42, true));
  }

  @Test
  void decode_uuidFromTaggedBytesUntaggedBytesOrText() {
    final CborCodec<UUID> codec = CborCodec.of(UUID.class);
    assertThat(codec.decode(direct(hex("D8 25 50 " + UUID_BYTES)))).isEqualTo(UUID_FIXTURE);
    assertThat(codec.decode(direct(hex("50 " + UUID_BYTES)))).isEqualTo(UUID_FIXTURE);
    assertThat(codec.decode(direct(hex("78 24 " + ascii(UUID_FIXTURE.toString())))))
        .isEqualTo(UUID_FIXTURE);
  }

  @Test
  void decode_uuidUnderAnotherTagOrOfWrongLength_isCorrupt() {
    final CborCodec<UUID> codec = CborCodec.of(UUID.class);
    assertThatThrownBy(() -> codec.decode(direct(hex("C0 50 " + UUID_BYTES))))
        .isInstanceOf(CorruptValueException.class);
    assertThatThrownBy(
            () ->
                codec.decode(direct(hex("D8 25 4F 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE"))))
        .isInstanceOf(CorruptValueException.class);
  }

  @Test
  void decode_instantFromTag1EpochSecondsIntegerOrFloat() {
    final CborCodec<Instant> codec = CborCodec.of(Instant.class);
    // 1704164645 = 0x65937D25 seconds = 2024-01-02T03:04:05Z; C1 = tag 1; 1A = uint32.
    assertThat(codec.decode(direct(hex("C1 1A 65 93 7D 25"))))
        .isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
    // FB 41D964DF49600000 = binary64 1704164645.5.
    assertThat(codec.decode(direct(hex("C1 FB 41 D9 64 DF 49 60 00 00"))))
        .isEqualTo(Instant.parse("2024-01-02T03:04:05.500Z"));
    // 3B 00..00 = -1 - 0 = -1; FB BFF4000000000000 = -1.25 (before the epoch).
    assertThat(codec.decode(direct(hex("C1 20")))).isEqualTo(Instant.parse("1969-12-31T23:59:59Z"));
    assertThat(codec.decode(direct(hex("C1 FB BF F4 00 00 00 00 00 00"))))
        .isEqualTo(Instant.parse("1969-12-31T23:59:58.750Z"));
  }

  @Test
  void decode_instantFromRfc3339TextWithOffsetOrLowerCase() {
    final CborCodec<Instant> codec = CborCodec.of(Instant.class);
    final Instant expected = Instant.parse("2024-01-02T03:04:05Z");
    assertThat(codec.decode(direct(hex("C0 78 19 " + ascii("2024-01-02T04:04:05+01:00")))))
        .isEqualTo(expected);
    assertThat(codec.decode(direct(hex("C0 74 " + ascii("2024-01-02t03:04:05z")))))
        .isEqualTo(expected);
    assertThat(codec.decode(direct(hex("74 " + ascii("2024-01-02T03:04:05Z")))))
        .isEqualTo(expected);
  }

  @Test
  void decode_instantUnderAnotherTagOrNotADate_isCorrupt() {
    final CborCodec<Timestamped> codec = CborCodec.of(Timestamped.class);
    // {"at": 37("2024...")} and {"at": 0("yesterday")}
    assertThatThrownBy(
            () ->
                codec.decode(direct(hex("A1 62 61 74 D8 25 74 " + ascii("2024-01-02T03:04:05Z")))))
        .isInstanceOf(CorruptValueException.class);
    assertThatThrownBy(() -> codec.decode(direct(hex("A1 62 61 74 C0 69 " + ascii("yesterday")))))
        .isInstanceOf(CorruptValueException.class);
  }

  @Test
  void decode_chunkedByteAndTextStrings() {
    // 5F = indefinite-length byte string: chunks h'0102' and h'03', then break.
    assertThat(CborCodec.of(byte[].class).decode(direct(hex("5F 42 01 02 41 03 FF"))))
        .containsExactly(1, 2, 3);
    // RFC 8949 Appendix A: (_ "strea", "ming") = 7F 65 7374726561 64 6D696E67 FF.
    assertThat(
            CborCodec.of(String.class)
                .decode(direct(hex("7F 65 73 74 72 65 61 64 6D 69 6E 67 FF"))))
        .isEqualTo("streaming");
  }
}
