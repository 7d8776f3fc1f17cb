package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.lodestore.reliability.FuzzSupport.Doc;
import org.lodestore.serializers.JsonCodec;

/**
 * Fuzzes the JSON decoder with arbitrary bytes: into a record and into a generic map, directly and
 * through a table. Only values or {@code CorruptValueException}; a decoded value survives a round
 * trip. Regression inputs: {@code .../JsonDecoderFuzzTestInputs/decode/}.
 */
class JsonDecoderFuzzTest {

  private static final AtomicLong RUNS = new AtomicLong();

  @AfterAll
  static void report() {
    FuzzSupport.report("json", RUNS.get());
  }

  private static final JsonCodec<Doc> DOC = JsonCodec.of(Doc.class);
  private static final JsonCodec<Map<String, Object>> MAP =
      JsonCodec.of(new TypeReference<Map<String, Object>>() {});

  @FuzzTest(maxDuration = "60s")
  void decode(final byte[] input) {
    RUNS.incrementAndGet();
    final Doc doc = FuzzSupport.checkDecoder("fuzz-json-doc", DOC, input, true, v -> {});
    if (doc != null && !CborDecoderFuzzTest.hasLoneSurrogate(doc.toString())) {
      assertThat(DOC.decode(FuzzSupport.stored(CborDecoderFuzzTest.bytes(DOC.encode(doc)))))
          .isEqualTo(doc);
    }
    final Map<String, Object> map =
        FuzzSupport.checkDecoder("fuzz-json-map", MAP, input, true, v -> {});
    if (map != null) {
      final Map<String, Object> back =
          MAP.decode(FuzzSupport.stored(CborDecoderFuzzTest.bytes(MAP.encode(map))));
      assertThat(CborDecoderFuzzTest.bytes(MAP.encode(back)))
          .isEqualTo(CborDecoderFuzzTest.bytes(MAP.encode(map)));
    }
  }
}
