package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Row;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * {@link TableMigration}: a table of {@code Market} values migrated to {@code User} values in
 * batches, with its indexes rebuilt and the new type recorded; every refusal while a migration is
 * unfinished or does not fit the table; a migration stopped by a failing transform and resumed. The
 * kill -9 case is {@code MigrationCrashTest} in the reliability module.
 */
class TableMigrationTest {

  record Market(String symbol, long priceCents) {}

  record User(String email, int age) {}

  record Stock(String ticker, double price) {}

  static final String OID = "7ab1e000-0000-4000-8000-000000000001";
  static final int ROWS = 1_050;

  @TempDir Path dir;

  private Database open() {
    return Database.open(dir.resolve("db"));
  }

  /** The old declaration: markets, unique by symbol. */
  static final class V1 extends Schema {
    final SchemaTable<UUID, Market> things =
        table(OID, "things", KeyCodecs.UUID, CborCodec.of(Market.class));
    final UniqueIndex<String, UUID, Market> bySymbol =
        uniqueIndex(things, "by_symbol", KeyCodecs.STRING, Market::symbol);
  }

  /** The new declaration: users; by_symbol now indexes the e-mail, by_age is new. */
  static final class V2 extends Schema {
    final SchemaTable<UUID, User> things =
        table(OID, "things", KeyCodecs.UUID, CborCodec.of(User.class));
    final UniqueIndex<String, UUID, User> bySymbol;
    final MultiIndex<Long, UUID, User> byAge =
        index(things, "by_age", KeyCodecs.LONG, u -> (long) u.age());

    V2() {
      this(true);
    }

    V2(final boolean uniqueEmail) {
      bySymbol =
          uniqueEmail ? uniqueIndex(things, "by_symbol", KeyCodecs.STRING, User::email) : null;
      if (!uniqueEmail) {
        index(things, "by_email", KeyCodecs.STRING, User::email); // in place of by_symbol
      }
    }
  }

  static UUID key(final int i) {
    return new UUID(0x1000 + i, i);
  }

  static Market market(final int i) {
    return new Market("SYM" + i, 100L * i + 7);
  }

  /** The transform under test. */
  static User user(final Market m) {
    return new User(m.symbol().toLowerCase() + "@x", (int) (m.priceCents() % 97));
  }

  private static TreeMap<UUID, Market> populate(final Database db) {
    final V1 v1 = db.attach(new V1());
    final TreeMap<UUID, Market> rows = new TreeMap<>(KeyCodecs.UUID_ORDER);
    db.write(
        txn -> {
          for (int i = 0; i < ROWS; i++) {
            v1.things.put(txn, key(i), market(i));
            rows.put(key(i), market(i));
          }
        });
    return rows;
  }

  private static TableMigration<UUID, Market, User> migration(
      final V2 v2, final Function<Market, User> transform) {
    return TableMigration.of(v2.things, CborCodec.of(Market.class), transform).batchSize(100);
  }

  /** Every (index key, primary key) pair of an index, in index order. */
  private static <I> List<String> entries(final Txn txn, final Cursor<I, UUID> all) {
    final List<String> out = new ArrayList<>();
    try (Cursor<I, UUID> c = all) {
      while (c.next()) {
        out.add(c.key() + "->" + c.value());
      }
    }
    return out;
  }

  /**
   * Asserts that v2's table holds exactly transform(old) and its indexes exactly what it derives.
   */
  private static void assertMigrated(
      final Database db, final V2 v2, final TreeMap<UUID, Market> old) {
    final TreeMap<String, UUID> emails = new TreeMap<>();
    final TreeMap<String, String> ages = new TreeMap<>();
    try (Txn txn = db.beginRead()) {
      final List<Row<UUID, User>> rows = v2.things.page(txn, KeyRange.all()).rows();
      assertThat(rows).hasSize(old.size());
      int i = 0;
      for (final Map.Entry<UUID, Market> e : old.entrySet()) {
        assertThat(rows.get(i).key()).isEqualTo(e.getKey());
        assertThat(rows.get(i).value()).isEqualTo(user(e.getValue()));
        final User u = user(e.getValue());
        emails.put(u.email(), e.getKey());
        ages.put(String.format("%020d/%s", u.age(), e.getKey()), u.age() + "->" + e.getKey());
        i++;
      }
      final List<String> expectEmails = new ArrayList<>();
      emails.forEach((k, v) -> expectEmails.add(k + "->" + v));
      assertThat(entries(txn, v2.bySymbol.select(txn, KeyRange.all()))).isEqualTo(expectEmails);
      final List<String> byAge = entries(txn, v2.byAge.select(txn, KeyRange.all()));
      assertThat(byAge).containsExactlyInAnyOrderElementsOf(ages.values());
      assertThat(v2.byAge.count(txn)).isEqualTo(old.size());
    }
  }

  @Test
  void run_marketsToUsers_transformsEveryRow_rebuildsIndexes_recordsTheNewType() {
    try (Database db = open()) {
      final TreeMap<UUID, Market> old = populate(db);
      final long generation = generation(db);
      final List<TableMigration.Progress> progress = new ArrayList<>();
      final V2 v2 = new V2();
      final long rows = migration(v2, TableMigrationTest::user).onBatch(progress::add).run(db);
      assertThat(rows).isEqualTo(ROWS);
      assertThat(progress).hasSize(12); // 10 full batches, one of 50 rows, the finish
      assertThat(progress.get(0)).isEqualTo(new TableMigration.Progress("things", 100, false));
      assertThat(progress.get(10)).isEqualTo(new TableMigration.Progress("things", ROWS, false));
      assertThat(progress.get(11)).isEqualTo(new TableMigration.Progress("things", ROWS, true));
      final Catalog.TableEntry entry = entry(db);
      assertThat(entry.migration()).isNull();
      assertThat(entry.format()).isEqualTo(Catalog.FORMAT_CHECKSUM); // CBOR: crc32c, as before
      assertThat(entry.fingerprint()).isEqualTo(CborCodec.of(User.class).typeFingerprint());
      assertThat(entry.indexes())
          .extracting(Catalog.IndexEntry::name)
          .containsExactlyInAnyOrder("by_symbol", "by_age");
      assertThat(generation(db)).isEqualTo(generation + 2); // started, finished
      db.attach(v2);
      assertMigrated(db, v2, old);
      assertThat(generation(db)).isEqualTo(generation + 2); // the attach had nothing to record
      db.write(txn -> v2.things.put(txn, key(ROWS), new User("new@x", 3)));
      assertThat(db.<UUID>readAndGet(txn -> v2.bySymbol.key(txn, "new@x"))).isEqualTo(key(ROWS));
    }
    try (Database db = open()) {
      final V2 again = db.attach(new V2());
      try (Txn txn = db.beginRead()) {
        assertThat(again.things.get(txn, key(5))).isEqualTo(user(market(5)));
      }
      // the old declaration is refused now, by the type rule
      assertThatThrownBy(() -> db.attach(new V1()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("table=things")
          .hasMessageContaining(User.class.getName())
          .hasMessageContaining(Market.class.getName());
    }
  }

  @Test
  void
      run_stoppedByTheTransform_leavesItUnfinished_attachRefusedWithEitherType_resumeTransformsEachRowOnce() {
    final AtomicInteger calls = new AtomicInteger();
    final TreeMap<UUID, Market> old;
    try (Database db = open()) {
      old = populate(db);
      final V2 v2 = new V2();
      final Throwable stop =
          refusal(
              () ->
                  migration(
                          v2,
                          m -> {
                            if (calls.incrementAndGet() == 350) {
                              throw new IllegalStateException("transform bug");
                            }
                            return user(m);
                          })
                      .run(db));
      assertThat(stop)
          .isInstanceOf(LodestoreException.class)
          .hasMessageContaining("transform failed")
          .hasMessageContaining("transform bug")
          .hasMessageContaining("table=things");
      final Catalog.TableEntry entry = entry(db);
      assertThat(entry.migration().rows()).isEqualTo(300); // three batches committed
      assertThat(entry.format()).isEqualTo(Catalog.FORMAT_MIGRATING);
      assertThat(refusal(() -> db.attach(new V1())))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("table=things")
          .hasMessageContaining("unfinished")
          .hasMessageContaining("300 rows migrated")
          .hasMessageContaining("resume the migration");
      assertThat(refusal(() -> db.attach(new V2())))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("resume the migration");
    }
    try (Database db =
        Database.open(dir.resolve("db"), DatabaseOptions.builder().readOnly(true).build())) {
      assertThat(refusal(() -> db.attach(new V2())))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("resume the migration");
    }
    try (Database db = open()) {
      calls.set(0);
      final V2 v2 = new V2();
      assertThat(
              migration(
                      v2,
                      m -> {
                        calls.incrementAndGet();
                        return user(m);
                      })
                  .run(db))
          .isEqualTo(ROWS);
      assertThat(calls.get()).isEqualTo(ROWS - 300); // the committed batches are not redone
      db.attach(v2);
      assertMigrated(db, v2, old);
    }
  }

  @Test
  void run_transformReturningNull_stopsAndWritesNothingOfThatBatch() {
    try (Database db = open()) {
      populate(db);
      final V2 v2 = new V2();
      final AtomicInteger calls = new AtomicInteger();
      assertThat(
              refusal(
                  () ->
                      migration(v2, m -> calls.incrementAndGet() == 150 ? null : user(m)).run(db)))
          .isInstanceOf(LodestoreException.class)
          .hasMessageContaining("returned null");
      assertThat(entry(db).migration().rows()).isEqualTo(100);
      try (Txn txn = db.beginRead()) {
        // row 100 (the first of the aborted batch) still holds its old value
        final var raw =
            Access.table(db, OID, KeyCodecs.UUID, CborCodec.of(Market.class))
                .withValueChecksum(org.lodestore.core.ValueChecksum.CRC32C);
        try (Cursor<UUID, Market> c = raw.select(txn, KeyRange.<UUID>all().offset(100).limit(1))) {
          assertThat(c.next()).isTrue();
          assertThat(index(c.key())).isEqualTo(100);
          assertThat(c.value()).isEqualTo(market(100));
        }
      }
    }
  }

  private static int index(final UUID key) {
    return (int) key.getLeastSignificantBits();
  }

  @Test
  void run_again_afterItFinished_returnsAtOnceAndWritesNothing() {
    try (Database db = open()) {
      populate(db);
      migration(new V2(), TableMigrationTest::user).run(db);
      final long generation = generation(db);
      final Catalog.TableEntry before = entry(db);
      final AtomicInteger calls = new AtomicInteger();
      assertThat(
              migration(
                      new V2(),
                      m -> {
                        calls.incrementAndGet();
                        return user(m);
                      })
                  .run(db))
          .isZero();
      assertThat(calls.get()).isZero();
      assertThat(generation(db)).isEqualTo(generation);
      assertThat(entry(db)).isEqualTo(before);
    }
  }

  @Test
  void run_withAnotherTargetWhileOneIsUnfinished_refused() {
    try (Database db = open()) {
      populate(db);
      final AtomicInteger calls = new AtomicInteger();
      assertThatThrownBy(
              () ->
                  migration(
                          new V2(),
                          m -> {
                            if (calls.incrementAndGet() == 150) {
                              throw new IllegalStateException("stop");
                            }
                            return user(m);
                          })
                      .run(db))
          .isInstanceOf(LodestoreException.class);
      final Schema other =
          new Schema() {
            final SchemaTable<UUID, Reading> things =
                table(
                    OID,
                    "things",
                    KeyCodecs.UUID,
                    FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new));
          };
      @SuppressWarnings("unchecked")
      final SchemaTable<UUID, Reading> readings =
          (SchemaTable<UUID, Reading>) other.tables().get(0);
      final Catalog.TableEntry before = entry(db);
      assertThat(
              refusal(
                  () ->
                      TableMigration.of(
                              readings, CborCodec.of(Market.class), (Market m) -> (Reading) null)
                          .run(db)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("another migration of the table is unfinished")
          .hasMessageContaining(User.class.getName())
          .hasMessageContaining(Reading.class.getName());
      assertThat(entry(db)).isEqualTo(before);
    }
  }

  @Test
  void run_withAnOldCodecThatDoesNotReadTheStoredValues_refusedAndWritesNothing() {
    try (Database db = open()) {
      populate(db);
      final Catalog.TableEntry before = entry(db);
      final V2 v2 = new V2();
      assertThat(
              refusal(
                  () ->
                      TableMigration.of(
                              v2.things,
                              CborCodec.of(Stock.class),
                              (Stock s) -> new User(s.ticker(), 1))
                          .run(db)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("old codec does not read the stored values")
          .hasMessageContaining(Market.class.getName())
          .hasMessageContaining(Stock.class.getName())
          .hasMessageContaining("share no property");
      assertThat(entry(db)).isEqualTo(before);
    }
  }

  @Test
  void run_ofATableNotInTheCatalog_orAnAttachedOne_refused() {
    try (Database db = open()) {
      assertThat(refusal(() -> migration(new V2(), TableMigrationTest::user).run(db)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("not in the catalog");
      populate(db);
      final V1 attached = db.attach(new V1());
      assertThatThrownBy(
              () ->
                  TableMigration.of(
                          attached.things, CborCodec.of(Market.class), Function.<Market>identity())
                      .run(db))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("migrate it before attaching");
    }
  }

  @Test
  void run_newValuesBreakingAUniqueIndex_failAtTheEnd_resumableWithAnotherIndexDeclaration() {
    try (Database db = open()) {
      final TreeMap<UUID, Market> old = populate(db);
      final Function<Market, User> clash =
          m -> new User(index(m) % 2 == 0 ? "same@x" : user(m).email(), 1);
      assertThat(refusal(() -> migration(new V2(), clash).run(db)))
          .isInstanceOf(UniqueViolationException.class)
          .hasMessageContaining("by_symbol");
      assertThat(entry(db).migration()).isNotNull();
      assertThat(refusal(() -> db.attach(new V2()))).hasMessageContaining("resume the migration");
      // every value is migrated; by_symbol cannot become non-unique under its name (the index
      // rule), so it is dropped and the finish runs again with a non-unique by_email instead
      final V2 relaxed = new V2(false);
      assertThat(refusal(() -> migration(relaxed, TableMigrationTest::user).run(db)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("index 'by_symbol' is in the catalog but not declared");
      assertThat(Schema.dropIndex(db, OID, "by_symbol")).isTrue();
      assertThat(entry(db).migration()).isNotNull(); // dropIndex keeps it
      assertThat(
              migration(
                      relaxed,
                      m -> {
                        throw new AssertionError("no value is left to transform");
                      })
                  .run(db))
          .isEqualTo(ROWS);
      db.attach(relaxed);
      try (Txn txn = db.beginRead()) {
        assertThat(relaxed.things.count(txn)).isEqualTo(old.size());
        assertThat(relaxed.byAge.count(txn, 1L)).isEqualTo(ROWS);
      }
    }
  }

  private static int index(final Market m) {
    return Integer.parseInt(m.symbol().substring(3));
  }

  @Test
  void run_cborToFlatBuffers_changesTheValueCodecToo() {
    try (Database db = open()) {
      populate(db);
      final FlatBuffersCodec<Reading> fb =
          FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new);
      final class V3 extends Schema {
        final SchemaTable<UUID, Reading> things = table(OID, "things", KeyCodecs.UUID, fb);
        final UniqueIndex<String, UUID, Reading> bySymbol =
            uniqueIndex(things, "by_symbol", KeyCodecs.STRING, Reading::sensor);
      }
      final V3 v3 = new V3();
      TableMigration.of(
              v3.things,
              CborCodec.of(Market.class),
              (Market m) -> fb.build(b -> Reading.create(b, m.symbol(), m.priceCents())))
          .batchSize(64)
          .run(db);
      db.attach(v3);
      final Catalog.TableEntry entry = entry(db);
      assertThat(entry.valueCodec()).isEqualTo("flatbuffers");
      assertThat(entry.valueChecksum()).isEqualTo("crc32c"); // kept: every value carries it
      try (Txn txn = db.beginRead()) {
        assertThat(Reading.text(v3.things.get(txn, key(42)))).isEqualTo("SYM42=4207");
        assertThat(Reading.text(v3.bySymbol.get(txn, "SYM7"))).isEqualTo("SYM7=707");
        assertThat(v3.bySymbol.count(txn)).isEqualTo(ROWS);
      }
    }
  }

  @Test
  void oldDeclarationAttachedBeforeTheMigration_refusesWritesDuringAndAfterIt() {
    try (Database db = open()) {
      populate(db);
      final V1 v1 = db.attach(new V1());
      final AtomicInteger calls = new AtomicInteger();
      assertThatThrownBy(
              () ->
                  migration(
                          new V2(),
                          m -> {
                            if (calls.incrementAndGet() == 150) {
                              throw new IllegalStateException("stop");
                            }
                            return user(m);
                          })
                      .run(db))
          .isInstanceOf(LodestoreException.class);
      assertThat(refusal(() -> db.write(txn -> v1.things.put(txn, key(1), market(1)))))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("stale")
          .hasMessageContaining("migration");
      migration(new V2(), TableMigrationTest::user).run(db);
      assertThat(refusal(() -> db.write(txn -> v1.things.put(txn, key(1), market(1)))))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("stale")
          .hasMessageContaining("value type changed incompatibly");
      final V2 v2 = db.attach(new V2());
      try (Txn txn = db.beginRead()) {
        assertThat(v2.things.get(txn, key(1))).isEqualTo(user(market(1)));
      }
    }
  }

  /** The table's catalog entry. */
  static Catalog.TableEntry entry(final Database db) {
    try (Txn txn = db.beginRead()) {
      return Catalog.open(Access.of(db), txn).get(txn, OID);
    }
  }

  private static long generation(final Database db) {
    try (Txn txn = db.beginRead()) {
      return CatalogGeneration.open(Access.of(db), txn).read(txn);
    }
  }

  /**
   * Runs {@code action}, which must throw, prints the message (the report lists them) and returns
   * it.
   */
  static Throwable refusal(final Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      System.out.println("REFUSAL " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return e;
    }
    throw new AssertionError("expected a refusal");
  }
}
