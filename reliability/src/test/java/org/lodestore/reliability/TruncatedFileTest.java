package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * A damaged {@code data.mdb} that is too short (issue 11 item 9: cut in half, its last page gone,
 * one byte short, empty, cut at random points; or with a bad magic number or format version) is
 * refused when opened, read-write and read-only, with {@code CorruptDatabaseException} naming the
 * path; it used to crash the JVM with SIGBUS (or raise {@code InternalError}) at the first read of
 * a page past the end. The opens run in a {@link StorageChild} JVM.
 *
 * <p>The check must not refuse healthy files: one whose last pages are free and were never written
 * (LMDB leaves such a file shorter than its last page number says), and one that another process is
 * growing while this one opens it.
 */
@Tag("crash")
class TruncatedFileTest {

  @TempDir Path tmp;

  @Test
  void truncatedDataFile_isRefusedWithATypedError() throws Exception {
    final long seed = TestSeed.seed("TruncatedFileTest");
    final Random rnd = new Random(seed);
    final Path source = tmp.resolve("source");
    final long rows = AtomicBackupTest.populate(source, seed, 500, 6 << 10);
    final Path data = source.resolve("data.mdb");
    final long size = Files.size(data);
    final int pageSize = pageSizeOf(data);

    // name -> length of the copy
    final Map<String, Long> cuts = new LinkedHashMap<>();
    cuts.put("intact", size);
    cuts.put("half", size / 2);
    cuts.put("lastPage", size - pageSize);
    cuts.put("oneByteShort", size - 1);
    cuts.put("zero", 0L);
    cuts.put("partOfFirstMeta", 100L);
    cuts.put("firstMeta", (long) pageSize);
    cuts.put("twoMetas", 2L * pageSize);
    for (int i = 0, n = Reliability.pick(4, 40); i < n; i++) {
      cuts.put("random" + i, 1 + (long) (rnd.nextDouble() * (size - 1)));
    }
    final List<String> targets = new ArrayList<>();
    final Map<String, String> expected = new LinkedHashMap<>(); // dir name -> expected outcome
    for (final Map.Entry<String, Long> cut : cuts.entrySet()) {
      for (final String mode : List.of("rw", "ro")) {
        final Path copy = copyOf(data, cut.getKey() + "-" + mode, cut.getValue());
        targets.add(mode + ":" + copy);
        final String outcome;
        if (cut.getKey().equals("intact")) {
          outcome = "rows=" + rows;
        } else if (cut.getKey().equals("zero") && mode.equals("rw")) {
          outcome = "rows=0"; // an empty data.mdb is no database yet: LMDB starts a new one
        } else {
          outcome = "CorruptDatabaseException";
        }
        expected.put(copy.getFileName() + " " + mode, outcome);
      }
    }
    for (final String mode : List.of("rw", "ro")) {
      final Path magic = copyOf(data, "badMagic-" + mode, size);
      poke(magic.resolve("data.mdb"), 16, 0x0BADF00D); // meta page 0: mm_magic
      targets.add(mode + ":" + magic);
      expected.put(magic.getFileName() + " " + mode, "CorruptDatabaseException");
      final Path version = copyOf(data, "badVersion-" + mode, size);
      poke(version.resolve("data.mdb"), pageSize + 20, 7); // meta page 1: mm_version
      targets.add(mode + ":" + version);
      expected.put(version.getFileName() + " " + mode, "CorruptDatabaseException");
    }
    // healthy, yet shorter than (last page + 1) * page size: its last pages are free
    final Path freeTail = tmp.resolve("freeTail");
    final long freeTailRows = freeTail(freeTail, seed);
    final Path freeTailData = freeTail.resolve("data.mdb");
    final long freeTailSize = Files.size(freeTailData);
    for (final String mode : List.of("rw", "ro")) {
      final Path copy = copyOf(freeTailData, "freeTail-" + mode, freeTailSize);
      targets.add(mode + ":" + copy);
      expected.put(copy.getFileName() + " " + mode, "rows=" + freeTailRows);
      // shorter still: refused if a page in use is gone, else (only free pages gone) intact
      for (final long length : new long[] {freeTailSize - pageSize, freeTailSize / 2}) {
        final Path cut = copyOf(freeTailData, "freeTailCut" + length + "-" + mode, length);
        targets.add(mode + ":" + cut);
        expected.put(
            cut.getFileName() + " " + mode, "rows=" + freeTailRows + "|CorruptDatabaseException");
      }
    }

    final List<String> args =
        new ArrayList<>(List.of("open", Long.toString(seed), Long.toString(rows)));
    args.addAll(targets);
    int refused = 0;
    int opened = 0;
    int untyped = 0;
    int wrong = 0;
    int results = 0;
    int crashes;
    final List<String> problems = new ArrayList<>();
    try (ChildProcess child =
        ChildProcess.start(
            StorageChild.class, tmp.resolve("crash"), "256m", args.toArray(new String[0]))) {
      for (String line;
          !(line = child.nextLine(Duration.ofSeconds(120))).equals(ChildProcess.EOF)
              && !line.equals("DONE"); ) {
        if (!line.startsWith("RESULT ")) {
          continue;
        }
        results++;
        final String[] f = line.split(" ");
        final String want = expected.get(f[1] + " " + f[2]);
        if (line.contains(" CorruptDatabaseException named=true typed=true")) {
          refused++;
        } else if (line.endsWith(" ok")) {
          opened++;
        } else {
          untyped++;
        }
        boolean ok = false;
        for (final String outcome : want.split("\\|")) {
          ok |=
              outcome.startsWith("rows=")
                  ? line.contains(" " + outcome + " ")
                      && line.contains(" bad=0 ")
                      && line.endsWith(" ok")
                  : line.contains(" " + outcome + " named=true typed=true");
        }
        if (!ok) {
          wrong++;
          problems.add("expected " + want + ": " + line);
        }
      }
      child.waitFor(Duration.ofSeconds(60));
      crashes = child.crashLogs().size() + (results == targets.size() ? 0 : 1);
      Reliability.report(
          "truncatedFile",
          "files",
          targets.size(),
          "refused",
          refused,
          "openedHealthy",
          opened,
          "untypedErrors",
          untyped,
          "wrongOutcomes",
          wrong,
          "crashes",
          crashes,
          "seed",
          seed);
      assertThat(crashes).as(child.describe()).isZero();
    }
    assertThat(problems).isEmpty();
    assertThat(results).isEqualTo(targets.size());
  }

  @Test
  void growingDataFile_isNeverRefused() throws Exception {
    final long seed = TestSeed.seed("TruncatedFileTest.growing");
    final int seconds = Reliability.pick(5, 30);
    final Path dir = tmp.resolve("growing");
    AtomicBackupTest.populate(dir, seed, 10, 1024);
    final Object lockKey =
        Files.readAttributes(dir.resolve("lock.mdb"), BasicFileAttributes.class).fileKey();
    int opens = 0;
    int refusals = 0;
    int otherErrors = 0;
    final List<String> problems = new ArrayList<>();
    int crashes;
    try (ChildProcess child =
        ChildProcess.start(
            StorageChild.class,
            tmp.resolve("crash"),
            "128m",
            "grow",
            dir.toString(),
            Long.toString(seed),
            Integer.toString(seconds))) {
      child.awaitLine("READY", Duration.ofSeconds(120));
      while (child.isAlive()) {
        final boolean readOnly = opens % 2 == 0;
        try (Database db =
            Database.open(dir, DatabaseOptions.builder().readOnly(readOnly).build())) {
          final Table<Long, byte[]> rows = StorageChild.rows(db);
          db.read(txn -> rows.count(txn));
        } catch (RuntimeException e) {
          if (e.getClass().getSimpleName().equals("CorruptDatabaseException")) {
            refusals++;
          } else {
            otherErrors++;
          }
          problems.add(e.toString());
        }
        opens++;
      }
      child.waitFor(Duration.ofSeconds(60));
      crashes = child.crashLogs().size();
    }
    final Object lockKeyAfter =
        Files.readAttributes(dir.resolve("lock.mdb"), BasicFileAttributes.class).fileKey();
    Reliability.report(
        "growingFile",
        "seconds",
        seconds,
        "opens",
        opens,
        "falseRefusals",
        refusals,
        "otherErrors",
        otherErrors,
        "lockFileReplaced",
        !lockKey.equals(lockKeyAfter),
        "crashes",
        crashes,
        "seed",
        seed);
    assertThat(problems).isEmpty();
    assertThat(crashes).isZero();
    assertThat(opens).isPositive();
    assertThat(lockKeyAfter).as("lock.mdb is never replaced").isEqualTo(lockKey);
  }

  /**
   * A database whose last pages were allocated and freed by one transaction: LMDB never writes
   * them, so data.mdb ends before {@code (last page + 1) * page size}. Returns its row count.
   */
  private static long freeTail(final Path dir, final long seed) {
    try (Database db =
        Database.open(dir, DatabaseOptions.builder().durability(Durability.NO_SYNC).build())) {
      final Table<Long, byte[]> rows = StorageChild.rows(db);
      db.write(txn -> rows.put(txn, 1L, StorageChild.value(seed, 1, 1 << 20)));
      db.write(txn -> rows.delete(txn, 1L));
      db.write(txn -> rows.put(txn, 2L, StorageChild.value(seed, 2, 100)));
      db.write(
          txn -> {
            rows.put(txn, 1L, StorageChild.value(seed, 1, 1 << 20));
            rows.put(txn, 3L, new byte[2 << 20]);
            rows.delete(txn, 3L);
          });
      final DatabaseStats stats = db.stats();
      try {
        assertThat(Files.size(dir.resolve("data.mdb")))
            .as("the scenario: the file ends before its last page")
            .isLessThan(stats.usedBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return db.readAndGet(txn -> rows.count(txn));
    }
  }

  private Path copyOf(final Path data, final String name, final long length) throws IOException {
    final Path dir = Files.createDirectories(tmp.resolve("cuts").resolve(name));
    final Path copy = dir.resolve("data.mdb");
    Files.copy(data, copy);
    try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
      ch.truncate(length);
    }
    return dir;
  }

  private static void poke(final Path file, final long offset, final int value) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value), offset);
    }
  }

  /** The page size recorded in meta page 0 (the FREE_DBI record's md_pad, at offset 40). */
  private static int pageSizeOf(final Path data) throws IOException {
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
      final ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
      ch.read(b, 40);
      return b.getInt(0);
    }
  }
}
