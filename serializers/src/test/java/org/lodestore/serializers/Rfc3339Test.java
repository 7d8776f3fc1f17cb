package org.lodestore.serializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lodestore.testsupport.TestSeed;

class Rfc3339Test {

  private static String format(final Instant instant) {
    final byte[] out = new byte[Rfc3339.MAX_LENGTH];
    return new String(out, 0, Rfc3339.format(instant, out), StandardCharsets.US_ASCII);
  }

  @Test
  void format_matchesInstantToString_andParsesBack_acrossYears0000To9999() {
    final long seed = TestSeed.seed("Rfc3339Test.format");
    final SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 20_000; i++) {
      final long seconds = random.nextLong(Rfc3339.MIN_SECOND, Rfc3339.MAX_SECOND + 1);
      final int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      final Instant instant = Instant.ofEpochSecond(seconds, nanos);
      final String text = format(instant);
      assertThat(text).as("seed %d", seed).isEqualTo(instant.toString());
      assertThat(Rfc3339.parse(text)).as("seed %d", seed).isEqualTo(instant);
    }
  }

  @Test
  void format_boundsOfTheFourDigitYear() {
    assertThat(format(Instant.ofEpochSecond(Rfc3339.MIN_SECOND))).isEqualTo("0000-01-01T00:00:00Z");
    assertThat(format(Instant.ofEpochSecond(Rfc3339.MAX_SECOND, 999_999_999)))
        .isEqualTo("9999-12-31T23:59:59.999999999Z");
    assertThatThrownBy(() -> format(Instant.ofEpochSecond(Rfc3339.MIN_SECOND - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> format(Instant.ofEpochSecond(Rfc3339.MAX_SECOND + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> format(Instant.MAX)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_acceptsEveryRfc3339Form() {
    final Instant expected = Instant.parse("2024-02-29T23:59:58.100Z");
    assertThat(Rfc3339.parse("2024-02-29T23:59:58.1Z")).isEqualTo(expected);
    assertThat(Rfc3339.parse("2024-02-29T23:59:58.100000Z")).isEqualTo(expected);
    assertThat(Rfc3339.parse("2024-03-01T01:59:58.1+02:00")).isEqualTo(expected);
    assertThat(Rfc3339.parse("2024-02-29t23:59:58.1z")).isEqualTo(expected);
    assertThat(Rfc3339.parse("2024-02-29T20:29:58.1-03:30")).isEqualTo(expected);
  }

  @Test
  void parse_rejectsWhatIsNotADateTime() {
    for (final String bad :
        new String[] {
          "",
          "2024-02-30T00:00:00Z",
          "2023-02-29T00:00:00Z",
          "2024-13-01T00:00:00Z",
          "2024-01-01T24:00:00Z",
          "2024-01-01T00:60:00Z",
          "2024-01-01 00:00:00Z",
          "2024-01-01T00:00:00",
          "2024-01-01T00:00:00.Z",
          "2024-01-01T00:00:00.1234567890Z",
          "+2024-01-01T00:00:00Z",
          "2024-01-01T00:00:0xZ",
          "yesterday"
        }) {
      assertThatExceptionOfType(DateTimeException.class)
          .as(bad)
          .isThrownBy(() -> Rfc3339.parse(bad));
    }
  }
}
