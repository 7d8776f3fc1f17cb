package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;

/**
 * Issue 11 item 5: a thread that dies holding the write transaction used to leave the environment
 * fatal ("Update of meta page failed or environment had fatal error (-30795)") for every later read
 * and write, and the database could be neither closed nor reopened in that process. Now its
 * transaction is discarded, a WARN names the thread, and everything goes on.
 */
@Tag("multi-process")
class DeadWriterTest {

  private static final Pattern RESULT =
      Pattern.compile(
          "RESULT orphans=(\\d+) reads=(\\d+) writes=(\\d+) uncommittedVisible=(\\d+) "
              + "rowsAfterReopen=(\\d+)");

  @TempDir Path tmp;

  @Test
  void threadDyingWithWriteTxn_leavesReadsWritesCloseAndReopenWorking() throws Exception {
    final int orphans = Reliability.pick(3, 50);
    try (ChildProcess child =
        ChildProcess.start(
            DeadWriterChild.class,
            tmp.resolve("crash"),
            "128m",
            tmp.resolve("db").toString(),
            Integer.toString(orphans))) {
      final String line = child.awaitLine("RESULT", Duration.ofSeconds(60 + orphans * 2L));
      assertThat(child.waitFor(Duration.ofSeconds(30))).as(child.describe()).isZero();
      final Matcher m = RESULT.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      final int warned = countWarnings(child.stderr());
      Reliability.report(
          "deadWriter",
          "orphans",
          orphans,
          "readsOk",
          m.group(2),
          "writesOk",
          m.group(3),
          "uncommittedVisible",
          m.group(4),
          "rowsAfterReopen",
          m.group(5),
          "warningsNamingThread",
          warned,
          "crashLogs",
          child.crashLogs().size());
      assertThat(Integer.parseInt(m.group(2))).isEqualTo(orphans);
      assertThat(Integer.parseInt(m.group(3))).isEqualTo(orphans);
      assertThat(m.group(4)).isEqualTo("0");
      assertThat(Integer.parseInt(m.group(5))).isEqualTo(orphans);
      assertThat(warned).as(child.stderr()).isEqualTo(orphans);
      assertThat(child.crashLogs()).isEmpty();
    }
  }

  private static int countWarnings(final String stderr) {
    int n = 0;
    for (final String line : stderr.split("\n")) {
      if (line.contains("WARN")
          && line.matches(".*thread 'forgetful-writer-\\d+' ended holding.*")) {
        n++;
      }
    }
    return n;
  }
}
