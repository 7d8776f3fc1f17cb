package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildJvm;

/**
 * {@link Database#readers()}, {@link Database#clearStaleReaders()} and {@link
 * DatabaseOptions#clearStaleReaders()}: what the {@code lodestore readers} command shows and does.
 */
class ReaderSlotsTest {

  @TempDir Path tmp;

  private static final DatabaseOptions KEEP_STALE =
      DatabaseOptions.builder().clearStaleReaders(false).build();

  @Test
  void readers_listsOwnSnapshot_withItsTransaction_andNoSlotWhenIdle() {
    try (Database db = Database.open(tmp.resolve("db"), KEEP_STALE)) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "k", "v"));
      final long me = ProcessHandle.current().pid();
      try (Txn txn = db.beginRead()) {
        assertThat(t.get(txn, "k")).isEqualTo("v");
        final List<ReaderSlot> slots = db.readers();
        assertThat(slots).anySatisfy(s -> assertThat(s.pid()).isEqualTo(me));
        assertThat(slots)
            .filteredOn(s -> s.txnId() >= 0)
            .singleElement()
            .satisfies(
                s -> {
                  assertThat(s.pid()).isEqualTo(me);
                  assertThat(s.processAlive()).isTrue();
                  assertThat(s.stale()).isFalse();
                  assertThat(s.thread()).matches("[0-9a-f]+");
                });
      }
      // the slot a pooled transaction keeps between reads holds no snapshot
      assertThat(db.readers()).allSatisfy(s -> assertThat(s.txnId()).isEqualTo(-1));
    }
  }

  @Test
  void deadProcessSlot_isListedAsStale_keptWhenTurnedOff_andFreedByClearStaleReaders()
      throws Exception {
    final Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir, KEEP_STALE)) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "k", "v"));
      final ChildJvm.Result child =
          ChildJvm.run(
              ChildJvm.LMDB_FLAGS,
              DeadReaderChild.class,
              Files.createDirectories(tmp.resolve("child")),
              Duration.ofMinutes(2),
              dir.toString());
      assertThat(child.exitCode()).as(child.describe()).isZero();
      final long childPid =
          Long.parseLong(child.output().replaceAll("(?s).*READING pid=(\\d+).*", "$1"));

      // writes do not free it while the option is off (they would every 64 writes or second)
      for (int i = 0; i < 70; i++) {
        final int n = i;
        db.write(txn -> t.put(txn, "k" + n, "v"));
      }
      assertThat(db.readers())
          .filteredOn(s -> s.pid() == childPid)
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.stale()).isTrue();
                assertThat(s.txnId()).isPositive();
              });
      assertThat(db.stats().staleReadersCleared()).isZero();

      assertThat(db.clearStaleReaders()).isEqualTo(1);
      assertThat(db.readers()).noneMatch(s -> s.pid() == childPid);
      assertThat(db.clearStaleReaders()).isZero();
    }
    assertThatThrownBy(
            () -> {
              final Database closed = Database.open(dir);
              closed.close();
              closed.readers();
            })
        .isInstanceOf(InvalidStateException.class);
  }

  @Test
  void backupTo_uncompacted_copiesEveryPage_compactedLeavesFreePagesOut() {
    final Path dir = tmp.resolve("db");
    try (Database db = Database.open(dir)) {
      final Table<String, byte[]> t = db.table("t", KeyCodecs.STRING, ValueCodecs.BYTES);
      for (int i = 0; i < 20; i++) {
        final int n = i;
        db.write(txn -> t.put(txn, "k" + n, new byte[64 * 1024]));
      }
      db.write(
          txn -> {
            for (int i = 0; i < 19; i++) {
              t.delete(txn, "k" + i);
            }
          });
      db.backupTo(tmp.resolve("plain"), false);
      db.backupTo(tmp.resolve("compact"), true);
      final long used = db.stats().usedBytes();
      assertThat(size(tmp.resolve("plain"))).isEqualTo(used);
      assertThat(size(tmp.resolve("compact"))).isLessThan(used / 4);
    }
    for (final String copy : List.of("plain", "compact")) {
      try (Database db =
          Database.open(tmp.resolve(copy), DatabaseOptions.builder().readOnly(true).build())) {
        final Table<String, byte[]> t = db.table("t", KeyCodecs.STRING, ValueCodecs.BYTES);
        try (Txn txn = db.beginRead()) {
          assertThat(t.count(txn)).as(copy).isEqualTo(1);
          assertThat(t.get(txn, "k19")).as(copy).hasSize(64 * 1024);
        }
      }
    }
  }

  private static long size(final Path dir) {
    try {
      return Files.size(dir.resolve("data.mdb"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
