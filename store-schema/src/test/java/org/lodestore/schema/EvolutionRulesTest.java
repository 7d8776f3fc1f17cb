package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.serializers.JsonCodec;

/**
 * The rules of {@link EvolutionRules}, each through an attach: the value type rule (what it
 * refuses, naming the table and both types, and what it allows), the adoption of entries from
 * before fingerprints, and that every refusal of every rule names the table, what changed and what
 * is allowed instead, and writes nothing.
 */
class EvolutionRulesTest {

  record Market(String symbol, long priceCents) {}

  record User(String email, int age) {}

  /** Market renamed, with a property added. */
  record Listing(String symbol, long priceCents, long volume) {}

  /** Market renamed, with a property removed. */
  record Symbol(String symbol) {}

  /** A value that references a row of another table. */
  record Pointer(UUID far) {}

  /** Market renamed, the price now as text. */
  record TextPrice(String symbol, String priceCents) {}

  static final String OID = "e0e0e0e0-0000-4000-8000-000000000001";
  static final String OTHER = "e0e0e0e0-0000-4000-8000-000000000002";
  static final UUID K = new UUID(1, 1);

  @TempDir Path dir;

  private Database open() {
    return Database.open(dir.resolve("db"));
  }

  private Database openReadOnly() {
    return Database.open(dir.resolve("db"), DatabaseOptions.builder().readOnly(true).build());
  }

  /** A schema of one table {@code things} with the given value codec. */
  static final class One<V> extends Schema {
    final SchemaTable<UUID, V> things;

    One(final ValueCodec<V> codec) {
      things = table(OID, "things", KeyCodecs.UUID, codec);
    }
  }

  /** Creates {@code things} with {@code codec} and puts {@code value} under {@link #K}. */
  private <V> void create(final ValueCodec<V> codec, final V value) {
    try (Database db = open()) {
      final One<V> one = db.attach(new One<>(codec));
      if (value != null) {
        db.write(txn -> one.things.put(txn, K, value));
      }
    }
  }

  /**
   * Attaches {@code schema}, which must be refused with {@link SchemaMismatchException}; checks
   * that nothing was written (catalog entry and generation unchanged), prints the message and
   * returns it.
   */
  private String refused(final Database db, final Schema schema) {
    final Map<String, Object> before = catalog(db);
    final Throwable e = TableMigrationTest.refusal(() -> db.attach(schema));
    assertThat(e).isInstanceOf(SchemaMismatchException.class);
    assertThat(catalog(db)).as("a refused attach writes nothing").isEqualTo(before);
    return e.getMessage();
  }

  /** Every catalog entry and the generation, as the catalog holds them. */
  private static Map<String, Object> catalog(final Database db) {
    final Map<String, Object> out = new LinkedHashMap<>();
    if (!db.tableNames().contains(Catalog.DBI)) {
      return out;
    }
    try (Txn txn = db.beginRead()) {
      final Catalog catalog = Catalog.open(Access.of(db), txn);
      out.put(OID, catalog.get(txn, OID));
      out.put(OTHER, catalog.get(txn, OTHER));
      out.put("generation", CatalogGeneration.open(Access.of(db), txn).read(txn));
    }
    return out;
  }

  private static Catalog.TableEntry entry(final Database db) {
    try (Txn txn = db.beginRead()) {
      return Catalog.open(Access.of(db), txn).get(txn, OID);
    }
  }

  // ------------------------------------------------------------ refused value types

  @Test
  void attach_cborValueTypeWithNoPropertyInCommon_refusedNamingTheTableAndBothTypes() {
    create(CborCodec.of(Market.class), new Market("BTC-EUR", 4200));
    try (Database db = open()) {
      assertThat(refused(db, new One<>(CborCodec.of(User.class))))
          .contains("table=things")
          .contains(
              "catalog has "
                  + Market.class.getName()
                  + "{symbol: java.lang.String, priceCents: long}")
          .contains(
              "schema declares " + User.class.getName() + "{email: java.lang.String, age: int}")
          .contains("they share no property")
          .contains("Allowed: the same class with properties added or removed")
          .contains("TableMigration");
    }
  }

  @Test
  void attach_jsonValueTypeWithNoPropertyInCommon_refused() {
    create(JsonCodec.of(Market.class), new Market("BTC-EUR", 4200));
    try (Database db = open()) {
      assertThat(refused(db, new One<>(JsonCodec.of(User.class))))
          .contains(Market.class.getName())
          .contains(User.class.getName());
    }
  }

  @Test
  void attach_flatBuffersRootClassSwapped_refusedNamingBothClasses() {
    create(FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new), null);
    try (Database db = open()) {
      assertThat(refused(db, new One<>(FlatBuffersCodec.of(Gauge::getRootAsGauge, Gauge::new))))
          .contains("table=things")
          .contains("catalog has " + Reading.class.getName())
          .contains("schema declares " + Gauge.class.getName())
          .contains("different types without named properties");
    }
  }

  @Test
  void attach_sharedPropertyWhoseTypeChanged_refusedNamingTheProperty() {
    create(CborCodec.of(Market.class), new Market("BTC-EUR", 4200));
    try (Database db = open()) {
      assertThat(refused(db, new One<>(CborCodec.of(TextPrice.class))))
          .contains("property 'priceCents' changed type: long -> java.lang.String")
          .contains(Market.class.getName())
          .contains(TextPrice.class.getName());
    }
  }

  @Test
  void attach_sameClassWhosePropertiesAllRenamedByTheMapper_refused() {
    create(CborCodec.of(Symbol.class), new Symbol("BTC-EUR"));
    final ObjectMapper upper = CborCodec.newMapper();
    upper.setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE);
    try (Database db = open()) {
      // the fingerprint is what Jackson writes: "Symbol", not the record component "symbol"
      assertThat(refused(db, new One<>(CborCodec.of(Symbol.class, upper))))
          .contains(Symbol.class.getName() + "{symbol: java.lang.String}")
          .contains(Symbol.class.getName() + "{Symbol: java.lang.String}")
          .contains("share no property");
    }
  }

  @Test
  void attach_namedPropertiesDeclaredAsASingleValue_refused() {
    create(CborCodec.of(Market.class), new Market("BTC-EUR", 4200));
    try (Database db = open()) {
      assertThat(refused(db, new One<>(CborCodec.of(String.class))))
          .contains("written as named properties on one side and as a single value on the other");
    }
  }

  // ------------------------------------------------------------ allowed value types

  @Test
  void attach_renamedClassWithAPropertyAdded_allowed_readsOldValues_andRecordsTheNewType() {
    create(CborCodec.of(Market.class), new Market("BTC-EUR", 4200));
    try (Database db = open()) {
      final One<Listing> listings = db.attach(new One<>(CborCodec.of(Listing.class)));
      try (Txn txn = db.beginRead()) {
        assertThat(listings.things.get(txn, K)).isEqualTo(new Listing("BTC-EUR", 4200, 0));
      }
      assertThat(entry(db).fingerprint()).isEqualTo(CborCodec.of(Listing.class).typeFingerprint());
    }
    try (Database db = open()) {
      // and back (a property removed): allowed too
      final One<Market> markets = db.attach(new One<>(CborCodec.of(Market.class)));
      try (Txn txn = db.beginRead()) {
        assertThat(markets.things.get(txn, K)).isEqualTo(new Market("BTC-EUR", 4200));
      }
    }
  }

  @Test
  void attach_renamedClassKeepingOneProperty_allowed() {
    create(CborCodec.of(Market.class), new Market("BTC-EUR", 4200));
    try (Database db = open()) {
      final One<Symbol> symbols = db.attach(new One<>(CborCodec.of(Symbol.class)));
      try (Txn txn = db.beginRead()) {
        assertThat(symbols.things.get(txn, K)).isEqualTo(new Symbol("BTC-EUR"));
      }
    }
  }

  @Test
  void attach_codecWithoutFingerprint_keepsNoneAndAttachesAsBefore() {
    create(ValueCodecs.STRING, "plain");
    try (Database db = open()) {
      assertThat(entry(db).valueType()).isNull();
      db.attach(new One<>(ValueCodecs.STRING));
      assertThat(entry(db).valueType()).isNull();
    }
  }

  @Test
  void staleness_compatibleTypeChangeByANewerDeclaration_doesNotRefuseTheOlderOnesWrites() {
    try (Database db = open()) {
      final One<Market> older = db.attach(new One<>(CborCodec.of(Market.class)));
      db.attach(new One<>(CborCodec.of(Listing.class)));
      db.write(txn -> older.things.put(txn, K, new Market("ETH-EUR", 1)));
      try (Txn txn = db.beginRead()) {
        assertThat(older.things.get(txn, K)).isEqualTo(new Market("ETH-EUR", 1));
      }
    }
  }

  // ------------------------------------------------------------ entries from before fingerprints

  /** Removes the recorded type, as an entry written before fingerprints has none. */
  private void forgetType() {
    try (Database db = open()) {
      db.write(
          txn -> {
            final Catalog catalog = Catalog.open(Access.of(db), txn);
            catalog.put(txn, catalog.get(txn, OID).withValueType(null));
          });
    }
  }

  @Test
  void entryWithoutType_acceptedReadOnly_adoptedByTheFirstWritableAttach_thenEnforced()
      throws Exception {
    create(CborCodec.of(Market.class), new Market("BTC-EUR", 4200));
    forgetType();
    try (Database db = open()) {
      final Map<String, Object> raw = rawEntry(db);
      assertThat(raw).doesNotContainKey("valueType").doesNotContainKey("migration");
    }
    try (Database db = openReadOnly()) {
      // nothing recorded to compare with: a read-only attach accepts it and writes nothing
      final One<Market> markets = db.attach(new One<>(CborCodec.of(Market.class)));
      try (Txn txn = db.beginRead()) {
        assertThat(markets.things.get(txn, K)).isEqualTo(new Market("BTC-EUR", 4200));
      }
      assertThat(entry(db).valueType()).isNull();
    }
    try (Database db = open()) {
      db.attach(new One<>(CborCodec.of(Market.class)));
      assertThat(entry(db).fingerprint()).isEqualTo(CborCodec.of(Market.class).typeFingerprint());
      assertThat(rawEntry(db).get("valueType"))
          .isEqualTo(
              Map.of(
                  "type", Market.class.getName(),
                  "properties", Map.of("symbol", "java.lang.String", "priceCents", "long")));
      assertThat(refused(db, new One<>(CborCodec.of(User.class)))).contains("share no property");
    }
  }

  @Test
  void readOnlyAttach_compatibleTypeAccepted_incompatibleRefused_neitherRecorded() {
    create(CborCodec.of(Market.class), new Market("BTC-EUR", 4200));
    try (Database db = openReadOnly()) {
      final One<Listing> listings = db.attach(new One<>(CborCodec.of(Listing.class)));
      try (Txn txn = db.beginRead()) {
        assertThat(listings.things.get(txn, K)).isEqualTo(new Listing("BTC-EUR", 4200, 0));
      }
      assertThat(entry(db).fingerprint()).isEqualTo(CborCodec.of(Market.class).typeFingerprint());
      assertThat(refused(db, new One<>(CborCodec.of(User.class)))).contains("share no property");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rawEntry(final Database db) throws Exception {
    final org.lodestore.core.Table<String, byte[]> raw =
        Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
    final byte[] bytes = db.readAndGet(txn -> raw.get(txn, OID));
    return new CBORMapper().readValue(bytes, Map.class);
  }

  // ------------------------------------------------------------ every rule's refusal

  /**
   * One refusal of each rule: each names the table, says what changed and what is allowed instead,
   * and writes nothing.
   */
  @Test
  void everyRule_refusesNamingTheTableWhatChangedAndWhatIsAllowedInstead() {
    try (Database db = open()) {
      final Schema indexed =
          new Schema() {
            final SchemaTable<UUID, Market> things =
                table(OID, "things", KeyCodecs.UUID, CborCodec.of(Market.class));

            {
              index(things, "by_symbol", KeyCodecs.STRING, Market::symbol).nullable();
            }
          };
      db.attach(indexed);
      db.attach(
          new Schema() {
            final SchemaSetTable<UUID, UUID> tags =
                setTable(OTHER, "tags", KeyCodecs.UUID, KeyCodecs.UUID);
          });

      // sameDefinition: kind, key codec, value codec
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<UUID, Market> tags =
                        table(OTHER, "tags", KeyCodecs.UUID, CborCodec.of(Market.class));
                  }))
          .contains("table=tags")
          .contains("catalog has set key uuid")
          .contains("declare what the catalog has");
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<String, Market> things =
                        table(OID, "things", KeyCodecs.STRING, CborCodec.of(Market.class));
                  }))
          .contains("table=things")
          .contains("key uuid")
          .contains("key utf8")
          .contains("keeps its kind and key codec for good");
      assertThat(refused(db, declare(() -> JsonCodec.of(Market.class), false, true)))
          .contains("value cbor")
          .contains("value json")
          .contains("migrate the values with TableMigration");
      // valueType
      assertThat(refused(db, declare(() -> CborCodec.of(User.class), false, true)))
          .contains("share no property")
          .contains("Allowed");
      // valueChecksum
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<UUID, Market> things =
                        table(OID, "things", KeyCodecs.UUID, CborCodec.of(Market.class))
                            .valueChecksum(ValueChecksum.NONE);

                    {
                      index(things, "by_symbol", KeyCodecs.STRING, Market::symbol).nullable();
                    }
                  }))
          .contains("catalog has crc32c, schema declares none")
          .contains("leave it undeclared");
      // noUndeclaredIndex
      assertThat(refused(db, new One<>(CborCodec.of(Market.class))))
          .contains("index 'by_symbol' is in the catalog but not declared")
          .contains("declare it, or remove it with Schema.dropIndex");
      // indexDefinition
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<UUID, Market> things =
                        table(OID, "things", KeyCodecs.UUID, CborCodec.of(Market.class));

                    {
                      uniqueIndex(things, "by_symbol", KeyCodecs.STRING, Market::symbol).nullable();
                    }
                  }))
          .contains(
              "index 'by_symbol' changed: catalog has non-unique utf8, schema declares unique utf8")
          .contains("give the new definition a new name");
      // indexNullability
      assertThat(refused(db, declare(() -> CborCodec.of(Market.class), false, false)))
          .contains("was nullable and is declared non-nullable")
          .contains("keep it nullable");
      // referenceTarget
      final Schema elsewhere =
          new Schema() {
            final SchemaTable<UUID, Symbol> far =
                table(
                    "e0e0e0e0-0000-4000-8000-000000000003",
                    "far",
                    KeyCodecs.UUID,
                    CborCodec.of(Symbol.class));
          };
      @SuppressWarnings("unchecked")
      final SchemaTable<UUID, Symbol> far = (SchemaTable<UUID, Symbol>) elsewhere.tables().get(0);
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<UUID, Pointer> near =
                        table(
                            "e0e0e0e0-0000-4000-8000-000000000004",
                            "near",
                            KeyCodecs.UUID,
                            CborCodec.of(Pointer.class));

                    {
                      reference(near, "far", Pointer::far, far);
                    }
                  }))
          .contains("table=near")
          .contains("neither in this schema nor attached")
          .contains("attach its schema first");
      // formatVersion
      db.write(
          txn -> {
            final Catalog catalog = Catalog.open(Access.of(db), txn);
            catalog.put(txn, catalog.get(txn, OTHER).withFormat(Catalog.FORMAT + 1));
          });
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaSetTable<UUID, UUID> tags =
                        setTable(OTHER, "tags", KeyCodecs.UUID, KeyCodecs.UUID);
                  }))
          .contains("table=tags")
          .contains("newer on-disk format 4")
          .contains("open it with the version of Lodestore that wrote it, or a newer one");
    }
    try (Database db = openReadOnly()) {
      // readOnlyInCatalog, readOnly index, readOnlyUnchanged
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<UUID, Market> fresh =
                        table(
                            "e0e0e0e0-0000-4000-8000-000000000005",
                            "fresh",
                            KeyCodecs.UUID,
                            CborCodec.of(Market.class));
                  }))
          .contains("table=fresh")
          .contains("is not in the catalog")
          .contains("attach this schema once to a writable database");
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<UUID, Market> things =
                        table(OID, "things", KeyCodecs.UUID, CborCodec.of(Market.class));

                    {
                      index(things, "by_symbol", KeyCodecs.STRING, Market::symbol).nullable();
                      index(things, "by_price", KeyCodecs.LONG, Market::priceCents);
                    }
                  }))
          .contains("index 'by_price' is not in the catalog")
          .contains("read-only");
      assertThat(
              refused(
                  db,
                  new Schema() {
                    final SchemaTable<UUID, Market> things =
                        table(OID, "renamed", KeyCodecs.UUID, CborCodec.of(Market.class));

                    {
                      index(things, "by_symbol", KeyCodecs.STRING, Market::symbol).nullable();
                    }
                  }))
          .contains("the catalog needs a change (name 'things' -> 'renamed')")
          .contains("attach this schema once to a writable database");
    }
  }

  /** {@code things} with {@code codec}'s values and a by_symbol index over {@code Market}s. */
  private static <V> Schema declare(
      final Supplier<ValueCodec<V>> codec, final boolean unique, final boolean nullable) {
    return new Schema() {
      final SchemaTable<UUID, V> things = table(OID, "things", KeyCodecs.UUID, codec.get());

      {
        final Index<String, UUID, V> i =
            unique
                ? uniqueIndex(things, "by_symbol", KeyCodecs.STRING, v -> String.valueOf(v))
                : index(things, "by_symbol", KeyCodecs.STRING, v -> String.valueOf(v));
        if (nullable) {
          i.nullable();
        }
      }
    };
  }

  @Test
  void typeConflict_rules() {
    final TypeFingerprint market = CborCodec.of(Market.class).typeFingerprint();
    assertThat(market.properties())
        .containsExactly(Map.entry("symbol", "java.lang.String"), Map.entry("priceCents", "long"));
    assertThat(EvolutionRules.typeConflict(market, market)).isNull();
    assertThat(EvolutionRules.typeConflict(null, market)).isNull();
    assertThat(EvolutionRules.typeConflict(market, null)).isNull();
    assertThat(EvolutionRules.typeConflict(market, CborCodec.of(Listing.class).typeFingerprint()))
        .isNull();
    assertThat(EvolutionRules.typeConflict(market, CborCodec.of(Symbol.class).typeFingerprint()))
        .isNull();
    // the same class with its only property replaced: nothing in common
    assertThat(
            EvolutionRules.typeConflict(
                new TypeFingerprint("a.B", Map.of("x", "int")),
                new TypeFingerprint("a.B", Map.of("y", "int"))))
        .contains("share no property");
    // the same class from no properties to some: added properties
    assertThat(
            EvolutionRules.typeConflict(
                new TypeFingerprint("a.B", Map.of()),
                new TypeFingerprint("a.B", Map.of("y", "int"))))
        .isNull();
    // boxing counts as a change of type
    assertThat(
            EvolutionRules.typeConflict(
                new TypeFingerprint("a.B", Map.of("x", "int")),
                new TypeFingerprint("a.B", Map.of("x", "java.lang.Integer"))))
        .contains("property 'x' changed type: int -> java.lang.Integer");
    assertThat(EvolutionRules.typeConflict(TypeFingerprint.of("a.B"), TypeFingerprint.of("a.B")))
        .isNull();
  }

  /** Another generated-style FlatBuffers table: {@code table Gauge { level: long; }}. */
  public static final class Gauge extends Table {
    /**
     * Points {@code obj} at the root table of the FlatBuffer at {@code bb}'s position.
     *
     * @param bb the buffer
     * @param obj the table to point
     * @return {@code obj}
     */
    public static Gauge getRootAsGauge(final ByteBuffer bb, final Gauge obj) {
      bb.order(ByteOrder.LITTLE_ENDIAN);
      obj.__reset(bb.getInt(bb.position()) + bb.position(), bb);
      return obj;
    }

    /**
     * The level.
     *
     * @return the level, 0 if absent
     */
    public long level() {
      final int o = __offset(4);
      return o != 0 ? bb.getLong(o + bb_pos) : 0L;
    }
  }
}
