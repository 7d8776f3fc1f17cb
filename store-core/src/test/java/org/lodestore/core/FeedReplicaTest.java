package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * {@link FeedReplica}: a replica bootstrapped from a backup of a database with a change feed, then
 * fed its entries, equals the source byte for byte; duplicates are skipped, gaps and foreign
 * entries refused, and its users cannot write it.
 */
class FeedReplicaTest {

  @TempDir Path dir;

  private static final DatabaseOptions LEADER =
      DatabaseOptions.builder()
          .durability(Durability.NO_SYNC)
          .changeFeed(FeedOptions.defaults())
          .build();

  private static final DatabaseOptions REPLICA =
      DatabaseOptions.builder().durability(Durability.NO_SYNC).replica(true).build();

  @Test
  void aReplicaFedEveryEntryAfterItsSnapshotEqualsItsSource() {
    final Random random = new Random(TestSeed.seed("FeedReplicaTest.replica"));
    try (Database leader = Database.open(dir.resolve("leader"), LEADER)) {
      final Writes writes = new Writes(leader, random);
      writes.rounds(50);
      leader.backupTo(dir.resolve("replica"));
      final long snapshotSeq = leader.feed().lastSeq();
      writes.rounds(150);
      leader.write(txn -> leader.dropTable(txn, "doomed"));
      writes.rounds(20);

      try (Database replica = Database.open(dir.resolve("replica"), REPLICA)) {
        final FeedReplica.Position[] start = new FeedReplica.Position[1];
        FeedReplica.write(replica, txn -> start[0] = FeedReplica.startFromSnapshot(txn));
        assertThat(start[0].seq()).isEqualTo(snapshotSeq);
        assertThat(start[0].generation()).isEqualTo(leader.feed().generation());

        final List<FeedEntry> entries = leader.feed().read(1, Integer.MAX_VALUE);
        final int[] applied = {0};
        final int[] skipped = {0};
        for (int from = 0; from < entries.size(); from += 17) {
          final List<FeedEntry> batch = entries.subList(from, Math.min(entries.size(), from + 17));
          FeedReplica.write(
              replica,
              txn -> {
                for (final FeedEntry e : batch) {
                  if (FeedReplica.apply(txn, e, new byte[] {(byte) e.seq()})) {
                    applied[0]++;
                  } else {
                    skipped[0]++;
                  }
                }
              });
        }
        assertThat(skipped[0]).isEqualTo((int) snapshotSeq);
        assertThat(applied[0]).isEqualTo(entries.size() - (int) snapshotSeq);
        assertThat(contents(replica)).isEqualTo(contents(leader));
        final FeedReplica.Position at =
            replica.readAndGet(txn -> FeedReplica.position(txn).orElseThrow());
        assertThat(at.seq()).isEqualTo(leader.feed().lastSeq());
        assertThat(at.hash()).isEqualTo(entries.get(entries.size() - 1).hash());
        assertThat(at.state()).containsExactly((byte) at.seq());
        System.out.println(
            "FeedReplicaTest entries="
                + entries.size()
                + " applied="
                + applied[0]
                + " skipped="
                + skipped[0]
                + " tables="
                + contents(leader).size());
      }
    }
  }

  @Test
  void aMissingOrForeignEntryIsRefusedAndNothingOfItApplied() {
    try (Database leader = Database.open(dir.resolve("leader"), LEADER)) {
      final Table<String, String> t = leader.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      leader.backupTo(dir.resolve("replica"));
      for (int i = 0; i < 3; i++) {
        final String k = "k" + i;
        leader.write(txn -> t.put(txn, k, "v"));
      }
      final List<FeedEntry> entries = leader.feed().read(1, 10);
      try (Database other = Database.open(dir.resolve("other"), LEADER)) {
        other.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
        final FeedEntry foreign = other.feed().read(1, 1).get(0);
        try (Database replica = Database.open(dir.resolve("replica"), REPLICA)) {
          FeedReplica.write(replica, FeedReplica::startFromSnapshot);
          // entries 1 (the table's creation) was in the snapshot; 3 comes before 2
          assertThatThrownBy(
                  () ->
                      FeedReplica.write(
                          replica, txn -> FeedReplica.apply(txn, entries.get(2), null)))
              .isInstanceOf(FeedGapException.class)
              .hasMessageContaining("missing")
              .hasMessageContaining(dir.resolve("replica").getFileName().toString());
          assertThatThrownBy(
                  () -> FeedReplica.write(replica, txn -> FeedReplica.apply(txn, foreign, null)))
              .isInstanceOf(FeedGapException.class);
          assertThat(
                  (Object) replica.readAndGet(txn -> FeedReplica.position(txn).orElseThrow().seq()))
              .isEqualTo(1L);
          FeedReplica.write(replica, txn -> FeedReplica.apply(txn, entries.get(1), null));
          final Table<String, String> rt = replica.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
          assertThat((Object) replica.readAndGet(txn -> rt.get(txn, "k0"))).isEqualTo("v");
          assertThat((Object) replica.readAndGet(txn -> rt.get(txn, "k1"))).isNull();
        }
      }
    }
  }

  @Test
  void aRedeliveredLastEntryWhoseHashDiffersIsRefusedAsDiverged() {
    try (Database leader = Database.open(dir.resolve("leader"), LEADER)) {
      final Table<String, String> t = leader.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      leader.backupTo(dir.resolve("replica"));
      leader.backupTo(dir.resolve("restored"), false); // an uncompacted copy keeps the generation
      for (int i = 0; i < 2; i++) {
        final String k = "k" + i;
        leader.write(txn -> t.put(txn, k, "v"));
      }
      final List<FeedEntry> entries = leader.feed().read(2, 10);
      try (Database replica = Database.open(dir.resolve("replica"), REPLICA)) {
        FeedReplica.write(replica, FeedReplica::startFromSnapshot);
        FeedReplica.write(
            replica,
            txn -> {
              for (final FeedEntry e : entries) {
                FeedReplica.apply(txn, e, null);
              }
            });
        // the leader is restored from the older copy and writes other entries 2 and 3
        final List<FeedEntry> other;
        try (Database restored = Database.open(dir.resolve("restored"), LEADER)) {
          assertThat(restored.feed().generation()).isEqualTo(leader.feed().generation());
          final Table<String, String> rt =
              restored.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
          restored.write(txn -> rt.put(txn, "x", "1"));
          restored.write(txn -> rt.put(txn, "y", "2"));
          other = restored.feed().read(2, 10);
        }
        assertThat(other).extracting(FeedEntry::seq).containsExactly(2L, 3L);
        // entry 2 is below the position: nothing to compare it with, so it is skipped
        assertThat(applyOne(replica, other.get(0))).isFalse();
        // entry 3 is the position's seq with another hash: the source diverged
        assertThatThrownBy(
                () -> FeedReplica.write(replica, txn -> FeedReplica.apply(txn, other.get(1), null)))
            .isInstanceOf(FeedGapException.class)
            .hasMessageContaining("diverged");
        // the same entry 3 again is a duplicate
        assertThat(applyOne(replica, entries.get(1))).isFalse();
      }
    }
  }

  @Test
  void aReplicaWrittenOutsideItsFeedRefusesTheNextEntry() {
    try (Database leader = Database.open(dir.resolve("leader"), LEADER)) {
      final Table<String, String> t = leader.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      leader.backupTo(dir.resolve("replica"));
      for (int i = 0; i < 3; i++) {
        final String k = "k" + i;
        leader.write(txn -> t.put(txn, k, "v"));
      }
      final List<FeedEntry> entries = leader.feed().read(2, 10);
      try (Database replica = Database.open(dir.resolve("replica"), REPLICA)) {
        FeedReplica.write(replica, FeedReplica::startFromSnapshot);
        assertThat(applyOne(replica, entries.get(0))).isTrue();
      }
      // someone opens the replica's directory as an ordinary database and writes it
      try (Database plain = Database.open(dir.resolve("replica"))) {
        final Table<String, String> rt = plain.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
        plain.write(txn -> rt.put(txn, "stray", "x"));
      }
      try (Database replica = Database.open(dir.resolve("replica"), REPLICA)) {
        // a duplicate still reads as one; the next entry is refused: the data differs
        assertThat(applyOne(replica, entries.get(0))).isFalse();
        assertThatThrownBy(() -> applyOne(replica, entries.get(1)))
            .isInstanceOf(FeedGapException.class)
            .hasMessageContaining("written outside");
        assertThat(
                (Object) replica.readAndGet(txn -> FeedReplica.position(txn).orElseThrow().seq()))
            .isEqualTo(2L);
        // a bootstrap from a fresh copy cures it
        leader.backupTo(dir.resolve("fresh"));
      }
      try (Database fresh = Database.open(dir.resolve("fresh"), REPLICA)) {
        FeedReplica.write(fresh, FeedReplica::startFromSnapshot);
        leader.write(txn -> t.put(txn, "k9", "v"));
        assertThat(applyOne(fresh, leader.feed().read(leader.feed().lastSeq(), 1).get(0))).isTrue();
      }
    }
  }

  private static boolean applyOne(final Database replica, final FeedEntry entry) {
    final boolean[] applied = new boolean[1];
    FeedReplica.write(replica, txn -> applied[0] = FeedReplica.apply(txn, entry, null));
    return applied[0];
  }

  @Test
  void usersReadAReplicaAndCannotWriteIt() {
    try (Database leader = Database.open(dir.resolve("leader"), LEADER)) {
      final Table<String, String> t = leader.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      leader.write(txn -> t.put(txn, "a", "1"));
      leader.backupTo(dir.resolve("replica"));
      final long seq = leader.feed().write(txn -> t.put(txn, "b", "2"));
      assertThat(seq).isEqualTo(leader.feed().lastSeq());
      try (Database replica = Database.open(dir.resolve("replica"), REPLICA)) {
        FeedReplica.write(replica, FeedReplica::startFromSnapshot);
        FeedReplica.write(
            replica,
            txn -> leader.feed().read(seq, 1).forEach(e -> FeedReplica.apply(txn, e, null)));
        final Table<String, String> rt = replica.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
        assertThat((Object) replica.readAndGet(txn -> rt.get(txn, "b"))).isEqualTo("2");
        assertThatThrownBy(() -> replica.write(txn -> rt.put(txn, "c", "3")))
            .isInstanceOf(InvalidStateException.class)
            .hasMessageContaining("replica");
        assertThatThrownBy(replica::beginWrite).isInstanceOf(InvalidStateException.class);
        assertThatThrownBy(() -> replica.table("new", KeyCodecs.STRING, ValueCodecs.STRING))
            .isInstanceOf(LodestoreException.class);
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Random writes over plain, checksummed and set tables, with truncates, range deletes, drops. */
  static final class Writes {
    private final Database db;
    private final Random random;
    private final Table<Long, byte[]> plain;
    private final Table<Long, byte[]> checked;
    private final SetTable<Long, UUID> sets;
    private final SetTable<Long, byte[]> fixed;
    private final Table<String, String> doomed;

    Writes(final Database db, final Random random) {
      this.db = db;
      this.random = random;
      plain = db.table("plain", KeyCodecs.LONG, ValueCodecs.BYTES);
      checked =
          db.table("checked", KeyCodecs.LONG, ValueCodecs.BYTES)
              .withValueChecksum(ValueChecksum.CRC32C);
      sets = db.setTable("sets", KeyCodecs.LONG, KeyCodecs.UUID);
      fixed = db.setTable("fixed", KeyCodecs.LONG, KeyCodecs.fixedBytes(4));
      doomed = db.table("doomed", KeyCodecs.STRING, ValueCodecs.STRING);
    }

    void rounds(final int n) {
      for (int round = 0; round < n; round++) {
        db.write(
            txn -> {
              for (int op = random.nextInt(15); op >= 0; op--) {
                final long k = random.nextInt(40);
                switch (random.nextInt(11)) {
                  case 0, 1 -> plain.put(txn, k, bytes());
                  case 2 -> plain.delete(txn, k);
                  case 3 -> checked.put(txn, k, bytes());
                  case 4 -> sets.add(txn, k, new UUID(0, random.nextInt(4)));
                  case 5 -> sets.remove(txn, k, new UUID(0, random.nextInt(4)));
                  case 6 -> sets.removeAll(txn, k);
                  case 7 -> fixed.add(txn, k, new byte[] {1, 2, 3, (byte) random.nextInt(5)});
                  case 8 -> plain.deleteRange(txn, KeyRange.closed(k, k + 3));
                  case 9 -> {
                    if (random.nextInt(25) == 0) {
                      checked.truncate(txn);
                    }
                  }
                  default -> {
                    if (db.exists(txn, "doomed")) {
                      doomed.put(txn, "k" + k, "v");
                    }
                  }
                }
              }
            });
      }
    }

    private byte[] bytes() {
      final byte[] b = new byte[1 + random.nextInt(30)];
      random.nextBytes(b);
      return b;
    }
  }

  /** Every table but the feed's and the replica's own, as hex pairs (sets as key|member). */
  static Map<String, Map<String, String>> contents(final Database db) {
    final OwnerAccess access = access(db);
    final Map<String, Map<String, String>> out = new TreeMap<>();
    try (Txn txn = db.beginRead()) {
      for (final String name : db.tableNames()) {
        if (name.startsWith(FeedLog.PREFIX) || name.equals(FeedReplica.POSITION_TABLE)) {
          continue;
        }
        final Map<String, String> rows = new TreeMap<>();
        Cursor<byte[], byte[]> c;
        boolean set = true;
        try {
          c =
              access
                  .setTable(txn, name, KeyCodecs.BYTES, KeyCodecs.BYTES)
                  .select(txn, KeyRange.all());
        } catch (SchemaMismatchException e) {
          set = false;
          c =
              access
                  .table(txn, name, KeyCodecs.BYTES, ValueCodecs.BYTES)
                  .select(txn, KeyRange.all());
        }
        try (Cursor<byte[], byte[]> rowsOf = c) {
          while (rowsOf.next()) {
            final String k = HexFormat.of().formatHex(rowsOf.key());
            final String v = HexFormat.of().formatHex(rowsOf.value());
            rows.put(set ? k + "|" + v : k, v);
          }
        }
        out.put((set ? "set " : "") + name, rows);
      }
    }
    return out;
  }

  private static OwnerAccess access(final Database db) {
    final OwnerAccess[] access = new OwnerAccess[1];
    db.attach((Attachable) (d, a) -> access[0] = a);
    return access[0];
  }
}
