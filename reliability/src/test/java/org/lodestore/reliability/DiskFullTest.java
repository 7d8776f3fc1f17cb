package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * Full disks (issue 11 items 7 and 12), on a small tmpfs, in a {@link StorageChild} JVM because
 * LMDB used to die of SIGBUS there:
 *
 * <ul>
 *   <li>a new database opened with 0, 4 KiB, 8 KiB, ... free: either it opens, or the open fails
 *       with {@code StorageFullException} naming the directory; once space is freed it opens and
 *       holds every acknowledged row (LMDB used to ftruncate {@code lock.mdb} and fault on its
 *       first touch of a page the file system could not supply);
 *   <li>writes until the disk is full: every refusal is a {@code StorageFullException} naming the
 *       directory (it used to be a bare "EIO Input/output error"), reads keep working, and after
 *       the space is grown every acknowledged commit is there and none that was refused.
 * </ul>
 *
 * Skipped with a printed reason when not root (tmpfs needs it).
 */
@Tag("crash")
class DiskFullTest {

  @TempDir Path tmp;

  @Test
  void newDatabaseOnFullDisk_isATypedErrorAndOpensOnceSpaceIsFreed() throws Exception {
    final long maxFree = Reliability.pick(64, 256) * 1024L;
    int levels = 0;
    int opened = 0;
    int storageFull = 0;
    int untyped = 0;
    int unnamed = 0;
    int reopened = 0;
    long lost = 0;
    long acked = 0;
    int crashes = 0;
    final List<String> problems = new ArrayList<>();
    try (Tmpfs fs = Tmpfs.mount(tmp.resolve("mnt"), "512k");
        ChildProcess child =
            ChildProcess.start(
                StorageChild.class,
                tmp.resolve("crash"),
                "128m",
                "newdb",
                fs.dir().toString(),
                "4096",
                Long.toString(maxFree))) {
      for (String line;
          !(line = child.nextLine(Duration.ofSeconds(120))).equals(ChildProcess.EOF)
              && !line.equals("DONE"); ) {
        if (!line.startsWith("LEVEL")) {
          continue;
        }
        levels++;
        final String[] parts = line.split(" \\| ");
        final String open = parts[1].substring("open=".length());
        final String write = parts[2].substring("write=".length());
        final String reopen = parts[3].substring("reopen=".length());
        acked += figure(parts[0], "acked");
        lost += figure(parts[0], "lost");
        if (open.equals("ok")) {
          opened++;
          // a database that opened keeps writing until the disk is full, then says so
          if (!write.startsWith("StorageFullException") || !write.contains("named=true")) {
            untyped++;
            problems.add(line);
          }
        } else if (open.startsWith("StorageFullException")) {
          storageFull++;
          if (!open.contains("named=true")) {
            unnamed++;
            problems.add(line);
          }
        } else {
          untyped++;
          problems.add(line);
        }
        if (reopen.equals("ok")) {
          reopened++;
        } else {
          problems.add(line);
        }
      }
      child.waitFor(Duration.ofSeconds(60));
      crashes = child.crashLogs().size() + (levels == maxFree / 4096 + 1 ? 0 : 1);
      Reliability.report(
          "diskFullOpen",
          "levels",
          levels,
          "opened",
          opened,
          "storageFullErrors",
          storageFull,
          "untypedErrors",
          untyped,
          "unnamedErrors",
          unnamed,
          "reopenedAfterFree",
          reopened,
          "commitsAcked",
          acked,
          "lostCommits",
          lost,
          "crashes",
          crashes);
      assertThat(crashes).as(child.describe()).isZero();
    }
    assertThat(problems).isEmpty();
    assertThat(storageFull).as("some levels are too small to open").isPositive();
    assertThat(opened).as("some levels are large enough to open").isPositive();
    assertThat(reopened).isEqualTo(levels);
    assertThat(lost).isZero();
  }

  @Test
  void writesUntilFull_loseNoAcknowledgedCommit() throws Exception {
    final long seed = TestSeed.seed("DiskFullTest");
    final Random rnd = new Random(seed);
    final int rounds = Reliability.pick(2, 6);
    final Path dir = tmp.resolve("mnt").resolve("db");
    final Path ackFile = tmp.resolve("acked.txt");
    final List<String> acked = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    int typed = 0;
    int untyped = 0;
    int named = 0;
    int crashes = 0;
    String verify;
    try (Tmpfs fs = Tmpfs.mount(tmp.resolve("mnt"), "1m")) {
      for (int round = 0; round < rounds; round++) {
        if (round > 0) {
          fs.resize((1 + round) + "m"); // the operator frees space; the service goes on writing
        }
        final int maxValue = 4096 + rnd.nextInt(60 << 10);
        try (ChildProcess child =
            ChildProcess.start(
                StorageChild.class,
                tmp.resolve("crash"),
                "128m",
                "fill",
                dir.toString(),
                Long.toString(seed),
                Integer.toString(maxValue))) {
          String done = null;
          for (String line;
              !(line = child.nextLine(Duration.ofSeconds(120))).equals(ChildProcess.EOF); ) {
            if (line.startsWith("ACK ")) {
              acked.add(line.substring(4));
            } else if (line.startsWith("DONE")) {
              done = line;
            }
          }
          child.waitFor(Duration.ofSeconds(60));
          crashes += child.crashLogs().size() + (done == null ? 1 : 0);
          assertThat(done).as(child.describe()).isNotNull();
          typed += figure(done, "typed");
          untyped += figure(done, "untyped");
          named += figure(done, "named");
          if (figure(done, "readsAfterFull") != figure(done, "typed") + figure(done, "untyped")) {
            problems.add("reads failed on a full disk: " + done);
          }
        }
      }
      fs.resize("16m");
      Files.write(ackFile, acked);
      try (ChildProcess child =
          ChildProcess.start(
              StorageChild.class,
              tmp.resolve("crash"),
              "128m",
              "verify",
              dir.toString(),
              Long.toString(seed),
              ackFile.toString())) {
        verify = child.awaitLine("VERIFY", Duration.ofSeconds(120));
        child.waitFor(Duration.ofSeconds(60));
        crashes += child.crashLogs().size();
      }
    }
    final boolean verified = verify.startsWith("VERIFY lost=");
    Reliability.report(
        "diskFull",
        "rounds",
        rounds,
        "commitsAcked",
        acked.size(),
        "storageFullErrors",
        typed,
        "untypedErrors",
        untyped,
        "errorsNamingPath",
        named,
        "lostCommits",
        verified ? figure(verify, "lost") : "?",
        "phantomCommits",
        verified ? figure(verify, "phantom") : "?",
        "crashes",
        crashes,
        "seed",
        seed);
    assertThat(crashes).isZero();
    assertThat(verify)
        .startsWith("VERIFY lost=0 ")
        .contains(" phantom=0 ")
        .contains("writable=true");
    assertThat(untyped).isZero();
    assertThat(typed).isPositive();
    assertThat(named).isEqualTo(typed);
    assertThat(problems).isEmpty();
    assertThat(acked).isNotEmpty();
  }

  /** The number after {@code key=} in {@code line}. */
  static long figure(final String line, final String key) {
    final int at = line.indexOf(' ' + key + '=');
    if (at < 0) {
      throw new IllegalArgumentException("no " + key + " in: " + line);
    }
    final int from = at + key.length() + 2;
    int to = from;
    while (to < line.length() && (Character.isDigit(line.charAt(to)) || line.charAt(to) == '-')) {
      to++;
    }
    return Long.parseLong(line.substring(from, to));
  }
}
