package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Names reserved for Lodestore ({@code "__"} prefix) and tables owned by something attached (a
 * schema): what plain {@link Database#table} access refuses.
 */
class OwnerAccessTest {

  @TempDir Path dir;

  @Test
  void reservedNames_refusedForTablesSetTablesAndDrops() {
    try (Database db = Database.open(dir.resolve("db"))) {
      for (final String reserved : List.of("__lodestore_catalog", "__x", "__")) {
        assertThatThrownBy(() -> db.table(reserved, KeyCodecs.STRING, ValueCodecs.BYTES))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(reserved)
            .hasMessageContaining("reserved");
        assertThatThrownBy(() -> db.setTable(reserved, KeyCodecs.STRING, KeyCodecs.STRING))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("reserved");
        try (Txn txn = db.beginWrite()) {
          assertThatThrownBy(() -> db.table(txn, reserved, KeyCodecs.STRING, ValueCodecs.BYTES))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("reserved");
          assertThatThrownBy(() -> db.setTable(txn, reserved, KeyCodecs.STRING, KeyCodecs.STRING))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("reserved");
          assertThatThrownBy(() -> db.dropTable(txn, reserved))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("reserved");
          txn.commit();
        }
      }
      assertThat(db.tableNames()).isEmpty();
      // one underscore, or two later in the name, is an ordinary name
      db.table("_a", KeyCodecs.STRING, ValueCodecs.BYTES);
      db.table("a__b", KeyCodecs.STRING, ValueCodecs.BYTES);
      assertThat(db.tableNames()).containsExactly("_a", "a__b");
    }
  }

  /** Captures the access {@link Database#attach} hands out, and claims the given names. */
  private static final class Owner implements Attachable {
    private final List<String> names;
    OwnerAccess access;

    Owner(final String... names) {
      this.names = List.of(names);
    }

    @Override
    public void attachTo(final Database db, final OwnerAccess given) {
      this.access = given;
      db.write(
          txn -> {
            for (final String name : names) {
              if (name.startsWith("set")) {
                given.setTable(txn, name, KeyCodecs.INT, KeyCodecs.INT);
              } else {
                given.table(txn, name, KeyCodecs.INT, ValueCodecs.STRING);
              }
              given.claim(txn, name, "test owner of '" + name + "'");
            }
          });
    }
  }

  @Test
  void ownedTables_plainObjectsReadButRefuseWritesAndDrops_ownerWrites() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<Integer, String> early = db.table("owned", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(txn -> early.put(txn, 1, "before the claim"));
      final Owner owner = db.attach(new Owner("owned", "set-owned"));
      final Table<Integer, String> late = db.table("owned", KeyCodecs.INT, ValueCodecs.STRING);
      final SetTable<Integer, Integer> set = db.setTable("set-owned", KeyCodecs.INT, KeyCodecs.INT);
      try (Txn txn = db.beginWrite()) {
        for (final Runnable write :
            List.<Runnable>of(
                () -> early.put(txn, 2, "x"),
                () -> late.put(txn, 2, "x"),
                () -> late.insert(txn, 3, "x"),
                () -> late.replace(txn, 1, "x"),
                () -> late.delete(txn, 1),
                () -> late.truncate(txn),
                () -> set.add(txn, 1, 1),
                () -> set.remove(txn, 1, 1),
                () -> set.removeAll(txn, 1),
                () -> set.truncate(txn),
                () -> db.dropTable(txn, "owned"),
                () -> db.dropTable(txn, "set-owned"))) {
          assertThatThrownBy(write::run)
              .isInstanceOf(SchemaMismatchException.class)
              .hasMessageContaining("test owner of '")
              .hasMessageContaining("Schema")
              .hasMessageContaining("table=");
        }
        assertThat(late.get(txn, 1)).isEqualTo("before the claim");
        final Table<Integer, String> mine =
            owner.access.table(txn, "owned", KeyCodecs.INT, ValueCodecs.STRING);
        mine.put(txn, 2, "by the owner");
        owner.access.setTable(txn, "set-owned", KeyCodecs.INT, KeyCodecs.INT).add(txn, 1, 1);
        assertThat(owner.access.ownerOf(txn, "owned")).isEqualTo("test owner of 'owned'");
        assertThat(owner.access.ownerOf(txn, "plain")).isNull();
        txn.commit();
      }
      try (Txn txn = db.beginRead()) {
        assertThat(late.get(txn, 2)).isEqualTo("by the owner");
        assertThat(set.contains(txn, 1, 1)).isTrue();
      }
      // the owner drops it and its claim: the name is an ordinary table again
      assertThat(db.<Boolean>writeAndGet(txn -> owner.access.dropTable(txn, "owned"))).isTrue();
      final Table<Integer, String> again = db.table("owned", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(txn -> again.put(txn, 1, "plain again"));
      assertThat(db.<String>readAndGet(txn -> again.get(txn, 1))).isEqualTo("plain again");
    }
  }

  @Test
  void ownerAccess_opensReservedNames_andAClaimInTheSameTransactionStopsPlainWrites() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Owner owner = db.attach(new Owner());
      final Table<Integer, String> plain = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      try (Txn txn = db.beginWrite()) {
        owner.access.table(txn, "__own", KeyCodecs.INT, ValueCodecs.STRING).put(txn, 1, "one");
        plain.put(txn, 1, "plain write, nobody owns t yet");
        owner.access.claim(txn, "t", "test owner of 't'");
        assertThatThrownBy(() -> plain.put(txn, 2, "x"))
            .isInstanceOf(SchemaMismatchException.class);
        txn.commit();
      }
      assertThat(db.tableNames()).contains("__own", "t");
      assertThatThrownBy(() -> db.table("__own", KeyCodecs.INT, ValueCodecs.STRING))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(db.<Boolean>writeAndGet(txn -> owner.access.dropTable(txn, "__own"))).isTrue();
      assertThat(db.tableNames()).doesNotContain("__own");
    }
  }

  @Test
  void ownership_persistsAcrossReopen() {
    final Path path = dir.resolve("db");
    try (Database db = Database.open(path)) {
      db.attach(new Owner("owned"));
    }
    try (Database db = Database.open(path)) {
      final Table<Integer, String> t = db.table("owned", KeyCodecs.INT, ValueCodecs.STRING);
      assertThatThrownBy(() -> db.write(txn -> t.put(txn, 1, "x")))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("test owner of 'owned'");
      final Table<Integer, String> other = db.table("other", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(txn -> other.put(txn, 1, "x"));
    }
  }

  /**
   * The ownership marker exists on disk but this process has not opened it; a write transaction
   * begins, then a read transaction opens the marker and publishes its handle, which LMDB does not
   * know in the older write transaction: the write still finds the owner (in a fresh read).
   */
  @Test
  void plainWrite_inTransactionOlderThanTheMarkerHandle_stillFindsTheOwner() {
    final Path path = dir.resolve("db");
    try (Database db = Database.open(path)) {
      db.attach(new Owner("owned"));
    }
    try (Database db = Database.open(path)) {
      final Table<Integer, String> plain = db.table("owned", KeyCodecs.INT, ValueCodecs.STRING);
      final Owner owner = db.attach(new Owner());
      try (Txn write = db.beginWrite()) {
        try (Txn read = db.beginRead()) {
          assertThat(owner.access.ownerOf(read, "owned")).isEqualTo("test owner of 'owned'");
          read.commit(); // publishes the marker's handle, newer than the write transaction
        }
        assertThatThrownBy(() -> plain.put(write, 1, "x"))
            .isInstanceOf(SchemaMismatchException.class)
            .hasMessageContaining("test owner of 'owned'");
      }
      db.write(
          txn ->
              assertThatThrownBy(() -> plain.put(txn, 1, "x"))
                  .isInstanceOf(SchemaMismatchException.class));
    }
  }
}
