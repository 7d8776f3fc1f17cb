package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;

/**
 * References kept true both ways: writes must point at an existing row (null only when nullable),
 * and deleting or truncating a referenced table acts as each reference declares (RESTRICT, CASCADE,
 * SET_NULL), with every refusal found before anything is written; and navigation from a row to its
 * target and from a target to the rows that reference it.
 */
class ReferenceTest {

  record Company(String name) {}

  record Team(String name, UUID company) {}

  record Employee(String name, UUID team, UUID manager, UUID desk) {
    Employee withDesk(final UUID d) {
      return new Employee(name, team, manager, d);
    }
  }

  record Desk(String floor) {}

  record Badge(UUID employee) {}

  /**
   * company <-CASCADE- team <-CASCADE- employee; employee.manager -> employee (CASCADE, nullable: a
   * cycle); employee.desk -> desk (SET_NULL); badge.employee -> employee (RESTRICT).
   */
  static final class Org extends Schema {
    final SchemaTable<UUID, Company> companies =
        table(
            "7a000000-0000-4000-8000-000000000001",
            "companies",
            KeyCodecs.UUID,
            CborCodec.of(Company.class));
    final SchemaTable<UUID, Team> teams =
        table(
            "7a000000-0000-4000-8000-000000000002",
            "teams",
            KeyCodecs.UUID,
            CborCodec.of(Team.class));
    final SchemaTable<UUID, Desk> desks =
        table(
            "7a000000-0000-4000-8000-000000000003",
            "desks",
            KeyCodecs.UUID,
            CborCodec.of(Desk.class));
    final SchemaTable<UUID, Employee> employees =
        table(
            "7a000000-0000-4000-8000-000000000004",
            "employees",
            KeyCodecs.UUID,
            CborCodec.of(Employee.class));
    final SchemaTable<UUID, Badge> badges =
        table(
            "7a000000-0000-4000-8000-000000000005",
            "badges",
            KeyCodecs.UUID,
            CborCodec.of(Badge.class));

    final Reference<UUID, Team, UUID, Company> teamCompany =
        reference(teams, "company", Team::company, companies).onDelete(Reference.OnDelete.CASCADE);
    final Reference<UUID, Employee, UUID, Team> employeeTeam =
        reference(employees, "team", Employee::team, teams).onDelete(Reference.OnDelete.CASCADE);
    final Reference<UUID, Employee, UUID, Employee> manager =
        reference(employees, "manager", Employee::manager, employees)
            .nullable()
            .onDelete(Reference.OnDelete.CASCADE);
    final Reference<UUID, Employee, UUID, Desk> desk =
        reference(employees, "desk", Employee::desk, desks)
            .nullable()
            .onDeleteSetNull(e -> e.withDesk(null));
    final Reference<UUID, Badge, UUID, Employee> badgeOwner =
        reference(badges, "employee", Badge::employee, employees);
  }

  @TempDir Path dir;

  private Database db;
  private Org org;
  private final UUID acme = new UUID(1, 1);
  private final UUID core = new UUID(2, 1);
  private final UUID web = new UUID(2, 2);
  private final UUID ada = new UUID(3, 1);
  private final UUID bob = new UUID(3, 2);
  private final UUID cyd = new UUID(3, 3);
  private final UUID deskA = new UUID(4, 1);

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    org = db.attach(new Org());
    db.write(
        txn -> {
          org.companies.put(txn, acme, new Company("Acme"));
          org.teams.put(txn, core, new Team("core", acme));
          org.teams.put(txn, web, new Team("web", acme));
          org.desks.put(txn, deskA, new Desk("3"));
          org.employees.put(txn, ada, new Employee("Ada", core, null, deskA));
          org.employees.put(txn, bob, new Employee("Bob", core, ada, deskA)); // Ada manages Bob
          org.employees.put(txn, cyd, new Employee("Cyd", web, null, null));
        });
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void write_toAMissingTargetOrANullNonNullableReference_isRefusedAndWritesNothing() {
    final UUID eve = new UUID(3, 9);
    assertThatThrownBy(
            () ->
                db.write(
                    txn ->
                        org.employees.put(
                            txn, eve, new Employee("Eve", web, null, new UUID(4, 9)))))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("reference 'desk'")
        .hasMessageContaining("desks")
        .hasMessageContaining("employees");
    assertThatThrownBy(
            () ->
                db.write(txn -> org.employees.put(txn, eve, new Employee("Eve", null, null, null))))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("reference 'team' is null and not nullable");
    read(
        db,
        txn -> {
          assertThat(org.employees.contains(txn, eve)).isFalse();
          assertThat(org.employeeTeam.count(txn, web)).isEqualTo(1);
        });
  }

  @Test
  void navigation_resolvesATargetAndListsTheRowsReferencingIt() {
    read(
        db,
        txn -> {
          final Employee bobE = org.employees.get(txn, bob);
          assertThat(org.employeeTeam.target(txn, bobE)).isEqualTo(new Team("core", acme));
          assertThat(org.manager.target(txn, bobE).name()).isEqualTo("Ada");
          assertThat(org.manager.target(txn, org.employees.get(txn, ada))).isNull();
          assertThat(keys(org.employeeTeam.select(txn, core))).containsExactly(ada, bob);
          assertThat(org.employeeTeam.count(txn, core)).isEqualTo(2);
          assertThat(org.desk.page(txn, deskA, 1, 10).rows()).hasSize(1);
          assertThat(org.employees.indexes())
              .extracting(Index::name)
              .contains("ref.team", "ref.manager", "ref.desk");
        });
  }

  @Test
  void deleteRestricted_namesBothTablesAndKeys_andChangesNothing() {
    db.write(txn -> org.badges.put(txn, new UUID(5, 1), new Badge(cyd)));
    assertThatThrownBy(() -> db.write(txn -> org.employees.delete(txn, cyd)))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("table 'employees'")
        .hasMessageContaining("table 'badges'")
        .hasMessageContaining(cyd.toString())
        .hasMessageContaining(new UUID(5, 1).toString())
        .hasMessageContaining("RESTRICT");
    // the company's cascade reaches Cyd through web: refused as a whole, before any write
    assertThatThrownBy(() -> db.write(txn -> org.companies.delete(txn, acme)))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("badges");
    read(
        db,
        txn -> {
          assertThat(org.companies.count(txn)).isEqualTo(1);
          assertThat(org.teams.count(txn)).isEqualTo(2);
          assertThat(org.employees.count(txn)).isEqualTo(3);
          assertThat(org.employeeTeam.count(txn, web)).isEqualTo(1);
        });
  }

  @Test
  void deleteCascades_throughEveryLevel_andEndsOnACycle() {
    // Ada manages Bob and Bob manages Ada: a cycle of CASCADE references
    db.write(txn -> org.employees.put(txn, ada, new Employee("Ada", core, bob, deskA)));
    db.write(txn -> assertThat(org.teams.delete(txn, core)).isTrue());
    read(
        db,
        txn -> {
          assertThat(org.employees.contains(txn, ada)).isFalse();
          assertThat(org.employees.contains(txn, bob)).isFalse();
          assertThat(org.employees.contains(txn, cyd)).isTrue();
          assertThat(org.employeeTeam.count(txn, core)).isZero();
          assertThat(org.manager.count(txn, ada)).isZero();
          assertThat(org.manager.count(txn, bob)).isZero();
          assertThat(org.desk.count(txn, deskA)).isZero();
        });
    db.write(txn -> org.companies.delete(txn, acme));
    read(
        db,
        txn -> {
          assertThat(org.teams.count(txn)).isZero();
          assertThat(org.employees.count(txn)).isZero();
          assertThat(org.desks.count(txn)).isEqualTo(1); // SET_NULL side: desks stay
        });
  }

  @Test
  void deleteSetsNull_rewritingTheReferencingRows() {
    db.write(txn -> org.desks.delete(txn, deskA));
    read(
        db,
        txn -> {
          assertThat(org.employees.get(txn, ada).desk()).isNull();
          assertThat(org.employees.get(txn, bob).desk()).isNull();
          assertThat(org.employees.get(txn, bob).name()).isEqualTo("Bob");
          assertThat(org.desk.count(txn, deskA)).isZero();
        });
  }

  @Test
  void truncate_actsAsEachReferenceDeclares() {
    db.write(txn -> org.badges.put(txn, new UUID(5, 1), new Badge(ada)));
    assertThatThrownBy(() -> db.write(txn -> org.employees.truncate(txn)))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("badges");
    read(db, txn -> assertThat(org.employees.count(txn)).isEqualTo(3));
    db.write(txn -> org.desks.truncate(txn)); // SET_NULL
    read(db, txn -> assertThat(org.employees.get(txn, ada).desk()).isNull());
    db.write(txn -> org.badges.truncate(txn));
    db.write(txn -> org.teams.truncate(txn)); // CASCADE
    read(
        db,
        txn -> {
          assertThat(org.employees.count(txn)).isZero();
          assertThat(org.companies.count(txn)).isEqualTo(1);
        });
  }

  @Test
  void setNull_onANonNullableReference_isRefusedAtDeclaration() {
    final class Bad extends Schema {
      final SchemaTable<UUID, Desk> d =
          table(
              "7b000000-0000-4000-8000-000000000001",
              "d",
              KeyCodecs.UUID,
              CborCodec.of(Desk.class));
      final SchemaTable<UUID, Employee> e =
          table(
              "7b000000-0000-4000-8000-000000000002",
              "e",
              KeyCodecs.UUID,
              CborCodec.of(Employee.class));
      final Reference<UUID, Employee, UUID, Desk> r = reference(e, "desk", Employee::desk, d);

      Bad() {
        r.onDeleteSetNull(x -> x.withDesk(null));
      }
    }
    assertThatThrownBy(Bad::new)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not nullable");
  }

  @Test
  void aReferenceAddedToAPopulatedTable_isBackfilledAtAttach() {
    record Note(UUID about) {}
    final class V1 extends Schema {
      final SchemaTable<UUID, Company> c =
          table(
              "7c000000-0000-4000-8000-000000000001",
              "c",
              KeyCodecs.UUID,
              CborCodec.of(Company.class));
      final SchemaTable<UUID, Note> n =
          table(
              "7c000000-0000-4000-8000-000000000002",
              "n",
              KeyCodecs.UUID,
              CborCodec.of(Note.class));
    }
    final class V2 extends Schema {
      final SchemaTable<UUID, Company> c =
          table(
              "7c000000-0000-4000-8000-000000000001",
              "c",
              KeyCodecs.UUID,
              CborCodec.of(Company.class));
      final SchemaTable<UUID, Note> n =
          table(
              "7c000000-0000-4000-8000-000000000002",
              "n",
              KeyCodecs.UUID,
              CborCodec.of(Note.class));
      final Reference<UUID, Note, UUID, Company> about = reference(n, "about", Note::about, c);
    }
    final Path other = dir.resolve("other");
    try (Database d1 = Database.open(other)) {
      final V1 v1 = d1.attach(new V1());
      d1.write(
          txn -> {
            v1.c.put(txn, acme, new Company("Acme"));
            v1.n.put(txn, new UUID(9, 1), new Note(acme));
            v1.n.put(txn, new UUID(9, 2), new Note(acme));
          });
    }
    try (Database d2 = Database.open(other)) {
      final V2 v2 = d2.attach(new V2());
      read(d2, txn -> assertThat(v2.about.count(txn, acme)).isEqualTo(2));
      assertThatThrownBy(() -> d2.write(txn -> v2.c.delete(txn, acme)))
          .isInstanceOf(ConstraintViolationException.class);
    }
  }

  @Test
  void theCatalog_recordsEachOnDeleteAction_andReadsAnOlderEntryAsRestrict() throws Exception {
    assertThat(CatalogTest.entry(db, "7a000000-0000-4000-8000-000000000004").references())
        .extracting(Catalog.ReferenceEntry::name, Catalog.ReferenceEntry::onDelete)
        .containsExactly(
            tuple("team", "cascade"), tuple("manager", "cascade"), tuple("desk", "set_null"));
    // an entry written before on-delete actions existed: {name, target, keyCodec, checked}
    final Table<String, byte[]> raw =
        Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
    final ObjectMapper cbor = new CBORMapper();
    final String badges = "7a000000-0000-4000-8000-000000000005";
    try (Txn txn = db.beginWrite()) {
      final ObjectNode entry = (ObjectNode) cbor.readTree(raw.get(txn, badges));
      final ObjectNode ref = (ObjectNode) entry.get("references").get(0);
      ref.remove("onDelete");
      ref.put("checked", false);
      raw.put(txn, badges, cbor.writeValueAsBytes(entry));
      txn.commit();
    }
    assertThat(CatalogTest.entry(db, badges).references())
        .containsExactly(
            new Catalog.ReferenceEntry(
                "employee", "7a000000-0000-4000-8000-000000000004", "uuid", true, "restrict"));
  }

  private static List<UUID> keys(final Cursor<UUID, UUID> c) {
    final List<UUID> out = new ArrayList<>();
    try (c) {
      while (c.next()) {
        out.add(c.value());
      }
    }
    return out;
  }

  private static void read(final Database db, final Consumer<Txn> reads) {
    try (Txn txn = db.beginRead()) {
      reads.accept(txn);
    }
  }
}
