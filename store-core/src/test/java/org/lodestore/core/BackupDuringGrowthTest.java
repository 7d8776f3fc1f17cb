package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildJvm;

/**
 * A backup ({@code mdb_env_copy}, which reads the map) racing a map growth ({@code
 * mdb_env_set_mapsize}, which unmaps and maps it again): the growth must wait for the copy and the
 * copy for the growth, as for transactions, or the copy reads unmapped memory. Run in a child JVM:
 * the defect is a SIGSEGV.
 */
class BackupDuringGrowthTest {

  @TempDir Path dir;

  @Test
  void backupsRacingGrowthsNeitherCrashNorFail() throws Exception {
    final Path work = Files.createDirectories(dir.resolve("child"));
    final ChildJvm.Result result =
        ChildJvm.run(
            ChildJvm.LMDB_FLAGS,
            Child.class,
            work,
            Duration.ofSeconds(90),
            dir.resolve("db").toString(),
            dir.resolve("backups").toString());
    assertThat(result.crashLogs()).as(result.describe()).isEmpty();
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.output()).as(result.describe()).contains("DONE backups=");
    final String done =
        result.lines().stream().filter(l -> l.startsWith("DONE")).findFirst().orElseThrow();
    System.out.println("BackupDuringGrowthTest " + done);
    final int backups = Integer.parseInt(done.replaceAll(".*backups=(\\d+).*", "$1"));
    assertThat(backups).as("backups raced the growths").isGreaterThanOrEqualTo(20);
  }

  /** Grows the map over and over on one thread while another backs the database up. */
  public static final class Child {
    public static void main(final String[] args) throws Exception {
      final DatabaseOptions options =
          DatabaseOptions.builder().initialMapSize(1 << 20).durability(Durability.NO_SYNC).build();
      try (Database db = Database.open(Path.of(args[0]), options)) {
        final Table<Long, byte[]> t = db.table("t", KeyCodecs.LONG, ValueCodecs.BYTES);
        db.write(
            txn -> {
              for (long i = 0; i < 200; i++) {
                t.put(txn, i, new byte[2_000]);
              }
            });
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger backups = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread backer =
            new Thread(
                () -> {
                  try {
                    while (!stop.get() && backups.get() < 150) {
                      // back to back, so that one begins while the next growth is under way
                      db.backupTo(Path.of(args[1]).resolve(String.valueOf(backups.get())));
                      backups.incrementAndGet();
                    }
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
        backer.start();
        final long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        int growths = 0;
        while (System.nanoTime() < deadline
            && failure.get() == null
            && backups.get() < 150
            && growths < 900) {
          // grow the moment a backup ends: the backup thread starts the next one right then
          final int seen = backups.get();
          while (backups.get() == seen && System.nanoTime() < deadline && failure.get() == null) {
            Thread.onSpinWait();
          }
          db.growMap();
          growths++;
        }
        stop.set(true);
        backer.join(30_000);
        if (failure.get() != null) {
          failure.get().printStackTrace();
          System.exit(2);
        }
        System.out.println("DONE backups=" + backups.get() + " growths=" + growths);
      }
    }
  }
}
