package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;

/**
 * Issue 15 item 13: a writer stuck in another process (holding LMDB's write lock in {@code
 * lock.mdb}) no longer blocks a request thread forever. {@code beginWrite(timeout)} and {@code
 * writeTimeout} give up with {@code WriteTimeoutException} naming another process; the begin LMDB
 * still waits for is aborted as soon as the other process releases the lock, is killed with -9, or
 * after this process closed the database; writes work again, nothing of the holder or of the
 * callers that gave up is visible, and no thread or environment is left behind (see {@link
 * WriteTimeoutChild}).
 */
@Tag("multi-process")
class WriteTimeoutTest {

  private static final Pattern RESULT =
      Pattern.compile(
          "RESULT scenario=(\\w+) timeouts=(\\d+) withinBound=(\\d+) namingProcess=(\\d+) "
              + "readsDuring=(\\d+) writeAfter=(.+) recoverMillis=(\\d+) holderRowVisible=(\\d) "
              + "waiterRowVisible=(\\d)");

  @TempDir Path tmp;

  @Test
  void writerStuckInAnotherProcess_timesOut_andTheLateBeginIsAbortedWhenItGoes() throws Exception {
    final int rounds = Reliability.pick(1, 10);
    final Path crash = tmp.resolve("crash");
    final List<String> lines = new ArrayList<>();
    String done;
    try (ChildProcess waiter =
        ChildProcess.start(
            WriteTimeoutChild.class,
            crash,
            "256m",
            tmp.resolve("work").toString(),
            crash.toString(),
            Integer.toString(rounds))) {
      for (int i = 0; i < 3 * rounds; i++) {
        lines.add(waiter.awaitLine("RESULT", Duration.ofSeconds(120)));
      }
      done = waiter.awaitLine("DONE", Duration.ofSeconds(60));
      assertThat(waiter.waitFor(Duration.ofSeconds(30))).as(waiter.describe()).isZero();
      int timeouts = 0;
      int withinBound = 0;
      int namingProcess = 0;
      int readsDuring = 0;
      int writesAfter = 0;
      int holderRows = 0;
      int waiterRows = 0;
      long maxRecover = 0;
      for (final String line : lines) {
        final Matcher m = RESULT.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        timeouts += Integer.parseInt(m.group(2));
        withinBound += Integer.parseInt(m.group(3));
        namingProcess += Integer.parseInt(m.group(4));
        readsDuring += Integer.parseInt(m.group(5));
        writesAfter += m.group(6).equals("ok") ? 1 : 0;
        maxRecover = Math.max(maxRecover, Long.parseLong(m.group(7)));
        holderRows += Integer.parseInt(m.group(8));
        waiterRows += Integer.parseInt(m.group(9));
      }
      final int attempts = 2 * lines.size();
      final String lockThreadsLeft = done.replaceAll(".*lockThreadsLeft=(\\d+).*", "$1");
      Reliability.report(
          "writeTimeout",
          "scenarios",
          lines.size(),
          "attempts",
          attempts,
          "timeouts",
          timeouts,
          "withinBound",
          withinBound,
          "namingProcess",
          namingProcess,
          "readsDuring",
          readsDuring,
          "writesAfter",
          writesAfter,
          "maxRecoverMillis",
          maxRecover,
          "holderRowsVisible",
          holderRows,
          "waiterRowsVisible",
          waiterRows,
          "lockThreadsLeft",
          lockThreadsLeft,
          "crashLogs",
          waiter.crashLogs().size());
      assertThat(timeouts).as(String.join("\n", lines)).isEqualTo(attempts);
      assertThat(withinBound).as(String.join("\n", lines)).isEqualTo(attempts);
      assertThat(namingProcess).as(String.join("\n", lines)).isEqualTo(attempts);
      assertThat(readsDuring).isEqualTo(attempts);
      assertThat(writesAfter).as(String.join("\n", lines)).isEqualTo(lines.size());
      assertThat(holderRows).isZero();
      assertThat(waiterRows).isZero();
      assertThat(lockThreadsLeft).isEqualTo("0");
      assertThat(waiter.crashLogs()).as(waiter.describe()).isEmpty();
    }
  }
}
