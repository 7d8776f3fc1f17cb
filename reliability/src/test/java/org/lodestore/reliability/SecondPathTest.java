package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildProcess;

/**
 * Issue 11 item 2: two paths to the same files are one database. Hard links (and a bind mount, when
 * root) used to get past the path check; the second {@code Database} opened, and closing it dropped
 * this process's POSIX lock on {@code lock.mdb}, after which another process reset the reader table
 * and overwrote every row under a still-open read transaction. Now the second open is refused, and
 * a read transaction's snapshot survives another process's overwrites.
 */
@Tag("multi-process")
class SecondPathTest {

  private static final int ROWS = 200;

  @TempDir Path tmp;

  static String key(final int i) {
    return String.format("r%04d", i);
  }

  static String value(final int round, final int i) {
    return "v" + round + "-" + i + "-" + "x".repeat(200);
  }

  @Test
  void hardLinkedFiles_secondOpenRefused_andSnapshotSurvivesOtherProcessOverwrites()
      throws Exception {
    final Path a = tmp.resolve("a");
    final Path b = tmp.resolve("b");
    int refused = 0;
    int changedUnderSnapshot;
    try (Database db = Database.open(a)) {
      final Table<String, String> rows = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(
          txn -> {
            for (int i = 0; i < ROWS; i++) {
              rows.put(txn, key(i), value(0, i));
            }
          });
      Files.createDirectories(b);
      Files.createLink(b.resolve("data.mdb"), a.resolve("data.mdb"));
      Files.createLink(b.resolve("lock.mdb"), a.resolve("lock.mdb"));
      try (Txn snapshot = db.beginRead()) {
        try {
          Database.open(b).close(); // must not open, and above all not close our lock
        } catch (LodestoreException e) {
          assertThat(e).hasMessageContaining("already open in this process");
          refused++;
        }
        changedUnderSnapshot = overwriteFromAnotherProcess(a, rows, snapshot);
      }
    }
    Reliability.report(
        "secondPath",
        "via",
        "hardLinks",
        "secondOpensRefused",
        refused,
        "rowsChangedUnderSnapshot",
        changedUnderSnapshot);
    assertThat(refused).isEqualTo(1);
    assertThat(changedUnderSnapshot).isZero();
  }

  @Test
  void bindMountedDirectory_secondOpenRefused() throws Exception {
    final Path a = tmp.resolve("a");
    final Path c = Files.createDirectories(tmp.resolve("c"));
    try (Database db = Database.open(a)) {
      final boolean mounted = run("mount", "--bind", a.toString(), c.toString());
      if (!mounted) {
        System.out.println("SecondPathTest.bindMount skipped: mount --bind failed (not root?)");
      }
      Assumptions.assumeTrue(mounted, "mount --bind needs root");
      try {
        assertThatThrownBy(() -> Database.open(c).close())
            .isInstanceOf(LodestoreException.class)
            .hasMessageContaining("already open in this process");
        Reliability.report("secondPath", "via", "bindMount", "secondOpensRefused", 1);
      } finally {
        run("umount", c.toString());
      }
      assertThat(db.tableNames()).isNotNull(); // the first database is untouched
    }
  }

  /**
   * Another process overwrites every row many times; counts rows the snapshot then reads changed.
   */
  private int overwriteFromAnotherProcess(
      final Path dir, final Table<String, String> rows, final Txn snapshot) throws Exception {
    try (ChildProcess child =
        ChildProcess.start(
            OverwriteChild.class,
            tmp.resolve("crash"),
            "128m",
            dir.toString(),
            Integer.toString(ROWS),
            "20")) {
      child.awaitLine("DONE", Duration.ofSeconds(120));
      assertThat(child.waitFor(Duration.ofSeconds(30))).as(child.describe()).isZero();
    }
    int changed = 0;
    for (int i = 0; i < ROWS; i++) {
      if (!value(0, i).equals(rows.get(snapshot, key(i)))) {
        changed++;
      }
    }
    return changed;
  }

  private static boolean run(final String... command) throws Exception {
    try {
      final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
