package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.MapFullException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * Two processes on one database: this JVM writes (transfers that keep a total constant, journaled
 * and counted; aborted transactions that write a poison row; blobs that make the map grow from 1
 * MiB, so the reader must adopt new map sizes), while a {@link ReadOnlyChild} opened with {@code
 * readOnly(true)} checks that every snapshot is committed and consistent and that its write
 * attempts fail with typed exceptions.
 */
@Tag("multi-process")
class TwoProcessTest {

  private static final Pattern DONE =
      Pattern.compile(
          "DONE snapshots=(\\d+) violations=(\\d+) maxTransfers=(-?\\d+) "
              + "writeAttempts=(\\d+) typedRefusals=(\\d+) untyped=(\\d+) attach=(\\S+)");

  @TempDir Path tmp;

  @Test
  void readOnlySecondProcess_seesOnlyCommittedSnapshots_andCannotWrite() throws Exception {
    final long seed = TestSeed.seed("TwoProcessTest");
    final SplittableRandom rnd = new SplittableRandom(seed);
    final int seconds = Reliability.pick(8, 40);
    final Path dir = tmp.resolve("db");
    final List<String> violations = new ArrayList<>();
    String done = null;
    long commits = 0;
    long aborts = 0;
    long transfers;
    int growths;
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder()
                .initialMapSize(1L << 20)
                .durability(Durability.NO_META_SYNC)
                .build())) {
      final SoakTest.Bank bank = db.attach(new SoakTest.Bank());
      db.write(bank::open);
      final Table<UUID, byte[]> blobs = db.table("blobs", KeyCodecs.UUID, ValueCodecs.BYTES);
      try (ChildProcess child =
          ChildProcess.start(
              ReadOnlyChild.class,
              tmp.resolve("crash"),
              "128m",
              dir.toString(),
              Integer.toString(seconds))) {
        child.awaitLine("READY", Duration.ofSeconds(60));
        final long end = System.nanoTime() + (seconds + 2) * 1_000_000_000L;
        while (System.nanoTime() < end && child.isAlive()) {
          final int n = 1 + rnd.nextInt(10);
          if (rnd.nextInt(8) == 0) {
            try (Txn txn = db.beginWrite()) {
              for (int i = 0; i < n; i++) {
                bank.transfer(txn, rnd);
              }
              bank.journal.put(txn, -1L, "poison: this transaction aborts");
            } catch (MapFullException e) {
              db.growMap(); // explicit transactions are told, write(fn) grows by itself
            }
            aborts++;
          } else {
            final byte[] blob = new byte[rnd.nextInt(64 << 10)];
            db.write(
                txn -> {
                  for (int i = 0; i < n; i++) {
                    bank.transfer(txn, rnd);
                  }
                  blobs.put(txn, new UUID(rnd.nextLong(), rnd.nextLong()), blob);
                });
            commits++;
          }
        }
        child.waitFor(Duration.ofSeconds(60));
        for (String line;
            !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(10))); ) {
          if (line == null) {
            break;
          }
          if (line.startsWith("VIOLATION")) {
            violations.add(line);
          } else if (line.startsWith("DONE")) {
            done = line;
          }
        }
        assertThat(child.crashLogs()).as(child.describe()).isEmpty();
        assertThat(done).as("reader summary; %s", child.describe()).isNotNull();
      }
      transfers = db.readAndGet(txn -> bank.counters.value(txn, "transfers"));
      growths = db.stats().mapGrowths();
    }
    final Matcher m = DONE.matcher(done);
    assertThat(m.matches()).as(done).isTrue();
    Reliability.report(
        "twoProcess",
        "seconds",
        seconds,
        "writerCommits",
        commits,
        "writerAborts",
        aborts,
        "writerMapGrowths",
        growths,
        "readerSnapshots",
        m.group(1),
        "violations",
        m.group(2),
        "readerMaxTransfers",
        m.group(3),
        "writerTransfers",
        transfers,
        "readerWriteAttempts",
        m.group(4),
        "typedRefusals",
        m.group(5),
        "untypedRefusals",
        m.group(6),
        "readerSchemaAttach",
        m.group(7),
        "seed",
        seed);
    assertThat(violations).as("seed %d", seed).isEmpty();
    assertThat(Long.parseLong(m.group(2))).isZero();
    assertThat(Long.parseLong(m.group(6))).isZero();
    assertThat(Long.parseLong(m.group(5))).isEqualTo(Long.parseLong(m.group(4))).isPositive();
    assertThat(Long.parseLong(m.group(3))).isLessThanOrEqualTo(transfers);
    assertThat(Long.parseLong(m.group(1))).isPositive();
    assertThat(growths).as("the map grew while the reader read").isPositive();
  }

  /**
   * Was a known defect: {@code Database.attach(schema)} always ran a write transaction (to create
   * or record the catalog), so a database opened {@code readOnly(true)} could not use a Schema at
   * all, not even one whose tables all exist and match the catalog. Now attach validates against
   * the catalog in a read transaction and binds the tables.
   */
  @Test
  void readOnlyDatabase_attachesExistingSchema() {
    final Path dir = tmp.resolve("ro");
    try (Database db = Database.open(dir)) {
      final SoakTest.Bank bank = db.attach(new SoakTest.Bank());
      db.write(bank::open);
    }
    try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build())) {
      final SoakTest.Bank bank = db.attach(new SoakTest.Bank());
      final long balance = db.readAndGet(txn -> bank.balances.value(txn, SoakTest.Bank.account(0)));
      assertThat(balance).isEqualTo(SoakTest.INITIAL);
    }
  }
}
