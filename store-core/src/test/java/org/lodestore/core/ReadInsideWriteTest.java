package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * What a read transaction begun inside a write on the same thread sees (issue 15, item 12): the
 * last committed state, never the write's own uncommitted changes (LMDB keeps those in the write
 * transaction alone); the write's own {@code txn} sees them. And map growth: a read closed before
 * {@code fn} returns does not stop {@code write} from growing the map; one left open does, with
 * {@link InvalidStateException} naming it.
 */
class ReadInsideWriteTest {

  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  @ParameterizedTest(name = "groupCommit={0}")
  @ValueSource(booleans = {true, false})
  void readInsideWrite_seesCommittedStateOnly_andTheWriteTxnSeesItsOwnChanges(
      final boolean groupCommit) {
    try (Database db =
        Database.open(
            dir.resolve("db"), DatabaseOptions.builder().groupCommit(groupCommit).build())) {
      final Table<String, String> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "k", "committed"));
      final List<Object> seen = new ArrayList<>();
      db.write(
          txn -> {
            t.put(txn, "k", "uncommitted");
            t.put(txn, "new", "uncommitted");
            t.delete(txn, "gone");
            // a read transaction of the same thread: LMDB's committed snapshot
            db.read(
                r -> {
                  seen.add(t.get(r, "k"));
                  seen.add(t.get(r, "new"));
                  seen.add(t.count(r));
                });
            seen.add(db.readAndGet(r -> t.get(r, "k")));
            try (Txn explicit = db.beginRead()) {
              seen.add(t.get(explicit, "k"));
            }
            // the write transaction itself sees its own changes
            seen.add(t.get(txn, "k"));
            seen.add(t.get(txn, "new"));
            seen.add(t.count(txn));
          });
      assertThat(seen)
          .containsExactly(
              "committed", null, 1L, "committed", "committed", "uncommitted", "uncommitted", 2L);
      assertThat(db.<String>readAndGet(r -> t.get(r, "k"))).isEqualTo("uncommitted");
      assertThat(db.<String>readAndGet(r -> t.get(r, "new"))).isEqualTo("uncommitted");
    }
  }

  @Test
  void readInsideExplicitWriteTxn_doesNotSeeItsChangesUntilCommit() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<String, String> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      try (Txn w = db.beginWrite()) {
        t.put(w, "k", "v");
        assertThat(db.<String>readAndGet(r -> t.get(r, "k"))).isNull();
        assertThat(t.get(w, "k")).isEqualTo("v");
        w.commit();
      }
      assertThat(db.<String>readAndGet(r -> t.get(r, "k"))).isEqualTo("v");
    }
  }

  @Test
  void write_whoseFnClosesItsReadBeforeTheMapFills_growsTheMapAndCommits() {
    final DatabaseOptions options =
        DatabaseOptions.builder().initialMapSize(MIB).durability(Durability.NO_SYNC).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<Integer, byte[]> t = db.table("blobs", KeyCodecs.INT, ValueCodecs.BYTES);
      db.write(txn -> t.put(txn, -1, new byte[] {1}));
      final AtomicInteger calls = new AtomicInteger();
      final List<byte[]> seen = new ArrayList<>();
      db.write(
          txn -> {
            calls.incrementAndGet();
            db.read(r -> seen.add(t.get(r, -1))); // opened and closed inside fn
            for (int i = 0; i < 40; i++) {
              t.put(txn, i, new byte[64 * 1024]); // 2.5 MiB: more than the 1 MiB map holds
            }
          });
      assertThat(calls.get()).as("fn ran again after the map grew").isGreaterThan(1);
      assertThat(seen).allSatisfy(v -> assertThat(v).containsExactly(1));
      assertThat(db.stats().mapGrowths()).isPositive();
      assertThat(db.<Long>readAndGet(t::count)).isEqualTo(41L);
    }
  }

  @Test
  void write_whoseFnLeavesAReadOpen_cannotGrowTheMap_andNamesTheReadTransaction() {
    final DatabaseOptions options =
        DatabaseOptions.builder().initialMapSize(MIB).durability(Durability.NO_SYNC).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<Integer, byte[]> t = db.table("blobs", KeyCodecs.INT, ValueCodecs.BYTES);
      final List<Txn> leaked = new ArrayList<>();
      try {
        assertThatThrownBy(
                () ->
                    db.write(
                        txn -> {
                          leaked.add(db.beginRead()); // still open when the map fills
                          for (int i = 0; i < 40; i++) {
                            t.put(txn, i, new byte[64 * 1024]);
                          }
                        }))
            .isInstanceOf(InvalidStateException.class)
            .hasMessageContaining("a read transaction")
            .hasMessageContaining("cannot grow");
      } finally {
        leaked.forEach(Txn::close);
      }
      assertThat(db.<Long>readAndGet(t::count)).as("nothing of the refused write").isZero();
    }
  }
}
