package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildProcess;

/**
 * Issue 11 item 4: reader processes killed with -9 leave their slots in {@code lock.mdb}. Once
 * {@code maxReaders} of them died the survivor could not read, and a single dead reader pinned its
 * snapshot forever (600 overwrites of one 100 KB row grew {@code data.mdb} from 352 KB to 71.6 MB).
 * Now dead readers are reaped at open, when the reader table is full, and every 64 write
 * transactions or second; {@code stats()} counts them and reports the readers in use now.
 */
@Tag("multi-process")
class DeadReaderTest {

  private static final int MAX_READERS = 8;

  @TempDir Path tmp;

  @Test
  void killedReaders_areReaped_whenTableFull_periodically_andAtOpen() throws Exception {
    final Path dir = tmp.resolve("db");
    final DatabaseOptions options =
        DatabaseOptions.builder().maxReaders(MAX_READERS).durability(Durability.NO_SYNC).build();
    final int overwrites = Reliability.pick(600, 3000);
    final long grownBytes;
    final long clearedWhenFull;
    final int inUseWithOneReader;
    final long clearedAtOpen;
    try (Database db = Database.open(dir, options)) {
      final Table<String, byte[]> blob = db.table("blob", KeyCodecs.STRING, ValueCodecs.BYTES);
      db.write(txn -> blob.put(txn, "row", new byte[100 * 1024]));
      // every reader slot taken by a process that then dies
      killReaders(dir, MAX_READERS);
      try (Txn txn = db.beginRead()) {
        assertThat(blob.get(txn, "row")).hasSize(100 * 1024);
        inUseWithOneReader = db.stats().readersInUse();
      }
      clearedWhenFull = db.stats().staleReadersCleared();
      // one dead reader pins a snapshot: overwriting must not grow the file without bound
      killReaders(dir, 1);
      final long before = Files.size(dir.resolve("data.mdb"));
      for (int i = 0; i < overwrites; i++) {
        final byte fill = (byte) i;
        db.write(
            txn -> {
              final byte[] v = new byte[100 * 1024];
              java.util.Arrays.fill(v, fill);
              blob.put(txn, "row", v);
            });
      }
      grownBytes = Files.size(dir.resolve("data.mdb")) - before;
    }
    // at open: LMDB resets the reader table itself when no live process has the database open,
    // so a live reader keeps it open while three others die
    final int inUseAfterReopen;
    try (ChildProcess live =
        ChildProcess.start(
            ReaderChild.class,
            tmp.resolve("crash"),
            "64m",
            dir.toString(),
            Integer.toString(MAX_READERS))) {
      live.awaitLine("READING", Duration.ofSeconds(60));
      killReaders(dir, 3);
      try (Database db = Database.open(dir, options)) {
        clearedAtOpen = db.stats().staleReadersCleared();
        inUseAfterReopen = db.stats().readersInUse();
      }
    }
    Reliability.report(
        "deadReaders",
        "maxReaders",
        MAX_READERS,
        "clearedWhenFull",
        clearedWhenFull,
        "readersInUseWithOneOpen",
        inUseWithOneReader,
        "overwrites",
        overwrites,
        "fileGrowthBytes",
        grownBytes,
        "clearedAtOpen",
        clearedAtOpen,
        "readersInUseAfterReopen",
        inUseAfterReopen);
    assertThat(clearedWhenFull).isEqualTo(MAX_READERS);
    assertThat(inUseWithOneReader).isEqualTo(1);
    // 64 writes of 100 KB between two checks at most, against unbounded growth before
    assertThat(grownBytes).isLessThan(16L << 20);
    assertThat(clearedAtOpen).isEqualTo(3);
    assertThat(inUseAfterReopen).isEqualTo(1);
  }

  private void killReaders(final Path dir, final int n) throws Exception {
    final List<ChildProcess> readers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        readers.add(
            ChildProcess.start(
                ReaderChild.class,
                tmp.resolve("crash"),
                "64m",
                dir.toString(),
                Integer.toString(MAX_READERS)));
      }
      for (final ChildProcess reader : readers) {
        reader.awaitLine("READING", Duration.ofSeconds(60));
      }
    } finally {
      for (final ChildProcess reader : readers) {
        reader.kill();
        try {
          reader.waitFor(Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
          // killed: its exit code does not matter
        }
        reader.close();
      }
    }
  }
}
