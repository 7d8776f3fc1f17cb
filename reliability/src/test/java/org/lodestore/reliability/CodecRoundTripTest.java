package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.reliability.CrashSchema.Item;
import org.lodestore.reliability.FuzzSupport.Doc;
import org.lodestore.serializers.CborCodec;

/**
 * Values the CBOR codec decodes but cannot encode, found by {@link CborDecoderFuzzTest}: such a row
 * reads fine, but every write-back of it ({@code update}, a {@code put} of the value read, a copy
 * to another table) fails with {@code InvalidValueException}. A codec should refuse on read (as
 * {@link CorruptValueException}) what it refuses on write, or write what it reads.
 */
@Tag("corrupt")
class CodecRoundTripTest {

  /** Decodes {@code bytes}, then re-encodes what it got; describes what happened. */
  private static <T> String roundTrip(final ValueCodec<T> codec, final byte[] bytes) {
    final T value;
    try {
      value = codec.decode(FuzzSupport.stored(bytes));
    } catch (CorruptValueException e) {
      return "corrupt";
    }
    try {
      codec.encode(value);
      return "round-trips";
    } catch (RuntimeException e) {
      return "decoded-but-encode-threw-" + e.getClass().getSimpleName();
    }
  }

  /**
   * Was a known defect: RFC 8949 text strings are UTF-8, but the CBOR codec accepted a text string
   * holding an encoded surrogate (ED A0 80) and returned a {@code String} with a lone surrogate,
   * which it then refused to encode. Now: {@link CorruptValueException} on read.
   */
  @Test
  void cborTextWithInvalidUtf8_isCorrupt() {
    // {"name": "\xED\xA0\x80", "group": null, "payload": "x"}
    final byte[] bytes = {
      (byte) 0xa3,
      0x64,
      'n',
      'a',
      'm',
      'e',
      0x63,
      (byte) 0xed,
      (byte) 0xa0,
      (byte) 0x80,
      0x65,
      'g',
      'r',
      'o',
      'u',
      'p',
      (byte) 0xf6,
      0x67,
      'p',
      'a',
      'y',
      'l',
      'o',
      'a',
      'd',
      0x61,
      'x'
    };
    final String outcome = roundTrip(CborCodec.of(Item.class), bytes);
    Reliability.report("codec-cborInvalidUtf8", "outcome", outcome);
    assertThat(outcome).isEqualTo("corrupt");
  }

  /**
   * Was a known defect: an {@code Instant} field given as a plain CBOR integer (epoch seconds)
   * decoded for any value, e.g. 377957113665 = year 13946, but the codec encoded instants as tag 0
   * (RFC 3339 text) and refused years outside 0000..9999. Found by the fuzzer: {@code
   * CborDecoderFuzzTestInputs/decode/found-instant-year-13946} ({@code a1 62 'at' 1b
   * 00000057ffffdf41}). Now both directions agree: whole-second instants outside those years are
   * written as tag 1 integers, and ones with a fraction are refused on write and on read.
   */
  @Test
  void cborInstantBeyondYear9999_roundTrips() {
    final byte[] bytes = {
      (byte) 0xa1, 0x62, 'a', 't', 0x1b, 0, 0, 0, 0x57, (byte) 0xff, (byte) 0xff, (byte) 0xdf, 0x41
    };
    final String outcome = roundTrip(CborCodec.of(Doc.class), bytes);
    Reliability.report("codec-cborInstantRange", "outcome", outcome);
    assertThat(outcome).isIn("round-trips", "corrupt");
    final Doc sample =
        new Doc(
            "x",
            UUID.randomUUID(),
            1,
            1,
            Instant.parse("+12000-01-01T00:00:00Z"),
            List.of(),
            Map.of(),
            null);
    assertThat(
            roundTrip(
                CborCodec.of(Doc.class),
                CborDecoderFuzzTest.bytes(CborCodec.of(Doc.class).encode(sample))))
        .isEqualTo("round-trips");
  }
}
