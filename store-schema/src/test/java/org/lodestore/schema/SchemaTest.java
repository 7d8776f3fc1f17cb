package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.serializers.CborCodec;

class SchemaTest {

  record Employee(String name, String email, UUID company, Instant hired) {}

  /** Per company, latest hire first: the key of by_company_hired_desc, typing its prefixes. */
  static final Tuple2KeyCodec<UUID, Instant> COMPANY_NEWEST =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.TIMESTAMP));

  static final class Hr extends Schema {
    final SchemaTable<UUID, Employee> employees =
        table(
            "5b1d8f0e-3c2a-4f6b-9e7d-1a2b3c4d5e6f",
            "employees",
            KeyCodecs.UUID,
            CborCodec.of(Employee.class));
    final UniqueIndex<String, UUID, Employee> byEmail =
        uniqueIndex(employees, "by_email", KeyCodecs.STRING, Employee::email);
    final MultiIndex<UUID, UUID, Employee> byCompany =
        index(employees, "by_company", KeyCodecs.UUID, Employee::company);
    final MultiIndex<Tuple2<UUID, Instant>, UUID, Employee> byCompanyNewestFirst =
        index(
            employees,
            "by_company_hired_desc",
            COMPANY_NEWEST,
            e -> Tuple2.of(e.company(), e.hired()));
  }

  @TempDir Path dir;

  @Test
  void put_maintainsUniqueAndSetIndexes_andDuplicateEmailChangesNothing() {
    try (Database db = Database.open(dir)) {
      Hr hr = db.attach(new Hr());
      UUID acme = UUID.randomUUID();
      UUID a = UUID.randomUUID();
      UUID b = UUID.randomUUID();
      Instant t = Instant.parse("2020-01-01T00:00:00Z");
      db.write(
          txn -> {
            hr.employees.put(txn, a, new Employee("Ada", "ada@acme", acme, t));
            hr.employees.put(txn, b, new Employee("Bob", "bob@acme", acme, t.plusSeconds(60)));
          });
      assertThatThrownBy(
              () ->
                  db.write(
                      txn ->
                          hr.employees.put(
                              txn, UUID.randomUUID(), new Employee("Eve", "ada@acme", acme, t))))
          .isInstanceOf(UniqueViolationException.class)
          .hasMessageContaining("by_email")
          .hasMessageContaining("employees");
      try (Txn txn = db.beginRead()) {
        assertThat(hr.employees.count(txn)).isEqualTo(2);
        assertThat(hr.byEmail.key(txn, "ada@acme")).isEqualTo(a);
        assertThat(hr.byCompany.count(txn, acme)).isEqualTo(2);
        Page<Row<UUID, Employee>> newest =
            hr.byCompanyNewestFirst.page(txn, KeyRange.prefix(COMPANY_NEWEST, acme).limit(1));
        assertThat(newest.rows()).extracting(r -> r.value().name()).containsExactly("Bob");
        assertThat(newest.moreAvailable()).isTrue();
      }
      // change the email: the old index key goes, the new one comes
      db.write(txn -> hr.employees.put(txn, a, new Employee("Ada", "ada@new", acme, t)));
      db.write(txn -> hr.employees.delete(txn, b));
      try (Txn txn = db.beginRead()) {
        assertThat(hr.byEmail.contains(txn, "ada@acme")).isFalse();
        assertThat(hr.byEmail.get(txn, "ada@new").name()).isEqualTo("Ada");
        assertThat(hr.byCompany.count(txn, acme)).isEqualTo(1);
        assertThat(hr.byEmail.count(txn)).isEqualTo(1);
        assertThat(hr.byCompanyNewestFirst.count(txn)).isEqualTo(1);
      }
    }
  }

  static final class HrNewCodec extends Schema {
    final SchemaTable<UUID, String> employees =
        table(
            "5b1d8f0e-3c2a-4f6b-9e7d-1a2b3c4d5e6f",
            "employees",
            KeyCodecs.UUID,
            ValueCodecs.STRING);
  }

  @Test
  void reopenWithChangedValueCodec_failsNamingTableAndBothCodecs() {
    try (Database db = Database.open(dir)) {
      db.attach(new Hr());
    }
    try (Database db = Database.open(dir)) {
      assertThatThrownBy(() -> db.attach(new HrNewCodec()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("employees")
          .hasMessageContaining("cbor")
          .hasMessageContaining("utf8");
    }
  }

  static final class HrWithoutIndexes extends Schema {
    final SchemaTable<UUID, Employee> employees =
        table(
            "5b1d8f0e-3c2a-4f6b-9e7d-1a2b3c4d5e6f",
            "employees",
            KeyCodecs.UUID,
            CborCodec.of(Employee.class));
  }

  @Test
  void attachingNewIndexToPopulatedTable_backfillsIt() {
    UUID acme = UUID.randomUUID();
    try (Database db = Database.open(dir)) {
      HrWithoutIndexes plain = db.attach(new HrWithoutIndexes());
      db.write(
          txn -> {
            for (int i = 0; i < 100; i++) {
              plain.employees.put(
                  txn,
                  UUID.randomUUID(),
                  new Employee("e" + i, "e" + i + "@x", acme, Instant.ofEpochSecond(i)));
            }
          });
    }
    try (Database db = Database.open(dir)) {
      Hr hr = db.attach(new Hr());
      try (Txn txn = db.beginRead()) {
        assertThat(hr.byEmail.count(txn)).isEqualTo(100);
        assertThat(hr.byCompany.count(txn, acme)).isEqualTo(100);
        List<String> newest = new ArrayList<>();
        try (Cursor<Tuple2<UUID, Instant>, UUID> c =
            hr.byCompanyNewestFirst.select(txn, KeyRange.prefix(COMPANY_NEWEST, acme).limit(3))) {
          while (c.next()) {
            newest.add(hr.employees.get(txn, c.value()).name());
          }
        }
        assertThat(newest).containsExactly("e99", "e98", "e97");
      }
    }
  }
}
