package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Txn;
import org.lodestore.examples.users.UserSchema;
import org.lodestore.testsupport.ChildProcess;

/**
 * {@code backup}, {@code readers} and {@code compact}, with other processes holding the database.
 */
class MaintenanceCommandsTest {

  @TempDir Path tmp;

  @Test
  void backup_writesAWholeCopyThatHoldsTheSameRows_compactedOrNot() {
    final Path db = tmp.resolve("db");
    ExampleData.write(db, 5);
    final Cli.Result plain = Cli.run("backup", db.toString(), tmp.resolve("b1").toString());
    assertThat(plain.exitCode()).as(plain.describe()).isZero();
    assertThat(plain.out()).contains("backed up " + db + " to " + tmp.resolve("b1/data.mdb"));
    final Cli.Result compact =
        Cli.run("backup", db.toString(), tmp.resolve("b2").toString(), "--compact");
    assertThat(compact.exitCode()).as(compact.describe()).isZero();
    assertThat(compact.out()).contains("compacted from");
    final Map<String, List<String>> original = LmdbDump.of(db);
    assertThat(LmdbDump.of(tmp.resolve("b1"))).isEqualTo(original);
    assertThat(LmdbDump.of(tmp.resolve("b2"))).isEqualTo(original);
    assertThat(tmp.resolve("b1").toFile().list()).contains("data.mdb").hasSize(2); // + lock.mdb
    assertThat(compact.err()).contains("backup: ");

    // a target that holds other files is refused, and left as it was
    final Cli.Result again = Cli.run("backup", db.toString(), tmp.resolve("b1").toString());
    assertThat(again.exitCode()).as(again.describe()).isEqualTo(Exit.PROBLEMS);
    assertThat(again.err()).contains("is not empty");
  }

  @Test
  void readersAndStat_showAStaleSlotOfADeadProcess_andClearStaleFreesIt() throws Exception {
    final Path db = tmp.resolve("db");
    ExampleData.write(db, 6);
    // a live process keeps the database open: otherwise the next open resets the reader table
    try (ChildProcess holder = OtherProcess.start("hold", db, tmp.resolve("crash"))) {
      try (ChildProcess dead = OtherProcess.start("die", db, tmp.resolve("crash"))) {
        final Cli.Result list = Cli.run("readers", db.toString());
        assertThat(list.exitCode()).as(list.describe()).isZero();
        assertThat(list.out().lines())
            .anyMatch(l -> l.startsWith(holder.pid() + " ") && l.endsWith("running"))
            .anyMatch(l -> l.startsWith(dead.pid() + " ") && l.endsWith("gone (stale slot)"))
            .contains("2 slots in use, 1 stale, of 256", "--clear-stale frees the stale slots");
        final Cli.Result stat = Cli.run("stat", db.toString());
        assertThat(stat.out()).contains("readers   1 in use, 1 stale, 256 slots");

        final Cli.Result clear = Cli.run("readers", db.toString(), "--clear-stale");
        assertThat(clear.exitCode()).as(clear.describe()).isZero();
        assertThat(clear.out()).contains("freed 1 stale slot");
        final Cli.Result after = Cli.run("readers", db.toString());
        assertThat(after.out()).contains("1 slot in use, 0 stale").doesNotContain(dead.pid() + " ");
      }
    }
    assertThat(Cli.run("readers", db.toString()).out()).contains("no reader slots in use");
  }

  @Test
  void compact_isRefusedWhileAnotherProcessHasTheDatabaseOpen_thenShrinksItInPlace()
      throws Exception {
    final Path db = tmp.resolve("db");
    ExampleData.write(db, 7);
    // free pages: delete most users (their indexes follow) in many small commits
    try (Database d =
        Database.open(db, DatabaseOptions.builder().durability(Durability.NO_SYNC).build())) {
      final UserSchema u = d.attach(new UserSchema());
      for (int round = 0; round < 20; round++) {
        d.write(txn -> u.logins.increment(txn, java.util.UUID.randomUUID(), 1));
      }
      final List<java.util.UUID> ids;
      try (Txn txn = d.beginRead()) {
        ids =
            u.users.select(txn, org.lodestore.core.KeyRange.all()).stream()
                .map(r -> r.key())
                .toList();
      }
      for (final java.util.UUID id : ids.subList(0, ids.size() - 2)) {
        d.write(txn -> u.users.delete(txn, id));
      }
    }
    final long before = Files.size(db.resolve("data.mdb"));
    final Map<String, List<String>> content = LmdbDump.of(db);
    // what tells compact that a commit happened while it copied
    final long commit = CompactCommand.lastCommit(db.resolve("data.mdb"));
    assertThat(commit).isPositive();

    try (ChildProcess holder = OtherProcess.start("hold", db, tmp.resolve("crash"))) {
      assertThat(holder.pid()).isNotEqualTo(ProcessHandle.current().pid());
      final Cli.Result refused = Cli.run("compact", db.toString());
      assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(Exit.CANNOT_OPEN);
      assertThat(refused.err()).contains("is open in another process");
      assertThat(Files.size(db.resolve("data.mdb"))).isEqualTo(before);
    }

    final Cli.Result r = Cli.run("compact", db.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).contains("compacted " + db);
    assertThat(Files.size(db.resolve("data.mdb"))).isLessThan(before);
    assertThat(LmdbDump.of(db)).isEqualTo(content);
    assertThat(db.toFile().list()).containsExactlyInAnyOrder("data.mdb", "lock.mdb");
    final Cli.Result verify = VerifyCommandTest.verify(db, true);
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    // and the database works on: a write after the compaction, then a reopen
    final long compacted = CompactCommand.lastCommit(db.resolve("data.mdb"));
    try (Database d = Database.open(db)) {
      final UserSchema u = d.attach(new UserSchema());
      d.write(txn -> u.logins.increment(txn, java.util.UUID.randomUUID(), 1));
    }
    assertThat(CompactCommand.lastCommit(db.resolve("data.mdb"))).isGreaterThan(compacted);
    try (Database d = Database.open(db, DatabaseOptions.builder().readOnly(true).build())) {
      final UserSchema u = d.attach(new UserSchema());
      try (Txn txn = d.beginRead()) {
        assertThat(u.users.count(txn)).isEqualTo(2);
      }
    }
  }
}
