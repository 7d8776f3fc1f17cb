package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.testsupport.fbs.Market;
import org.lodestore.testsupport.fbs.Tick;
import org.lodestore.testsupport.fbs.Uuid;

/**
 * Fuzzes the FlatBuffers codec's structural check with arbitrary bytes, without and with a file
 * identifier, directly and through a table (zero-copy views over LMDB memory). Bytes that pass the
 * check decode to a table whose every accessor is then called: the generated code may throw (the
 * bytes are nonsense) but reads stay inside the value's view, so the JVM never crashes; {@code
 * copyOf} of a decoded value works. Regression inputs: {@code
 * .../FlatBuffersDecoderFuzzTestInputs/decode/}.
 */
class FlatBuffersDecoderFuzzTest {

  private static final AtomicLong RUNS = new AtomicLong();

  @AfterAll
  static void report() {
    FuzzSupport.report("flatbuffers", RUNS.get());
  }

  private static final FlatBuffersCodec<Market> PLAIN =
      FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
  private static final FlatBuffersCodec<Market> IDENTIFIED = PLAIN.withFileIdentifier("LSMK");

  @FuzzTest(maxDuration = "60s")
  void decode(final byte[] input) {
    RUNS.incrementAndGet();
    for (final FlatBuffersCodec<Market> codec : List.of(PLAIN, IDENTIFIED)) {
      final Market direct =
          FuzzSupport.checkDecoder(
              "fuzz-fbs-" + codec.id().replace(':', '-'),
              codec,
              input,
              true,
              FlatBuffersDecoderFuzzTest::readAll);
      if (direct != null) {
        readAll(direct);
        final Market copy = codec.copyOf(direct);
        assertThat(codec.toBytes(copy)).isEqualTo(codec.toBytes(direct));
      }
    }
  }

  /** Calls every accessor; the generated code's own exceptions are the bytes' fault. */
  static long readAll(final Market m) {
    long sum = 0;
    try {
      sum += (long) m.price() + m.quantity() + m.createdNanos() + m.side();
      sum += length(m.name()) + length(m.symbol());
      final Uuid oid = m.oid();
      if (oid != null) {
        sum += oid.msb() ^ oid.lsb();
      }
      final Uuid exchange = m.exchangeOid();
      if (exchange != null) {
        sum += exchange.msb();
      }
      for (int i = 0, n = Math.min(m.tagsLength(), 16); i < n; i++) {
        sum += length(m.tags(i));
      }
      for (int i = 0, n = Math.min(m.payloadLength(), 64); i < n; i++) {
        sum += m.payload(i);
      }
      final Tick tick = m.lastTick();
      if (tick != null) {
        sum += tick.timeNanos() + (long) tick.price() + (long) tick.size();
      }
    } catch (RuntimeException e) {
      // bounds-checked reads of nonsense: IndexOutOfBounds, bad UTF-8 ...
    }
    return sum;
  }

  private static int length(final String s) {
    return s == null ? 0 : s.length();
  }
}
