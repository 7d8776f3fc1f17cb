package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;

/**
 * A key of the wrong length is reported as what it is after HotSpot's C2 compiled the length check
 * with neither limit ever exceeded. Seen on 17.0.15: C2 folded the two tests into one and an
 * overlong key came out as "key encodes to zero bytes" (an {@link InvalidKeyException} instead of
 * {@link KeyTooLongException}). Before the fix this test failed about one run in three, and every
 * run with {@code -Dlodestore.testArgs="-Xbatch -XX:-TieredCompilation"}. Its shape matters (the
 * warm-up loop and the bad key in one method, the codecs in locals, the catch in place): it is what
 * C2 compiled wrongly.
 */
class KeyLengthJitTest {

  @Test
  void overlongKey_afterTheCheckIsCompiled_isKeyTooLong() {
    final Random r = new Random(1);
    final KeyCodec<Tuple2<Integer, String>> is = KeyCodecs.tuple(KeyCodecs.INT, KeyCodecs.STRING);
    final KeyCodec<Tuple2<UUID, Instant>> ut = KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);
    long sum = 0;
    for (int i = 0; i < 3_000_000; i++) {
      switch (i % 4) {
        case 0:
          sum +=
              Encoding.key("t", is, Tuple2.of(r.nextInt(), "ab"), Encoding.keyBuffer()).remaining();
          break;
        case 1:
          sum +=
              Encoding.key(
                      "t",
                      ut,
                      Tuple2.of(new UUID(r.nextLong(), 1), Instant.ofEpochSecond(r.nextInt(1000))),
                      Encoding.keyBuffer())
                  .remaining();
          break;
        case 2:
          sum +=
              Encoding.key(
                      "t",
                      KeyCodecs.BYTES,
                      new byte[] {1, (byte) r.nextInt()},
                      Encoding.keyBuffer())
                  .remaining();
          break;
        default:
          sum +=
              Encoding.key("t", KeyCodecs.STRING, "s" + (i & 7), Encoding.keyBuffer()).remaining();
          break;
      }
    }
    String outcome;
    try {
      Encoding.key("names", KeyCodecs.STRING, "x".repeat(600), Encoding.keyBuffer());
      outcome = "accepted";
    } catch (KeyTooLongException e) {
      outcome = "ok " + e.getMessage();
    } catch (RuntimeException e) {
      outcome = "wrong: " + e;
    }
    assertThat(outcome).as("after %d valid bytes", sum).startsWith("ok key encodes to 600 bytes");
  }
}
