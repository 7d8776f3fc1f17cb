package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;

/**
 * The catalog generation and stale declarations: a write through a schema object attached before a
 * newer declaration changed its table is refused, naming the table and what changed, and writes
 * nothing; everything a newer declaration did not change keeps working.
 */
class CatalogGenerationTest {

  record User(String name, String email) {}

  static final String USERS = "9e4e0000-0000-4000-8000-000000000001";
  static final String TAGS = "9e4e0000-0000-4000-8000-000000000002";
  static final String OTHER = "9e4e0000-0000-4000-8000-000000000003";

  /** The old declaration. */
  static class V1 extends Schema {
    final SchemaTable<UUID, User> users;
    final SchemaSetTable<UUID, UUID> tags = setTable(TAGS, "tags", KeyCodecs.UUID, KeyCodecs.UUID);

    V1() {
      this("users");
    }

    V1(final String name) {
      users = table(USERS, name, KeyCodecs.UUID, CborCodec.of(User.class));
    }
  }

  /** The new one: a unique index on the e-mail. */
  static final class V2 extends V1 {
    final UniqueIndex<String, UUID, User> byEmail =
        uniqueIndex(users, "by_email", KeyCodecs.STRING, User::email);

    V2 withName() {
      index(users, "by_name", KeyCodecs.STRING, User::name);
      return this;
    }
  }

  /** Another schema sharing the database, with a table of its own. */
  static final class Other extends Schema {
    final SchemaTable<UUID, User> other =
        table(OTHER, "other", KeyCodecs.UUID, CborCodec.of(User.class));
  }

  @TempDir Path dir;

  private Database open() {
    return Database.open(dir.resolve("db"));
  }

  private static long generation(final Database db) {
    try (Txn txn = db.beginRead()) {
      return CatalogGeneration.open(Access.of(db), txn).read(txn);
    }
  }

  private static List<String> rows(final Database db, final V1 schema) {
    final List<String> out = new ArrayList<>();
    try (Txn txn = db.beginRead();
        Cursor<UUID, User> c = schema.users.select(txn, KeyRange.all())) {
      c.forEach(r -> out.add(r.key() + " " + r.value()));
    }
    return out;
  }

  @Test
  void staleDeclaration_everyWriteRefusedNamingTableAndIndex_nothingWritten_readsAllowed() {
    final UUID ada = UUID.randomUUID();
    try (Database db = open()) {
      final V1 v1 = db.attach(new V1());
      db.write(txn -> v1.users.put(txn, ada, new User("Ada", "ada@x")));
      final V2 v2 = db.attach(new V2());
      final List<String> before = rows(db, v1);
      final List<Runnable> writes = new ArrayList<>();
      try (Txn txn = db.beginWrite()) {
        writes.add(() -> v1.users.put(txn, UUID.randomUUID(), new User("Bob", "bob@x")));
        writes.add(() -> v1.users.insert(txn, UUID.randomUUID(), new User("Bob", "bob@x")));
        writes.add(() -> v1.users.replace(txn, ada, new User("Ada", "other@x")));
        writes.add(() -> v1.users.update(txn, ada, u -> new User("Ada", "other@x")));
        writes.add(() -> v1.users.delete(txn, ada));
        writes.add(() -> v1.users.truncate(txn));
        for (final Runnable write : writes) {
          assertThatThrownBy(write::run)
              .isInstanceOf(SchemaMismatchException.class)
              .hasMessageContaining("stale")
              .hasMessageContaining("'by_email'")
              .hasMessageContaining("does not maintain")
              .satisfies(e -> assertThat(((SchemaMismatchException) e).table()).isEqualTo("users"));
        }
        // reads through the old declaration, and writes through the new one, go on
        assertThat(v1.users.get(txn, ada)).isEqualTo(new User("Ada", "ada@x"));
        assertThat(v1.users.count(txn)).isEqualTo(1);
        v2.users.put(txn, UUID.randomUUID(), new User("Cy", "cy@x"));
        // the set table did not change: the old declaration still writes it
        v1.tags.add(txn, ada, ada);
        txn.commit();
      }
      assertThat(rows(db, v1)).hasSize(before.size() + 1).containsAll(before);
      try (Txn txn = db.beginRead()) {
        assertThat(v2.byEmail.count(txn)).isEqualTo(2);
        assertThat(v2.byEmail.key(txn, "ada@x")).isEqualTo(ada);
      }
    }
  }

  @Test
  void staleDeclaration_afterReopenOfTheNewOne_stillRefused() {
    try (Database db = open()) {
      db.attach(new V1());
    }
    try (Database db = open()) {
      final V1 v1 = db.attach(new V1());
      db.attach(new V2());
      assertThatThrownBy(
              () -> db.write(txn -> v1.users.put(txn, UUID.randomUUID(), new User("B", "b@x"))))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_email");
    }
  }

  @Test
  void anotherSchemaAttaching_orARename_leavesUnchangedTablesWritable() {
    try (Database db = open()) {
      final V1 v1 = db.attach(new V1());
      final long first = generation(db);
      db.attach(new Other());
      db.attach(new V1("people")); // renamed: names do not matter to a write
      assertThat(generation(db)).isEqualTo(first + 2);
      db.write(
          txn -> {
            v1.users.put(txn, UUID.randomUUID(), new User("Ada", "ada@x"));
            v1.tags.add(txn, UUID.randomUUID(), UUID.randomUUID());
          });
      assertThat(db.<Long>readAndGet(txn -> v1.users.count(txn))).isEqualTo(1);
    }
  }

  @Test
  void generation_movesOnlyWhenAnAttachChangesTheCatalog() {
    try (Database db = open()) {
      db.attach(new V1());
      final long g = generation(db);
      assertThat(g).isPositive();
      db.attach(new V1());
      db.attach(new V1());
      assertThat(generation(db)).isEqualTo(g);
      db.attach(new V2());
      assertThat(generation(db)).isEqualTo(g + 1);
      db.attach(new V2());
      assertThat(generation(db)).isEqualTo(g + 1);
      Schema.dropIndex(db, USERS, "by_email");
      assertThat(generation(db)).isEqualTo(g + 2);
    }
  }

  @Test
  void dropIndex_refusesWritesOfADeclarationThatStillHasIt() {
    try (Database db = open()) {
      final V2 v2 = db.attach(new V2());
      assertThat(Schema.dropIndex(db, USERS, "by_email")).isTrue();
      assertThatThrownBy(
              () -> db.write(txn -> v2.users.put(txn, UUID.randomUUID(), new User("A", "a@x"))))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("'by_email' of this declaration is no longer in the catalog");
      final V1 v1 = db.attach(new V1());
      db.write(txn -> v1.users.put(txn, UUID.randomUUID(), new User("A", "a@x")));
    }
  }

  @Test
  void rebuildThroughStaleDeclaration_refused() {
    try (Database db = open()) {
      final V2 old = db.attach(new V2());
      db.attach(new V2().withName());
      assertThatThrownBy(() -> db.write(old.byEmail::rebuild))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("'by_name'");
    }
  }

  @Test
  void setTable_whoseCatalogEntryChanged_refusesWritesOfTheOldDeclaration() {
    final UUID k = UUID.randomUUID();
    try (Database db = open()) {
      final V1 v1 = db.attach(new V1());
      db.write(
          txn -> {
            // what a newer declaration with another table property would record
            final Catalog catalog = Catalog.open(Access.of(db), txn);
            final Catalog.TableEntry e = catalog.get(txn, TAGS);
            catalog.put(txn, e.withProperties(Map.of("compression", "lz4")));
            CatalogGeneration.open(Access.of(db), txn).bump(txn);
          });
      assertThatThrownBy(() -> db.write(txn -> v1.tags.add(txn, k, k)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("tags")
          .hasMessageContaining("properties");
      assertThat(db.<Boolean>readAndGet(txn -> v1.tags.contains(txn, k, k))).isFalse();
      db.write(txn -> v1.users.put(txn, k, new User("A", "a@x"))); // users did not change
    }
  }

  @Test
  void catalogWithoutGenerationRecord_isGenerationZero_andTheNextAttachRecordsIt()
      throws Exception {
    final UUID k = UUID.randomUUID();
    try (Database db = open()) {
      final V1 v1 = db.attach(new V1());
      // a catalog written before the record existed
      final Table<String, byte[]> raw =
          Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
      db.write(txn -> raw.delete(txn, CatalogGeneration.KEY));
      assertThat(generation(db)).isZero();
      db.write(txn -> v1.users.put(txn, k, new User("A", "a@x")));
    }
    try (Database db = open()) {
      final V1 v1 = db.attach(new V1());
      assertThat(generation(db)).isZero();
      final Table<String, byte[]> raw =
          Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
      final byte[] record = db.readAndGet(txn -> raw.get(txn, CatalogGeneration.KEY));
      assertThat(record).isNotNull();
      assertThat(new CBORMapper().readValue(record, Long.class)).isZero();
      db.write(txn -> v1.users.put(txn, k, new User("B", "b@x")));
      final V2 v2 = db.attach(new V2());
      final byte[] bumped = db.readAndGet(txn -> raw.get(txn, CatalogGeneration.KEY));
      assertThat(new CBORMapper().readValue(bumped, Long.class)).isEqualTo(1L);
      assertThat(db.<UUID>readAndGet(txn -> v2.byEmail.key(txn, "b@x"))).isEqualTo(k);
    }
  }
}
