package org.lodestore.serializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lodestore.serializers.TestBuffers.bytes;

import com.fasterxml.jackson.core.type.TypeReference;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.serializers.TestTypes.Exchange;
import org.lodestore.serializers.TestTypes.Point;
import org.lodestore.testsupport.TestSeed;
import org.lodestore.testsupport.fbs.Market;
import org.lodestore.testsupport.fbs.Tick;

/**
 * Feeds every decoder random bytes and mangled valid encodings (truncated, bit-flipped, spliced,
 * padded), each in a read-only direct buffer of exactly its length as the store passes them, and
 * checks that a decoder either returns a value or throws {@link CorruptValueException}: never an
 * {@link IndexOutOfBoundsException}, a Jackson exception or an {@link Error}.
 *
 * <p>The seed is printed ({@link TestSeed}); replay a failure with {@code -Dlodestore.seed=<seed>}
 * (through Maven: {@code -Dlodestore.testArgs=-Dlodestore.seed=<seed>}). {@code
 * -Dlodestore.fuzz.inputs=<n>} changes the number of inputs per decoder (default 10,000).
 */
class CodecFuzzTest {

  private static final long SEED = TestSeed.seed("CodecFuzzTest");
  private static final int INPUTS = Integer.getInteger("lodestore.fuzz.inputs", 10_000);
  private static final int MAX_RANDOM_LENGTH = 300;

  /** One decoder under test, with valid encodings to mangle. */
  private record Subject<T>(
      String name,
      ValueCodec<T> codec,
      List<byte[]> samples,
      Class<? extends RuntimeException> allowed,
      Consumer<T> reader) {

    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void printInputs() {
    System.out.println("CodecFuzzTest inputs=" + INPUTS + " per decoder");
  }

  static Stream<Subject<?>> decoders() {
    final List<Subject<?>> subjects = new ArrayList<>();

    final CborCodec<Exchange> cborExchange = CborCodec.of(Exchange.class);
    subjects.add(
        subject("cbor record", cborExchange, cborExchange.encode(TestTypes.sampleExchange())));
    final CborCodec<Point> cborPoint = CborCodec.of(Point.class);
    subjects.add(
        subject("cbor small record", cborPoint, cborPoint.encode(new Point("abc", 42, true))));
    final CborCodec<Map<String, Object>> cborMap =
        CborCodec.of(new TypeReference<Map<String, Object>>() {});
    subjects.add(
        subject(
            "cbor map",
            cborMap,
            cborMap.encode(Map.of("a", List.of(1, 2.5, "x"), "b", Map.of("c", new byte[] {1})))));
    final CborCodec<Object> cborAny = CborCodec.of(Object.class);
    subjects.add(subject("cbor untyped", cborAny, cborAny.encode(List.of(Map.of("k", -1L), "s"))));
    final CborCodec<UUID> cborUuid = CborCodec.of(UUID.class);
    subjects.add(subject("cbor uuid", cborUuid, cborUuid.encode(UUID.randomUUID())));
    final CborCodec<Instant> cborInstant = CborCodec.of(Instant.class);
    subjects.add(subject("cbor instant", cborInstant, cborInstant.encode(Instant.now())));
    final CborCodec<BigDecimal> cborDecimal = CborCodec.of(BigDecimal.class);
    subjects.add(
        subject("cbor decimal", cborDecimal, cborDecimal.encode(new BigDecimal("-12.5e-3"))));

    final JsonCodec<Exchange> json = JsonCodec.of(Exchange.class);
    subjects.add(subject("json record", json, json.encode(TestTypes.sampleExchange())));

    final FlatBuffersCodec<Market> markets =
        FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
    subjects.add(
        new Subject<>(
            "flatbuffers market",
            markets,
            List.of(Markets.bytes("Bitcoin / Euro", 61_234.5, 7), Markets.bytes("", 0, 0)),
            CorruptValueException.class,
            CodecFuzzTest::readEveryField));
    final FlatBuffersCodec<Tick> ticks = FlatBuffersCodec.of(Tick::getRootAsTick, Tick::new);
    subjects.add(
        new Subject<>(
            "flatbuffers tick",
            ticks,
            List.of(Markets.bytes("m", 1, 1)),
            CorruptValueException.class,
            t -> t.price()));
    final FlatBuffersCodec<Market> identified = markets.withFileIdentifier("LSMK");
    subjects.add(
        subject(
            "flatbuffers market with identifier",
            identified,
            identified.encode(identified.build(b -> Markets.write(b, "m", 1, 1)))));

    // store-core's codecs report a wrong length with IllegalArgumentException, which Table turns
    // into CorruptValueException naming the table and key (ValueCodec's contract).
    subjects.add(
        coreSubject("core bytes", ValueCodecs.BYTES, ValueCodecs.BYTES.encode(new byte[] {1, 2})));
    subjects.add(
        coreSubject("core string", ValueCodecs.STRING, ValueCodecs.STRING.encode("h\u00e9llo")));
    subjects.add(
        coreSubject("core uuid", ValueCodecs.UUID, ValueCodecs.UUID.encode(UUID.randomUUID())));
    subjects.add(coreSubject("core long", ValueCodecs.LONG, ValueCodecs.LONG.encode(-7L)));
    subjects.add(coreSubject("core view", ValueCodecs.VIEW, ByteBuffer.wrap(new byte[] {9, 8, 7})));
    return subjects.stream();
  }

  private static <T> Subject<T> subject(
      final String name, final ValueCodec<T> codec, final ByteBuffer sample) {
    return new Subject<>(name, codec, List.of(bytes(sample)), CorruptValueException.class, v -> {});
  }

  private static <T> Subject<T> coreSubject(
      final String name, final ValueCodec<T> codec, final ByteBuffer sample) {
    return new Subject<>(
        name, codec, List.of(bytes(sample)), IllegalArgumentException.class, v -> {});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decoders")
  <T> void decode_randomAndMangledBytes_throwsOnlyCorruptValueException(final Subject<T> subject) {
    final SplittableRandom random = new SplittableRandom(SEED ^ subject.name().hashCode());
    final ByteBuffer memory = ByteBuffer.allocateDirect(64 * 1024);
    int decoded = 0;
    int corrupt = 0;
    int lateFailures = 0;
    for (int i = 0; i < INPUTS; i++) {
      final byte[] input = nextInput(random, subject.samples());
      memory.clear().put(input);
      final ByteBuffer src = memory.slice(0, input.length).asReadOnlyBuffer();
      final T value;
      try {
        value = subject.codec().decode(src);
      } catch (CorruptValueException e) {
        corrupt++;
        continue;
      } catch (Throwable t) {
        if (subject.allowed().isInstance(t)) {
          corrupt++;
          continue;
        }
        throw failure(subject, i, input, "decode", t);
      }
      decoded++;
      assertThat(value).as("decode never returns null").isNotNull();
      try {
        subject.reader().accept(value);
      } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
        // FlatBuffers fields past the structural check fail on the buffer's bounds (documented).
        lateFailures++;
      } catch (Throwable t) {
        throw failure(subject, i, input, "reading fields of the decoded view", t);
      }
    }
    System.out.printf(
        "%-36s %,d inputs: %,d decoded, %,d corrupt, %,d failed on field access%n",
        subject.name(), INPUTS, decoded, corrupt, lateFailures);
    assertThat(decoded + corrupt).isEqualTo(INPUTS);
  }

  private static AssertionError failure(
      final Subject<?> subject,
      final int index,
      final byte[] input,
      final String stage,
      final Throwable t) {
    return new AssertionError(
        String.format(
            "%s: %s of input #%d threw %s (seed %d, replay with -D"
                + TestSeed.PROPERTY
                + "=%d)%ninput:"
                + " %s",
            subject.name(),
            stage,
            index,
            t,
            SEED,
            SEED,
            TestBuffers.hex(input)),
        t);
  }

  /** Random bytes, or a sample truncated, bit-flipped, spliced with random bytes, or padded. */
  private static byte[] nextInput(final SplittableRandom random, final List<byte[]> samples) {
    final byte[] sample = samples.get(random.nextInt(samples.size()));
    switch (random.nextInt(6)) {
      case 0:
        return randomBytes(random, random.nextInt(random.nextBoolean() ? 16 : MAX_RANDOM_LENGTH));
      case 1:
        return Arrays.copyOf(sample, random.nextInt(sample.length + 1));
      case 2:
        {
          final byte[] flipped = sample.clone();
          for (int n = 1 + random.nextInt(4); n > 0 && flipped.length > 0; n--) {
            flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
          }
          return flipped;
        }
      case 3:
        {
          final byte[] mangled = sample.clone();
          if (mangled.length > 0) {
            mangled[random.nextInt(mangled.length)] = (byte) random.nextInt(256);
          }
          return Arrays.copyOf(mangled, random.nextInt(mangled.length + 1));
        }
      case 4:
        {
          final int cut = random.nextInt(sample.length + 1);
          final byte[] tail = randomBytes(random, random.nextInt(32));
          final byte[] spliced = Arrays.copyOf(sample, cut + tail.length);
          System.arraycopy(tail, 0, spliced, cut, tail.length);
          return spliced;
        }
      default:
        {
          final byte[] padded = Arrays.copyOf(sample, sample.length + 1 + random.nextInt(8));
          if (random.nextBoolean()) {
            padded[sample.length] = (byte) random.nextInt(256);
          }
          return padded;
        }
    }
  }

  private static byte[] randomBytes(final SplittableRandom random, final int length) {
    final byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static void readEveryField(final Market m) {
    m.oid();
    m.exchangeOid();
    m.name();
    m.symbol();
    m.price();
    m.quantity();
    m.createdNanos();
    m.side();
    for (int j = 0; j < Math.min(m.tagsLength(), 64); j++) {
      m.tags(j).getBytes(StandardCharsets.UTF_8);
    }
    for (int j = 0; j < Math.min(m.payloadLength(), 64); j++) {
      m.payload(j);
    }
    m.payloadAsByteBuffer();
    final Tick tick = m.lastTick();
    if (tick != null) {
      tick.price();
      tick.timeNanos();
    }
  }
}
