package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;

/**
 * Group commit with virtual-thread callers: in a JDK 21+ child JVM (found by {@link Jdks}; skipped,
 * saying why, where none is installed) with two carrier threads, 1,000 virtual threads (long form
 * 4,000) call {@code db.write} together, some of their functions throwing, while the map grows from
 * 1 MiB. No hang (a waiting caller that pinned its carrier would stop the rest), every row of a
 * call that returned is there, nothing of a call whose function threw, no call half applied, and
 * the calls formed groups. Runs {@link GroupCommitVirtualChild}.
 */
@Tag("multi-process")
class GroupCommitVirtualThreadTest {

  private static final Pattern RESULT =
      Pattern.compile(
          "RESULT threads=(\\d+) calls=(\\d+) thrown=(\\d+) missing=(\\d+) visibleThrown=(\\d+) "
              + "halfApplied=(\\d+) wrong=(\\d+) errors=(\\d+) groupCommits=(\\d+) "
              + "groupedWrites=(\\d+) growths=(\\d+) seconds=(\\d+)");

  @TempDir Path tmp;

  @Test
  void virtualThreadCallers_formGroups_neverHang_andCommitExactlyTheNonThrowingCalls()
      throws Exception {
    final Optional<Path> java = Jdks.virtualThreadJava();
    if (java.isEmpty()) {
      System.out.println(
          "GroupCommitVirtualThreadTest skipped: no JDK 21+ found (set -Dlodestore.jdk21.home or "
              + "LODESTORE_JDK21_HOME, or install one next to "
              + System.getProperty("java.home")
              + ")");
    }
    Assumptions.assumeTrue(java.isPresent(), "no JDK 21+ for virtual threads");
    final int threads = Reliability.pick(1000, 4000);
    final int calls = Reliability.pick(5, 10);
    final String line;
    int hangs = 0;
    String result = null;
    try (ChildProcess child =
        ChildProcess.startWith(
            java.get(),
            GroupCommitVirtualChild.class,
            tmp.resolve("crash"),
            "512m",
            List.of("-Djdk.virtualThreadScheduler.parallelism=2", "-XX:TieredStopAtLevel=1"),
            tmp.resolve("db").toString(),
            Integer.toString(threads),
            Integer.toString(calls))) {
      try {
        result = child.awaitLine("RESULT", Duration.ofSeconds(180));
        assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.describe()).isZero();
      } catch (IllegalStateException e) {
        hangs++;
        System.out.println("GroupCommitVirtualThreadTest: " + e.getMessage());
      }
      assertThat(child.crashLogs()).as(child.describe()).isEmpty();
    }
    line = result;
    assertThat(hangs).as("the child hung").isZero();
    final Matcher m = RESULT.matcher(line);
    assertThat(m.matches()).as(line).isTrue();
    final long groupCommits = Long.parseLong(m.group(9));
    final long groupedWrites = Long.parseLong(m.group(10));
    Reliability.report(
        "groupCommitVirtualThreads",
        "jdk",
        java.get(),
        "carriers",
        2,
        "threads",
        m.group(1),
        "callsEach",
        m.group(2),
        "thrown",
        m.group(3),
        "missing",
        m.group(4),
        "visibleThrown",
        m.group(5),
        "halfApplied",
        m.group(6),
        "wrong",
        m.group(7),
        "errors",
        m.group(8),
        "groupCommits",
        groupCommits,
        "meanGroup",
        groupCommits == 0 ? "-" : String.format("%.1f", (double) groupedWrites / groupCommits),
        "growths",
        m.group(11),
        "hangs",
        hangs,
        "seconds",
        m.group(12));
    assertThat(Long.parseLong(m.group(3))).as("some calls threw").isPositive();
    for (final int g : new int[] {4, 5, 6, 7, 8}) {
      assertThat(m.group(g)).as(line).isEqualTo("0");
    }
    assertThat(groupCommits).as("groups formed").isPositive();
    assertThat(Long.parseLong(m.group(11))).as("the map grew").isPositive();
  }
}
