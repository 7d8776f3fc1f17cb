package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lmdbjava.Env;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * {@link DataFiles}: the lock file reserved for a new database (the size LMDB wants, every block
 * allocated, an existing one never replaced), the check of {@code data.mdb} before LMDB maps it
 * (truncated, empty, foreign files refused; a file whose missing tail is free accepted), the reset
 * of a new {@code data.mdb} the disk filled up in, and the temporary directory of backups. The
 * checks read with plain file reads, so a test that gets them wrong fails instead of crashing;
 * opening damaged files through LMDB is tested in the reliability module, in a child JVM.
 */
class DataFilesTest {

  private static final boolean LINUX =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

  @TempDir Path dir;

  // ---------------------------------------------------------------- lock.mdb

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 126, 256, 1000})
  void lockFileSize_isTheSizeLmdbGivesANewLockFile(final int maxReaders) {
    assumeTrue(LINUX, "the reader table's layout is LMDB's on Linux");
    final Path env = dir.resolve("raw-" + maxReaders);
    env.toFile().mkdirs();
    try (Env<ByteBuffer> raw = Env.create().setMaxReaders(maxReaders).open(env.toFile())) {
      assertThat(env.resolve("lock.mdb")).hasSize(DataFiles.lockFileSize(maxReaders));
    }
  }

  @Test
  void open_newDatabase_findsItsLockFileReservedAndNoTemporaryFile() throws Exception {
    assumeTrue(LINUX, "lock files are reserved on Linux");
    final Path db = dir.resolve("db");
    try (Database database = Database.open(db, DatabaseOptions.builder().maxReaders(300).build())) {
      assertThat(database.stats().maxReaders()).isEqualTo(300);
    }
    final Path lock = db.resolve("lock.mdb");
    assertThat(lock).hasSize(DataFiles.lockFileSize(300));
    assertThat(allocatedBytes(lock)).isGreaterThanOrEqualTo(DataFiles.lockFileSize(300));
    assertThat(names(db)).containsExactlyInAnyOrder("data.mdb", "lock.mdb");
  }

  @Test
  void open_existingLockFile_isNeverReplaced() throws Exception {
    final Path db = dir.resolve("db");
    try (Database database = Database.open(db, DatabaseOptions.builder().maxReaders(50).build())) {
      assertThat(database.stats().maxReaders()).isEqualTo(50);
    }
    final Path lock = db.resolve("lock.mdb");
    final Object before = Files.readAttributes(lock, BasicFileAttributes.class).fileKey();
    try (Database database = Database.open(db, DatabaseOptions.builder().maxReaders(300).build())) {
      database.read(txn -> txn.isOpen());
    }
    assertThat(Files.readAttributes(lock, BasicFileAttributes.class).fileKey()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- data.mdb

  @Test
  void checkDataFile_missingOrEmptyFile_isANewDatabaseUnlessReadOnly() throws Exception {
    final Path db = Files.createDirectories(dir.resolve("db"));
    DataFiles.checkDataFile(db, false);
    DataFiles.checkDataFile(db, true); // LMDB reports a missing file itself
    Files.createFile(db.resolve("data.mdb"));
    DataFiles.checkDataFile(db, false);
    assertThatThrownBy(() -> DataFiles.checkDataFile(db, true))
        .isInstanceOf(CorruptDatabaseException.class)
        .hasMessageContaining(db.resolve("data.mdb").toString())
        .hasMessageContaining("empty");
  }

  @Test
  void checkDataFile_truncatedFile_isRefusedNamingIt() throws Exception {
    final Path source = populated(dir.resolve("source"));
    final long size = Files.size(source.resolve("data.mdb"));
    for (final long length : new long[] {size - 1, size - 4096, size / 2, 8192, 4096, 100}) {
      final Path copy = copy(source, "cut-" + length, length);
      for (final boolean readOnly : new boolean[] {false, true}) {
        assertThatThrownBy(() -> DataFiles.checkDataFile(copy, readOnly))
            .as("cut to %d bytes", length)
            .isInstanceOfSatisfying(
                CorruptDatabaseException.class,
                e -> assertThat(e.path()).isEqualTo(copy.resolve("data.mdb")))
            .hasMessageContaining(copy.resolve("data.mdb").toString());
      }
    }
    DataFiles.checkDataFile(copy(source, "whole", size), false);
    DataFiles.checkDataFile(copy(source, "whole-ro", size), true);
  }

  @Test
  void checkDataFile_foreignFile_isRefused() throws Exception {
    final Path db = Files.createDirectories(dir.resolve("db"));
    Files.write(
        db.resolve("data.mdb"),
        "not a database at all".repeat(1000).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> DataFiles.checkDataFile(db, false))
        .isInstanceOf(CorruptDatabaseException.class)
        .hasMessageContaining("not an LMDB data file");
  }

  @Test
  void checkDataFile_fileWhoseMissingTailIsFree_isAccepted() throws Exception {
    final Path db = dir.resolve("db");
    long used;
    try (Database database = Database.open(db)) {
      final Table<Long, byte[]> t = database.table("t", KeyCodecs.LONG, ValueCodecs.BYTES);
      database.write(txn -> t.put(txn, 1L, new byte[1 << 20]));
      database.write(txn -> t.delete(txn, 1L));
      database.write(txn -> t.put(txn, 2L, new byte[10]));
      // pages allocated and freed by one transaction are never written: the file ends early
      database.write(
          txn -> {
            t.put(txn, 1L, new byte[1 << 20]);
            t.put(txn, 3L, new byte[2 << 20]);
            t.delete(txn, 3L);
          });
      used = database.stats().usedBytes();
    }
    assertThat(Files.size(db.resolve("data.mdb"))).as("the scenario").isLessThan(used);
    DataFiles.checkDataFile(db, false);
    DataFiles.checkDataFile(db, true);
    try (Database database = Database.open(db, DatabaseOptions.builder().readOnly(true).build())) {
      final Table<Long, byte[]> t = database.table("t", KeyCodecs.LONG, ValueCodecs.BYTES);
      final byte[] value = database.readAndGet(txn -> t.get(txn, 1L));
      assertThat(value).hasSize(1 << 20);
    }
  }

  @Test
  void resetUnfinished_emptiesADataFileWithoutBothMetaPages_only() throws Exception {
    final Path source = populated(dir.resolve("source"));
    final Path half = copy(source, "first-meta-only", 4096);
    DataFiles.resetUnfinished(half);
    assertThat(half.resolve("data.mdb")).isEmptyFile();
    final long size = Files.size(source.resolve("data.mdb"));
    DataFiles.resetUnfinished(source);
    assertThat(source.resolve("data.mdb")).hasSize(size);
    final Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.write(foreign.resolve("data.mdb"), new byte[300]);
    DataFiles.resetUnfinished(foreign);
    assertThat(foreign.resolve("data.mdb")).hasSize(300);
  }

  // ---------------------------------------------------------------- backups

  @Test
  void backupTo_targetLeftByAKilledBackup_isCleanedAndFilled() throws Exception {
    final Path source = populated(dir.resolve("source"));
    final Path target = dir.resolve("backup");
    final Path stale = Files.createDirectories(target.resolve(DataFiles.BACKUP_PREFIX + "1234"));
    Files.write(stale.resolve("data.mdb"), new byte[8192]);
    try (Database database = Database.open(source)) {
      database.backupTo(target);
    }
    assertThat(names(target)).containsExactly("data.mdb");
    DataFiles.checkDataFile(target, true);
  }

  // ---------------------------------------------------------------- support

  private static Path populated(final Path db) {
    try (Database database = Database.open(db)) {
      final Table<Long, byte[]> t = database.table("t", KeyCodecs.LONG, ValueCodecs.BYTES);
      database.write(
          txn -> {
            for (long i = 0; i < 300; i++) {
              t.put(txn, i, new byte[(int) (i * 37 % 5000) + 1]);
            }
          });
    }
    return db;
  }

  private Path copy(final Path source, final String name, final long length) throws IOException {
    final Path target = Files.createDirectories(dir.resolve(name));
    Files.copy(source.resolve("data.mdb"), target.resolve("data.mdb"));
    try (FileChannel ch = FileChannel.open(target.resolve("data.mdb"), StandardOpenOption.WRITE)) {
      ch.truncate(length);
    }
    return target;
  }

  private static List<String> names(final Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  /** Bytes of disk the file occupies ({@code stat %b} blocks of 512 bytes). */
  private static long allocatedBytes(final Path file) throws Exception {
    final Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
    final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return Long.parseLong(out) * 512;
  }
}
