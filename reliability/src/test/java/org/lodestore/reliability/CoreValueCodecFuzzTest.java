package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.lodestore.core.codec.ValueCodecs;

/**
 * Fuzzes store-core's value codecs (bytes, UTF-8 strings, UUIDs, longs, zero-copy views) with
 * arbitrary stored bytes, directly and through a table: values or {@code CorruptValueException}
 * only, and whatever decodes round-trips. Regression inputs: {@code
 * .../CoreValueCodecFuzzTestInputs/decode/}.
 */
class CoreValueCodecFuzzTest {

  private static final AtomicLong RUNS = new AtomicLong();

  @AfterAll
  static void report() {
    FuzzSupport.report("core-value-codecs", RUNS.get());
  }

  @FuzzTest(maxDuration = "60s")
  void decode(final byte[] input) {
    RUNS.incrementAndGet();
    final byte[] bytes =
        FuzzSupport.checkDecoder("fuzz-core-bytes", ValueCodecs.BYTES, input, false, v -> {});
    assertThat(bytes).isEqualTo(input);
    final String text =
        FuzzSupport.checkDecoder("fuzz-core-utf8", ValueCodecs.STRING, input, false, v -> {});
    if (text != null) {
      // lenient decoding; what it produced encodes and decodes to itself
      final ByteBuffer e = ValueCodecs.STRING.encode(text);
      final byte[] encoded = new byte[e.remaining()];
      e.get(encoded);
      assertThat(ValueCodecs.STRING.decode(FuzzSupport.stored(encoded))).isEqualTo(text);
    }
    final UUID uuid =
        FuzzSupport.checkDecoder("fuzz-core-uuid", ValueCodecs.UUID, input, false, v -> {});
    if (uuid != null) {
      assertThat(array(ValueCodecs.UUID.encode(uuid))).isEqualTo(input);
    }
    final Long number =
        FuzzSupport.checkDecoder("fuzz-core-int64", ValueCodecs.LONG, input, false, v -> {});
    if (number != null) {
      assertThat(array(ValueCodecs.LONG.encode(number))).isEqualTo(input);
    }
    FuzzSupport.checkDecoder(
        "fuzz-core-view",
        ValueCodecs.VIEW,
        input,
        false,
        view -> assertThat(array(view.duplicate())).isEqualTo(input));
  }

  private static byte[] array(final ByteBuffer b) {
    final byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
