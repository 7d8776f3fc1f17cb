package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.flatbuffers.FlatBufferBuilder;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatBuffersJson} on flatc's classes with every kind of field: a struct, strings, scalars,
 * an enum, a vector of strings, a vector of bytes, a nested table, and an absent struct. The
 * classes are the serializers module's generated test classes (its {@code market.fbs}), loaded from
 * that module's build output as a user's classes are loaded from {@code --classpath}.
 */
class FlatBuffersJsonTest {

  private static final Path CLASSES = Path.of("..", "serializers", "target", "test-classes");

  @Test
  void aTableWithVectorsStructsAndANestedTable_asJson_inFieldOrder() throws Exception {
    assumeTrue(
        Files.isDirectory(CLASSES.resolve("org/lodestore/serializers/fbs")),
        "serializers' test classes are not built");
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {CLASSES.toAbsolutePath().toUri().toURL()}, getClass().getClassLoader())) {
      final Class<?> market = loader.loadClass("org.lodestore.serializers.fbs.Market");
      final Class<?> tick = loader.loadClass("org.lodestore.serializers.fbs.Tick");
      final Class<?> uuid = loader.loadClass("org.lodestore.serializers.fbs.Uuid");
      final FlatBufferBuilder b = new FlatBufferBuilder();
      final int name = b.createString("Bitcoin");
      final int symbol = b.createString("BTC-EUR");
      final int tags =
          (int)
              call(
                  market,
                  "createTagsVector",
                  b,
                  new int[] {b.createString("spot"), b.createString("major")});
      final int payload =
          (int) call(market, "createPayloadVector", b, new byte[] {1, 2, (byte) 255});
      call(tick, "startTick", b);
      call(tick, "addMarketOid", b, (int) call(uuid, "createUuid", b, 7L, 8L));
      call(tick, "addTimeNanos", b, 123L);
      call(tick, "addPrice", b, 41_000.5);
      call(tick, "addSize", b, 0.25);
      final int last = (int) call(tick, "endTick", b);
      call(market, "startMarket", b);
      call(market, "addOid", b, (int) call(uuid, "createUuid", b, 1L, -2L));
      call(market, "addName", b, name);
      call(market, "addSymbol", b, symbol);
      call(market, "addPrice", b, 42.5);
      call(market, "addQuantity", b, 10L);
      call(market, "addSide", b, (byte) 1);
      call(market, "addTags", b, tags);
      call(market, "addPayload", b, payload);
      call(market, "addLastTick", b, last);
      b.finish((int) call(market, "endMarket", b));
      final Object root = call(market, "getRootAsMarket", b.dataBuffer());

      final JsonNode json = FlatBuffersJson.toJson(root);
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
  }

  private static List<String> names(final JsonNode json) {
    final List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Object call(final Class<?> type, final String name, final Object... args)
      throws Exception {
    for (final Method m : type.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length && fits(m, args)) {
        return m.invoke(null, args);
      }
    }
    throw new NoSuchMethodException(type.getSimpleName() + "." + name);
  }

  private static boolean fits(final Method m, final Object[] args) {
    final Class<?>[] p = m.getParameterTypes();
    for (int i = 0; i < p.length; i++) {
      final Class<?> want = p[i].isPrimitive() ? boxed(p[i]) : p[i];
      if (!want.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }

  private static Class<?> boxed(final Class<?> p) {
    if (p == int.class) {
      return Integer.class;
    } else if (p == long.class) {
      return Long.class;
    } else if (p == double.class) {
      return Double.class;
    } else if (p == byte.class) {
      return Byte.class;
    } else if (p == boolean.class) {
      return Boolean.class;
    }
    return ByteBuffer.class;
  }
}
