package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.testsupport.ChildJvm;

/**
 * The persistent catalog and the evolution rules of {@link Schema}: what a reopen with another
 * declaration accepts (new tables, new indexes backfilled, renames, an index made nullable) and
 * refuses (another codec, a changed or undeclared index, an index made non-nullable, a newer
 * format), that a refused attach changes nothing, that several schemas share one database, that a
 * second JVM reads the same catalog, and declared references between tables.
 */
class CatalogTest {

  record Customer(String name, String email, String country) {}

  record Order(UUID customer, Instant at, long cents) {}

  record Employee(String name, UUID manager) {}

  static final String CUSTOMERS = "c0570e00-0000-4000-8000-000000000001";
  static final String ORDERS = "c0570e00-0000-4000-8000-000000000002";
  static final String EVENTS = "c0570e00-0000-4000-8000-000000000003";
  static final String READINGS = "c0570e00-0000-4000-8000-000000000004";
  static final String FOLLOWERS = "c0570e00-0000-4000-8000-000000000005";
  static final String EMPLOYEES = "c0570e00-0000-4000-8000-000000000006";

  /** Customers, with the indexes a test asks for. */
  static final class Crm extends Schema {
    final SchemaTable<UUID, Customer> customers;
    UniqueIndex<String, UUID, Customer> byEmail;
    MultiIndex<String, UUID, Customer> byCountry;

    Crm() {
      this("customers");
    }

    Crm(final String name) {
      customers = table(CUSTOMERS, name, KeyCodecs.UUID, CborCodec.of(Customer.class));
    }

    Crm withEmail() {
      byEmail = uniqueIndex(customers, "by_email", KeyCodecs.STRING, Customer::email);
      return this;
    }

    Crm withEmailNotUnique() {
      index(customers, "by_email", KeyCodecs.STRING, Customer::email);
      return this;
    }

    Crm withCountry(final boolean nullable) {
      byCountry = index(customers, "by_country", KeyCodecs.STRING, Customer::country);
      if (nullable) {
        byCountry.nullable();
      }
      return this;
    }

    Crm withCountryAsBytes() {
      index(
              customers,
              "by_country",
              KeyCodecs.BYTES,
              c -> c.country() == null ? null : c.country().getBytes(StandardCharsets.UTF_8))
          .nullable();
      return this;
    }

    /** The full, current declaration. */
    static Crm indexed() {
      return new Crm().withEmail().withCountry(true);
    }
  }

  static Customer customer(final int i, final String country) {
    return new Customer("name " + i, "c" + i + "@example.com", country);
  }

  @TempDir Path dir;

  private Database open() {
    return Database.open(dir.resolve("db"));
  }

  /** The catalog entry of {@code oid}, or null (also when no catalog exists yet). */
  static Catalog.TableEntry entry(final Database db, final String oid) {
    if (!db.tableNames().contains(Catalog.DBI)) {
      return null;
    }
    try (Txn txn = db.beginRead()) {
      return Catalog.open(Access.of(db), txn).get(txn, oid);
    }
  }

  private static String indexDbi(final String oid, final String index) {
    return "ix:" + oid + ":" + index;
  }

  /** Puts {@code n} customers (every 7th without a country) and returns them by key. */
  private static TreeMap<UUID, Customer> populate(final Database db, final Crm crm, final int n) {
    final TreeMap<UUID, Customer> rows = new TreeMap<>(KeyCodecs.UUID_ORDER);
    db.write(
        txn -> {
          for (int i = 0; i < n; i++) {
            final UUID k =
                UUID.nameUUIDFromBytes(("customer" + i).getBytes(StandardCharsets.UTF_8));
            final Customer c = customer(i, i % 7 == 0 ? null : (i % 3 == 0 ? "FR" : "DE"));
            crm.customers.put(txn, k, c);
            rows.put(k, c);
          }
        });
    return rows;
  }

  /** Asserts that both indexes hold exactly the entries {@code rows} derive. */
  private static void assertIndexesMatch(
      final Database db, final Crm crm, final TreeMap<UUID, Customer> rows) {
    final List<String> emails = new ArrayList<>();
    final List<String> countries = new ArrayList<>();
    rows.forEach((k, c) -> emails.add(c.email() + " -> " + k));
    rows.forEach(
        (k, c) -> {
          if (c.country() != null) {
            countries.add(c.country() + " -> " + k);
          }
        });
    emails.sort(null);
    countries.sort(null); // country, then the UUID's text: sorts like (country, UUID order) here
    try (Txn txn = db.beginRead()) {
      assertThat(scan(crm.byEmail.select(txn, KeyRange.all()))).isEqualTo(emails);
      final List<String> byCountry = scan(crm.byCountry.select(txn, KeyRange.all()));
      assertThat(byCountry).containsExactlyInAnyOrderElementsOf(countries);
      assertThat(crm.byEmail.count(txn)).isEqualTo(rows.size());
      assertThat(crm.byCountry.count(txn)).isEqualTo(countries.size());
    }
  }

  private static <I, K> List<String> scan(final Cursor<I, K> cursor) {
    final List<String> out = new ArrayList<>();
    try (cursor) {
      while (cursor.next()) {
        out.add(cursor.key() + " -> " + cursor.value());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ codecs

  @Test
  void attach_changedValueCodec_failsNamingTableAndBothCodecs() {
    final UUID k = UUID.randomUUID();
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm());
      db.write(txn -> crm.customers.put(txn, k, customer(1, "FR")));
    }
    try (Database db = open()) {
      final Schema changed =
          new Schema() {
            final SchemaTable<UUID, String> customers =
                table(CUSTOMERS, "customers", KeyCodecs.UUID, ValueCodecs.STRING);
          };
      assertThatThrownBy(() -> db.attach(changed))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("customers")
          .hasMessageContaining("cbor")
          .hasMessageContaining("utf8")
          .satisfies(e -> assertThat(((SchemaMismatchException) e).table()).isEqualTo("customers"));
      // nothing changed: the original declaration still attaches and reads its row
      final Crm crm = db.attach(new Crm());
      assertThat(db.<Customer>readAndGet(txn -> crm.customers.get(txn, k)))
          .isEqualTo(customer(1, "FR"));
      assertThat(entry(db, CUSTOMERS).valueCodec()).isEqualTo("cbor");
    }
  }

  @Test
  void attach_changedKeyCodec_failsNamingTableAndBothCodecs() {
    try (Database db = open()) {
      db.attach(new Crm());
    }
    try (Database db = open()) {
      final Schema changed =
          new Schema() {
            final SchemaTable<String, Customer> customers =
                table(CUSTOMERS, "customers", KeyCodecs.STRING, CborCodec.of(Customer.class));
          };
      assertThatThrownBy(() -> db.attach(changed))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("customers")
          .hasMessageContaining("uuid")
          .hasMessageContaining("utf8");
      assertThat(entry(db, CUSTOMERS).keyCodec()).isEqualTo("uuid");
    }
  }

  @Test
  void attach_flatBuffersFileIdentifierAdded_isACodecChangeAndRefused() {
    try (Database db = open()) {
      db.attach(
          new Schema() {
            final SchemaTable<UUID, Reading> readings =
                table(
                    READINGS,
                    "readings",
                    KeyCodecs.UUID,
                    FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new));
          });
    }
    try (Database db = open()) {
      final Schema changed =
          new Schema() {
            final SchemaTable<UUID, Reading> readings =
                table(
                    READINGS,
                    "readings",
                    KeyCodecs.UUID,
                    FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new)
                        .withFileIdentifier("LSRD"));
          };
      assertThatThrownBy(() -> db.attach(changed))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("readings")
          .hasMessageContaining("flatbuffers:LSRD");
    }
  }

  @Test
  void attach_setTableWithChangedMemberCodecOrKind_refused() {
    try (Database db = open()) {
      db.attach(
          new Schema() {
            final SchemaSetTable<UUID, UUID> followers =
                setTable(FOLLOWERS, "followers", KeyCodecs.UUID, KeyCodecs.UUID);
          });
    }
    try (Database db = open()) {
      final Schema members =
          new Schema() {
            final SchemaSetTable<UUID, String> followers =
                setTable(FOLLOWERS, "followers", KeyCodecs.UUID, KeyCodecs.STRING);
          };
      assertThatThrownBy(() -> db.attach(members))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("followers")
          .hasMessageContaining("uuid")
          .hasMessageContaining("utf8");
      final Schema kind =
          new Schema() {
            final SchemaTable<UUID, UUID> followers =
                table(FOLLOWERS, "followers", KeyCodecs.UUID, ValueCodecs.UUID);
          };
      assertThatThrownBy(() -> db.attach(kind))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("followers")
          .hasMessageContaining("set");
    }
  }

  // ------------------------------------------------------------------ indexes

  @Test
  void attach_newIndexesOnPopulatedTable_backfillsThemExactly() {
    final TreeMap<UUID, Customer> rows;
    try (Database db = open()) {
      rows = populate(db, db.attach(new Crm()), 10_000); // more than one backfill batch
    }
    try (Database db = open()) {
      final Crm crm = db.attach(Crm.indexed());
      assertIndexesMatch(db, crm, rows);
      final Catalog.TableEntry entry = entry(db, CUSTOMERS);
      assertThat(entry.indexes())
          .containsExactly(
              new Catalog.IndexEntry(
                  "by_email", indexDbi(CUSTOMERS, "by_email"), "utf8", true, false),
              new Catalog.IndexEntry(
                  "by_country", indexDbi(CUSTOMERS, "by_country"), "utf8", false, true));
      // and the backfilled indexes are maintained from now on
      final UUID first = rows.firstKey();
      db.write(txn -> crm.customers.put(txn, first, new Customer("n", "new@example.com", "IT")));
      rows.put(first, new Customer("n", "new@example.com", "IT"));
      assertIndexesMatch(db, crm, rows);
    }
    try (Database db = open()) {
      assertIndexesMatch(db, db.attach(Crm.indexed()), rows);
    }
  }

  @Test
  void attach_newIndexOnPopulatedFlatBuffersTable_backfillsItFromZeroCopyValues() {
    final int n = 9_000;
    try (Database db = open()) {
      final var plain =
          db.attach(
              new Schema() {
                final FlatBuffersCodec<Reading> readingFb =
                    FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new);
                final SchemaTable<UUID, Reading> readings =
                    table(READINGS, "readings", KeyCodecs.UUID, readingFb);
              });
      db.write(
          txn -> {
            for (int i = 0; i < n; i++) {
              final int v = i;
              plain.readings.put(
                  txn,
                  new UUID(0, i),
                  plain.readingFb.build(b -> Reading.create(b, "s" + (v % 10), v)));
            }
          });
    }
    try (Database db = open()) {
      final var indexed =
          db.attach(
              new Schema() {
                final SchemaTable<UUID, Reading> readings =
                    table(
                        READINGS,
                        "readings",
                        KeyCodecs.UUID,
                        FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new));
                final MultiIndex<String, UUID, Reading> bySensor =
                    index(readings, "by_sensor", KeyCodecs.STRING, Reading::sensor);
                final UniqueIndex<Long, UUID, Reading> byValue =
                    uniqueIndex(readings, "by_value", KeyCodecs.LONG, Reading::value);
              });
      try (Txn txn = db.beginRead()) {
        assertThat(indexed.bySensor.count(txn)).isEqualTo(n);
        assertThat(indexed.byValue.count(txn)).isEqualTo(n);
        for (int s = 0; s < 10; s++) {
          assertThat(indexed.bySensor.count(txn, "s" + s)).isEqualTo(n / 10);
        }
        try (Cursor<String, UUID> c = indexed.bySensor.select(txn, KeyRange.all())) {
          while (c.next()) {
            final UUID k = c.value();
            assertThat("s" + (k.getLeastSignificantBits() % 10)).isEqualTo(c.key());
          }
        }
        try (Cursor<Long, UUID> c = indexed.byValue.select(txn, KeyRange.all())) {
          long expected = 0;
          while (c.next()) {
            assertThat(c.key()).isEqualTo(expected);
            assertThat(c.value()).isEqualTo(new UUID(0, expected));
            expected++;
          }
          assertThat(expected).isEqualTo(n);
        }
      }
    }
  }

  @Test
  void attach_newUniqueIndexOverDuplicates_failsAndLeavesDatabaseUnchanged() {
    final UUID a = UUID.randomUUID();
    final UUID b = UUID.randomUUID();
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm());
      db.write(
          txn -> {
            crm.customers.put(txn, a, new Customer("A", "same@example.com", "FR"));
            crm.customers.put(txn, b, new Customer("B", "same@example.com", "DE"));
          });
    }
    try (Database db = open()) {
      final Catalog.TableEntry before = entry(db, CUSTOMERS);
      final List<String> tablesBefore = db.tableNames();
      assertThatThrownBy(() -> db.attach(Crm.indexed()))
          .isInstanceOf(UniqueViolationException.class)
          .hasMessageContaining("by_email")
          .hasMessageContaining("customers")
          .hasMessageContaining("same@example.com");
      assertThat(entry(db, CUSTOMERS)).isEqualTo(before);
      assertThat(db.tableNames()).isEqualTo(tablesBefore);
      assertThat(db.tableNames())
          .doesNotContain(indexDbi(CUSTOMERS, "by_email"), indexDbi(CUSTOMERS, "by_country"));
      // the old declaration still attaches and works, in this process and after a reopen
      final Crm old = db.attach(new Crm());
      db.write(txn -> old.customers.put(txn, b, new Customer("B", "b@example.com", "DE")));
      assertThat(db.<Long>readAndGet(txn -> old.customers.count(txn))).isEqualTo(2L);
      // with the duplicate gone, the new index attaches in the same process
      final Crm fixed = db.attach(Crm.indexed());
      try (Txn txn = db.beginRead()) {
        assertThat(fixed.byEmail.key(txn, "same@example.com")).isEqualTo(a);
        assertThat(fixed.byEmail.key(txn, "b@example.com")).isEqualTo(b);
        assertThat(fixed.byCountry.count(txn, "FR")).isEqualTo(1);
      }
    }
    try (Database db = open()) {
      final Crm crm = db.attach(Crm.indexed());
      assertThat(db.<Long>readAndGet(txn -> crm.byEmail.count(txn))).isEqualTo(2L);
    }
  }

  @Test
  void attach_newNonNullableIndexOverRowsWithNullKey_failsAndLeavesDatabaseUnchanged() {
    try (Database db = open()) {
      populate(db, db.attach(new Crm()), 20); // every 7th customer has no country
    }
    try (Database db = open()) {
      final Catalog.TableEntry before = entry(db, CUSTOMERS);
      assertThatThrownBy(() -> db.attach(new Crm().withCountry(false)))
          .isInstanceOf(ConstraintViolationException.class)
          .isNotInstanceOf(UniqueViolationException.class)
          .hasMessageContaining("by_country")
          .hasMessageContaining("customers");
      assertThat(entry(db, CUSTOMERS)).isEqualTo(before);
      assertThat(db.tableNames()).doesNotContain(indexDbi(CUSTOMERS, "by_country"));
      final Crm nullable = db.attach(new Crm().withCountry(true));
      assertThat(db.<Long>readAndGet(txn -> nullable.byCountry.count(txn))).isEqualTo(17L);
    }
  }

  /** A schema whose attach failed is not attached: its tables refuse to be used. */
  @Test
  void attach_failed_leavesTheSchemaInstanceUnattached() {
    final UUID a = UUID.randomUUID();
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm());
      db.write(
          txn -> {
            crm.customers.put(txn, a, new Customer("A", "same@example.com", "FR"));
            crm.customers.put(txn, UUID.randomUUID(), new Customer("B", "same@example.com", "DE"));
          });
      final Crm failed = Crm.indexed();
      assertThatThrownBy(() -> db.attach(failed)).isInstanceOf(UniqueViolationException.class);
      assertThat(failed.database()).isNull();
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> failed.customers.get(txn, a))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("customers");
      }
    }
  }

  @Test
  void attach_undeclaredUniqueIndex_refusedUntilDropIndex() {
    final UUID k = UUID.randomUUID();
    try (Database db = open()) {
      final Crm crm = db.attach(Crm.indexed());
      db.write(txn -> crm.customers.put(txn, k, customer(1, "FR")));
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Crm().withCountry(true)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_email")
          .hasMessageContaining("customers")
          .hasMessageContaining("Schema.dropIndex");
      assertThat(Schema.dropIndex(db, CUSTOMERS, "by_email")).isTrue();
      assertThat(Schema.dropIndex(db, CUSTOMERS, "by_email")).isFalse();
      assertThat(db.tableNames()).doesNotContain(indexDbi(CUSTOMERS, "by_email"));
      assertThat(entry(db, CUSTOMERS).indexes())
          .extracting(Catalog.IndexEntry::name)
          .containsExactly("by_country");
      final Crm crm = db.attach(new Crm().withCountry(true));
      assertThat(db.<Long>readAndGet(txn -> crm.byCountry.count(txn, "FR"))).isEqualTo(1L);
    }
  }

  @Test
  void attach_undeclaredNonUniqueIndex_refusedUntilDropIndex() {
    final UUID k = UUID.randomUUID();
    try (Database db = open()) {
      final Crm crm = db.attach(Crm.indexed());
      db.write(txn -> crm.customers.put(txn, k, customer(1, "FR")));
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Crm().withEmail()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_country")
          .hasMessageContaining("Schema.dropIndex");
      assertThat(Schema.dropIndex(db, CUSTOMERS, "by_country")).isTrue();
      assertThat(db.tableNames()).doesNotContain(indexDbi(CUSTOMERS, "by_country"));
      final Crm crm = db.attach(new Crm().withEmail());
      assertThat(db.<UUID>readAndGet(txn -> crm.byEmail.key(txn, customer(1, "FR").email())))
          .isEqualTo(k);
    }
  }

  @Test
  void dropIndex_ofIndexAttachedInThisProcess_dropsIt() {
    try (Database db = open()) {
      db.attach(Crm.indexed());
      assertThat(Schema.dropIndex(db, CUSTOMERS, "by_email")).isTrue();
      assertThat(Schema.dropIndex(db, CUSTOMERS, "by_country")).isTrue();
      assertThat(db.tableNames())
          .doesNotContain(indexDbi(CUSTOMERS, "by_email"), indexDbi(CUSTOMERS, "by_country"));
      assertThat(entry(db, CUSTOMERS).indexes()).isEmpty();
      assertThat(Schema.dropIndex(db, CUSTOMERS, "no_such_index")).isFalse();
      assertThat(Schema.dropIndex(db, UUID.randomUUID().toString(), "by_email")).isFalse();
    }
  }

  @Test
  void attach_indexUniquenessChanged_refused() {
    try (Database db = open()) {
      db.attach(new Crm().withEmail());
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Crm().withEmailNotUnique()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_email")
          .hasMessageContaining("customers")
          .hasMessageContaining("non-unique utf8")
          .hasMessageContaining("unique utf8")
          .hasMessageContaining("Schema.dropIndex");
      assertThat(entry(db, CUSTOMERS).index("by_email").unique()).isTrue();
    }
  }

  @Test
  void attach_indexMadeUnique_refused() {
    try (Database db = open()) {
      db.attach(new Crm().withEmailNotUnique());
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Crm().withEmail()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_email")
          .hasMessageContaining("customers")
          .hasMessageContaining("non-unique utf8")
          .hasMessageContaining("Schema.dropIndex");
      assertThat(entry(db, CUSTOMERS).index("by_email").unique()).isFalse();
    }
  }

  @Test
  void attach_indexKeyCodecChanged_refused() {
    try (Database db = open()) {
      db.attach(new Crm().withCountry(true));
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Crm().withCountryAsBytes()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_country")
          .hasMessageContaining("utf8")
          .hasMessageContaining("bytes");
      assertThat(entry(db, CUSTOMERS).index("by_country").keyCodec()).isEqualTo("utf8");
    }
  }

  @Test
  void attach_nullableIndexMadeNonNullable_refused() {
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm().withCountry(true));
      db.write(txn -> crm.customers.put(txn, UUID.randomUUID(), customer(1, null)));
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Crm().withCountry(false)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_country")
          .hasMessageContaining("nullable");
      assertThat(entry(db, CUSTOMERS).index("by_country").nullable()).isTrue();
    }
  }

  @Test
  void attach_indexMadeNullable_allowedAndRecorded() {
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm().withCountry(false));
      db.write(txn -> crm.customers.put(txn, UUID.randomUUID(), customer(1, "FR")));
    }
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm().withCountry(true));
      assertThat(entry(db, CUSTOMERS).index("by_country").nullable()).isTrue();
      db.write(txn -> crm.customers.put(txn, UUID.randomUUID(), customer(2, null)));
      try (Txn txn = db.beginRead()) {
        assertThat(crm.customers.count(txn)).isEqualTo(2L);
        assertThat(crm.byCountry.count(txn)).isEqualTo(1);
      }
    }
  }

  // ------------------------------------------------------------------ tables, schemas, format

  static final class Audit extends Schema {
    final SchemaTable<Instant, String> events =
        table(EVENTS, "events", KeyCodecs.TIMESTAMP, ValueCodecs.STRING);
  }

  @Test
  void twoSchemas_disjointTables_bothWorkAndSurviveReopen() {
    final UUID k = UUID.randomUUID();
    final Instant t = Instant.parse("2024-05-01T10:00:00.000000001Z");
    try (Database db = open()) {
      final Crm crm = db.attach(Crm.indexed());
      final Audit audit = db.attach(new Audit());
      db.write(
          txn -> {
            crm.customers.put(txn, k, customer(1, "FR"));
            audit.events.put(txn, t, "customer created");
          });
    }
    try (Database db = open()) {
      final Audit audit = db.attach(new Audit()); // the other order this time
      final Crm crm = db.attach(Crm.indexed());
      try (Txn txn = db.beginRead()) {
        assertThat(crm.byEmail.get(txn, customer(1, "FR").email())).isEqualTo(customer(1, "FR"));
        assertThat(audit.events.get(txn, t)).isEqualTo("customer created");
        assertThat(audit.events.count(txn)).isEqualTo(1);
        assertThat(crm.customers.count(txn)).isEqualTo(1);
      }
      assertThat(entry(db, CUSTOMERS).name()).isEqualTo("customers");
      assertThat(entry(db, EVENTS).name()).isEqualTo("events");
      assertThat(entry(db, EVENTS).keyCodec()).isEqualTo("timestamp");
    }
  }

  @Test
  void attach_renamedTable_keepsItsDataAndRecordsTheNewName() {
    final UUID k = UUID.randomUUID();
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm("customers").withEmail());
      db.write(txn -> crm.customers.put(txn, k, customer(1, "FR")));
    }
    try (Database db = open()) {
      final Crm clients = db.attach(new Crm("clients").withEmail());
      try (Txn txn = db.beginRead()) {
        assertThat(clients.customers.get(txn, k)).isEqualTo(customer(1, "FR"));
        assertThat(clients.byEmail.key(txn, customer(1, "FR").email())).isEqualTo(k);
      }
      final Catalog.TableEntry entry = entry(db, CUSTOMERS);
      assertThat(entry.name()).isEqualTo("clients");
      assertThat(entry.dbi()).isEqualTo(CUSTOMERS);
      assertThat(db.tableNames()).doesNotContain("customers", "clients");
    }
  }

  @Test
  void attach_catalogFromNewerFormat_refused() {
    try (Database db = open()) {
      db.attach(new Crm());
      db.write(
          txn -> {
            final Catalog catalog = Catalog.open(Access.of(db), txn);
            final Catalog.TableEntry e = catalog.get(txn, CUSTOMERS);
            catalog.put(txn, e.withFormat(Catalog.FORMAT + 1));
          });
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Crm()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("customers")
          .hasMessageContaining("newer");
    }
  }

  @Test
  void catalog_isPlainCborReadableByAnyDecoder() throws Exception {
    try (Database db = open()) {
      final Schema s =
          new Schema() {
            final SchemaTable<UUID, Customer> customers =
                table(CUSTOMERS, "customers", KeyCodecs.UUID, CborCodec.of(Customer.class));

            {
              customers.description("people who buy").property("compression", "none");
              uniqueIndex(customers, "by_email", KeyCodecs.STRING, Customer::email);
            }
          };
      db.attach(s);
      final Table<String, byte[]> raw =
          Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
      final byte[] bytes = db.readAndGet(txn -> raw.get(txn, CUSTOMERS));
      final ObjectMapper plain = new CBORMapper();
      @SuppressWarnings("unchecked")
      final Map<String, Object> map = plain.readValue(bytes, Map.class);
      assertThat(map)
          .containsEntry("format", 2) // a checksummed table: see ValueChecksumSchemaTest
          .containsEntry("valueChecksum", "crc32c")
          .containsEntry("oid", CUSTOMERS)
          .containsEntry("name", "customers")
          .containsEntry("description", "people who buy")
          .containsEntry("kind", "table")
          .containsEntry("keyCodec", "uuid")
          .containsEntry("valueCodec", "cbor")
          .containsEntry("properties", Map.of("compression", "none"))
          .containsEntry(
              "valueType",
              Map.of(
                  "type", Customer.class.getName(),
                  "properties",
                      Map.of(
                          "name",
                          "java.lang.String",
                          "email",
                          "java.lang.String",
                          "country",
                          "java.lang.String")))
          .doesNotContainKey("migration");
      assertThat(map.get("indexes").toString()).contains("by_email").contains("utf8");
    }
  }

  @Test
  void declare_duplicateOidOrIndexNameOrBadOid_refused() {
    assertThatThrownBy(
            () ->
                new Schema() {
                  final SchemaTable<UUID, String> a =
                      table(CUSTOMERS, "a", KeyCodecs.UUID, ValueCodecs.STRING);
                  final SchemaTable<UUID, String> b =
                      table(CUSTOMERS, "b", KeyCodecs.UUID, ValueCodecs.STRING);
                })
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(CUSTOMERS);
    assertThatThrownBy(() -> new Crm().withEmail().withEmail())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("by_email");
    assertThatThrownBy(
            () ->
                new Schema() {
                  final SchemaTable<UUID, String> a =
                      table("not-a-uuid", "a", KeyCodecs.UUID, ValueCodecs.STRING);
                })
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void attach_sameSchemaTwice_orDeclareAfterAttach_refused() {
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm());
      assertThatThrownBy(() -> db.attach(crm)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(crm::withEmail).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void table_usedBeforeAttach_failsClearly() {
    final Crm crm = new Crm();
    try (Database db = open();
        Txn txn = db.beginRead()) {
      assertThatThrownBy(() -> crm.customers.get(txn, UUID.randomUUID()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("customers")
          .hasMessageContaining("attach");
    }
  }

  // ------------------------------------------------------------------ read-only databases

  private Database openReadOnly() {
    return Database.open(dir.resolve("db"), DatabaseOptions.builder().readOnly(true).build());
  }

  /** Customers indexed, events, and a set table: everything a read-only attach binds. */
  static final class Everything extends Schema {
    final SchemaTable<UUID, Customer> customers =
        table(CUSTOMERS, "customers", KeyCodecs.UUID, CborCodec.of(Customer.class));
    final UniqueIndex<String, UUID, Customer> byEmail =
        uniqueIndex(customers, "by_email", KeyCodecs.STRING, Customer::email);
    final MultiIndex<String, UUID, Customer> byCountry =
        index(customers, "by_country", KeyCodecs.STRING, Customer::country).nullable();
    final SchemaTable<UUID, Order> orders =
        table(ORDERS, "orders", KeyCodecs.UUID, CborCodec.of(Order.class));
    final SchemaSetTable<UUID, UUID> followers =
        setTable(FOLLOWERS, "followers", KeyCodecs.UUID, KeyCodecs.UUID);

    {
      reference(orders, "customer", Order::customer, customers);
    }
  }

  @Test
  void attach_readOnlyDatabase_bindsTheExistingSchemaAndReadsItsData() {
    final UUID k = UUID.randomUUID();
    final UUID order = UUID.randomUUID();
    final Map<String, Catalog.TableEntry> catalog = new TreeMap<>();
    final List<String> names;
    try (Database db = open()) {
      final Everything s = db.attach(new Everything());
      db.write(
          txn -> {
            s.customers.put(txn, k, customer(1, "FR"));
            s.orders.put(txn, order, new Order(k, Instant.EPOCH, 100));
            s.followers.add(txn, k, order);
          });
      for (final String oid : List.of(CUSTOMERS, ORDERS, FOLLOWERS)) {
        catalog.put(oid, entry(db, oid));
      }
      names = db.tableNames();
    }
    try (Database db = openReadOnly()) {
      final Everything s = db.attach(new Everything());
      assertThat(s.database()).isSameAs(db);
      try (Txn txn = db.beginRead()) {
        assertThat(s.customers.get(txn, k)).isEqualTo(customer(1, "FR"));
        assertThat(s.byEmail.key(txn, customer(1, "FR").email())).isEqualTo(k);
        assertThat(s.byCountry.count(txn, "FR")).isEqualTo(1);
        assertThat(s.orders.get(txn, order).customer()).isEqualTo(k);
        assertThat(s.followers.contains(txn, k, order)).isTrue();
        assertThatThrownBy(() -> s.customers.put(txn, k, customer(2, "DE")))
            .isInstanceOf(InvalidStateException.class);
      }
      assertThat(db.tableNames()).isEqualTo(names);
      for (final String oid : List.of(CUSTOMERS, ORDERS, FOLLOWERS)) {
        assertThat(entry(db, oid)).isEqualTo(catalog.get(oid));
      }
    }
  }

  @Test
  void attach_readOnlyDatabase_newTableOrIndex_refusedNamingItAndWritesNothing() {
    final UUID k = UUID.randomUUID();
    try (Database db = open()) {
      final Crm crm = db.attach(new Crm().withEmail());
      db.write(txn -> crm.customers.put(txn, k, customer(1, "FR")));
    }
    final List<String> names;
    final Catalog.TableEntry before;
    try (Database db = openReadOnly()) {
      names = db.tableNames();
      before = entry(db, CUSTOMERS);
      final Crm newIndex = Crm.indexed();
      assertThatThrownBy(() -> db.attach(newIndex))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("customers")
          .hasMessageContaining("by_country")
          .hasMessageContaining("not in the catalog")
          .hasMessageContaining("read-only");
      assertThat(newIndex.database()).isNull();
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> newIndex.customers.get(txn, k))
            .isInstanceOf(IllegalStateException.class);
      }
      final Schema newTable =
          new Schema() {
            final SchemaTable<UUID, Customer> customers =
                table(CUSTOMERS, "customers", KeyCodecs.UUID, CborCodec.of(Customer.class));
            final UniqueIndex<String, UUID, Customer> byEmail =
                uniqueIndex(customers, "by_email", KeyCodecs.STRING, Customer::email);
            final SchemaTable<Instant, String> events =
                table(EVENTS, "events", KeyCodecs.TIMESTAMP, ValueCodecs.STRING);
          };
      assertThatThrownBy(() -> db.attach(newTable))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("events")
          .hasMessageContaining(EVENTS)
          .hasMessageContaining("read-only");
      final Schema newSet =
          new Schema() {
            final SchemaSetTable<UUID, UUID> followers =
                setTable(FOLLOWERS, "followers", KeyCodecs.UUID, KeyCodecs.UUID);
          };
      assertThatThrownBy(() -> db.attach(newSet))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("followers")
          .hasMessageContaining("read-only");
      assertThat(db.tableNames()).isEqualTo(names);
    }
    try (Database db = open()) {
      assertThat(db.tableNames()).isEqualTo(names);
      assertThat(entry(db, CUSTOMERS)).isEqualTo(before);
      assertThat(entry(db, EVENTS)).isNull();
      assertThat(entry(db, FOLLOWERS)).isNull();
    }
  }

  @Test
  void attach_readOnlyDatabase_catalogChange_refusedNamingIt() {
    try (Database db = open()) {
      db.attach(new Crm().withEmail().withCountry(false));
    }
    try (Database db = openReadOnly()) {
      assertThatThrownBy(() -> db.attach(new Crm("clients").withEmail().withCountry(false)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("name 'customers' -> 'clients'")
          .hasMessageContaining("read-only");
      assertThatThrownBy(() -> db.attach(new Crm().withEmail().withCountry(true)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_country")
          .hasMessageContaining("nullable")
          .hasMessageContaining("read-only");
      // the rules of a writable attach still apply first
      assertThatThrownBy(() -> db.attach(new Crm().withEmail()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("by_country")
          .hasMessageContaining("not declared");
      db.attach(new Crm().withEmail().withCountry(false));
    }
  }

  @Test
  void attach_readOnlyDatabaseWithoutCatalog_refused() {
    try (Database db = open()) {
      db.table("plain", KeyCodecs.LONG, ValueCodecs.LONG);
    }
    try (Database db = openReadOnly()) {
      assertThatThrownBy(() -> db.attach(new Crm()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("customers")
          .hasMessageContaining("no catalog")
          .hasMessageContaining("read-only");
      assertThat(db.tableNames()).containsExactly("plain");
    }
  }

  // ------------------------------------------------------------------ a second JVM

  /** The catalog entry of the customers table as one line, read without attaching anything. */
  static String catalogLine(final Database db) {
    final Catalog.TableEntry e = entry(db, CUSTOMERS);
    return "catalog "
        + e.oid()
        + " format="
        + e.format()
        + " name="
        + e.name()
        + " kind="
        + e.kind()
        + " dbi="
        + e.dbi()
        + " key="
        + e.keyCodec()
        + " value="
        + e.valueCodec()
        + " indexes="
        + e.indexes()
        + " references="
        + e.references();
  }

  /** The rows and index entries of an attached {@link Crm}, as lines. */
  static List<String> contents(final Database db, final Crm crm) {
    final List<String> out = new ArrayList<>();
    try (Txn txn = db.beginRead()) {
      try (Cursor<UUID, Customer> c = crm.customers.select(txn, KeyRange.all())) {
        for (final Row<UUID, Customer> row : c) {
          out.add("row " + row.key() + " " + row.value());
        }
      }
      scan(crm.byEmail.select(txn, KeyRange.all())).forEach(s -> out.add("by_email " + s));
      scan(crm.byCountry.select(txn, KeyRange.all())).forEach(s -> out.add("by_country " + s));
    }
    return out;
  }

  static final UUID CHILD_ROW = UUID.fromString("0c41d000-0000-4000-8000-00000000c41d");

  @Test
  void secondJvm_reopen_seesSameCatalogAndData() throws Exception {
    final List<String> expected;
    try (Database db = open()) {
      final Crm crm = db.attach(Crm.indexed());
      populate(db, crm, 25);
      expected = new ArrayList<>();
      expected.add(catalogLine(db));
      expected.addAll(contents(db, crm));
    }
    final ChildJvm.Result child =
        ChildJvm.run(
            CatalogChild.class,
            dir.resolve("child"),
            Duration.ofSeconds(60),
            dir.resolve("db").toString());
    assertThat(child.exitCode()).as(child.describe()).isZero();
    final List<String> seen = new ArrayList<>();
    for (final String line : child.lines()) {
      if (line.startsWith("seen ")) {
        seen.add(line.substring("seen ".length()));
      }
    }
    assertThat(seen).as(child.describe()).isEqualTo(expected);
    assertThat(child.lines()).as(child.describe()).contains("wrote " + CHILD_ROW);
    // and what the child wrote, with its index entries, is here
    try (Database db = open()) {
      final Crm crm = db.attach(Crm.indexed());
      try (Txn txn = db.beginRead()) {
        assertThat(crm.customers.get(txn, CHILD_ROW))
            .isEqualTo(new Customer("child", "child@example.com", "SE"));
        assertThat(crm.byEmail.key(txn, "child@example.com")).isEqualTo(CHILD_ROW);
        assertThat(crm.byCountry.contains(txn, "SE", CHILD_ROW)).isTrue();
        assertThat(crm.customers.count(txn)).isEqualTo(26);
      }
    }
  }

  // ------------------------------------------------------------------ references

  /**
   * Orders referencing customers (every reference is checked; {@code nullable} lets an order have
   * none); the orders table is declared first on purpose.
   */
  static final class Sales extends Schema {
    final SchemaTable<UUID, Order> orders =
        table(ORDERS, "orders", KeyCodecs.UUID, CborCodec.of(Order.class));
    final MultiIndex<UUID, UUID, Order> byCustomer =
        index(orders, "by_customer", KeyCodecs.UUID, Order::customer).nullable();
    final SchemaTable<UUID, Customer> customers =
        table(CUSTOMERS, "customers", KeyCodecs.UUID, CborCodec.of(Customer.class));
    final Reference<UUID, Order, UUID, Customer> customer;

    Sales(final boolean nullable) {
      final Reference<UUID, Order, UUID, Customer> r =
          reference(orders, "customer", Order::customer, customers);
      customer = nullable ? r.nullable() : r;
    }
  }

  @Test
  void reference_declaredBeforeItsTarget_attachesAndIsRecorded() {
    try (Database db = open()) {
      db.attach(new Sales(true));
      assertThat(entry(db, ORDERS).references())
          .containsExactly(
              new Catalog.ReferenceEntry("customer", CUSTOMERS, "uuid", true, "restrict"));
      // the index the reference maintains for navigation is recorded like any other
      assertThat(entry(db, ORDERS).indexes())
          .containsExactly(
              new Catalog.IndexEntry(
                  "by_customer", indexDbi(ORDERS, "by_customer"), "uuid", false, true),
              new Catalog.IndexEntry(
                  "ref.customer", indexDbi(ORDERS, "ref.customer"), "uuid", false, true));
      assertThat(entry(db, CUSTOMERS)).isNotNull();
    }
    try (Database db = open()) {
      db.attach(new Sales(true));
    }
  }

  @Test
  void reference_checkedToMissingRow_refusedAndNothingWritten() {
    try (Database db = open()) {
      final Sales s = db.attach(new Sales(true));
      final UUID customer = UUID.randomUUID();
      final UUID order = UUID.randomUUID();
      final Order dangling = new Order(customer, Instant.EPOCH, 100);
      try (Txn txn = db.beginWrite()) {
        assertThatThrownBy(() -> s.orders.put(txn, order, dangling))
            .isInstanceOf(ConstraintViolationException.class)
            .isNotInstanceOf(UniqueViolationException.class)
            .hasMessageContaining("customer")
            .hasMessageContaining("customers")
            .hasMessageContaining("orders")
            .hasMessageContaining(customer.toString());
        assertThatThrownBy(() -> s.orders.insert(txn, order, dangling))
            .isInstanceOf(ConstraintViolationException.class);
        assertThat(s.orders.count(txn)).isZero();
        assertThat(s.byCustomer.count(txn)).isZero();
        // the transaction is still usable: create the target, then the write passes
        s.customers.put(txn, customer, customer(1, "FR"));
        s.orders.put(txn, order, dangling);
        // a null reference is allowed
        s.orders.put(txn, UUID.randomUUID(), new Order(null, Instant.EPOCH, 1));
        // an update that points elsewhere is checked too, and changes nothing
        assertThatThrownBy(
                () -> s.orders.update(txn, order, o -> new Order(UUID.randomUUID(), o.at(), 5)))
            .isInstanceOf(ConstraintViolationException.class);
        assertThat(s.orders.get(txn, order)).isEqualTo(dangling);
        assertThat(s.byCustomer.count(txn, customer)).isEqualTo(1);
        assertThat(s.byCustomer.count(txn)).isEqualTo(1);
        assertThat(s.customer.count(txn, customer)).isEqualTo(1);
        txn.commit();
      }
      assertThat(db.<Long>readAndGet(txn -> s.orders.count(txn))).isEqualTo(2L);
    }
  }

  /**
   * There are no unchecked references any more (this test allowed a dangling one before): every
   * reference is checked, and one not declared nullable refuses a null too.
   */
  @Test
  void reference_notNullable_refusesDanglingAndNullReferences() {
    try (Database db = open()) {
      final Sales s = db.attach(new Sales(false));
      final UUID customer = UUID.randomUUID();
      assertThatThrownBy(
              () ->
                  db.write(
                      txn ->
                          s.orders.put(
                              txn, UUID.randomUUID(), new Order(customer, Instant.EPOCH, 1))))
          .isInstanceOf(ConstraintViolationException.class)
          .hasMessageContaining("orders")
          .hasMessageContaining(customer.toString());
      assertThatThrownBy(
              () ->
                  db.write(
                      txn ->
                          s.orders.put(txn, UUID.randomUUID(), new Order(null, Instant.EPOCH, 1))))
          .isInstanceOf(ConstraintViolationException.class)
          .hasMessageContaining("customer")
          .hasMessageContaining("nullable")
          .hasMessageContaining("orders");
      try (Txn txn = db.beginRead()) {
        assertThat(s.orders.count(txn)).isZero();
        assertThat(s.byCustomer.count(txn)).isZero();
        assertThat(s.customer.count(txn, customer)).isZero();
      }
    }
  }

  /**
   * A reference takes its key codec from its target (it used to be declared, and a differing one
   * was refused at attach; now it cannot differ): recorded in the catalog, for the reference and
   * for the index it maintains.
   */
  @Test
  void reference_keyCodecIsTheTargets_andIsRecorded() {
    final UUID c = UUID.randomUUID();
    try (Database db = open()) {
      final var s =
          db.attach(
              new Schema() {
                final SchemaTable<UUID, Order> orders =
                    table(ORDERS, "orders", KeyCodecs.UUID, CborCodec.of(Order.class));
                final SchemaTable<UUID, Customer> customers =
                    table(
                        CUSTOMERS,
                        "customers",
                        KeyCodecs.descending(KeyCodecs.UUID),
                        CborCodec.of(Customer.class));
                final Reference<UUID, Order, UUID, Customer> customer =
                    reference(orders, "customer", Order::customer, customers);
              });
      assertThat(entry(db, ORDERS).references())
          .containsExactly(
              new Catalog.ReferenceEntry("customer", CUSTOMERS, "desc(uuid)", true, "restrict"));
      assertThat(entry(db, ORDERS).index("ref.customer").keyCodec()).isEqualTo("desc(uuid)");
      db.write(
          txn -> {
            s.customers.put(txn, c, customer(1, "FR"));
            s.orders.put(txn, UUID.randomUUID(), new Order(c, Instant.EPOCH, 1));
          });
      try (Txn txn = db.beginRead()) {
        assertThat(s.customer.count(txn, c)).isEqualTo(1);
      }
    }
  }

  @Test
  void reference_cycle_refused() {
    try (Database db = open()) {
      final Schema s =
          new Schema() {
            final SchemaTable<UUID, Order> orders =
                table(ORDERS, "orders", KeyCodecs.UUID, CborCodec.of(Order.class));
            final SchemaTable<UUID, Customer> customers =
                table(CUSTOMERS, "customers", KeyCodecs.UUID, CborCodec.of(Customer.class));

            {
              reference(orders, "customer", Order::customer, customers);
              reference(customers, "last_order", c -> null, orders).nullable();
            }
          };
      assertThatThrownBy(() -> db.attach(s))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cycle");
      assertThat(entry(db, ORDERS)).isNull();
      assertThat(db.tableNames()).doesNotContain(ORDERS, CUSTOMERS);
    }
  }

  /** A table referencing itself (an employee's manager) needs no creation order. */
  @Test
  void reference_toOwnTable_attachesAndIsChecked() {
    try (Database db = open()) {
      final var s =
          db.attach(
              new Schema() {
                final SchemaTable<UUID, Employee> employees =
                    table(EMPLOYEES, "employees", KeyCodecs.UUID, CborCodec.of(Employee.class));

                {
                  reference(employees, "manager", Employee::manager, employees).nullable();
                }
              });
      final UUID boss = UUID.randomUUID();
      db.write(txn -> s.employees.put(txn, boss, new Employee("boss", null)));
      db.write(txn -> s.employees.put(txn, UUID.randomUUID(), new Employee("ada", boss)));
      assertThatThrownBy(
              () ->
                  db.write(
                      txn ->
                          s.employees.put(
                              txn, UUID.randomUUID(), new Employee("eve", UUID.randomUUID()))))
          .isInstanceOf(ConstraintViolationException.class);
    }
  }

  /**
   * A reference may point into another schema's table if it is declared before that schema
   * attaches, or after (deletes from the target act on every reference to it declared in this
   * process: RESTRICT here).
   */
  @Test
  void
      reference_toTableOfAnotherSchema_worksDeclaredBeforeOrAfterItsAttach_andToUnknownTable_refused() {
    try (Database db = open()) {
      final Crm crm = new Crm();
      final var sales =
          new Schema() {
            final SchemaTable<UUID, Order> orders =
                table(ORDERS, "orders", KeyCodecs.UUID, CborCodec.of(Order.class));

            {
              reference(orders, "customer", Order::customer, crm.customers);
            }
          };
      db.attach(crm);
      db.attach(sales);
      final UUID customer = UUID.randomUUID();
      db.write(txn -> crm.customers.put(txn, customer, customer(1, "FR")));
      db.write(
          txn -> sales.orders.put(txn, UUID.randomUUID(), new Order(customer, Instant.EPOCH, 1)));
      assertThatThrownBy(
              () ->
                  db.write(
                      txn ->
                          sales.orders.put(
                              txn,
                              UUID.randomUUID(),
                              new Order(UUID.randomUUID(), Instant.EPOCH, 1))))
          .isInstanceOf(ConstraintViolationException.class);
      assertThatThrownBy(() -> db.write(txn -> crm.customers.delete(txn, customer)))
          .isInstanceOf(ConstraintViolationException.class)
          .hasMessageContaining("orders")
          .hasMessageContaining("RESTRICT");
      assertThat(db.<Customer>readAndGet(txn -> crm.customers.get(txn, customer)))
          .isEqualTo(customer(1, "FR"));
      // a schema declared after the target's attached: its reference acts on deletes from then on
      final var events =
          new Schema() {
            final SchemaTable<UUID, Order> late =
                table(EVENTS, "late", KeyCodecs.UUID, CborCodec.of(Order.class));

            {
              reference(late, "customer", Order::customer, crm.customers);
            }
          };
      db.attach(events);
      final UUID second = UUID.randomUUID();
      db.write(txn -> crm.customers.put(txn, second, customer(2, "DE")));
      db.write(txn -> events.late.put(txn, UUID.randomUUID(), new Order(second, Instant.EPOCH, 1)));
      assertThatThrownBy(() -> db.write(txn -> crm.customers.delete(txn, second)))
          .isInstanceOf(ConstraintViolationException.class)
          .hasMessageContaining("late")
          .hasMessageContaining("RESTRICT");
    }
    try (Database db = Database.open(dir.resolve("fresh"))) {
      final Crm unattached = new Crm();
      final Schema s =
          new Schema() {
            final SchemaTable<UUID, Order> orders =
                table(ORDERS, "orders", KeyCodecs.UUID, CborCodec.of(Order.class));

            {
              reference(orders, "customer", Order::customer, unattached.customers);
            }
          };
      // the target is declared elsewhere but neither in this schema nor in the catalog
      assertThatThrownBy(() -> db.attach(s))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("customers");
    }
  }
}
