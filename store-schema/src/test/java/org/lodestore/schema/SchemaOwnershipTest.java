package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.JsonCodec;

/**
 * What a schema owns cannot be reached around it: the catalog is a reserved name that plain access
 * can neither open nor drop, and the tables, indexes and set tables of an attached schema refuse
 * writes (and drops) through plain {@link Database#table} objects, which would bypass their
 * indexes, while plain reads stay allowed.
 */
class SchemaOwnershipTest {

  record Person(String name, String email) {}

  static final String PEOPLE = "0a5e0000-0000-4000-8000-000000000001";
  static final String FRIENDS = "0a5e0000-0000-4000-8000-000000000002";

  static final class Org extends Schema {
    final SchemaTable<UUID, Person> people =
        table(PEOPLE, "people", KeyCodecs.UUID, CborCodec.of(Person.class));
    final UniqueIndex<String, UUID, Person> byEmail =
        uniqueIndex(people, "by_email", KeyCodecs.STRING, Person::email);
    final SchemaSetTable<UUID, UUID> friends =
        setTable(FRIENDS, "friends", KeyCodecs.UUID, KeyCodecs.UUID);
  }

  /** Org with another value codec for people: attach must refuse it. */
  static final class OrgAsJson extends Schema {
    final SchemaTable<UUID, Person> people =
        table(PEOPLE, "people", KeyCodecs.UUID, JsonCodec.of(Person.class));
  }

  @TempDir Path dir;

  private final UUID ada = UUID.randomUUID();

  private List<String> contents(final Database db, final Org org) {
    final List<String> out = new ArrayList<>();
    try (Txn txn = db.beginRead()) {
      try (Cursor<UUID, Person> c = org.people.select(txn, KeyRange.all())) {
        c.forEach(r -> out.add("row " + r.key() + " " + r.value()));
      }
      try (Cursor<String, UUID> c = org.byEmail.select(txn, KeyRange.all())) {
        c.forEach(r -> out.add("by_email " + r.key() + " " + r.value()));
      }
      try (Cursor<UUID, UUID> c = org.friends.select(txn, ada)) {
        c.forEach(r -> out.add("friend " + r.value()));
      }
    }
    return out;
  }

  @Test
  void catalog_cannotBeOpenedOrDroppedAsAPlainTable_andStillDetectsACodecChange() {
    try (Database db = Database.open(dir.resolve("db"))) {
      db.attach(new Org());
      assertThatThrownBy(() -> db.table(Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Catalog.DBI)
          .hasMessageContaining("reserved");
      try (Txn txn = db.beginWrite()) {
        assertThatThrownBy(() -> db.dropTable(txn, Catalog.DBI))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("reserved");
        txn.commit();
      }
      assertThat(db.tableNames()).contains(Catalog.DBI);
    }
    try (Database db = Database.open(dir.resolve("db"))) {
      assertThatThrownBy(() -> db.attach(new OrgAsJson()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("cbor")
          .hasMessageContaining("json");
    }
  }

  @Test
  void plainTables_ofSchemaTablesIndexesAndSetTables_readButRefuseWritesAndDrops() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Org org = db.attach(new Org());
      final UUID bob = UUID.randomUUID();
      db.write(
          txn -> {
            org.people.put(txn, ada, new Person("Ada", "ada@x"));
            org.friends.add(txn, ada, bob);
          });
      final List<String> before = contents(db, org);
      final Table<UUID, Person> people =
          db.table(PEOPLE, KeyCodecs.UUID, org.people.valueCodec())
              .withValueChecksum(org.people.valueChecksum());
      final Table<String, byte[]> byEmail =
          db.table("ix:" + PEOPLE + ":by_email", KeyCodecs.STRING, ValueCodecs.BYTES);
      final SetTable<UUID, UUID> friends = db.setTable(FRIENDS, KeyCodecs.UUID, KeyCodecs.UUID);
      try (Txn txn = db.beginRead()) {
        assertThat(people.get(txn, ada)).isEqualTo(new Person("Ada", "ada@x"));
        assertThat(byEmail.contains(txn, "ada@x")).isTrue();
        assertThat(friends.contains(txn, ada, bob)).isTrue();
      }
      final List<Runnable> writes = new ArrayList<>();
      try (Txn txn = db.beginWrite()) {
        writes.add(() -> people.put(txn, UUID.randomUUID(), new Person("Eve", "ada@x")));
        writes.add(() -> people.insert(txn, UUID.randomUUID(), new Person("Eve", "eve@x")));
        writes.add(() -> people.replace(txn, ada, new Person("Ada", "other@x")));
        writes.add(() -> people.delete(txn, ada));
        writes.add(() -> people.truncate(txn));
        writes.add(() -> byEmail.put(txn, "eve@x", new byte[16]));
        writes.add(() -> byEmail.delete(txn, "ada@x"));
        writes.add(() -> byEmail.truncate(txn));
        writes.add(() -> friends.add(txn, ada, UUID.randomUUID()));
        writes.add(() -> friends.remove(txn, ada, bob));
        writes.add(() -> friends.removeAll(txn, ada));
        writes.add(() -> friends.truncate(txn));
        writes.add(() -> db.dropTable(txn, PEOPLE));
        writes.add(() -> db.dropTable(txn, "ix:" + PEOPLE + ":by_email"));
        writes.add(() -> db.dropTable(txn, FRIENDS));
        for (final Runnable write : writes) {
          assertThatThrownBy(write::run)
              .isInstanceOf(SchemaMismatchException.class)
              .hasMessageContaining("Schema")
              .hasMessageMatching("(?s).*(people|friends).*");
        }
        txn.commit();
      }
      assertThat(contents(db, org)).isEqualTo(before);
      // the schema itself still writes
      db.write(txn -> org.people.put(txn, UUID.randomUUID(), new Person("Cy", "cy@x")));
    }
  }

  @Test
  void plainTable_openedBeforeTheSchemaAttached_refusesWritesAfterwards() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<UUID, byte[]> early = db.table(PEOPLE, KeyCodecs.UUID, ValueCodecs.BYTES);
      final Org org = db.attach(new Org());
      db.write(txn -> org.people.put(txn, ada, new Person("Ada", "ada@x")));
      assertThatThrownBy(() -> db.write(txn -> early.put(txn, ada, new byte[] {1})))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("people");
      assertThat(db.<Person>readAndGet(txn -> org.people.get(txn, ada)))
          .isEqualTo(new Person("Ada", "ada@x"));
      assertThat(db.<byte[]>readAndGet(txn -> early.get(txn, ada))).isNotNull();
    }
  }
}
