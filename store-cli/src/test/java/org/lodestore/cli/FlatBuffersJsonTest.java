package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.flatbuffers.FlatBufferBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lodestore.testsupport.fbs.Market;
import org.lodestore.testsupport.fbs.Tick;
import org.lodestore.testsupport.fbs.Uuid;

/**
 * {@link FlatBuffersJson} on flatc's classes with every kind of field: a struct, strings, scalars,
 * an enum, a vector of strings, a vector of bytes, a nested table, and an absent struct (the
 * project's FlatBuffers test entity, test-support's {@code market.fbs}).
 */
class FlatBuffersJsonTest {

  @Test
  void aTableWithVectorsStructsAndANestedTable_asJson_inFieldOrder() {
    final FlatBufferBuilder b = new FlatBufferBuilder();
    final int name = b.createString("Bitcoin");
    final int symbol = b.createString("BTC-EUR");
    final int tags =
        Market.createTagsVector(b, new int[] {b.createString("spot"), b.createString("major")});
    final int payload = Market.createPayloadVector(b, new byte[] {1, 2, (byte) 255});
    Tick.startTick(b);
    Tick.addMarketOid(b, Uuid.createUuid(b, 7L, 8L));
    Tick.addTimeNanos(b, 123L);
    Tick.addPrice(b, 41_000.5);
    Tick.addSize(b, 0.25);
    final int last = Tick.endTick(b);
    Market.startMarket(b);
    Market.addOid(b, Uuid.createUuid(b, 1L, -2L));
    Market.addName(b, name);
    Market.addSymbol(b, symbol);
    Market.addPrice(b, 42.5);
    Market.addQuantity(b, 10L);
    Market.addSide(b, (byte) 1);
    Market.addTags(b, tags);
    Market.addPayload(b, payload);
    Market.addLastTick(b, last);
    b.finish(Market.endMarket(b));

    final JsonNode json = FlatBuffersJson.toJson(Market.getRootAsMarket(b.dataBuffer()));
    assertThat(names(json))
        .containsExactly(
            "oid",
            "exchangeOid",
            "name",
            "symbol",
            "price",
            "quantity",
            "createdNanos",
            "side",
            "tags",
            "payload",
            "lastTick");
    assertThat(json.get("oid").toString()).isEqualTo("{\"msb\":1,\"lsb\":-2}");
    assertThat(json.get("exchangeOid").isNull()).isTrue();
    assertThat(json.get("name").asText()).isEqualTo("Bitcoin");
    assertThat(json.get("price").asDouble()).isEqualTo(42.5);
    assertThat(json.get("quantity").asLong()).isEqualTo(10);
    assertThat(json.get("createdNanos").asLong()).isZero(); // absent: the default
    assertThat(json.get("side").asInt()).isEqualTo(1);
    assertThat(json.get("tags").toString()).isEqualTo("[\"spot\",\"major\"]");
    assertThat(json.get("payload").toString()).isEqualTo("[1,2,255]");
    assertThat(json.get("lastTick").toString())
        .isEqualTo(
            "{\"marketOid\":{\"msb\":7,\"lsb\":8},\"timeNanos\":123,\"price\":41000.5,"
                + "\"size\":0.25}");
  }

  private static List<String> names(final JsonNode json) {
    final List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
