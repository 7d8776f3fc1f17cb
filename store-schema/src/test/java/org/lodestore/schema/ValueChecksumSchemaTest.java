package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.KeyRange;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * Value checksums as store-schema declares, records and checks them: on by default for new tables
 * of copying codecs (CBOR), opt-in for zero-copy FlatBuffers tables, recorded in the catalog entry
 * ({@code valueChecksum}, format 2), kept for good by later attaches, a contradicting declaration
 * refused, and tables from before checksums (catalog entries without the field) read and written
 * exactly as before.
 */
class ValueChecksumSchemaTest {

  record Person(String name, String email) {}

  static final String PEOPLE = "c4ec0000-0000-4000-8000-000000000001";
  static final String READINGS = "c4ec0000-0000-4000-8000-000000000002";
  static final String CHECKED = "c4ec0000-0000-4000-8000-000000000003";
  static final String MEMBERS = "c4ec0000-0000-4000-8000-000000000004";

  static final UUID ADA = new UUID(0x0123456789abcdefL, 0x0fedcba987654321L);
  static final Person ADA_P = new Person("Ada", "ada@x");

  /** A CBOR table with a unique index, two FlatBuffers tables (default and opted in), a set. */
  static final class Lab extends Schema {
    final FlatBuffersCodec<Reading> readingFb =
        FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new);
    final SchemaTable<UUID, Person> people;
    final UniqueIndex<String, UUID, Person> byEmail;
    final SchemaTable<UUID, Reading> readings;
    final SchemaTable<UUID, Reading> checked;
    final SchemaSetTable<UUID, UUID> members =
        setTable(MEMBERS, "members", KeyCodecs.UUID, KeyCodecs.UUID);

    Lab() {
      this(null, null, null);
    }

    /** Declares the given checksums (null: not declared). */
    Lab(final ValueChecksum people, final ValueChecksum readings, final ValueChecksum checked) {
      this.people = table(PEOPLE, "people", KeyCodecs.UUID, CborCodec.of(Person.class));
      if (people != null) {
        this.people.valueChecksum(people);
      }
      byEmail = uniqueIndex(this.people, "by_email", KeyCodecs.STRING, Person::email);
      this.readings = table(READINGS, "readings", KeyCodecs.UUID, readingFb);
      if (readings != null) {
        this.readings.valueChecksum(readings);
      }
      this.checked =
          table(CHECKED, "checked", KeyCodecs.UUID, readingFb)
              .valueChecksum(checked == null ? ValueChecksum.CRC32C : checked);
    }
  }

  @TempDir Path dir;

  private Database open() {
    return Database.open(dir.resolve("db"));
  }

  private static Catalog.TableEntry entry(final Database db, final String oid) {
    return CatalogTest.entry(db, oid);
  }

  /** The catalog entry of {@code oid} as a plain CBOR map, as any decoder reads it. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> rawEntry(final Database db, final String oid)
      throws Exception {
    final Table<String, byte[]> raw =
        Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
    final byte[] bytes;
    try (Txn txn = db.beginRead()) {
      bytes = raw.get(txn, oid);
    }
    return new CBORMapper().readValue(bytes, Map.class);
  }

  /** The stored bytes under {@code key} of the LMDB database {@code dbi}, trailer included. */
  private static byte[] stored(final Database db, final String dbi, final UUID key) {
    final Table<UUID, byte[]> raw = db.table(dbi, KeyCodecs.UUID, ValueCodecs.BYTES);
    try (Txn txn = db.beginRead()) {
      return raw.get(txn, key);
    }
  }

  private static byte[] uuidBytes(final UUID key) {
    return ByteBuffer.allocate(16)
        .putLong(key.getMostSignificantBits())
        .putLong(key.getLeastSignificantBits())
        .array();
  }

  /** {@code value} followed by the big-endian CRC-32C of the key's encoding and the value. */
  private static byte[] withTrailer(final UUID key, final byte[] value) {
    final CRC32C crc = new CRC32C();
    crc.update(uuidBytes(key));
    crc.update(value);
    final byte[] out = Arrays.copyOf(value, value.length + 4);
    ByteBuffer.wrap(out).putInt(value.length, (int) crc.getValue());
    return out;
  }

  private static Reading reading(final Lab lab, final String sensor) {
    return lab.readingFb.build(b -> Reading.create(b, sensor, 42));
  }

  @Test
  void newCborTable_isChecksummedByDefault_recordedAsFormat2() throws Exception {
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      assertThat(lab.people.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
      db.write(txn -> lab.people.put(txn, ADA, ADA_P));
      final Catalog.TableEntry e = entry(db, PEOPLE);
      assertThat(e.valueChecksum()).isEqualTo("crc32c");
      assertThat(e.format()).isEqualTo(2);
      assertThat(rawEntry(db, PEOPLE)).containsEntry("valueChecksum", "crc32c");
      final byte[] cbor = Encoded.cbor(ADA_P);
      assertThat(stored(db, PEOPLE, ADA)).isEqualTo(withTrailer(ADA, cbor));
      try (Txn txn = db.beginRead()) {
        assertThat(lab.people.get(txn, ADA)).isEqualTo(ADA_P);
        assertThat(lab.people.rawView(txn, ADA).remaining()).isEqualTo(cbor.length);
      }
    }
  }

  @Test
  void newFlatBuffersTable_hasNoChecksumByDefault_andOptsIn_withViewsWithoutTheTrailer() {
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      assertThat(lab.readings.valueChecksum()).isEqualTo(ValueChecksum.NONE);
      assertThat(lab.checked.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
      db.write(
          txn -> {
            lab.readings.put(txn, ADA, reading(lab, "plain"));
            lab.checked.put(txn, ADA, reading(lab, "checked"));
          });
      assertThat(entry(db, READINGS).valueChecksum()).isNull();
      assertThat(entry(db, READINGS).format()).isEqualTo(1);
      assertThat(entry(db, CHECKED).valueChecksum()).isEqualTo("crc32c");
      assertThat(entry(db, CHECKED).format()).isEqualTo(2);
      final byte[] plain = stored(db, READINGS, ADA);
      final byte[] checked = stored(db, CHECKED, ADA);
      try (Txn txn = db.beginRead()) {
        final Reading r = lab.checked.get(txn, ADA);
        assertThat(Reading.text(r)).isEqualTo("checked=42");
        // the view covers the value bytes only
        assertThat(lab.checked.valueCodec().viewBuffer(r).remaining())
            .isEqualTo(checked.length - 4);
        assertThat(withTrailer(ADA, Arrays.copyOf(checked, checked.length - 4))).isEqualTo(checked);
        final Reading reused = lab.checked.getInto(txn, ADA, r);
        assertThat(reused).isSameAs(r);
        assertThat(Reading.text(lab.readings.get(txn, ADA))).isEqualTo("plain=42");
        assertThat(lab.readings.rawView(txn, ADA).remaining()).isEqualTo(plain.length);
      }
    }
  }

  @Test
  void flippedBit_inChecksummedSchemaTables_isCorruptValueNamingTableAndKey() {
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      db.write(
          txn -> {
            lab.people.put(txn, ADA, ADA_P);
            lab.checked.put(txn, ADA, reading(lab, "checked"));
          });
      for (final String dbi : List.of(PEOPLE, CHECKED)) {
        final byte[] bytes = stored(db, dbi, ADA);
        bytes[bytes.length / 2] ^= 0x10;
        final Table<UUID, byte[]> raw = Access.table(db, dbi, KeyCodecs.UUID, ValueCodecs.BYTES);
        db.write(txn -> raw.put(txn, ADA, bytes));
      }
      try (Txn txn = db.beginRead()) {
        for (final SchemaTable<UUID, ?> t : List.of(lab.people, lab.checked)) {
          final List<Runnable> reads =
              List.of(
                  () -> t.get(txn, ADA),
                  () -> t.getInto(txn, ADA, null),
                  () -> t.rawView(txn, ADA),
                  () -> t.first(txn),
                  () -> t.last(txn),
                  () -> t.page(txn, KeyRange.all()));
          for (final Runnable read : reads) {
            assertThatThrownBy(read::run)
                .isInstanceOf(CorruptValueException.class)
                .hasMessageContaining("crc32c")
                .hasMessageContaining("table=" + t.name())
                .hasMessageContaining(ADA.toString());
          }
        }
        assertThatThrownBy(() -> lab.byEmail.get(txn, "ada@x"))
            .isInstanceOf(CorruptValueException.class)
            .hasMessageContaining("table=people");
      }
      // the repair path: put over the damaged row rewrites it and its index entries
      db.write(txn -> lab.people.put(txn, ADA, new Person("Ada", "ada@new")));
      try (Txn txn = db.beginRead()) {
        assertThat(lab.byEmail.get(txn, "ada@new")).isEqualTo(new Person("Ada", "ada@new"));
        assertThat(lab.byEmail.contains(txn, "ada@x")).isFalse();
      }
    }
  }

  /**
   * A catalog entry exactly as Lodestore wrote it before value checksums: the same record shape,
   * without the {@code valueChecksum} component, encoded by the same CBOR mapper.
   */
  record EntryBeforeChecksums(
      int format,
      String oid,
      String name,
      String description,
      String kind,
      String dbi,
      String keyCodec,
      String valueCodec,
      Map<String, String> properties,
      List<Catalog.IndexEntry> indexes,
      List<Catalog.ReferenceEntry> references) {}

  /**
   * Writes what the version before checksums left for table {@code people} of {@link Lab}: its
   * catalog entry (format 1, no {@code valueChecksum}) and one row stored as the codec's bytes
   * alone (a plain table: the same write path as before). No index yet, so attaching {@link Lab}
   * also backfills {@code by_email} from the old row.
   */
  private static void writeAsBeforeChecksums(final Database db) throws Exception {
    final ObjectMapper mapper = CBORMapper.builder().build();
    final byte[] entry =
        mapper.writeValueAsBytes(
            new EntryBeforeChecksums(
                1,
                PEOPLE,
                "people",
                "",
                "table",
                PEOPLE,
                "uuid",
                CborCodec.ID,
                Map.of(),
                List.of(),
                List.of()));
    final Table<String, byte[]> catalog =
        Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
    final Table<UUID, Person> rows =
        Access.table(db, PEOPLE, KeyCodecs.UUID, CborCodec.of(Person.class));
    db.write(
        txn -> {
          catalog.put(txn, PEOPLE, entry);
          rows.put(txn, ADA, ADA_P);
        });
  }

  @Test
  void tableFromBeforeChecksums_readsAndWritesUnchanged_andKeepsNoChecksum() throws Exception {
    final UUID bob = new UUID(7, 7);
    try (Database db = open()) {
      writeAsBeforeChecksums(db);
      assertThat(rawEntry(db, PEOPLE)).doesNotContainKey("valueChecksum");
      final Lab lab = db.attach(new Lab());
      assertThat(lab.people.valueChecksum()).isEqualTo(ValueChecksum.NONE);
      try (Txn txn = db.beginRead()) {
        assertThat(lab.people.get(txn, ADA)).isEqualTo(ADA_P);
        assertThat(lab.byEmail.get(txn, "ada@x")).isEqualTo(ADA_P); // backfilled from the old row
      }
      db.write(txn -> lab.people.put(txn, bob, new Person("Bob", "bob@x")));
      assertThat(stored(db, PEOPLE, bob)).isEqualTo(Encoded.cbor(new Person("Bob", "bob@x")));
      final Catalog.TableEntry e = entry(db, PEOPLE);
      assertThat(e.format()).isEqualTo(1);
      assertThat(e.valueChecksum()).isNull();
      // a new table of the same schema gets checksums all the same
      assertThat(entry(db, CHECKED).valueChecksum()).isEqualTo("crc32c");
    }
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      assertThat(lab.people.valueChecksum()).isEqualTo(ValueChecksum.NONE);
      try (Txn txn = db.beginRead()) {
        assertThat(lab.people.get(txn, ADA)).isEqualTo(ADA_P);
        assertThat(lab.people.get(txn, bob)).isEqualTo(new Person("Bob", "bob@x"));
      }
    }
  }

  @Test
  void reattach_withoutDeclaration_keepsTheRecordedSetting() {
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      db.write(txn -> lab.checked.put(txn, ADA, reading(lab, "checked")));
    }
    try (Database db = open()) {
      // "checked" is declared without a checksum now: it keeps the recorded crc32c
      final Schema s =
          new Schema() {
            final SchemaTable<UUID, Reading> checked =
                table(
                    CHECKED,
                    "checked",
                    KeyCodecs.UUID,
                    FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new));
          };
      db.attach(s);
      final SchemaTable<UUID, Reading> checked = firstTable(s);
      assertThat(checked.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
      try (Txn txn = db.beginRead()) {
        assertThat(Reading.text(checked.get(txn, ADA))).isEqualTo("checked=42");
      }
      assertThat(entry(db, CHECKED).valueChecksum()).isEqualTo("crc32c");
      assertThat(entry(db, CHECKED).format()).isEqualTo(2);
    }
  }

  @SuppressWarnings("unchecked")
  private static SchemaTable<UUID, Reading> firstTable(final Schema s) {
    return (SchemaTable<UUID, Reading>) s.tables().get(0);
  }

  @Test
  void declarationContradictingTheCatalog_isRefused_andChangesNothing() throws Exception {
    try (Database db = open()) {
      db.attach(new Lab());
    }
    try (Database db = open()) {
      final Map<String, Object> before = rawEntry(db, READINGS);
      assertThatThrownBy(() -> db.attach(new Lab(null, ValueChecksum.CRC32C, null)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("table=readings")
          .hasMessageContaining("catalog has none, schema declares crc32c");
      assertThatThrownBy(() -> db.attach(new Lab(ValueChecksum.NONE, null, null)))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("table=people")
          .hasMessageContaining("catalog has crc32c, schema declares none");
      assertThat(rawEntry(db, READINGS)).isEqualTo(before);
      // declaring what the catalog has is fine
      final Lab same =
          db.attach(new Lab(ValueChecksum.CRC32C, ValueChecksum.NONE, ValueChecksum.CRC32C));
      assertThat(same.people.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
    }
  }

  @Test
  void unknownChecksumInTheCatalog_isRefused() {
    try (Database db = open()) {
      db.attach(new Lab());
      db.write(
          txn -> {
            final Catalog catalog = Catalog.open(Access.of(db), txn);
            final Catalog.TableEntry e = catalog.get(txn, PEOPLE);
            catalog.put(txn, e.withValueChecksumId("sha3"));
          });
    }
    try (Database db = open()) {
      assertThatThrownBy(() -> db.attach(new Lab()))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("people")
          .hasMessageContaining("sha3");
    }
  }

  @Test
  void readOnlyAttach_usesTheRecordedChecksums() {
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      db.write(txn -> lab.people.put(txn, ADA, ADA_P));
    }
    try (Database db =
        Database.open(dir.resolve("db"), DatabaseOptions.builder().readOnly(true).build())) {
      final Lab lab = db.attach(new Lab());
      assertThat(lab.people.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
      assertThat(lab.readings.valueChecksum()).isEqualTo(ValueChecksum.NONE);
      try (Txn txn = db.beginRead()) {
        assertThat(lab.people.get(txn, ADA)).isEqualTo(ADA_P);
      }
    }
  }

  @Test
  void dropIndex_keepsTheTablesChecksum() {
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      db.write(txn -> lab.people.put(txn, ADA, ADA_P));
    }
    try (Database db = open()) {
      assertThat(Schema.dropIndex(db, PEOPLE, "by_email")).isTrue();
      assertThat(entry(db, PEOPLE).valueChecksum()).isEqualTo("crc32c");
      assertThat(entry(db, PEOPLE).format()).isEqualTo(2);
      final var s =
          db.attach(
              new Schema() {
                final SchemaTable<UUID, Person> people =
                    table(PEOPLE, "people", KeyCodecs.UUID, CborCodec.of(Person.class));
              });
      assertThat(s.people.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
      try (Txn txn = db.beginRead()) {
        assertThat(s.people.get(txn, ADA)).isEqualTo(ADA_P);
      }
    }
  }

  @Test
  void indexAndSetTables_carryNoChecksum() {
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      db.write(
          txn -> {
            lab.people.put(txn, ADA, ADA_P);
            lab.members.add(txn, ADA, ADA);
          });
      final Table<String, byte[]> index =
          db.table("ix:" + PEOPLE + ":by_email", KeyCodecs.STRING, ValueCodecs.BYTES);
      try (Txn txn = db.beginRead()) {
        assertThat(index.get(txn, "ada@x")).isEqualTo(uuidBytes(ADA)); // the primary key alone
        assertThat(lab.members.contains(txn, ADA, ADA)).isTrue();
      }
      assertThat(entry(db, MEMBERS).valueChecksum()).isNull();
      assertThat(entry(db, MEMBERS).format()).isEqualTo(1);
    }
  }

  @Test
  void valueChecksum_beforeAttach_isTheDeclaredOrDefault_andIsFixedAfter() {
    // declared, not attached: a table exists only inside a schema now
    final Lab defaults = new Lab();
    assertThat(defaults.people.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
    assertThat(defaults.readings.valueChecksum()).isEqualTo(ValueChecksum.NONE);
    assertThat(new Lab(ValueChecksum.NONE, null, null).people.valueChecksum())
        .isEqualTo(ValueChecksum.NONE);
    try (Database db = open()) {
      final Lab lab = db.attach(new Lab());
      assertThatThrownBy(() -> lab.people.valueChecksum(ValueChecksum.NONE))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  /** Encodings as the codecs write them. */
  static final class Encoded {
    static byte[] cbor(final Person p) {
      final ByteBuffer b = CborCodec.of(Person.class).encode(p);
      final byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    }
  }
}
