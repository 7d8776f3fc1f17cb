package org.lodestore.core.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.core.TestText;
import org.lodestore.testsupport.TestSeed;

/**
 * The ordering contract every key codec must keep (DESIGN.md, "Keys: order-preserving encodings"):
 * the unsigned lexicographic order of encodings is the order of {@link KeyCodec#comparator()},
 * which is the natural order of the values; decoding inverts encoding; the delimited form used
 * inside tuples is prefix-free and ordered; the encoding of a tuple's leading components is a byte
 * prefix of the encoding of exactly the keys that start with them.
 *
 * <p>Every codec runs the same contract over its edge values and {@value #VALUES_PER_RUN} random
 * values (times {@code -Dlodestore.test.scale}). Each run prints its seed; {@code
 * -Dlodestore.seed=<seed>} replays it. The natural orders below are written independently of the
 * codecs (UUIDs by canonical text, strings by code point arrays, bytes by an explicit unsigned
 * loop), so a codec whose comparator merely agrees with a wrong encoding still fails.
 */
class KeyCodecContractTest {

  private static final int VALUES_PER_RUN = 10_000;
  private static final int VALUES = VALUES_PER_RUN * TestSeed.scale();
  private static final int RANDOM_PAIRS = 2 * VALUES;

  // ------------------------------------------------------------------ the codecs under contract

  /** Makes random values of one type. */
  @FunctionalInterface
  interface Gen<T> {
    T next(Random random);
  }

  /** One codec under contract: how to make values, its edge values, and the order it must have. */
  static final class Case<T> {
    final String name;
    final KeyCodec<T> codec;
    final Gen<T> gen;
    final List<T> edges;
    final Comparator<T> natural;
    final int arity;

    Case(
        final String name,
        final KeyCodec<T> codec,
        final Gen<T> gen,
        final List<T> edges,
        final Comparator<T> natural,
        final int arity) {
      this.name = name;
      this.codec = codec;
      this.gen = gen;
      this.edges = edges;
      this.natural = natural;
      this.arity = arity;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case<?>> codecs() {
    final Case<UUID> uuid = uuidCase();
    final Case<Instant> timestamp = timestampCase();
    final Case<Long> int64 = longCase();
    final Case<Integer> int32 = intCase();
    final Case<String> utf8 = stringCase();
    final Case<byte[]> bytes = bytesCase();
    final Case<byte[]> bytes5 = fixedBytesCase(5);
    return Stream.of(
        uuid,
        timestamp,
        int64,
        int32,
        utf8,
        bytes,
        bytes5,
        pair(uuid, timestamp),
        pair(timestamp, uuid),
        pair(uuid, uuid),
        pair(uuid, utf8),
        pair(utf8, uuid),
        pair(utf8, utf8),
        pair(bytes, bytes),
        triple(bytes, int64, utf8),
        quadruple(utf8, int32, bytes5, timestamp));
  }

  private static final long[] SPECIAL_LONGS = {
    0,
    1,
    -1,
    2,
    Long.MIN_VALUE,
    Long.MIN_VALUE + 1,
    Long.MAX_VALUE,
    Long.MAX_VALUE - 1,
    0x00000000FFFFFFFFL,
    0xFFFFFFFF00000000L,
    0x8000000000000001L,
    0x7FFFFFFF80000000L,
    255,
    256,
    -256,
    Integer.MIN_VALUE - 1L,
    Integer.MAX_VALUE + 1L
  };

  private static long someLong(final Random r) {
    switch (r.nextInt(4)) {
      case 0:
        return SPECIAL_LONGS[r.nextInt(SPECIAL_LONGS.length)];
      case 1:
        return r.nextInt(2001) - 1000;
      default:
        return r.nextLong();
    }
  }

  private static Case<UUID> uuidCase() {
    final List<UUID> edges = new ArrayList<>();
    for (final long msb : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
      for (final long lsb : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
        edges.add(new UUID(msb, lsb));
      }
    }
    edges.add(UUID.fromString("ffffffff-ffff-ffff-ffff-fffffffffffe"));
    edges.add(UUID.fromString("80000000-0000-4000-8000-000000000000"));
    edges.add(UUID.fromString("7fffffff-ffff-4fff-bfff-ffffffffffff"));
    return new Case<>(
        "uuid",
        KeyCodecs.UUID,
        r -> new UUID(someLong(r), r.nextInt(3) == 0 ? someLong(r) : r.nextLong()),
        edges,
        // canonical text order is unsigned order, written without the codec's help
        Comparator.comparing(UUID::toString),
        1);
  }

  private static Case<Instant> timestampCase() {
    final Instant min = KeyCodecs.TIMESTAMP_MIN;
    final Instant max = KeyCodecs.TIMESTAMP_MAX;
    final List<Instant> edges =
        List.of(
            min,
            min.plusNanos(1),
            min.plusMillis(500),
            min.plusSeconds(1),
            max,
            max.minusNanos(1),
            max.minusSeconds(1),
            Instant.EPOCH,
            Instant.EPOCH.plusNanos(1),
            Instant.EPOCH.minusNanos(1),
            Instant.ofEpochSecond(-1),
            Instant.ofEpochSecond(-1, 999_999_999),
            Instant.ofEpochSecond(0, 999_999_999),
            Instant.ofEpochSecond(1),
            Instant.parse("1900-01-01T00:00:00Z"),
            Instant.parse("1969-07-20T20:17:40.123456789Z"),
            Instant.parse("2100-01-01T00:00:00Z"));
    return new Case<>(
        "timestamp",
        KeyCodecs.TIMESTAMP,
        r -> {
          switch (r.nextInt(4)) {
            case 0:
              return Instant.ofEpochSecond(0, r.nextLong()); // anywhere in the range
            case 1:
              return Instant.ofEpochSecond(0, r.nextInt(2_000_001) - 1_000_000); // near 1970
            case 2:
              return Instant.ofEpochSecond(r.nextLong(-9_000_000_000L, 9_000_000_000L));
            default:
              return Instant.ofEpochSecond(r.nextInt(2_001) - 1_000, r.nextInt(1_000_000_000));
          }
        },
        edges,
        Comparator.naturalOrder(),
        1);
  }

  private static Case<Long> longCase() {
    final List<Long> edges = new ArrayList<>();
    for (final long l : SPECIAL_LONGS) {
      edges.add(l);
    }
    return new Case<>(
        "int64",
        KeyCodecs.LONG,
        KeyCodecContractTest::someLong,
        edges,
        Comparator.naturalOrder(),
        1);
  }

  private static Case<Integer> intCase() {
    final List<Integer> edges =
        List.of(
            Integer.MIN_VALUE,
            Integer.MIN_VALUE + 1,
            -256,
            -1,
            0,
            1,
            255,
            256,
            Integer.MAX_VALUE - 1,
            Integer.MAX_VALUE,
            0x00FFFFFF,
            0xFF000000);
    return new Case<>(
        "int32",
        KeyCodecs.INT,
        r -> {
          switch (r.nextInt(3)) {
            case 0:
              return edges.get(r.nextInt(edges.size()));
            case 1:
              return r.nextInt(2001) - 1000;
            default:
              return r.nextInt();
          }
        },
        edges,
        Comparator.naturalOrder(),
        1);
  }

  /** Edge strings: empty, NULs, each UTF-8 length boundary, the surrogate neighbourhood. */
  static final List<String> EDGE_STRINGS =
      List.of(
          "",
          "\0",
          "\0\0",
          "\0a",
          "a",
          "a\0",
          "a\0\0",
          "a\0b",
          "a\u0001",
          "ab",
          "abc",
          "b",
          "\u0001",
          "\u007F",
          "\u0080",
          "\u00E9",
          "\u00FF",
          "\u07FF",
          "\u0800",
          "\uD7FF",
          "\uE000",
          "\uFFFD",
          "\uFFFF",
          "\uFFFF\uFFFF",
          "\uD800\uDC00",
          "\uDBFF\uDFFF",
          "\uD83D\uDE00",
          "a\uD83D\uDE00",
          "\uD83D\uDE00a",
          "\u65E5\u672C\u8A9E",
          "\0\uD83D\uDE00");

  private static final int[] SPECIAL_CODE_POINTS = {
    'a', 'b', 0, 1, 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000,
    0x1F600, 0x10FFFF
  };

  static String randomString(final Random r) {
    final int length = r.nextInt(10) == 0 ? r.nextInt(40) : r.nextInt(12);
    final StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      final int cp;
      switch (r.nextInt(8)) {
        case 0:
        case 1:
        case 2:
          cp = "ab\0\u0001".charAt(r.nextInt(4)); // a tiny alphabet: prefixes and NULs galore
          break;
        case 3:
          cp = r.nextInt(0x80);
          break;
        case 4:
          cp = 0x80 + r.nextInt(0x800 - 0x80);
          break;
        case 5:
          final int bmp = 0x800 + r.nextInt(0x10000 - 0x800 - 0x800);
          cp = bmp >= 0xD800 ? bmp + 0x800 : bmp; // skip the surrogate block
          break;
        case 6:
          cp = 0x10000 + r.nextInt(0x110000 - 0x10000);
          break;
        default:
          cp = SPECIAL_CODE_POINTS[r.nextInt(SPECIAL_CODE_POINTS.length)];
      }
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }

  private static Case<String> stringCase() {
    return new Case<>(
        "utf8",
        KeyCodecs.STRING,
        r ->
            r.nextInt(10) == 0 ? EDGE_STRINGS.get(r.nextInt(EDGE_STRINGS.size())) : randomString(r),
        EDGE_STRINGS,
        (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()),
        1);
  }

  private static final byte[] SPECIAL_BYTES = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF};

  private static byte[] randomBytes(final Random r, final int length) {
    final byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] =
          r.nextBoolean() ? SPECIAL_BYTES[r.nextInt(SPECIAL_BYTES.length)] : (byte) r.nextInt();
    }
    return bytes;
  }

  private static byte[] bytes(final int... values) {
    final byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  private static Case<byte[]> bytesCase() {
    final List<byte[]> edges =
        List.of(
            bytes(),
            bytes(0),
            bytes(0, 0),
            bytes(0, 1),
            bytes(0, 0xFF),
            bytes(1),
            bytes(1, 0),
            bytes(0x7F),
            bytes(0x80),
            bytes(0xFF),
            bytes(0xFF, 0),
            bytes(0xFF, 0xFF),
            bytes(0, 0, 1),
            bytes(0xFE, 0xFF));
    return new Case<>(
        "bytes",
        KeyCodecs.BYTES,
        r -> randomBytes(r, r.nextInt(10) == 0 ? r.nextInt(40) : r.nextInt(12)),
        edges,
        KeyCodecContractTest::unsignedCompare,
        1);
  }

  private static Case<byte[]> fixedBytesCase(final int length) {
    final List<byte[]> edges = new ArrayList<>();
    for (final byte b : SPECIAL_BYTES) {
      final byte[] all = new byte[length];
      Arrays.fill(all, b);
      edges.add(all);
      final byte[] last = new byte[length];
      last[length - 1] = b;
      edges.add(last);
      final byte[] first = new byte[length];
      Arrays.fill(first, (byte) 0xFF);
      first[0] = b;
      edges.add(first);
    }
    return new Case<>(
        "bytes" + length,
        KeyCodecs.fixedBytes(length),
        r -> randomBytes(r, length),
        edges,
        KeyCodecContractTest::unsignedCompare,
        1);
  }

  /**
   * A component of a tuple: 30% an edge value, 30% one of six fixed values (so that tuples often
   * share leading components and the later components decide), 40% fresh.
   */
  private static <T> Gen<T> component(final Case<T> c, final int salt) {
    return r -> {
      final int dice = r.nextInt(10);
      if (dice < 3) {
        return c.edges.get(r.nextInt(c.edges.size()));
      }
      if (dice < 6) {
        return c.gen.next(new Random(salt * 1_000_003L + r.nextInt(6)));
      }
      return c.gen.next(r);
    };
  }

  private static <T> T anyEdge(final Case<T> c, final Random r) {
    return c.edges.get(r.nextInt(c.edges.size()));
  }

  private static <A, B> Case<Tuple2<A, B>> pair(final Case<A> a, final Case<B> b) {
    final Gen<A> ga = component(a, 1);
    final Gen<B> gb = component(b, 2);
    final List<Tuple2<A, B>> edges = new ArrayList<>();
    for (final A x : a.edges) {
      for (final B y : b.edges) {
        edges.add(Tuple2.of(x, y));
      }
    }
    final Comparator<Tuple2<A, B>> natural =
        Comparator.comparing(Tuple2<A, B>::first, a.natural)
            .thenComparing(Tuple2::second, b.natural);
    return new Case<>(
        "tuple(" + a + "," + b + ")",
        KeyCodecs.tuple(a.codec, b.codec),
        r -> Tuple2.of(ga.next(r), gb.next(r)),
        edges,
        natural,
        2);
  }

  private static <A, B, C> Case<Tuple3<A, B, C>> triple(
      final Case<A> a, final Case<B> b, final Case<C> c) {
    final Gen<A> ga = component(a, 1);
    final Gen<B> gb = component(b, 2);
    final Gen<C> gc = component(c, 3);
    final Random r = new Random(3);
    final List<Tuple3<A, B, C>> edges = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      edges.add(Tuple3.of(anyEdge(a, r), anyEdge(b, r), anyEdge(c, r)));
    }
    final Comparator<Tuple3<A, B, C>> natural =
        Comparator.comparing(Tuple3<A, B, C>::first, a.natural)
            .thenComparing(Tuple3::second, b.natural)
            .thenComparing(Tuple3::third, c.natural);
    return new Case<>(
        "tuple(" + a + "," + b + "," + c + ")",
        KeyCodecs.tuple(a.codec, b.codec, c.codec),
        x -> Tuple3.of(ga.next(x), gb.next(x), gc.next(x)),
        edges,
        natural,
        3);
  }

  private static <A, B, C, D> Case<Tuple4<A, B, C, D>> quadruple(
      final Case<A> a, final Case<B> b, final Case<C> c, final Case<D> d) {
    final Gen<A> ga = component(a, 1);
    final Gen<B> gb = component(b, 2);
    final Gen<C> gc = component(c, 3);
    final Gen<D> gd = component(d, 4);
    final Random r = new Random(4);
    final List<Tuple4<A, B, C, D>> edges = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      edges.add(Tuple4.of(anyEdge(a, r), anyEdge(b, r), anyEdge(c, r), anyEdge(d, r)));
    }
    final Comparator<Tuple4<A, B, C, D>> natural =
        Comparator.comparing(Tuple4<A, B, C, D>::first, a.natural)
            .thenComparing(Tuple4::second, b.natural)
            .thenComparing(Tuple4::third, c.natural)
            .thenComparing(Tuple4::fourth, d.natural);
    return new Case<>(
        "tuple(" + a + "," + b + "," + c + "," + d + ")",
        KeyCodecs.tuple(a.codec, b.codec, c.codec, d.codec),
        x -> Tuple4.of(ga.next(x), gb.next(x), gc.next(x), gd.next(x)),
        edges,
        natural,
        4);
  }

  // ------------------------------------------------------------------ the contract

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void encode_unsignedByteOrder_equalsComparatorOrder(final Case<?> c) {
    byteOrderMatchesComparator(c);
  }

  private static <T> void byteOrderMatchesComparator(final Case<T> c) {
    final Random r = random("encode_unsignedByteOrder_equalsComparatorOrder", c);
    final List<T> values = values(c, r);
    final List<byte[]> encoded = new ArrayList<>(values.size());
    for (final T v : values) {
      encoded.add(encode(c.codec, v));
    }
    assertSameOrder(c, values, encoded, c.codec.comparator(), "encode", r);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void comparator_equalsNaturalOrder(final Case<?> c) {
    comparatorIsNatural(c);
  }

  private static <T> void comparatorIsNatural(final Case<T> c) {
    final Random r = random("comparator_equalsNaturalOrder", c);
    final List<T> values = values(c, r);
    final Comparator<T> codecOrder = c.codec.comparator();
    final List<T> sorted = new ArrayList<>(values);
    sorted.sort(c.natural);
    for (int i = 1; i < sorted.size(); i++) {
      checkSameSign(c, sorted.get(i - 1), sorted.get(i), c.natural, codecOrder);
    }
    for (int n = 0; n < RANDOM_PAIRS; n++) {
      checkSameSign(
          c,
          values.get(r.nextInt(values.size())),
          values.get(r.nextInt(values.size())),
          c.natural,
          codecOrder);
    }
  }

  private static <T> void checkSameSign(
      final Case<T> c,
      final T a,
      final T b,
      final Comparator<T> natural,
      final Comparator<T> codec) {
    final int expected = Integer.signum(natural.compare(a, b));
    final int actual = Integer.signum(codec.compare(a, b));
    if (expected != actual) {
      fail(
          c
              + ": comparator() says "
              + actual
              + " but the natural order says "
              + expected
              + " for "
              + show(a)
              + " vs "
              + show(b));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void decode_ofEncode_returnsEqualValue(final Case<?> c) {
    roundTrips(c);
  }

  private static <T> void roundTrips(final Case<T> c) {
    final Random r = random("decode_ofEncode_returnsEqualValue", c);
    final int fixed = c.codec.fixedLength();
    for (final T v : values(c, r)) {
      final byte[] bytes = encode(c.codec, v);
      if (fixed >= 0 && bytes.length != fixed) {
        fail(c + ": fixedLength() is " + fixed + " but " + show(v) + " encodes to " + hex(bytes));
      }
      // at a non-zero position, in a direct buffer, surrounded by other bytes: as LMDB hands it
      final int pad = 1 + r.nextInt(7);
      final ByteBuffer padded = ByteBuffer.allocateDirect(bytes.length + 2 * pad);
      final byte[] junk = randomBytes(r, pad);
      padded.put(junk);
      c.codec.encode(v, padded);
      if (padded.position() != pad + bytes.length) {
        fail(
            c
                + ": encode of "
                + show(v)
                + " advanced the position by "
                + (padded.position() - pad)
                + ", expected "
                + bytes.length);
      }
      padded.put(junk);
      final byte[] again = new byte[bytes.length];
      padded.get(pad, again);
      assertThat(again).as("%s: encoding of %s is deterministic", c, show(v)).isEqualTo(bytes);
      final ByteBuffer src = padded.duplicate().position(pad).limit(pad + bytes.length);
      final T decoded;
      try {
        decoded = c.codec.decode(src);
      } catch (RuntimeException e) {
        throw new AssertionError(
            c + ": decode of " + hex(bytes) + " (" + show(v) + ") threw " + e, e);
      }
      if (!same(v, decoded)) {
        fail(
            c
                + ": decode(encode(x)) != x for x="
                + show(v)
                + ", got "
                + show(decoded)
                + ", bytes "
                + hex(bytes));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void encodePrefix_ofLeadingComponents_isBytePrefixOfEncoding(final Case<?> c) {
    prefixIsBytePrefix(c);
  }

  private static <T> void prefixIsBytePrefix(final Case<T> c) {
    final Random r = random("encodePrefix_ofLeadingComponents_isBytePrefixOfEncoding", c);
    for (final T v : values(c, r)) {
      final byte[] full = encode(c.codec, v);
      final Object[] components = components(v);
      assertThat(components).hasSize(c.arity);
      for (int k = 1; k <= c.arity; k++) {
        final byte[] prefix = encodePrefix(c.codec, Arrays.copyOf(components, k));
        if (!startsWith(full, prefix)) {
          fail(
              c
                  + ": encodePrefix of the first "
                  + k
                  + " component(s) of "
                  + show(v)
                  + " is "
                  + hex(prefix)
                  + ", not a prefix of its encoding "
                  + hex(full));
        }
        if (k == c.arity && prefix.length != full.length) {
          fail(
              c
                  + ": encodePrefix of all components of "
                  + show(v)
                  + " is "
                  + hex(prefix)
                  + " but encode is "
                  + hex(full));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void encodePrefix_ofLeadingComponents_matchesOnlyKeysWithThoseComponents(final Case<?> c) {
    prefixMatchesOnlyItsKeys(c);
  }

  /**
   * The converse of the prefix property, which {@code KeyRange.prefix} relies on: a key's encoding
   * starts with the encoding of {@code k < arity} components only if its first {@code k} components
   * equal them (so {@code prefix("a")} of (string, string) keys never selects ("ab", ...)).
   */
  private static <T> void prefixMatchesOnlyItsKeys(final Case<T> c) {
    final Random r =
        random("encodePrefix_ofLeadingComponents_matchesOnlyKeysWithThoseComponents", c);
    final List<T> values = values(c, r);
    final List<byte[]> encoded = new ArrayList<>(values.size());
    for (final T v : values) {
      encoded.add(encode(c.codec, v));
    }
    for (int n = 0; n < RANDOM_PAIRS; n++) {
      final int i = r.nextInt(values.size());
      // half the time a key that shares the first component, to make the question interesting
      int j = r.nextInt(values.size());
      if (c.arity > 1 && r.nextBoolean()) {
        for (int tries = 0; tries < 50; tries++) {
          final int candidate = r.nextInt(values.size());
          if (same(components(values.get(candidate))[0], components(values.get(i))[0])) {
            j = candidate;
            break;
          }
        }
      }
      final Object[] ci = components(values.get(i));
      final Object[] cj = components(values.get(j));
      for (int k = 1; k < c.arity; k++) {
        final byte[] prefix = encodePrefix(c.codec, Arrays.copyOf(ci, k));
        boolean equal = true;
        for (int m = 0; m < k; m++) {
          equal &= same(ci[m], cj[m]);
        }
        if (startsWith(encoded.get(j), prefix) != equal) {
          fail(
              c
                  + ": prefix of "
                  + k
                  + " component(s) of "
                  + show(values.get(i))
                  + " = "
                  + hex(prefix)
                  + (equal ? " does not match " : " matches ")
                  + show(values.get(j))
                  + " = "
                  + hex(encoded.get(j)));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void encodeDelimited_isPrefixFreeOrderedAndDecodable(final Case<?> c) {
    delimitedForm(c);
  }

  private static <T> void delimitedForm(final Case<T> c) {
    final Random r = random("encodeDelimited_isPrefixFreeOrderedAndDecodable", c);
    assertThat(c.codec.hasDelimitedForm()).as("%s has a delimited form", c).isTrue();
    final List<T> values = values(c, r);
    final List<byte[]> delimited = new ArrayList<>(values.size());
    for (final T v : values) {
      final ByteBuffer dst = ByteBuffer.allocate(8192);
      try {
        c.codec.encodeDelimited(v, dst);
      } catch (RuntimeException e) {
        throw new AssertionError(c + ": encodeDelimited of " + show(v) + " threw " + e, e);
      }
      final byte[] bytes = Arrays.copyOf(dst.array(), dst.position());
      delimited.add(bytes);
      if (c.codec.fixedLength() >= 0) {
        assertThat(bytes)
            .as("%s: delimited form of a fixed-length key is its encoding", c)
            .isEqualTo(encode(c.codec, v));
      }
      // followed by the next component's bytes, it must read back exactly itself
      final byte[] suffix = r.nextBoolean() ? bytes(0, 1) : randomBytes(r, r.nextInt(4));
      final ByteBuffer src = ByteBuffer.allocate(bytes.length + suffix.length);
      src.put(bytes).put(suffix).flip();
      final T decoded;
      try {
        decoded = c.codec.decodeDelimited(src);
      } catch (RuntimeException e) {
        throw new AssertionError(
            c + ": decodeDelimited of " + hex(bytes) + " + " + hex(suffix) + " threw " + e, e);
      }
      if (!same(v, decoded) || src.position() != bytes.length) {
        fail(
            c
                + ": decodeDelimited of "
                + hex(bytes)
                + " + "
                + hex(suffix)
                + " gave "
                + show(decoded)
                + " at position "
                + src.position()
                + ", expected "
                + show(v)
                + " at "
                + bytes.length);
      }
    }
    assertSameOrder(c, values, delimited, c.codec.comparator(), "encodeDelimited", r);
    final List<byte[]> sorted = new ArrayList<>(delimited);
    sorted.sort(KeyCodecContractTest::unsignedCompare);
    for (int i = 1; i < sorted.size(); i++) {
      final byte[] a = sorted.get(i - 1);
      final byte[] b = sorted.get(i);
      if (a.length < b.length && startsWith(b, a)) {
        fail(c + ": delimited form is not prefix-free: " + hex(a) + " is a prefix of " + hex(b));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void decode_ofArbitraryBytes_returnsOrThrowsIllegalArgument(final Case<?> c) {
    final Random r = random("decode_ofArbitraryBytes_returnsOrThrowsIllegalArgument", c);
    for (int n = 0; n < VALUES / 10; n++) {
      final byte[] bytes = randomBytes(r, r.nextInt(48));
      for (final boolean delimited : new boolean[] {false, true}) {
        try {
          if (delimited) {
            c.codec.decodeDelimited(ByteBuffer.wrap(bytes));
          } else {
            c.codec.decode(ByteBuffer.wrap(bytes));
          }
        } catch (IllegalArgumentException expected) {
          // the documented failure
        } catch (RuntimeException e) {
          throw new AssertionError(
              c
                  + ": "
                  + (delimited ? "decodeDelimited" : "decode")
                  + " of "
                  + hex(bytes)
                  + " threw "
                  + e
                  + " instead of IllegalArgumentException",
              e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ explicit cases

  @Test
  void tupleOfStrings_abC_and_aBc_encodeDifferentlyAndOrderByFirstComponent() {
    final KeyCodec<Tuple2<String, String>> codec =
        KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.STRING);
    final Tuple2<String, String> abC = Tuple2.of("ab", "c");
    final Tuple2<String, String> aBc = Tuple2.of("a", "bc");
    final byte[] x = encode(codec, abC);
    final byte[] y = encode(codec, aBc);
    assertThat(x).isNotEqualTo(y);
    // "a" < "ab", so ("a","bc") sorts first, in bytes and by the comparator
    assertThat(unsignedCompare(y, x)).isNegative();
    assertThat(codec.comparator().compare(aBc, abC)).isNegative();
    assertThat(codec.decode(ByteBuffer.wrap(x))).isEqualTo(abC);
    assertThat(codec.decode(ByteBuffer.wrap(y))).isEqualTo(aBc);
    // the same with a NUL where naive NUL termination would collide
    final Tuple2<String, String> nul1 = Tuple2.of("a\0", "b");
    final Tuple2<String, String> nul2 = Tuple2.of("a", "\0b");
    assertThat(encode(codec, nul1)).isNotEqualTo(encode(codec, nul2));
    assertThat(unsignedCompare(encode(codec, nul2), encode(codec, nul1))).isNegative();
  }

  @Test
  void uuid_highBitUuids_orderUnsignedUnlikeUuidCompareTo() {
    final UUID high = UUID.fromString("80000000-0000-0000-0000-000000000000");
    final UUID low = UUID.fromString("00000000-0000-0000-0000-000000000001");
    final UUID highLsb = UUID.fromString("00000000-0000-0000-8000-000000000000");
    assertThat(high.compareTo(low)).as("java.util.UUID compares signed longs").isNegative();
    assertThat(KeyCodecs.UUID.comparator().compare(high, low)).isPositive();
    assertThat(unsignedCompare(encode(KeyCodecs.UUID, high), encode(KeyCodecs.UUID, low)))
        .isPositive();
    assertThat(highLsb.compareTo(low)).isNegative();
    assertThat(KeyCodecs.UUID.comparator().compare(highLsb, low)).isPositive();
    // the documented order is the public UUID_ORDER: unsigned, i.e. canonical text order
    assertThat(KeyCodecs.UUID_ORDER.compare(high, low)).isPositive();
    assertThat(KeyCodecs.UUID_ORDER.compare(highLsb, low)).isPositive();
    assertThat(encode(KeyCodecs.UUID, high))
        .isEqualTo(bytes(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void timestamp_outsideRepresentableRange_isRejectedWithIllegalArgument() {
    for (final Instant outside :
        List.of(
            Instant.MIN,
            Instant.MAX,
            KeyCodecs.TIMESTAMP_MAX.plusNanos(1),
            KeyCodecs.TIMESTAMP_MIN.minusNanos(1),
            Instant.parse("1600-01-01T00:00:00Z"),
            Instant.parse("2300-01-01T00:00:00Z"))) {
      assertThatThrownBy(() -> encode0(KeyCodecs.TIMESTAMP, outside))
          .as("encode %s", outside)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("range");
      final KeyCodec<Tuple2<UUID, Instant>> tuple =
          KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);
      assertThatThrownBy(() -> encode0(tuple, Tuple2.of(new UUID(1, 2), outside)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void timestamp_documentedRangeBounds_encodeFirstAndLastAndRoundTrip() {
    assertThat(KeyCodecs.TIMESTAMP_MIN).isEqualTo(Instant.parse("1677-09-21T00:12:43.145224192Z"));
    assertThat(KeyCodecs.TIMESTAMP_MAX).isEqualTo(Instant.parse("2262-04-11T23:47:16.854775807Z"));
    assertThat(encode(KeyCodecs.TIMESTAMP, KeyCodecs.TIMESTAMP_MIN)).isEqualTo(new byte[8]);
    assertThat(encode(KeyCodecs.TIMESTAMP, KeyCodecs.TIMESTAMP_MAX))
        .isEqualTo(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    for (final Instant edge :
        List.of(
            KeyCodecs.TIMESTAMP_MIN,
            KeyCodecs.TIMESTAMP_MIN.plusMillis(999),
            KeyCodecs.TIMESTAMP_MAX)) {
      assertThat(KeyCodecs.TIMESTAMP.decode(ByteBuffer.wrap(encode(KeyCodecs.TIMESTAMP, edge))))
          .isEqualTo(edge);
    }
  }

  @Test
  void string_unpairedSurrogate_isRejectedWithIllegalArgument() {
    final KeyCodec<Tuple2<String, String>> tuple =
        KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.STRING);
    for (final String bad :
        List.of("\uD800", "\uDC00", "a\uD83D", "\uDE00a", "a\uDC00\uD800b", "\uD83D\uD83D")) {
      assertThatThrownBy(() -> encode0(KeyCodecs.STRING, bad))
          .as("encode %s", show(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("surrogate");
      assertThatThrownBy(() -> KeyCodecs.STRING.encodeDelimited(bad, ByteBuffer.allocate(64)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> encode0(tuple, Tuple2.of(bad, "x")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> encode0(tuple, Tuple2.of("x", bad)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void string_order_isCodePointOrderNotUtf16Order() {
    final String bmpTop = "\uFFFF";
    final String emoji = "\uD83D\uDE00"; // U+1F600, above U+FFFF
    assertThat(bmpTop.compareTo(emoji)).as("String.compareTo compares UTF-16 units").isPositive();
    assertThat(KeyCodecs.STRING.comparator().compare(bmpTop, emoji)).isNegative();
    assertThat(KeyCodecs.STRING_ORDER.compare(bmpTop, emoji)).isNegative();
    assertThat(unsignedCompare(encode(KeyCodecs.STRING, bmpTop), encode(KeyCodecs.STRING, emoji)))
        .isNegative();
  }

  @Test
  void encodings_matchTheDocumentedByteLayouts() {
    assertThat(encode(KeyCodecs.INT, 0)).isEqualTo(bytes(0x80, 0, 0, 0));
    assertThat(encode(KeyCodecs.INT, -1)).isEqualTo(bytes(0x7F, 0xFF, 0xFF, 0xFF));
    assertThat(encode(KeyCodecs.INT, Integer.MIN_VALUE)).isEqualTo(bytes(0, 0, 0, 0));
    assertThat(encode(KeyCodecs.LONG, 1L)).isEqualTo(bytes(0x80, 0, 0, 0, 0, 0, 0, 1));
    assertThat(encode(KeyCodecs.LONG, Long.MIN_VALUE)).isEqualTo(new byte[8]);
    assertThat(encode(KeyCodecs.TIMESTAMP, Instant.EPOCH))
        .isEqualTo(bytes(0x80, 0, 0, 0, 0, 0, 0, 0));
    assertThat(encode(KeyCodecs.TIMESTAMP, Instant.EPOCH.minusNanos(1)))
        .isEqualTo(bytes(0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    assertThat(encode(KeyCodecs.UUID, UUID.fromString("00112233-4455-6677-8899-aabbccddeeff")))
        .isEqualTo(
            bytes(
                0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD,
                0xEE, 0xFF));
    assertThat(encode(KeyCodecs.STRING, "a\0\u00E9")).isEqualTo(bytes('a', 0, 0xC3, 0xA9));
    assertThat(encode(KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.INT), Tuple2.of("a\0", 1)))
        .isEqualTo(bytes('a', 0x00, 0xFF, 0x00, 0x01, 0x80, 0, 0, 1));
    assertThat(
            encode(
                KeyCodecs.tuple(KeyCodecs.BYTES, KeyCodecs.BYTES),
                Tuple2.of(bytes(0xFF, 0), bytes(0))))
        .isEqualTo(bytes(0xFF, 0x00, 0xFF, 0x00, 0x01, 0x00));
    assertThat(encode(KeyCodecs.fixedBytes(3), bytes(0, 0xFF, 7))).isEqualTo(bytes(0, 0xFF, 7));
  }

  @Test
  void codecIds_areStable() {
    assertThat(KeyCodecs.UUID.id()).isEqualTo("uuid");
    assertThat(KeyCodecs.TIMESTAMP.id()).isEqualTo("timestamp");
    assertThat(KeyCodecs.LONG.id()).isEqualTo("int64");
    assertThat(KeyCodecs.INT.id()).isEqualTo("int32");
    assertThat(KeyCodecs.STRING.id()).isEqualTo("utf8");
    assertThat(KeyCodecs.BYTES.id()).isEqualTo("bytes");
    assertThat(KeyCodecs.fixedBytes(7).id()).isEqualTo("bytes7");
    assertThat(KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP).id())
        .isEqualTo("tuple(uuid,timestamp)");
    assertThat(KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.INT, KeyCodecs.BYTES).id())
        .isEqualTo("tuple(utf8,int32,bytes)");
  }

  @Test
  void tuple_variableLengthComponentWithoutDelimitedForm_isRejectedUnlessLast() {
    final KeyCodec<String> undelimited =
        new KeyCodec<>() {
          @Override
          public String id() {
            return "raw";
          }

          @Override
          public Comparator<String> comparator() {
            return KeyCodecs.STRING_ORDER;
          }

          @Override
          public int fixedLength() {
            return -1;
          }

          @Override
          public void encode(final String key, final ByteBuffer dst) {
            KeyCodecs.STRING.encode(key, dst);
          }

          @Override
          public String decode(final ByteBuffer src) {
            return KeyCodecs.STRING.decode(src);
          }

          @Override
          public Class<?> keyType() {
            return String.class;
          }
        };
    assertThatThrownBy(() -> KeyCodecs.tuple(undelimited, KeyCodecs.INT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("raw");
    assertThat(KeyCodecs.tuple(KeyCodecs.INT, undelimited).id()).isEqualTo("tuple(int32,raw)");
  }

  @Test
  void encodePrefix_withTooManyComponentsOrWrongType_throwsIllegalArgument() {
    final KeyCodec<Tuple2<UUID, Instant>> codec =
        KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);
    final ByteBuffer dst = ByteBuffer.allocate(64);
    assertThatThrownBy(
            () -> codec.encodePrefix(new Object[] {new UUID(1, 1), Instant.EPOCH, 3}, dst))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> codec.encodePrefix(new Object[] {}, dst.clear()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> codec.encodePrefix(new Object[] {"not a uuid"}, dst.clear()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UUID");
    assertThatThrownBy(() -> KeyCodecs.LONG.encodePrefix(new Object[] {1}, dst.clear()))
        .as("an Integer is not a Long")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyCodecs.LONG.encodePrefix(new Object[] {1L, 2L}, dst.clear()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fixedBytes_lengthOutOfRangeOrWrongKeyLength_throwsIllegalArgument() {
    assertThatThrownBy(() -> KeyCodecs.fixedBytes(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyCodecs.fixedBytes(512))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(KeyCodecs.fixedBytes(511).fixedLength()).isEqualTo(511);
    assertThatThrownBy(() -> encode0(KeyCodecs.fixedBytes(4), new byte[3]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyCodecs.fixedBytes(4).decode(ByteBuffer.wrap(new byte[5])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ helpers

  private static Random random(final String test, final Case<?> c) {
    return new Random(TestSeed.seed("KeyCodecContractTest." + test + "[" + c + "]"));
  }

  /** The edge values, then random ones. */
  private static <T> List<T> values(final Case<T> c, final Random r) {
    final List<T> values = new ArrayList<>(c.edges.size() + VALUES);
    values.addAll(c.edges);
    for (int i = 0; i < VALUES; i++) {
      values.add(c.gen.next(r));
    }
    return values;
  }

  /**
   * Checks that sign(unsigned compare of {@code encoded}) == sign({@code order}) on every pair of
   * neighbours in {@code order} (which, by transitivity, covers all pairs) and on random pairs.
   */
  private static <T> void assertSameOrder(
      final Case<T> c,
      final List<T> values,
      final List<byte[]> encoded,
      final Comparator<T> order,
      final String form,
      final Random r) {
    final Integer[] index = new Integer[values.size()];
    for (int i = 0; i < index.length; i++) {
      index[i] = i;
    }
    Arrays.sort(index, (i, j) -> order.compare(values.get(i), values.get(j)));
    for (int n = 1; n < index.length; n++) {
      checkPair(c, values, encoded, order, form, index[n - 1], index[n]);
    }
    for (int n = 0; n < RANDOM_PAIRS; n++) {
      checkPair(
          c, values, encoded, order, form, r.nextInt(values.size()), r.nextInt(values.size()));
    }
  }

  private static <T> void checkPair(
      final Case<T> c,
      final List<T> values,
      final List<byte[]> encoded,
      final Comparator<T> order,
      final String form,
      final int i,
      final int j) {
    final int expected = Integer.signum(order.compare(values.get(i), values.get(j)));
    final int actual = Integer.signum(unsignedCompare(encoded.get(i), encoded.get(j)));
    if (expected != actual) {
      fail(
          c
              + ": "
              + form
              + " order disagrees with comparator(): "
              + show(values.get(i))
              + " vs "
              + show(values.get(j))
              + " compare "
              + expected
              + " but their bytes "
              + hex(encoded.get(i))
              + " vs "
              + hex(encoded.get(j))
              + " compare "
              + actual);
    }
  }

  private static <T> byte[] encode(final KeyCodec<T> codec, final T value) {
    try {
      return encode0(codec, value);
    } catch (RuntimeException e) {
      throw new AssertionError(codec.id() + " cannot encode " + show(value) + ": " + e, e);
    }
  }

  private static <T> byte[] encode0(final KeyCodec<T> codec, final T value) {
    final ByteBuffer dst = ByteBuffer.allocate(8192);
    codec.encode(value, dst);
    return Arrays.copyOf(dst.array(), dst.position());
  }

  private static byte[] encodePrefix(final KeyCodec<?> codec, final Object[] components) {
    final ByteBuffer dst = ByteBuffer.allocate(8192);
    try {
      codec.encodePrefix(components, dst);
    } catch (RuntimeException e) {
      throw new AssertionError(
          codec.id() + " cannot encode the prefix " + show(components) + ": " + e, e);
    }
    return Arrays.copyOf(dst.array(), dst.position());
  }

  /** Unsigned lexicographic comparison, shorter first on a tie: LMDB's default key order. */
  static int unsignedCompare(final byte[] a, final byte[] b) {
    final int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      final int x = a[i] & 0xFF;
      final int y = b[i] & 0xFF;
      if (x != y) {
        return x < y ? -1 : 1;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  private static boolean startsWith(final byte[] bytes, final byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static Object[] components(final Object key) {
    if (key instanceof Tuple2<?, ?> t) {
      return new Object[] {t.first(), t.second()};
    }
    if (key instanceof Tuple3<?, ?, ?> t) {
      return new Object[] {t.first(), t.second(), t.third()};
    }
    if (key instanceof Tuple4<?, ?, ?, ?> t) {
      return new Object[] {t.first(), t.second(), t.third(), t.fourth()};
    }
    return new Object[] {key};
  }

  /** Equality that compares byte arrays by content, also inside tuples. */
  private static boolean same(final Object a, final Object b) {
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    if (a instanceof Record && b instanceof Record && a.getClass() == b.getClass()) {
      final Object[] x = components(a);
      final Object[] y = components(b);
      for (int i = 0; i < x.length; i++) {
        if (!same(x[i], y[i])) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private static String hex(final byte[] bytes) {
    return TestText.hex(bytes);
  }

  private static String show(final Object value) {
    return TestText.show(value);
  }
}
