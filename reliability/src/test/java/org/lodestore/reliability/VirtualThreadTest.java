package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;

/**
 * Issue 11 item 3 (and item 5 for a virtual thread): LMDB's write lock is a mutex owned by an OS
 * thread, and a virtual thread may begin a transaction on one carrier and commit on another, or be
 * unmounted while holding it. {@code db.write} and {@code beginWrite} from virtual threads must
 * commit every write, leave no lock behind (a platform thread of the same process and another
 * process write afterwards), and a virtual thread that ends holding a write transaction must not
 * stop the database. Runs in a JDK 21+ child JVM found by {@link Jdks}; skipped, saying why, where
 * none is installed.
 */
@Tag("multi-process")
class VirtualThreadTest {

  private static final Pattern RESULT =
      Pattern.compile(
          "RESULT (\\w+) counter=(\\d+) expected=(\\d+) refused=(\\d+) errors=(\\d+) "
              + "reopened=(\\d+) uncommittedVisible=(\\d+)");

  @TempDir Path tmp;

  @Test
  void virtualThreadWriters_commitEveryWrite_andLeaveNoLockBehind() throws Exception {
    final Optional<Path> java = Jdks.virtualThreadJava();
    if (java.isEmpty()) {
      System.out.println(
          "VirtualThreadTest skipped: no JDK 21+ found (set -Dlodestore.jdk21.home "
              + "or LODESTORE_JDK21_HOME, or install one next to "
              + System.getProperty("java.home")
              + ")");
    }
    Assumptions.assumeTrue(java.isPresent(), "no JDK 21+ for virtual threads");
    final Map<String, String> figures = new LinkedHashMap<>();
    int hangs = 0;
    int wrong = 0;
    int errors = 0;
    final int rounds = Reliability.pick(1, 3);
    for (int round = 0; round < rounds; round++) {
      for (final String scenario : List.of("sleepy", "many", "explicit", "dead")) {
        final Path dir = tmp.resolve(scenario + "-" + round);
        try (ChildProcess child =
            ChildProcess.startWith(
                java.get(),
                VirtualThreadChild.class,
                tmp.resolve("crash"),
                "256m",
                List.of(),
                dir.toString(),
                scenario,
                "hold")) {
          final String line = child.awaitLine("RESULT", Duration.ofSeconds(180));
          final Matcher m = RESULT.matcher(line);
          assertThat(m.matches()).as(line).isTrue();
          final long counter = Long.parseLong(m.group(2));
          final long expected = Long.parseLong(m.group(3));
          errors += Integer.parseInt(m.group(5));
          if (counter != expected || !m.group(7).equals("0")) {
            wrong++;
          }
          figures.put(scenario, counter + "/" + expected);
          if (scenario.equals("explicit")) {
            figures.put("explicitRefused", m.group(4));
          }
          // the child still holds the database open: another process must be able to write
          try (ChildProcess writer =
              ChildProcess.start(
                  OneWriteChild.class, tmp.resolve("crash"), "128m", dir.toString())) {
            writer.awaitLine("WROTE", Duration.ofSeconds(60));
            assertThat(writer.waitFor(Duration.ofSeconds(30))).isZero();
          } catch (IllegalStateException e) {
            hangs++;
            System.out.println(
                "cross-process writer of " + scenario + " did not finish: " + e.getMessage());
          }
          assertThat(child.crashLogs()).as(child.describe()).isEmpty();
        } catch (IllegalStateException e) {
          hangs++;
          System.out.println(scenario + " did not finish: " + e.getMessage());
        }
      }
    }
    Reliability.report(
        "virtualThreads",
        "jdk",
        java.get(),
        "rounds",
        rounds,
        "sleepy",
        figures.get("sleepy"),
        "many",
        figures.get("many"),
        "explicit",
        figures.get("explicit"),
        "explicitRefused",
        figures.get("explicitRefused"),
        "deadOwner",
        figures.get("dead"),
        "wrongCounts",
        wrong,
        "errors",
        errors,
        "hangs",
        hangs);
    assertThat(hangs).isZero();
    assertThat(wrong).isZero();
    assertThat(errors).isZero();
  }
}
