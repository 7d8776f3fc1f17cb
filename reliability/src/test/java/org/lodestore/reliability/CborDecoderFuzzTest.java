package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.lodestore.reliability.FuzzSupport.Doc;
import org.lodestore.serializers.CborCodec;

/**
 * Fuzzes the CBOR decoder with arbitrary bytes: into a record and into a generic map, directly and
 * through a table. Only values or {@code CorruptValueException}; a decoded value survives an
 * encode/decode round trip unchanged. Regression inputs: {@code
 * src/test/resources/org/lodestore/reliability/CborDecoderFuzzTestInputs/decode/}.
 */
class CborDecoderFuzzTest {

  private static final AtomicLong RUNS = new AtomicLong();

  @AfterAll
  static void report() {
    FuzzSupport.report("cbor", RUNS.get());
  }

  private static final CborCodec<Doc> DOC = CborCodec.of(Doc.class);
  private static final CborCodec<Map<String, Object>> MAP =
      CborCodec.of(new TypeReference<Map<String, Object>>() {});

  @FuzzTest(maxDuration = "60s")
  void decode(final byte[] input) {
    RUNS.incrementAndGet();
    final Doc doc = FuzzSupport.checkDecoder("fuzz-cbor-doc", DOC, input, true, v -> {});
    if (doc != null) { // every typed value that decodes re-encodes and decodes equal
      final byte[] again = bytes(DOC.encode(doc));
      assertThat(DOC.decode(FuzzSupport.stored(again))).isEqualTo(doc);
    }
    final Map<String, Object> map =
        FuzzSupport.checkDecoder("fuzz-cbor-map", MAP, input, true, v -> {});
    if (map != null && !hasLoneSurrogate(map.toString())) {
      final byte[] again = bytes(MAP.encode(map));
      final Map<String, Object> back = MAP.decode(FuzzSupport.stored(again));
      assertThat(Arrays.equals(bytes(MAP.encode(back)), again))
          .as("CBOR map re-encodes identically")
          .isTrue();
    }
  }

  /** Whether {@code s} has a surrogate char that is not part of a pair (no UTF-8 form). */
  static boolean hasLoneSurrogate(final String s) {
    for (int i = 0; i < s.length(); i++) {
      final char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  static byte[] bytes(final java.nio.ByteBuffer b) {
    final byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
