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
import org.lodestore.testsupport.TestSeed;

/**
 * Issue 11 item 10: a {@code duplicate()} or {@code slice()} of a zero-copy view, read after the
 * map grew or the database closed, while the database's directory was renamed, its {@code data.mdb}
 * unlinked, or its path contains a newline. The map range LMDB let go of must still be guarded
 * (zeros or the stale bytes), which needs the map's address, not its path. Each case runs in a
 * child JVM ({@link MovedFilesChild}) with a timeout; a crash log, an abnormal exit or a missing
 * summary is a crash.
 */
@Tag("misuse")
class MovedFilesTest {

  private static final Pattern MOVED =
      Pattern.compile("MOVED case=(\\w+) rounds=(\\d+) reads=(\\d+) wrongBytes=(\\d+)");

  @TempDir Path tmp;

  @Test
  void derivedBuffers_afterRenameUnlinkOrNewlinePath_readZerosOrStaleBytes_noCrash()
      throws Exception {
    final long seed = TestSeed.seed("MovedFilesTest");
    final int rounds = Reliability.pick(2, 25);
    final List<Object> figures = new ArrayList<>();
    final StringBuilder problems = new StringBuilder();
    int crashes = 0;
    long wrong = 0;
    long reads = 0;
    for (final String scenario : List.of("rename", "unlink", "newline")) {
      final Path dir = tmp.resolve(scenario);
      String summary = null;
      int exit;
      List<Path> logs;
      String description;
      try (ChildProcess child =
          ChildProcess.start(
              MovedFilesChild.class,
              dir.resolve("crash"),
              "128m",
              dir.resolve("dbs").toString(),
              scenario,
              Integer.toString(rounds),
              Long.toString(seed))) {
        final long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        for (String line;
            !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(5))); ) {
          if (line != null && line.startsWith("MOVED")) {
            summary = line;
          } else if (line != null && line.startsWith("WRONG")) {
            problems.append('\n').append(scenario).append(": ").append(line);
          }
          if (System.nanoTime() > deadline) {
            break;
          }
        }
        exit = child.waitFor(Duration.ofMinutes(1));
        logs = child.crashLogs();
        description = child.describe();
      }
      final Matcher m = summary == null ? null : MOVED.matcher(summary);
      final boolean ok = exit == 0 && logs.isEmpty() && m != null && m.matches();
      if (!ok) {
        crashes++;
        problems
            .append("\n[")
            .append(scenario)
            .append("] exit=")
            .append(exit)
            .append(' ')
            .append(description);
      } else {
        reads += Long.parseLong(m.group(3));
        wrong += Long.parseLong(m.group(4));
      }
      figures.add(scenario);
      figures.add(ok ? "ok" : "crash");
    }
    figures.addAll(
        List.of(
            "rounds",
            rounds,
            "derivedReads",
            reads,
            "wrongBytes",
            wrong,
            "crashes",
            crashes,
            "seed",
            seed));
    Reliability.report("movedFiles", figures.toArray());
    assertThat(crashes).as("children that crashed or failed: %s", problems).isZero();
    assertThat(wrong).as("bytes neither stale nor zero: %s", problems).isZero();
    assertThat(reads).isPositive();
  }
}
