package org.lodestore.serializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lodestore.serializers.TestBuffers.ascii;
import static org.lodestore.serializers.TestBuffers.bytes;
import static org.lodestore.serializers.TestBuffers.direct;
import static org.lodestore.serializers.TestBuffers.hex;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.serializers.TestTypes.Account;
import org.lodestore.serializers.TestTypes.Exchange;
import org.lodestore.serializers.TestTypes.ExchangeV1;
import org.lodestore.serializers.TestTypes.ExchangeV2;
import org.lodestore.serializers.TestTypes.Fee;
import org.lodestore.serializers.TestTypes.Kind;
import org.lodestore.serializers.TestTypes.Opaque;
import org.lodestore.serializers.TestTypes.Point;

class CborCodecTest {

  /** Encodes, copies into a read-only direct buffer as the store would, decodes. */
  private static <T> T roundTrip(final CborCodec<T> codec, final T value) {
    return codec.decode(direct(bytes(codec.encode(value))));
  }

  @Test
  void roundTrip_recordWithEverySupportedComponentType() {
    final Exchange exchange = TestTypes.sampleExchange();
    assertThat(roundTrip(CborCodec.of(Exchange.class), exchange))
        .usingRecursiveComparison()
        .isEqualTo(exchange);
  }

  @Test
  void roundTrip_javaBeanWithUntypedAttributes() {
    final Account account = new Account();
    account.owner = "alice";
    account.setBalance(Long.MIN_VALUE);
    account.attributes = new LinkedHashMap<>(Map.of("tier", "gold", "limit", 5000));
    final Account back = roundTrip(CborCodec.of(Account.class), account);
    assertThat(back).usingRecursiveComparison().isEqualTo(account);
  }

  @Test
  void roundTrip_mapOfStringToObject_withNestedMapsListsAndNull() {
    final Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("ints", List.of(1, -1, Integer.MAX_VALUE));
    nested.put("null", null);
    final Map<String, Object> map = new LinkedHashMap<>();
    map.put("text", "h\u00e9llo \ud83c\udf0d");
    map.put("int", 42);
    map.put("long", 1L << 40);
    map.put("big", new BigInteger("123456789012345678901234567890"));
    map.put("double", 2.5);
    map.put("bool", false);
    map.put("bytes", new byte[] {1, 2});
    map.put("nested", nested);
    map.put("list", Arrays.asList("a", null, List.of()));
    final Map<String, Object> back =
        roundTrip(CborCodec.of(new TypeReference<Map<String, Object>>() {}), map);
    assertThat(back).usingRecursiveComparison().isEqualTo(map);
  }

  @Test
  void roundTrip_listOfRecords() {
    final List<Fee> fees = List.of(new Fee("EUR", new BigDecimal("0.10")), new Fee("USD", null));
    assertThat(roundTrip(CborCodec.of(new TypeReference<List<Fee>>() {}), fees)).isEqualTo(fees);
  }

  @Test
  void roundTrip_topLevelScalars() {
    final UUID uuid = UUID.randomUUID();
    assertThat(roundTrip(CborCodec.of(UUID.class), uuid)).isEqualTo(uuid);
    assertThat(roundTrip(CborCodec.of(BigDecimal.class), new BigDecimal("-1.2300E-400")))
        .isEqualTo(new BigDecimal("-1.2300E-400"));
    assertThat(roundTrip(CborCodec.of(Kind.class), Kind.FUTURE)).isEqualTo(Kind.FUTURE);
    assertThat(roundTrip(CborCodec.of(byte[].class), new byte[] {0, -1, 127}))
        .containsExactly(0, -1, 127);
    assertThat(roundTrip(CborCodec.of(String.class), "")).isEmpty();
    assertThat(roundTrip(CborCodec.of(new TypeReference<Optional<String>>() {}), Optional.of("x")))
        .contains("x");
    assertThat(roundTrip(CborCodec.of(new TypeReference<Optional<String>>() {}), Optional.empty()))
        .isEmpty();
  }

  @Test
  void roundTrip_instantsExactToTheNanosecond() {
    final CborCodec<Instant> codec = CborCodec.of(Instant.class);
    for (final Instant instant :
        List.of(
            Instant.EPOCH,
            Instant.parse("1969-12-31T23:59:59.999999999Z"),
            Instant.parse("1900-02-28T12:00:00.000001Z"),
            Instant.parse("0000-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Instant.now())) {
      assertThat(roundTrip(codec, instant)).isEqualTo(instant);
    }
  }

  @Test
  void decode_ignoresPropertiesItDoesNotKnow_soRecordsCanEvolve() {
    final UUID oid = UUID.randomUUID();
    final ByteBuffer v2 =
        direct(bytes(CborCodec.of(ExchangeV2.class).encode(new ExchangeV2(oid, "x", Kind.SPOT))));
    assertThat(CborCodec.of(ExchangeV1.class).decode(v2)).isEqualTo(new ExchangeV1(oid, "x"));
    final ByteBuffer v1 =
        direct(bytes(CborCodec.of(ExchangeV1.class).encode(new ExchangeV1(oid, "x"))));
    assertThat(CborCodec.of(ExchangeV2.class).decode(v1)).isEqualTo(new ExchangeV2(oid, "x", null));
  }

  @Test
  void decode_unknownEnumName_readsAsTheDeclaredDefault() {
    // {"oid": null, "name": "x", "kind": "OPTION"}: a name written by newer code.
    final byte[] bytes =
        hex("A3 63 6F 69 64 F6 64 6E 61 6D 65 61 78 64 6B 69 6E 64 66 4F 50 54 49 4F 4E");
    assertThat(CborCodec.of(ExchangeV2.class).decode(direct(bytes)))
        .isEqualTo(new ExchangeV2(null, "x", Kind.UNKNOWN));
  }

  @Test
  void decode_readsBetweenPositionAndLimit_andLeavesThePositionAlone() {
    final byte[] value = bytes(CborCodec.of(Point.class).encode(new Point("p", 1, false)));
    final ByteBuffer framed = ByteBuffer.allocateDirect(value.length + 6);
    framed.put(new byte[] {9, 9, 9}).put(value).put(new byte[] {9, 9, 9});
    framed.position(3).limit(3 + value.length);
    final ByteBuffer src = framed.asReadOnlyBuffer();
    assertThat(CborCodec.of(Point.class).decode(src)).isEqualTo(new Point("p", 1, false));
    assertThat(src.position()).isEqualTo(3);
    assertThat(src.limit()).isEqualTo(3 + value.length);
  }

  @Test
  void decode_trailingBytesNullEmptyOrWrongShape_isCorrupt() {
    final CborCodec<Point> codec = CborCodec.of(Point.class);
    final byte[] valid = bytes(codec.encode(new Point("p", 1, true)));
    final byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
    for (final byte[] bad :
        List.of(
            trailing, hex("F6"), new byte[0], hex("83 01 02 03"), hex("A1 61 78 63 61 62 63"))) {
      assertThatThrownBy(() -> codec.decode(direct(bad)))
          .as(hex(bad))
          .isInstanceOf(CorruptValueException.class)
          .hasMessageContaining("CBOR");
    }
  }

  @Test
  void decode_absurdNestingOrLengths_isCorruptNotAnError() {
    final CborCodec<Object> codec = CborCodec.of(Object.class);
    final byte[] deep = new byte[100_000];
    Arrays.fill(deep, (byte) 0x81); // [[[[...
    assertThatThrownBy(() -> codec.decode(direct(deep))).isInstanceOf(CorruptValueException.class);
    // A byte string and a text string that claim 2^31 - 1 bytes and hold 3.
    assertThatThrownBy(() -> codec.decode(direct(hex("5A 7F FF FF FF 01 02 03"))))
        .isInstanceOf(CorruptValueException.class);
    assertThatThrownBy(() -> codec.decode(direct(hex("7B 7F FF FF FF FF FF FF FF 61 62 63"))))
        .isInstanceOf(CorruptValueException.class);
  }

  record Expiry(Instant at) {}

  @Test
  void encode_instantOutsideRfc3339YearsWithFraction_isRejected() {
    for (final Instant instant :
        List.of(Instant.MAX, Instant.MIN.plusNanos(1), Instant.parse("+12000-01-01T00:00:00.5Z"))) {
      assertThatThrownBy(() -> CborCodec.of(Expiry.class).encode(new Expiry(instant)))
          .as("%s", instant)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0000..9999");
    }
  }

  @Test
  void roundTrip_wholeSecondInstantsOutsideRfc3339Years() {
    final CborCodec<Expiry> codec = CborCodec.of(Expiry.class);
    for (final Instant instant :
        List.of(
            Instant.parse("+12000-01-01T00:00:00Z"),
            Instant.parse("+10000-01-01T00:00:00Z"),
            Instant.parse("-0001-12-31T23:59:59Z"),
            Instant.ofEpochSecond(377_957_113_665L),
            Instant.MAX.minusNanos(999_999_999),
            Instant.MIN)) {
      assertThat(roundTrip(codec, new Expiry(instant))).isEqualTo(new Expiry(instant));
    }
  }

  @Test
  void decode_instantOutsideRfc3339YearsWithFraction_isCorrupt() {
    final CborCodec<Expiry> codec = CborCodec.of(Expiry.class);
    // {"at": 1(377957113665.5)}: float seconds in year 13946, with half a second
    assertThatThrownBy(() -> codec.decode(direct(hex("A1 62 61 74 C1 FB 42 55 FF FF F7 D0 60 00"))))
        .isInstanceOf(CorruptValueException.class);
    // {"at": 0("9999-12-31T23:30:00.5-01:00")}: an offset that moves it into year 10000
    assertThatThrownBy(
            () ->
                codec.decode(
                    direct(hex("A1 62 61 74 C0 78 1B " + ascii("9999-12-31T23:30:00.5-01:00")))))
        .isInstanceOf(CorruptValueException.class);
    // the same without a fraction reads, and writes back as tag 1
    final Expiry whole =
        codec.decode(direct(hex("A1 62 61 74 C0 78 19 " + ascii("9999-12-31T23:30:00-01:00"))));
    assertThat(whole.at()).isEqualTo(Instant.parse("+10000-01-01T00:30:00Z"));
    assertThat(roundTrip(codec, whole)).isEqualTo(whole);
  }

  record Named(String name, List<String> tags, String[] aliases, Optional<String> nick) {}

  @Test
  void decode_textThatIsNotUtf8_isCorrupt_wherever_aStringReadsIt() {
    // ED A0 80 encodes the lone surrogate U+D800; F4 90 80 80 would be U+110000
    final String surrogate = "63 ED A0 80";
    final String beyondUnicode = "64 F4 90 80 80";
    final String chunked = "7F 62 ED A0 61 80 FF";
    for (final String text : List.of(surrogate, beyondUnicode, chunked)) {
      assertThatThrownBy(() -> CborCodec.of(String.class).decode(direct(hex(text))))
          .as(text)
          .isInstanceOf(CorruptValueException.class);
      final String[] values = {
        // {"name": <text>}, {"tags": [<text>]}, {"aliases": [<text>]}, {"nick": <text>}
        "A1 64 6E 61 6D 65 " + text,
        "A1 64 74 61 67 73 81 " + text,
        "A1 67 61 6C 69 61 73 65 73 81 " + text,
        "A1 64 6E 69 63 6B " + text
      };
      for (final String value : values) {
        assertThatThrownBy(() -> CborCodec.of(Named.class).decode(direct(hex(value))))
            .as(value)
            .isInstanceOf(CorruptValueException.class);
      }
      final CborCodec<Map<String, Object>> untyped =
          CborCodec.of(new TypeReference<Map<String, Object>>() {});
      // {"k": <text>}, {<text>: 1}, {"k": [<text>]}
      for (final String value :
          List.of("A1 61 6B " + text, "A1 " + text + " 01", "A1 61 6B 81 " + text)) {
        assertThatThrownBy(() -> untyped.decode(direct(hex(value))))
            .as(value)
            .isInstanceOf(CorruptValueException.class);
      }
    }
  }

  @Test
  void decode_surrogatePairsAndOverlongForms_readAsTheCharactersTheyEncode() {
    // F0 9F 98 80 = U+1F600, a surrogate pair in Java; C0 AE = an overlong "."
    assertThat(CborCodec.of(String.class).decode(direct(hex("64 F0 9F 98 80"))))
        .isEqualTo("\ud83d\ude00");
    assertThat(CborCodec.of(String.class).decode(direct(hex("62 C0 AE")))).isEqualTo(".");
    final Map<String, Object> map = Map.of("\ud83d\ude00", List.of("a\ud83d\ude00b"));
    assertThat(roundTrip(CborCodec.of(new TypeReference<Map<String, Object>>() {}), map))
        .isEqualTo(map);
  }

  @Test
  void encode_textWithLoneSurrogate_isRejected() {
    assertThatThrownBy(() -> CborCodec.of(String.class).encode("a\ud800b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encode_nullOrUnserializableValue_isRejected() {
    assertThatThrownBy(() -> CborCodec.of(Point.class).encode(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> CborCodec.of(Opaque.class).encode(new Opaque()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encode_reusesOnePerThreadBufferPerCodec() {
    final CborCodec<Point> codec = CborCodec.of(Point.class);
    final ByteBuffer first = codec.encode(new Point("a", 1, true));
    final byte[] firstBytes = bytes(first);
    final ByteBuffer second = codec.encode(new Point("b", 2, false));
    assertThat(second).isSameAs(first);
    assertThat(second.array()).isSameAs(first.array());
    assertThat(bytes(second)).isNotEqualTo(firstBytes);
    assertThat(CborCodec.of(Point.class).encode(new Point("a", 1, true))).isNotSameAs(first);
  }

  @Test
  void encode_growsForLargeValues() {
    final byte[] big = new byte[3_000_000];
    Arrays.fill(big, (byte) 7);
    final CborCodec<byte[]> codec = CborCodec.of(byte[].class);
    assertThat(roundTrip(codec, big)).isEqualTo(big);
    assertThat(roundTrip(codec, new byte[] {1})).containsExactly(1);
  }

  @Test
  void of_callerMapper_isUsedAsConfigured() {
    final var mapper = CborCodec.newMapper();
    mapper.setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_SNAKE_CASE);
    final CborCodec<Point> codec = CborCodec.of(Point.class, mapper);
    assertThat(hex(codec.encode(new Point("a", 1, true))))
        .startsWith("BF 64 4E 41 4D 45"); // "NAME"
    assertThat(roundTrip(codec, new Point("a", 1, true))).isEqualTo(new Point("a", 1, true));
  }

  @Test
  void of_nonCborMapper_isRejected() {
    assertThatThrownBy(() -> CborCodec.of(Point.class, new JsonMapper()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JSON");
  }

  @Test
  void encodeAndDecode_fromManyThreadsAtOnce_doNotInterfere() throws Exception {
    final CborCodec<Exchange> codec = CborCodec.of(Exchange.class);
    final Exchange base = TestTypes.sampleExchange();
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      final List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 2_000; i++) {
                    final String name = "t" + thread + "-" + i;
                    final Exchange value =
                        new Exchange(
                            base.oid(),
                            name,
                            base.created(),
                            base.makerFee(),
                            base.volume(),
                            base.kind(),
                            base.website(),
                            base.phone(),
                            base.logo(),
                            base.tags(),
                            base.limits(),
                            base.fee(),
                            base.fees(),
                            base.listed(),
                            i,
                            i);
                    final Exchange back = codec.decode(direct(bytes(codec.encode(value))));
                    assertThat(back.name()).isEqualTo(name);
                    assertThat(back.sequence()).isEqualTo(i);
                  }
                  return null;
                }));
      }
      for (final Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void id_isCbor() {
    assertThat(CborCodec.of(Point.class).id()).isEqualTo("cbor");
    assertThat(CborCodec.of(Point.class).isView()).isFalse();
  }

  @Test
  void typeFingerprint_record_isItsNameAndThePropertiesJacksonWrites() {
    assertThat(CborCodec.of(Point.class).typeFingerprint())
        .isEqualTo(
            new TypeFingerprint(
                Point.class.getName(),
                Map.of("name", "java.lang.String", "x", "int", "ok", "boolean")));
    assertThat(CborCodec.of(Point.class).typeFingerprint().properties().keySet())
        .containsExactly("name", "x", "ok"); // the order written, for messages
    assertThat(CborCodec.of(ExchangeV2.class).typeFingerprint().properties())
        .containsEntry("oid", "java.util.UUID")
        .containsEntry("kind", Kind.class.getName());
  }

  /** What Jackson writes decides the fingerprint: annotations and naming strategies count. */
  record Annotated(@JsonProperty("n") String name, @JsonIgnore String secret, List<UUID> ids) {}

  @Test
  void typeFingerprint_followsJacksonsAnnotationsAndTheMappersNamingStrategy() {
    assertThat(CborCodec.of(Annotated.class).typeFingerprint().properties())
        .containsOnly(
            Map.entry("n", "java.lang.String"), Map.entry("ids", "java.util.List<java.util.UUID>"));
    final CBORMapper snake = CborCodec.newMapper();
    snake.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    assertThat(CborCodec.of(TwoWords.class, snake).typeFingerprint().properties())
        .containsOnly(Map.entry("first_name", "java.lang.String"));
    // a POJO: public fields and getters
    assertThat(CborCodec.of(Account.class).typeFingerprint().properties())
        .containsOnly(
            Map.entry("owner", "java.lang.String"),
            Map.entry("attributes", "java.util.Map<java.lang.String,java.lang.Object>"),
            Map.entry("balance", "long"));
  }

  record TwoWords(String firstName) {}

  @Test
  void typeFingerprint_typesWithoutProperties_areTheirNameAlone() {
    assertThat(CborCodec.of(new TypeReference<Map<String, Object>>() {}).typeFingerprint())
        .isEqualTo(TypeFingerprint.of("java.util.Map<java.lang.String,java.lang.Object>"));
    assertThat(CborCodec.of(String.class).typeFingerprint())
        .isEqualTo(TypeFingerprint.of("java.lang.String"));
    assertThat(CborCodec.of(Opaque.class).typeFingerprint().type())
        .isEqualTo(Opaque.class.getName());
  }
}
