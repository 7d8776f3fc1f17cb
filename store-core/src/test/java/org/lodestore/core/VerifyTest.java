package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * {@link Verify}: an intact file is {@code OK} with every table's count; a damaged one is reported,
 * naming the table, while the calling JVM goes on; the check writes nothing (no lock file, no crash
 * log in the working directory); a child that crashed is reported with its signal, the table LMDB
 * was reading and LMDB's assertion.
 */
class VerifyTest {

  @TempDir Path tmp;

  @Test
  void run_intactDatabase_isOkWithTheCountOfEveryTable() {
    final Path dir = tmp.resolve("db");
    write(dir);
    final VerifyReport report = Verify.run(dir);
    assertThat(report.ok()).as(report.toString()).isTrue();
    assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.OK);
    assertThat(report.problems()).isEmpty();
    assertThat(report.counts()).containsEntry("rows", 3000L).containsEntry("sets", 1200L);
    assertThat(report.summary()).isEqualTo("ok: 2 tables, 4200 entries");
  }

  @Test
  void run_damagedLeafPage_isDamagedNamingTheTableAndThisJvmGoesOn() throws IOException {
    final Path dir = tmp.resolve("db");
    write(dir);
    final long leaf = leafOfRows(dir);
    try (FileChannel ch = FileChannel.open(dir.resolve("data.mdb"), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4096), leaf * 4096);
    }
    final VerifyReport report = Verify.run(dir);
    assertThat(report.ok()).isFalse();
    assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.DAMAGED);
    assertThat(report.problems().get(0)).startsWith("table 'rows': ").contains("page " + leaf);
    assertThat(report.summary()).startsWith("damaged: table 'rows'");
  }

  @Test
  void run_writesNothing_noLockFileAndNoCrashLogInTheWorkingDirectory() throws IOException {
    final Path dir = tmp.resolve("db");
    write(dir);
    Files.delete(dir.resolve("lock.mdb"));
    final byte[] before = Files.readAllBytes(dir.resolve("data.mdb"));
    assertThat(Verify.run(dir).ok()).isTrue();
    assertThat(Files.readAllBytes(dir.resolve("data.mdb"))).isEqualTo(before);
    assertThat(dir.resolve("lock.mdb")).doesNotExist();
    try (Stream<Path> files = Files.list(Path.of("").toAbsolutePath())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("hs_err") || n.startsWith("core"));
    }
  }

  @Test
  void run_withoutADatabase_throwsIllegalArgument() {
    assertThatThrownBy(() -> Verify.run(tmp.resolve("nothing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no data.mdb");
  }

  @Test
  void outcome_ofAChildThatLmdbAborted_isCrashedNamingSignalTableAndAssertion() throws IOException {
    final List<String> out = List.of("VERIFY begin", "VERIFY table t1 10", "VERIFY reading rows");
    final List<String> err =
        List.of("mdb.c:6010: Assertion 'IS_LEAF(mp)' failed in mdb_cursor_next()");
    final VerifyReport report = Verify.outcome(tmp, 134, out, err, tmp);
    assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.CRASHED);
    assertThat(report.counts()).containsEntry("t1", 10L);
    assertThat(report.problems())
        .containsExactly(
            "the check crashed (SIGABRT) while LMDB read "
                + "table 'rows': LMDB: mdb.c:6010: Assertion 'IS_LEAF(mp)' failed in mdb_cursor_next(): "
                + "the file is damaged");
  }

  @Test
  void outcome_ofAChildWithACrashLog_namesTheSignalAndTheFrame() throws IOException {
    Files.write(
        tmp.resolve("hs_err_123.log"),
        Arrays.asList(
            "#",
            "# A fatal error has been detected by the Java Runtime Environment:",
            "#",
            "#  SIGSEGV (0xb) at pc=0x00007f, pid=123, tid=124",
            "#",
            "# Problematic frame:",
            "# C  [liblmdb.so+0x5a90]  mdb_xcursor_init1+0x20"));
    final VerifyReport report =
        Verify.outcome(
            tmp, 134, List.of("VERIFY begin", "VERIFY reading big"), List.<String>of(), tmp);
    assertThat(report.problems().get(0))
        .isEqualTo(
            "the check crashed (SIGSEGV in C  "
                + "[liblmdb.so+0x5a90]  mdb_xcursor_init1+0x20) while LMDB read table 'big': the file is "
                + "damaged");
  }

  @Test
  void outcome_ofAChildThatNeverStarted_isNotRunWithItsError() throws IOException {
    final VerifyReport report =
        Verify.outcome(
            tmp,
            1,
            List.<String>of(),
            List.of("Error: Could not find or load main class org.lodestore.core.VerifyChild"),
            tmp);
    assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.NOT_RUN);
    assertThat(report.summary()).contains("Could not find or load main class");
  }

  private static void write(final Path dir) {
    final SplittableRandom rnd = new SplittableRandom(11);
    try (Database db = Database.open(dir)) {
      final Table<byte[], byte[]> rows = db.table("rows", KeyCodecs.BYTES, ValueCodecs.BYTES);
      final SetTable<byte[], byte[]> sets =
          db.setTable("sets", KeyCodecs.BYTES, KeyCodecs.fixedBytes(16));
      db.write(
          txn -> {
            for (int i = 0; i < 3000; i++) {
              final byte[] k = new byte[16];
              rnd.nextBytes(k);
              final byte[] v = new byte[rnd.nextInt(200)];
              rows.put(txn, k, v);
            }
            for (int i = 0; i < 1200; i++) {
              final byte[] m = new byte[16];
              rnd.nextBytes(m);
              sets.add(txn, new byte[] {(byte) (i % 7)}, m);
            }
          });
    }
  }

  /** A leaf page of {@code rows} below its root (the first leaf page after the main table's). */
  private static long leafOfRows(final Path dir) throws IOException {
    final ByteBuffer f =
        ByteBuffer.wrap(Files.readAllBytes(dir.resolve("data.mdb"))).order(ByteOrder.LITTLE_ENDIAN);
    for (long p = 2; p * 4096 < f.capacity(); p++) {
      final int at = (int) (p * 4096);
      if ((f.getShort(at + 10) & 0xFFFF) == PageFile.P_LEAF) {
        final int node = at + (f.getShort(at + 16) & 0xFFFF);
        if ((f.getShort(node + 6) & 0xFFFF) == 16 && (f.getShort(node + 4) & 0xFFFF) == 0) {
          return p; // a node with a 16-byte key and a plain value: rows
        }
      }
    }
    throw new IllegalStateException("no leaf of rows");
  }
}
