package org.lodestore.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A seed is printed with the flag that replays it, and the flag does replay it. */
class TestSeedTest {

  @Test
  void seed_isPrintedWithItsReplayFlag_andTheFlagFixesIt() {
    final String before = System.getProperty(TestSeed.PROPERTY);
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final PrintStream stdout = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      System.clearProperty(TestSeed.PROPERTY);
      final long fresh = TestSeed.seed("first");
      System.setProperty(TestSeed.PROPERTY, Long.toString(fresh));
      final long replayed = TestSeed.seed("second");
      assertThat(replayed).isEqualTo(fresh);
    } finally {
      System.setOut(stdout);
      if (before == null) {
        System.clearProperty(TestSeed.PROPERTY);
      } else {
        System.setProperty(TestSeed.PROPERTY, before);
      }
    }
    final String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).matches("first seed=(-?\\d+) \\(replay: -Dlodestore.seed=\\1\\)");
    assertThat(lines[1].replace("second", "first")).isEqualTo(lines[0]);
  }

  @Test
  void scale_isAtLeastOne() {
    assertThat(TestSeed.scale()).isGreaterThanOrEqualTo(1);
  }
}
