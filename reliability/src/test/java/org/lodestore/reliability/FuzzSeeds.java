package org.lodestore.reliability;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.reliability.FuzzSupport.Doc;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.JsonCodec;
import org.lodestore.testsupport.fbs.Market;
import org.lodestore.testsupport.fbs.Side;
import org.lodestore.testsupport.fbs.Tick;
import org.lodestore.testsupport.fbs.Uuid;

/**
 * Writes the hand-made part of the fuzz targets' regression corpora: valid encodings and the
 * classic nasty cases (truncation, absurd lengths, deep nesting, lone surrogates, offsets that
 * point outside). Inputs the fuzzer found go next to them. Run from the module directory:
 *
 * <pre>
 * java -cp ... org.lodestore.reliability.FuzzSeeds src/test/resources
 * </pre>
 */
public final class FuzzSeeds {

  private final Path resources;

  private FuzzSeeds(final Path resources) {
    this.resources = resources;
  }

  /**
   * Writes the seeds.
   *
   * @param args the test resources directory
   */
  public static void main(final String[] args) throws IOException {
    final FuzzSeeds seeds = new FuzzSeeds(Path.of(args[0]));
    seeds.cbor();
    seeds.json();
    seeds.flatBuffers();
    seeds.core();
    seeds.keys();
    seeds.tableApi();
  }

  private void write(final Class<?> test, final String method, final String name, final byte[] b)
      throws IOException {
    final Path dir =
        resources
            .resolve(test.getPackageName().replace('.', '/'))
            .resolve(test.getSimpleName() + "Inputs")
            .resolve(method);
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), b);
  }

  private static byte[] bytes(final ByteBuffer b) {
    final byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static byte[] repeat(final int b, final int n, final byte[] tail) {
    final byte[] out = new byte[n + tail.length];
    Arrays.fill(out, 0, n, (byte) b);
    System.arraycopy(tail, 0, out, n, tail.length);
    return out;
  }

  private static Doc doc() {
    final Map<String, Long> attrs = new LinkedHashMap<>();
    attrs.put("a", 1L);
    attrs.put("z", Long.MIN_VALUE);
    return new Doc(
        "exchange \u00e9\u20ac\ud83d\ude00",
        new UUID(0x0123456789abcdefL, 0xfedcba9876543210L),
        42,
        -0.0,
        Instant.parse("1969-12-31T23:59:59.999999999Z"),
        List.of("spot", ""),
        attrs,
        new Doc("child", null, 0, Double.NaN, null, null, null, null));
  }

  private void cbor() throws IOException {
    final Class<?> t = CborDecoderFuzzTest.class;
    final byte[] valid = bytes(CborCodec.of(Doc.class).encode(doc()));
    write(t, "decode", "valid-doc", valid);
    write(t, "decode", "truncated-doc", Arrays.copyOf(valid, valid.length / 2));
    write(t, "decode", "trailing-bytes", Arrays.copyOf(valid, valid.length + 3));
    write(t, "decode", "cbor-null", new byte[] {(byte) 0xf6});
    write(t, "decode", "empty-map", new byte[] {(byte) 0xa0});
    write(t, "decode", "deep-arrays", repeat(0x81, 5000, new byte[] {0}));
    write(t, "decode", "deep-maps", repeat(0xbf, 3000, new byte[] {(byte) 0xff}));
    // a byte string and a text string claiming 2^63-1 and 2^31 bytes
    write(
        t,
        "decode",
        "huge-bytes",
        new byte[] {(byte) 0xa1, 0x61, 'n', 0x5b, 0x7f, -1, -1, -1, -1, -1, -1, -1, 1});
    write(
        t,
        "decode",
        "huge-text",
        new byte[] {(byte) 0xa1, 0x64, 'n', 'a', 'm', 'e', 0x7a, (byte) 0x80, 0, 0, 0, 'x'});
    write(
        t,
        "decode",
        "huge-array",
        new byte[] {
          (byte) 0xa1, 0x64, 't', 'a', 'g', 's', (byte) 0x9b, 0x7f, -1, -1, -1, -1, -1, -1, -1
        });
    write(
        t,
        "decode",
        "indefinite-text",
        new byte[] {
          (byte) 0xa1, 0x64, 'n', 'a', 'm', 'e', 0x7f, 0x61, 'a', 0x61, 'b', (byte) 0xff
        });
    write(
        t,
        "decode",
        "bad-utf8-text",
        new byte[] {
          (byte) 0xa1, 0x64, 'n', 'a', 'm', 'e', 0x63, (byte) 0xed, (byte) 0xa0, (byte) 0x80
        });
    write(
        t,
        "decode",
        "tagged-time",
        new byte[] {
          (byte) 0xa1, 0x62, 'a', 't', (byte) 0xc1, 0x1b, 0x7f, -1, -1, -1, -1, -1, -1, -1
        });
    write(
        t,
        "decode",
        "bignum-count",
        new byte[] {
          (byte) 0xa1, 0x65, 'c', 'o', 'u', 'n', 't', (byte) 0xc2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0
        });
    write(
        t,
        "decode",
        "half-float-nan",
        new byte[] {(byte) 0xa1, 0x65, 'r', 'a', 't', 'i', 'o', (byte) 0xf9, 0x7e, 0x00});
  }

  private void json() throws IOException {
    final Class<?> t = JsonDecoderFuzzTest.class;
    final byte[] valid = bytes(JsonCodec.of(Doc.class).encode(doc()));
    write(t, "decode", "valid-doc", valid);
    write(t, "decode", "truncated-doc", Arrays.copyOf(valid, valid.length / 2));
    write(t, "decode", "null", "null".getBytes(StandardCharsets.UTF_8));
    write(t, "decode", "trailing", "{}{}".getBytes(StandardCharsets.UTF_8));
    write(
        t,
        "decode",
        "deep-arrays",
        ("{\"tags\":" + "[".repeat(5000)).getBytes(StandardCharsets.UTF_8));
    write(t, "decode", "deep-objects", "{\"child\":".repeat(3000).getBytes(StandardCharsets.UTF_8));
    write(
        t,
        "decode",
        "huge-number",
        "{\"count\":1e999999999,\"ratio\":-1e-999999999}".getBytes(StandardCharsets.UTF_8));
    write(
        t,
        "decode",
        "long-digits",
        ("{\"count\":" + "9".repeat(2000) + "}").getBytes(StandardCharsets.UTF_8));
    write(t, "decode", "lone-surrogate", "{\"name\":\"\\ud800\"}".getBytes(StandardCharsets.UTF_8));
    write(
        t,
        "decode",
        "bad-instant",
        "{\"at\":\"+1000000000-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
    write(t, "decode", "bom", "\ufeff{}".getBytes(StandardCharsets.UTF_8));
    write(t, "decode", "utf16", "{\"a\":1}".getBytes(StandardCharsets.UTF_16));
  }

  private static byte[] market(final String identifier) {
    final FlatBufferBuilder b = new FlatBufferBuilder(256);
    final int name = b.createString("BTC-EUR \u20ac");
    final int symbol = b.createString("BTC");
    final int tags =
        Market.createTagsVector(b, new int[] {b.createString("spot"), b.createString("eu")});
    final int payload = Market.createPayloadVector(b, new byte[] {1, 2, 3, 4});
    Tick.startTick(b);
    Tick.addMarketOid(b, Uuid.createUuid(b, 1, 2));
    Tick.addTimeNanos(b, 1_700_000_000_000_000_000L);
    Tick.addPrice(b, 1.5);
    final int tick = Tick.endTick(b);
    Market.startMarket(b);
    Market.addOid(b, Uuid.createUuid(b, 3, 4));
    Market.addName(b, name);
    Market.addSymbol(b, symbol);
    Market.addPrice(b, 2.5);
    Market.addQuantity(b, 9);
    Market.addSide(b, Side.Sell);
    Market.addTags(b, tags);
    Market.addPayload(b, payload);
    Market.addLastTick(b, tick);
    final int root = Market.endMarket(b);
    if (identifier == null) {
      b.finish(root);
    } else {
      b.finish(root, identifier);
    }
    return b.sizedByteArray();
  }

  private void flatBuffers() throws IOException {
    final Class<?> t = FlatBuffersDecoderFuzzTest.class;
    final byte[] plain = market(null);
    final byte[] identified = market("LSMK");
    write(t, "decode", "valid-market", plain);
    write(t, "decode", "valid-market-identified", identified);
    write(t, "decode", "truncated", Arrays.copyOf(plain, plain.length - 9));
    final SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 8; i++) {
      final byte[] flipped = identified.clone();
      flipped[rnd.nextInt(flipped.length)] ^= (byte) (1 << rnd.nextInt(8));
      write(t, "decode", "bit-flip-" + i, flipped);
    }
    // string and vector lengths forced to huge and negative values, where they live
    for (final int len : new int[] {0x7fffffff, -1, 0x10000}) {
      final byte[] mangled = plain.clone();
      for (int i = 4; i + 4 <= mangled.length; i += 4) {
        if (mangled[i] == 2 && mangled[i + 1] == 0 && mangled[i + 2] == 0 && mangled[i + 3] == 0) {
          ByteBuffer.wrap(mangled).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(i, len);
        }
      }
      write(t, "decode", "vector-length-" + Integer.toHexString(len), mangled);
    }
    write(t, "decode", "root-at-end", new byte[] {8, 0, 0, 0, 0, 0, 0, 0});
    write(t, "decode", "tiny", new byte[] {4, 0, 0});
  }

  private void core() throws IOException {
    final Class<?> t = CoreValueCodecFuzzTest.class;
    write(t, "decode", "long", new byte[] {-128, 0, 0, 0, 0, 0, 0, 1});
    write(t, "decode", "uuid", new byte[16]);
    write(t, "decode", "utf8-valid", "h\u00e9llo \ud83d\ude00".getBytes(StandardCharsets.UTF_8));
    write(t, "decode", "utf8-surrogate", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80});
    write(t, "decode", "utf8-overlong", new byte[] {(byte) 0xc0, (byte) 0x80, (byte) 0xf8, 1});
    write(t, "decode", "large", new byte[70_000]);
  }

  private static <K> byte[] encode(final KeyCodec<K> codec, final K key) {
    final ByteBuffer b = ByteBuffer.allocate(4096);
    codec.encode(key, b);
    return Arrays.copyOf(b.array(), b.position());
  }

  /**
   * The input decodeKeys splits into codec {@code codec}, encoding {@code a} and encoding {@code
   * b}.
   */
  private static byte[] keyInput(final int codec, final byte[] a, final byte[] b) {
    final byte[] out = new byte[2 + a.length + b.length];
    out[0] = (byte) codec;
    out[1] = (byte) a.length;
    System.arraycopy(a, 0, out, 2, a.length);
    System.arraycopy(b, 0, out, 2 + a.length, b.length);
    return out;
  }

  private void keys() throws IOException {
    final Class<?> t = KeyCodecFuzzTest.class;
    final List<KeyCodec<?>> codecs = KeyCodecFuzzTest.CODECS;
    write(
        t,
        "decodeKeys",
        "uuid-pair",
        keyInput(
            codecs.indexOf(KeyCodecs.UUID),
            encode(KeyCodecs.UUID, new UUID(-1, 1)),
            encode(KeyCodecs.UUID, new UUID(1, -1))));
    write(
        t,
        "decodeKeys",
        "timestamps",
        keyInput(
            codecs.indexOf(KeyCodecs.TIMESTAMP),
            encode(KeyCodecs.TIMESTAMP, Instant.parse("1900-01-01T00:00:00Z")),
            encode(KeyCodecs.TIMESTAMP, Instant.parse("2200-01-01T00:00:00.000000001Z"))));
    write(
        t,
        "decodeKeys",
        "longs",
        keyInput(
            codecs.indexOf(KeyCodecs.LONG),
            encode(KeyCodecs.LONG, Long.MIN_VALUE),
            encode(KeyCodecs.LONG, -1L)));
    write(
        t,
        "decodeKeys",
        "strings",
        keyInput(
            codecs.indexOf(KeyCodecs.STRING),
            encode(KeyCodecs.STRING, "\uffff"),
            encode(KeyCodecs.STRING, "\ud83d\ude00")));
    for (int i = 7; i < codecs.size(); i++) {
      write(
          t,
          "decodeKeys",
          "escapes-" + i,
          keyInput(
              i, new byte[] {0, 1, 0, 0, 0, 2, 0, 1}, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0}));
    }
    @SuppressWarnings("unchecked")
    final KeyCodec<Tuple2<String, UUID>> su = (KeyCodec<Tuple2<String, UUID>>) codecs.get(14);
    write(
        t,
        "decodeKeys",
        "tuple-string-uuid",
        keyInput(
            14,
            encode(su, Tuple2.of("a\u0000b", new UUID(1, 2))),
            encode(su, Tuple2.of("a", new UUID(3, 4)))));
    write(t, "decodeKeys", "truncated-uuid", keyInput(0, new byte[] {1, 2, 3}, new byte[17]));
  }

  private void tableApi() throws IOException {
    final Class<?> t = TableApiFuzzTest.class;
    final SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 12; i++) {
      final byte[] b = new byte[64 + rnd.nextInt(3000)];
      rnd.nextBytes(b);
      write(t, "operations", "random-" + i, b);
    }
    write(t, "operations", "zeros", new byte[2048]);
    final byte[] ones = new byte[2048];
    Arrays.fill(ones, (byte) 0xff);
    write(t, "operations", "ones", ones);
  }
}
