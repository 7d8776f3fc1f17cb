package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lodestore.reliability.DiskFullTest.figure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * {@code Database.backupTo} is all or nothing (issue 11 item 8): a backup that fails (disk full, on
 * a tmpfs) or whose process is killed with -9 in the middle of the copy leaves no file named {@code
 * data.mdb} in the target, and a later backup into the same target works. It used to leave a
 * truncated {@code data.mdb} that looked like a finished backup and crashed the JVM that opened it.
 * The backups run in a {@link StorageChild} JVM; every complete backup is opened there and its rows
 * checked.
 */
@Tag("crash")
class AtomicBackupTest {

  @TempDir Path tmp;

  @Test
  void backupOnFullDisk_leavesNothingNamedLikeABackup() throws Exception {
    final long seed = TestSeed.seed("AtomicBackupTest.diskFull");
    final Path source = tmp.resolve("source");
    final long rows = populate(source, seed, 160, 24 << 10); // about 2 MiB
    final String[] sizes =
        Reliability.longForm()
            ? new String[] {"128k", "512k", "1m", "1536k"}
            : new String[] {"512k"};
    int storageFull = 0;
    int untyped = 0;
    int leftBehind = 0;
    int retried = 0;
    int crashes = 0;
    final List<String> problems = new ArrayList<>();
    final List<String> targets = new ArrayList<>();
    for (final String size : sizes) {
      final Path mount = tmp.resolve("mnt-" + size);
      try (Tmpfs fs = Tmpfs.mount(mount, size)) {
        final Path target = fs.dir().resolve("backup");
        final String[] outcome = runBackup(source, target, tmp.resolve("crash"));
        crashes += outcome[2] == null ? 1 : 0;
        if (outcome[0] != null
            && outcome[0].contains(" StorageFullException named=true typed=true")) {
          storageFull++;
        } else {
          untyped++;
          problems.add(size + ": " + outcome[0]);
        }
        if (!"ENTRIES -".equals(outcome[1])) {
          leftBehind++;
          problems.add(size + ": " + outcome[1]);
        }
        // space freed: the same target takes a backup
        fs.resize("16m");
        final String[] again = runBackup(source, target, tmp.resolve("crash"));
        if (again[0] != null && again[0].endsWith(" ok") && "ENTRIES data.mdb".equals(again[1])) {
          retried++;
        } else {
          problems.add(size + " retry: " + again[0] + " " + again[1]);
        }
        targets.add("ro:" + target);
        crashes += verifyBackups(seed, rows, targets, problems, tmp.resolve("crash"));
        targets.clear();
      }
    }
    Reliability.report(
        "atomicBackupDiskFull",
        "runs",
        sizes.length,
        "storageFullErrors",
        storageFull,
        "untypedErrors",
        untyped,
        "leftBehind",
        leftBehind,
        "retriedOk",
        retried,
        "crashes",
        crashes,
        "seed",
        seed);
    assertThat(problems).isEmpty();
    assertThat(crashes).isZero();
    assertThat(storageFull).isEqualTo(sizes.length);
  }

  @Test
  void killDuringBackup_leavesNoTruncatedBackup() throws Exception {
    final long seed = TestSeed.seed("AtomicBackupTest.kill");
    final Random rnd = new Random(seed);
    final int cycles = Reliability.pick(4, 30);
    final Path source = tmp.resolve("source");
    final long rows = populate(source, seed, Reliability.pick(600, 1600), 64 << 10);
    final Path crashDir = tmp.resolve("crash");
    final List<String> problems = new ArrayList<>();
    // cycle 0 runs to the end: how long a backup takes, and that a complete one opens
    final Path first = tmp.resolve("backup-0");
    final String[] complete = runBackup(source, first, crashDir);
    assertThat(complete[0]).as("a backup without kill").endsWith(" ok");
    final long millis = figure(complete[0], "ms");
    final List<Path> killed = new ArrayList<>();
    int completeBeforeKill = 0;
    int killedMidCopy = 0;
    int truncated = 0;
    int crashes = complete[2] == null ? 1 : 0;
    for (int cycle = 1; cycle <= cycles; cycle++) {
      final Path target = tmp.resolve("backup-" + cycle);
      try (ChildProcess child =
          ChildProcess.start(
              StorageChild.class,
              crashDir,
              "128m",
              "backup",
              source.toString(),
              target.toString())) {
        child.awaitLine("STARTING", Duration.ofSeconds(120));
        Thread.sleep(rnd.nextInt((int) Math.max(2, millis * 2))); // the kill lands anywhere
        child.kill();
        child.waitFor(Duration.ofSeconds(60));
        crashes += child.crashLogs().size();
      }
      // a data.mdb in the target must be a complete backup: the verification below opens it
      if (Files.exists(target.resolve("data.mdb"))) {
        completeBeforeKill++;
      } else {
        killedMidCopy++;
      }
      killed.add(target);
    }
    // a backup into a target a killed backup left behind works (its temporary files go)
    try (Database db = Database.open(source)) {
      for (final Path target : killed) {
        if (!Files.exists(target.resolve("data.mdb"))) {
          db.backupTo(target);
        }
      }
    }
    final List<String> targets = new ArrayList<>();
    targets.add("ro:" + first);
    for (final Path target : killed) {
      targets.add("ro:" + target);
    }
    final List<String> verifyProblems = new ArrayList<>();
    crashes += verifyBackups(seed, rows, targets, verifyProblems, crashDir);
    truncated += verifyProblems.size();
    problems.addAll(verifyProblems);
    Reliability.report(
        "atomicBackup",
        "cycles",
        cycles,
        "backupMillis",
        millis,
        "killedMidCopy",
        killedMidCopy,
        "completeBeforeKill",
        completeBeforeKill,
        "truncatedBackups",
        truncated,
        "retriedOk",
        killed.size() - completeBeforeKill,
        "crashes",
        crashes,
        "seed",
        seed);
    assertThat(problems).isEmpty();
    assertThat(crashes).isZero();
    assertThat(truncated).isZero();
  }

  /** Writes {@code count} rows of up to {@code maxValue} bytes; returns the row count. */
  static long populate(final Path dir, final long seed, final int count, final int maxValue) {
    try (Database db =
        Database.open(dir, DatabaseOptions.builder().durability(Durability.NO_SYNC).build())) {
      final Table<Long, byte[]> table = StorageChild.rows(db);
      for (int i = 0; i < count; i += 50) {
        final int from = i;
        db.write(
            txn -> {
              for (long k = from; k < Math.min(count, from + 50); k++) {
                table.put(txn, k, StorageChild.value(seed, k, maxValue));
              }
            });
      }
      return count;
    }
  }

  /** Runs a backup child: {BACKUP line, ENTRIES line, "exited" or null if it crashed}. */
  private static String[] runBackup(final Path source, final Path target, final Path crashDir)
      throws Exception {
    try (ChildProcess child =
        ChildProcess.start(
            StorageChild.class, crashDir, "128m", "backup", source.toString(), target.toString())) {
      String backup = null;
      String entries = null;
      for (String line;
          !(line = child.nextLine(Duration.ofSeconds(120))).equals(ChildProcess.EOF); ) {
        if (line.startsWith("BACKUP")) {
          backup = line;
        } else if (line.startsWith("ENTRIES")) {
          entries = line;
        }
      }
      child.waitFor(Duration.ofSeconds(60));
      final boolean clean = child.crashLogs().isEmpty() && entries != null;
      return new String[] {backup, entries, clean ? "exited" : null};
    }
  }

  /** Opens every backup in a child and checks its rows; returns the crash count. */
  private static int verifyBackups(
      final long seed,
      final long rows,
      final List<String> targets,
      final List<String> problems,
      final Path crashDir)
      throws Exception {
    final List<String> args =
        new ArrayList<>(List.of("open", Long.toString(seed), Long.toString(rows)));
    args.addAll(targets);
    try (ChildProcess child =
        ChildProcess.start(StorageChild.class, crashDir, "128m", args.toArray(new String[0]))) {
      int results = 0;
      for (String line;
          !(line = child.nextLine(Duration.ofSeconds(120))).equals(ChildProcess.EOF); ) {
        if (line.startsWith("RESULT")) {
          results++;
          if (!line.contains(" rows=" + rows + " ")
              || !line.contains(" bad=0 ")
              || !line.endsWith(" ok")) {
            problems.add("backup does not hold the source's rows: " + line);
          }
        }
      }
      child.waitFor(Duration.ofSeconds(60));
      return child.crashLogs().size() + (results == targets.size() ? 0 : 1);
    }
  }
}
