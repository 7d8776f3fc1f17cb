package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;

/**
 * A {@code duplicate()} of a view of a value written earlier in the same write transaction, read
 * after the commit: LMDB served that view from a dirty page (heap memory that commit frees), so it
 * crashed the JVM (SIGSEGV) for a 4 MiB value. Now such views are copies the JVM owns.
 */
@Tag("multi-process")
class DirtyViewTest {

  @TempDir Path tmp;

  @Test
  void derivedBufferOfDirtyPageView_readAfterCommit_neverCrashes() throws Exception {
    final int rounds = Reliability.pick(8, 64);
    try (ChildProcess child =
        ChildProcess.start(
            DirtyViewChild.class,
            tmp.resolve("crash"),
            "256m",
            tmp.resolve("db").toString(),
            Integer.toString(rounds))) {
      final int exit = child.waitFor(Duration.ofSeconds(120));
      final boolean crashed = exit != 0 || !child.crashLogs().isEmpty();
      String result = null;
      for (String line;
          (line = child.nextLine(Duration.ofMillis(10))) != null
              && !line.equals(ChildProcess.EOF); ) {
        if (line.startsWith("RESULT")) {
          result = line;
        }
      }
      Reliability.report(
          "dirtyViews",
          "rounds",
          rounds,
          "crashes",
          crashed ? 1 : 0,
          "result",
          result == null ? "none" : result.substring("RESULT ".length()).replace(' ', ','));
      assertThat(crashed).as(child.describe()).isFalse();
      assertThat(result).contains("wrongBytes=0");
    }
  }
}
