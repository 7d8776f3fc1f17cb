package org.lodestore.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A streamed child: lines as they come, stderr apart, SIGKILL on demand, crash logs listed. */
class ChildProcessTest {

  private static final Duration GENEROUS = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void lines_arriveInOrder_thenEof_andStderrIsKeptApart() throws Exception {
    try (ChildProcess child =
        ChildProcess.start(ChildMain.class, dir, "64m", "print-and-exit", "0")) {
      assertThat(child.awaitLine("out", GENEROUS)).isEqualTo("out line");
      assertThat(child.awaitLine("nio open=", GENEROUS)).isEqualTo("nio open=true");
      assertThat(child.waitFor(GENEROUS)).isZero();
      assertThat(child.nextLine(GENEROUS)).isEqualTo(ChildProcess.EOF);
      assertThat(child.nextLine(GENEROUS)).isEqualTo(ChildProcess.EOF);
      assertThat(child.stderr()).contains("err line").doesNotContain("out line");
    }
  }

  @Test
  void kill_endsAHangingChild_afterItsLastLineWasRead() throws Exception {
    try (ChildProcess child = ChildProcess.start(ChildMain.class, dir, "64m", "hang")) {
      assertThat(child.awaitLine("hanging", GENEROUS)).isEqualTo("hanging");
      assertThat(child.isAlive()).isTrue();
      child.kill();
      assertThat(child.waitFor(GENEROUS)).isNotZero();
      assertThat(child.isAlive()).isFalse();
      assertThatThrownBy(() -> child.awaitLine("never", GENEROUS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'never'");
    }
  }

  @Test
  void crashLogs_listTheHsErrFileOfACrashedChild() throws Exception {
    try (ChildProcess child = ChildProcess.start(ChildMain.class, dir, "64m", "crash")) {
      assertThat(child.waitFor(GENEROUS)).isNotZero();
      assertThat(child.crashLogs()).hasSize(1);
      assertThat(child.describe()).contains("SIGSEGV");
    }
  }
}
