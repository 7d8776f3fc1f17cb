package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.InvalidValueException;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple3;
import org.lodestore.serializers.CborCodec;

/** {@link RowJson}: the one JSON form of keys and values, and its way back. */
class RowJsonTest {

  private static final UUID ID = UUID.fromString("3c1f7f0e-9b1d-4c5e-8f4e-1d2a3b4c5d6e");
  private static final Instant AT = Instant.parse("2026-12-01T17:00:00.123456789Z");

  record Priced(UUID id, Instant at, String name, long cents, double ratio, byte[] blob) {}

  private static JsonNode json(final String text) throws Exception {
    return RowJson.mapper().readTree(text);
  }

  @Test
  void keysOfEveryBuiltInCodecRoundTripAndReadAsDocumented() throws Exception {
    record Case(KeyCodec<?> codec, Object key, String json) {}
    final List<Case> cases =
        List.of(
            new Case(KeyCodecs.UUID, ID, "\"" + ID + "\""),
            new Case(KeyCodecs.TIMESTAMP, AT, "\"2026-12-01T17:00:00.123456789Z\""),
            new Case(KeyCodecs.LONG, -5L, "-5"),
            new Case(KeyCodecs.INT, 7, "7"),
            new Case(KeyCodecs.STRING, "eur/usd", "\"eur/usd\""),
            new Case(KeyCodecs.descending(KeyCodecs.TIMESTAMP), AT, "\"" + AT + "\""),
            new Case(
                KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
                Tuple2.of(ID, AT),
                "[\"" + ID + "\",\"" + AT + "\"]"),
            new Case(
                KeyCodecs.tuple(
                    KeyCodecs.STRING, KeyCodecs.descending(KeyCodecs.LONG), KeyCodecs.INT),
                Tuple3.of("a", 9L, 1),
                "[\"a\",9,1]"));
    for (final Case c : cases) {
      final JsonNode j = RowJson.keyToJson(c.codec(), c.key());
      assertThat(j).as(c.codec().id()).isEqualTo(json(c.json()));
      assertThat(RowJson.keyFromJson(c.codec(), j)).as(c.codec().id()).isEqualTo(c.key());
    }
    final byte[] bytes = {0, 1, (byte) 0xFF};
    assertThat(RowJson.keyToJson(KeyCodecs.BYTES, bytes).textValue()).isEqualTo("AAH/");
    assertThat((byte[]) RowJson.keyFromJson(KeyCodecs.fixedBytes(3), json("\"AAH/\"")))
        .containsExactly(bytes);
  }

  @Test
  void timestampsWithAnOffsetReadAsTheSameInstant() throws Exception {
    assertThat(RowJson.keyFromJson(KeyCodecs.TIMESTAMP, json("\"2026-12-01T18:00:00+01:00\"")))
        .isEqualTo(Instant.parse("2026-12-01T17:00:00Z"));
  }

  @Test
  void aJsonThatIsNoKeyOfTheCodecIsInvalidKeyNamingTheCodec() throws Exception {
    for (final String[] c :
        new String[][] {
          {"uuid", "\"not-a-uuid\""},
          {"uuid", "12"},
          {"timestamp", "\"yesterday\""},
          {"int32", "3000000000"},
          {"int64", "1.5"},
          {"tuple(uuid,timestamp)", "[\"" + ID + "\"]"},
          {"bytes2", "\"AAH/\""},
        }) {
      final KeyCodec<?> codec = KeyCodecs.forId(c[0]).orElseThrow();
      assertThatThrownBy(() -> RowJson.keyFromJson(codec, json(c[1])))
          .as(c[0] + " " + c[1])
          .isInstanceOf(InvalidKeyException.class)
          .hasMessageContaining(c[0]);
    }
  }

  @Test
  void cborValuesBecomeJsonWithUuidsAndInstantsAsText() throws Exception {
    final CborCodec<Priced> codec = CborCodec.of(Priced.class);
    final Priced value = new Priced(ID, AT, "pen", 150, 0.5, new byte[] {1, 2});
    final byte[] stored = bytes(codec.encode(value));
    final JsonNode j = RowJson.valueToJson(CborCodec.ID, stored);
    assertThat(j)
        .isEqualTo(
            json(
                "{\"id\":\""
                    + ID
                    + "\",\"at\":\""
                    + AT
                    + "\",\"name\":\"pen\",\"cents\":150,\"ratio\":0.5,\"blob\":\"AQI=\"}"));
    // back: plain CBOR, which the table's codec reads into the same value, re-encoded exactly
    final Priced back =
        codec.decode(ByteBuffer.wrap(RowJson.valueFromJson(CborCodec.ID, json(j.toString()))));
    assertThat(bytes(codec.encode(back))).containsExactly(stored);
  }

  @Test
  void coreValueCodecsAndOpaqueBytesRoundTrip() throws Exception {
    final byte[] uuid =
        ByteBuffer.allocate(16)
            .putLong(ID.getMostSignificantBits())
            .putLong(ID.getLeastSignificantBits())
            .array();
    final byte[] long8 = ByteBuffer.allocate(8).putLong(-42).array();
    for (final Object[] c :
        new Object[][] {
          {"utf8", "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), "\"héllo\""},
          {"uuid", uuid, "\"" + ID + "\""},
          {"int64", long8, "-42"},
          {"flatbuffers", new byte[] {4, 0, 0, 0}, "\"BAAAAA==\""},
          {
            "json",
            "{\"a\":[1,true]}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "{\"a\":[1,true]}"
          },
        }) {
      final JsonNode j = RowJson.valueToJson((String) c[0], (byte[]) c[1]);
      assertThat(j).as((String) c[0]).isEqualTo(json((String) c[2]));
      assertThat(RowJson.valueFromJson((String) c[0], j))
          .as((String) c[0])
          .containsExactly((byte[]) c[1]);
    }
  }

  @Test
  void damagedValuesAndWrongJsonAreTypedErrors() throws Exception {
    assertThatThrownBy(() -> RowJson.valueToJson("cbor", new byte[] {(byte) 0xBF, 0x61}))
        .isInstanceOf(CorruptValueException.class)
        .hasMessageContaining("cbor");
    assertThatThrownBy(() -> RowJson.valueToJson("uuid", new byte[3]))
        .isInstanceOf(CorruptValueException.class);
    assertThatThrownBy(() -> RowJson.valueFromJson("int64", json("\"x\"")))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("int64");
    assertThatThrownBy(() -> RowJson.valueFromJson("flatbuffers", json("\"***\"")))
        .isInstanceOf(InvalidValueException.class);
  }

  @Test
  void linesHoldTableKeyAndValueOrMember() throws Exception {
    assertThat(RowJson.row("t", json("1"), json("{}")).toString())
        .isEqualTo("{\"table\":\"t\",\"key\":1,\"value\":{}}");
    assertThat(RowJson.member("s", json("1"), json("\"m\"")).toString())
        .isEqualTo("{\"table\":\"s\",\"key\":1,\"member\":\"m\"}");
  }

  private static byte[] bytes(final ByteBuffer b) {
    final ByteBuffer d = b.duplicate();
    final byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }
}
