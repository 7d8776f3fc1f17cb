package org.lodestore.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child-JVM runner reports a child's exit, output, crash and hang, each distinctly. */
class ChildJvmTest {

  private static final Duration GENEROUS = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void run_returnsExitCodeAndInterleavedOutput_withLmdbFlags() throws Exception {
    final ChildJvm.Result r = ChildJvm.run(ChildMain.class, dir, GENEROUS, "print-and-exit", "3");
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(3);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.crashLogs()).isEmpty();
    assertThat(r.lines()).contains("out line", "err line", "nio open=true");
  }

  @Test
  void run_withoutFlags_passesNone() throws Exception {
    final ChildJvm.Result r =
        ChildJvm.run(List.of(), ChildMain.class, dir, GENEROUS, "print-and-exit", "0");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.lines()).contains("nio open=false");
  }

  @Test
  void run_hangingChild_isKilledAtTheTimeout() throws Exception {
    final ChildJvm.Result r = ChildJvm.run(ChildMain.class, dir, Duration.ofSeconds(5), "hang");
    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.describe()).contains("timed out, killed");
  }

  @Test
  void run_crashingChild_listsItsCrashLog() throws Exception {
    final ChildJvm.Result r = ChildJvm.run(ChildMain.class, dir, GENEROUS, "crash");
    assertThat(r.exitCode()).as(r.describe()).isNotZero();
    assertThat(r.lines()).contains("crashing");
    assertThat(r.crashLogs()).hasSize(1);
    assertThat(r.crashLogs().get(0)).startsWith(dir.resolve("crash"));
    assertThat(Files.readString(r.crashLogs().get(0))).contains("SIGSEGV");
  }
}
