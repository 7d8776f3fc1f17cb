package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseListener;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;

/**
 * Every kind of write a schema refuses reaches the database's listener ({@link
 * DatabaseListener#writeRefused}) with its kind and the declared table name, as it is thrown.
 */
class WriteRefusalListenerTest {

  record Company(String name, String country, long staff) {
    Company withStaff(final long n) {
      return new Company(name, country, n);
    }
  }

  record Employee(String name, UUID company) {}

  static final class Org extends Schema {
    final SchemaTable<UUID, Company> companies =
        table(
            "9b000000-0000-4000-8000-000000000001",
            "companies",
            KeyCodecs.UUID,
            CborCodec.of(Company.class));
    final UniqueIndex<String, UUID, Company> byName =
        uniqueIndex(companies, "by_name", KeyCodecs.STRING, Company::name);
    final MultiIndex<String, UUID, Company> byCountry =
        index(companies, "by_country", KeyCodecs.STRING, Company::country); // not nullable
    final SchemaTable<UUID, Employee> employees =
        table(
            "9b000000-0000-4000-8000-000000000002",
            "employees",
            KeyCodecs.UUID,
            CborCodec.of(Employee.class));
    final Reference<UUID, Employee, UUID, Company> employer =
        reference(employees, "company", Employee::company, companies); // RESTRICT
    final LongField<UUID, Company> staff =
        companies.longField("staff", Company::staff, Company::withStaff);
  }

  @TempDir Path dir;

  @Test
  void everyRefusal_isReportedWithItsKindAndTable() {
    final List<String> refusals = new ArrayList<>();
    final DatabaseListener listener =
        new DatabaseListener() {
          @Override
          public synchronized void writeRefused(
              final Refusal reason, final LodestoreException error) {
            refusals.add(reason + " " + error.table() + " " + error.getClass().getSimpleName());
          }
        };
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder().durability(Durability.NO_SYNC).listener(listener).build())) {
      final Org s = db.attach(new Org());
      final UUID acme = UUID.randomUUID();
      db.write(
          txn -> {
            s.companies.put(txn, acme, new Company("Acme", "DE", Long.MAX_VALUE));
            s.employees.put(txn, UUID.randomUUID(), new Employee("Ada", acme));
          });
      assertThat(refusals).isEmpty();

      try (Txn txn = db.beginWrite()) {
        final UUID other = UUID.randomUUID();
        assertThatThrownBy(() -> s.companies.put(txn, other, new Company("Acme", "FR", 1)))
            .isInstanceOf(UniqueViolationException.class);
        assertThatThrownBy(() -> s.companies.put(txn, other, new Company("Beta", null, 1)))
            .isInstanceOf(ConstraintViolationException.class);
        assertThatThrownBy(
                () ->
                    s.employees.put(txn, UUID.randomUUID(), new Employee("Bob", UUID.randomUUID())))
            .isInstanceOf(ConstraintViolationException.class);
        assertThatThrownBy(() -> s.companies.delete(txn, acme))
            .isInstanceOf(ConstraintViolationException.class);
        assertThatThrownBy(() -> s.staff.increment(txn, acme, 1))
            .isInstanceOf(ConstraintViolationException.class);
      }
      assertThat(refusals)
          .containsExactly(
              "UNIQUE companies UniqueViolationException",
              "CONSTRAINT companies ConstraintViolationException", // null in by_country
              "CONSTRAINT employees ConstraintViolationException", // points nowhere
              "CONSTRAINT companies ConstraintViolationException", // RESTRICT
              "CONSTRAINT companies ConstraintViolationException"); // staff overflows
      final long companies = db.readAndGet(txn -> s.companies.count(txn));
      assertThat(companies).as("nothing of a refused write was written").isEqualTo(1);
    }
  }
}
