package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;

/**
 * Fuzzes every key codec's {@code decode} (and so the delimited forms inside tuples) with arbitrary
 * bytes. The first byte picks the codec, the second where the rest splits into two encodings. The
 * contract ({@code KeyCodec}): decode returns a key or throws {@link IllegalArgumentException}; a
 * decoded key re-encodes to bytes that decode to an equal key; and for two decoded keys, the
 * unsigned byte order of their encodings equals the codec's comparator. Regression inputs: {@code
 * .../KeyCodecFuzzTestInputs/decodeKeys/}.
 */
class KeyCodecFuzzTest {

  private static final AtomicLong RUNS = new AtomicLong();

  @AfterAll
  static void report() {
    FuzzSupport.report("key-codecs", RUNS.get());
  }

  static final List<KeyCodec<?>> CODECS =
      List.of(
          KeyCodecs.UUID,
          KeyCodecs.TIMESTAMP,
          KeyCodecs.LONG,
          KeyCodecs.INT,
          KeyCodecs.STRING,
          KeyCodecs.BYTES,
          KeyCodecs.fixedBytes(3),
          KeyCodecs.descending(KeyCodecs.STRING),
          KeyCodecs.descending(KeyCodecs.LONG),
          KeyCodecs.descending(KeyCodecs.BYTES),
          KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
          KeyCodecs.tuple(KeyCodecs.TIMESTAMP, KeyCodecs.UUID),
          KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.UUID),
          KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.STRING),
          KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.UUID),
          KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.STRING),
          KeyCodecs.tuple(KeyCodecs.BYTES, KeyCodecs.descending(KeyCodecs.TIMESTAMP)),
          KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.descending(KeyCodecs.STRING), KeyCodecs.INT),
          KeyCodecs.tuple(
              KeyCodecs.LONG,
              KeyCodecs.BYTES,
              KeyCodecs.descending(KeyCodecs.UUID),
              KeyCodecs.STRING));

  @FuzzTest(maxDuration = "60s")
  void decodeKeys(final byte[] input) {
    RUNS.incrementAndGet();
    if (input.length < 2) {
      return;
    }
    final KeyCodec<?> codec = CODECS.get((input[0] & 0xFF) % CODECS.size());
    final int split = 2 + (input[1] & 0xFF) % (input.length - 1);
    final byte[] a = Arrays.copyOfRange(input, 2, split);
    final byte[] b = Arrays.copyOfRange(input, split, input.length);
    check(codec, a, b);
  }

  private static <K> void check(final KeyCodec<K> codec, final byte[] a, final byte[] b) {
    final K ka = decode(codec, a);
    final K kb = decode(codec, b);
    final byte[] ea = ka == null ? null : roundTrip(codec, ka);
    final byte[] eb = kb == null ? null : roundTrip(codec, kb);
    if (ea != null && eb != null) {
      final int byKeys = Integer.signum(codec.comparator().compare(ka, kb));
      final int byBytes = Integer.signum(Arrays.compareUnsigned(ea, eb));
      assertThat(byBytes)
          .as("%s: order of encodings %s / %s vs comparator", codec.id(), hex(ea), hex(eb))
          .isEqualTo(byKeys);
    }
  }

  private static <K> K decode(final KeyCodec<K> codec, final byte[] bytes) {
    try {
      return codec.decode(FuzzSupport.stored(bytes));
    } catch (IllegalArgumentException e) {
      return null; // the documented refusal
    } catch (RuntimeException e) {
      throw new AssertionError(
          codec.id()
              + " decode of "
              + hex(bytes)
              + " threw "
              + e
              + " instead of IllegalArgumentException",
          e);
    }
  }

  private static <K> byte[] roundTrip(final KeyCodec<K> codec, final K key) {
    final ByteBuffer dst = ByteBuffer.allocate(8192);
    codec.encode(key, dst);
    dst.flip();
    final byte[] encoded = new byte[dst.remaining()];
    dst.get(encoded);
    final K again = codec.decode(FuzzSupport.stored(encoded));
    assertThat(codec.comparator().compare(again, key))
        .as("%s: %s re-encoded as %s decodes to %s", codec.id(), key, hex(encoded), again)
        .isZero();
    return encoded;
  }

  static String hex(final byte[] bytes) {
    final StringBuilder sb = new StringBuilder("0x");
    for (final byte x : bytes) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }
}
