package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.KeyTooLongException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * The write operations of {@link SchemaTable} and what they do to indexes: insert and replace
 * semantics, update (read-modify-write), delete, repair of rows whose value cannot be decoded,
 * truncate (this table and its indexes only), and FlatBuffers values read in a write transaction
 * and written elsewhere in the same transaction.
 */
class SchemaTableTest {

  record Person(String name, String email, String team) {}

  static final class Org extends Schema {
    final SchemaTable<UUID, Person> people =
        table(
            "5c4e0000-0000-4000-8000-000000000001",
            "people",
            KeyCodecs.UUID,
            CborCodec.of(Person.class));
    final UniqueIndex<String, UUID, Person> byEmail =
        uniqueIndex(people, "by_email", KeyCodecs.STRING, Person::email);
    final MultiIndex<String, UUID, Person> byTeam =
        index(people, "by_team", KeyCodecs.STRING, Person::team);

    final SchemaTable<UUID, Person> alumni =
        table(
            "5c4e0000-0000-4000-8000-000000000002",
            "alumni",
            KeyCodecs.UUID,
            CborCodec.of(Person.class));
    final UniqueIndex<String, UUID, Person> alumniByEmail =
        uniqueIndex(alumni, "by_email", KeyCodecs.STRING, Person::email);
    final SchemaSetTable<UUID, UUID> mentors =
        setTable("5c4e0000-0000-4000-8000-000000000003", "mentors", KeyCodecs.UUID, KeyCodecs.UUID);

    final FlatBuffersCodec<Reading> readingFb =
        FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new);
    final SchemaTable<UUID, Reading> readings =
        table("5c4e0000-0000-4000-8000-000000000004", "readings", KeyCodecs.UUID, readingFb);
    final MultiIndex<String, UUID, Reading> readingsBySensor =
        index(readings, "by_sensor", KeyCodecs.STRING, Reading::sensor);
    final SchemaTable<UUID, Reading> archive =
        table("5c4e0000-0000-4000-8000-000000000005", "archive", KeyCodecs.UUID, readingFb);
  }

  @TempDir Path dir;

  private Database db;
  private Org org;
  private final UUID ada = UUID.randomUUID();
  private final UUID bob = UUID.randomUUID();
  private final Person adaP = new Person("Ada", "ada@x", "core");
  private final Person bobP = new Person("Bob", "bob@x", "core");

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    org = db.attach(new Org());
    db.write(
        txn -> {
          org.people.put(txn, ada, adaP);
          org.people.put(txn, bob, bobP);
        });
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** The table and both indexes, as text, in a read transaction. */
  private List<String> people() {
    final List<String> out = new ArrayList<>();
    try (Txn txn = db.beginRead()) {
      try (Cursor<UUID, Person> c = org.people.select(txn, KeyRange.all())) {
        c.forEach(r -> out.add("row " + r.key() + " " + r.value()));
      }
      try (Cursor<String, UUID> c = org.byEmail.select(txn, KeyRange.all())) {
        c.forEach(r -> out.add("by_email " + r.key() + " " + r.value()));
      }
      try (Cursor<String, UUID> c = org.byTeam.select(txn, KeyRange.all())) {
        c.forEach(r -> out.add("by_team " + r.key() + " " + r.value()));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ insert / replace / put

  @Test
  void insert_absentKey_storesRowAndIndexEntries() {
    final UUID k = UUID.randomUUID();
    assertThat(
            db.<Boolean>writeAndGet(
                txn -> org.people.insert(txn, k, new Person("Cy", "cy@x", "web"))))
        .isTrue();
    try (Txn txn = db.beginRead()) {
      assertThat(org.byEmail.key(txn, "cy@x")).isEqualTo(k);
      assertThat(org.byTeam.contains(txn, "web", k)).isTrue();
    }
  }

  @Test
  void insert_presentKey_returnsFalseAndChangesNothing_evenIfTheValueWouldViolate() {
    final List<String> before = people();
    assertThat(
            db.<Boolean>writeAndGet(
                txn -> org.people.insert(txn, ada, new Person("Ada2", "ada2@x", "web"))))
        .isFalse();
    assertThat(
            db.<Boolean>writeAndGet(
                txn -> org.people.insert(txn, ada, new Person("Ada3", "bob@x", null))))
        .isFalse();
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void insert_absentKeyWithTakenUniqueKey_refusedAndChangesNothing() {
    final List<String> before = people();
    try (Txn txn = db.beginWrite()) {
      assertThatThrownBy(
              () -> org.people.insert(txn, UUID.randomUUID(), new Person("Eve", "ada@x", "web")))
          .isInstanceOf(UniqueViolationException.class)
          .hasMessageContaining("by_email")
          .hasMessageContaining("ada@x")
          .hasMessageContaining(ada.toString());
      txn.commit();
    }
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void replace_absentKey_returnsFalseAndWritesNothing() {
    final List<String> before = people();
    assertThat(
            db.<Boolean>writeAndGet(
                txn -> org.people.replace(txn, UUID.randomUUID(), new Person("X", "x@x", "x"))))
        .isFalse();
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void replace_presentKey_movesItsIndexEntries() {
    assertThat(
            db.<Boolean>writeAndGet(
                txn -> org.people.replace(txn, ada, new Person("Ada", "ada@new", "web"))))
        .isTrue();
    try (Txn txn = db.beginRead()) {
      assertThat(org.byEmail.contains(txn, "ada@x")).isFalse();
      assertThat(org.byEmail.key(txn, "ada@new")).isEqualTo(ada);
      assertThat(org.byTeam.count(txn, "core")).isEqualTo(1);
      assertThat(org.byTeam.contains(txn, "web", ada)).isTrue();
      assertThat(org.byEmail.count(txn)).isEqualTo(2);
      assertThat(org.byTeam.count(txn)).isEqualTo(2);
    }
  }

  @Test
  void put_swappingUniqueKeysWithinOneTransaction_works() {
    db.write(
        txn -> {
          org.people.put(txn, ada, new Person("Ada", "tmp@x", "core"));
          org.people.put(txn, bob, new Person("Bob", "ada@x", "core"));
          org.people.put(txn, ada, new Person("Ada", "bob@x", "core"));
        });
    try (Txn txn = db.beginRead()) {
      assertThat(org.byEmail.key(txn, "ada@x")).isEqualTo(bob);
      assertThat(org.byEmail.key(txn, "bob@x")).isEqualTo(ada);
      assertThat(org.byEmail.count(txn)).isEqualTo(2);
    }
  }

  @Test
  void put_nullValueOrNullKey_throwsAndWritesNothing() {
    final List<String> before = people();
    try (Txn txn = db.beginWrite()) {
      assertThatThrownBy(() -> org.people.put(txn, ada, null))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> org.people.put(txn, null, adaP))
          .isInstanceOf(NullPointerException.class);
      txn.commit();
    }
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void put_nullInNonNullableIndex_refusedWithConstraintViolationAndChangesNothing() {
    final List<String> before = people();
    try (Txn txn = db.beginWrite()) {
      assertThatThrownBy(() -> org.people.put(txn, ada, new Person("Ada", "ada@x", null)))
          .isInstanceOf(ConstraintViolationException.class)
          .isNotInstanceOf(UniqueViolationException.class)
          .hasMessageContaining("by_team")
          .hasMessageContaining("people");
      txn.commit();
    }
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void put_indexKeyOverLmdbLimit_throwsKeyTooLongNamingIndexAndRowKey_andChangesNothing() {
    final List<String> before = people();
    final String long512 = "x".repeat(512);
    final UUID k = UUID.randomUUID();
    try (Txn txn = db.beginWrite()) {
      for (final Runnable write :
          List.<Runnable>of(
              () -> org.people.put(txn, ada, new Person("Ada", long512, "core")),
              () -> org.people.insert(txn, k, new Person("K", "k@x", long512)),
              () -> org.people.replace(txn, bob, new Person("Bob", "bob@x", long512)),
              () -> org.people.update(txn, ada, p -> new Person("Ada", long512, "core")))) {
        assertThatThrownBy(write::run)
            .isExactlyInstanceOf(KeyTooLongException.class)
            .hasMessageContaining("index")
            .hasMessageMatching("(?s).*'by_(email|team)'.*")
            .hasMessageContaining("people")
            .satisfies(
                e ->
                    assertThat(((KeyTooLongException) e).key())
                        .isIn(ada.toString(), k.toString(), bob.toString()));
      }
      txn.commit();
    }
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void put_emptyIndexKey_throwsInvalidKeyNamingIndexAndRowKey_andChangesNothing() {
    final List<String> before = people();
    try (Txn txn = db.beginWrite()) {
      assertThatThrownBy(() -> org.people.put(txn, ada, new Person("Ada", "", "core")))
          .isExactlyInstanceOf(InvalidKeyException.class)
          .hasMessageContaining("'by_email'")
          .hasMessageContaining("people")
          .hasMessageContaining(ada.toString());
      txn.commit();
    }
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void put_inReadTransaction_refused() {
    try (Txn txn = db.beginRead()) {
      assertThatThrownBy(() -> org.people.put(txn, UUID.randomUUID(), new Person("R", "r@x", "r")))
          .isInstanceOf(InvalidStateException.class);
    }
    assertThat(people()).hasSize(6);
  }

  @Test
  void delete_removesRowAndIndexEntries_andAbsentKeyReturnsFalse() {
    db.write(
        txn -> {
          assertThat(org.people.delete(txn, ada)).isTrue();
          assertThat(org.people.delete(txn, ada)).isFalse();
        });
    try (Txn txn = db.beginRead()) {
      assertThat(org.people.get(txn, ada)).isNull();
      assertThat(org.byEmail.contains(txn, "ada@x")).isFalse();
      assertThat(org.byTeam.contains(txn, "core", ada)).isFalse();
      assertThat(org.byTeam.count(txn, "core")).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------ corrupt rows

  /** Overwrites the stored value under {@code key} with bytes that are not a CBOR Person. */
  private void corrupt(final UUID key) {
    final Table<UUID, byte[]> raw =
        Access.table(db, org.people.oid(), KeyCodecs.UUID, ValueCodecs.BYTES);
    db.write(txn -> raw.put(txn, key, new byte[] {(byte) 0xff, 0x13}));
    try (Txn txn = db.beginRead()) {
      assertThatThrownBy(() -> org.people.get(txn, key)).isInstanceOf(CorruptValueException.class);
    }
  }

  /** {@link #people()} without the lines of row {@code key} and its index entries. */
  private List<String> peopleWithout(final UUID key) {
    final List<String> out = new ArrayList<>(people());
    out.removeIf(line -> line.contains(key.toString()));
    return out;
  }

  @Test
  void put_overCorruptRow_overwritesItAndMovesItsIndexEntries() {
    corrupt(ada);
    final Person repaired = new Person("Ada", "ada@new", "web");
    db.write(txn -> org.people.put(txn, ada, repaired));
    try (Txn txn = db.beginRead()) {
      assertThat(org.people.get(txn, ada)).isEqualTo(repaired);
      assertThat(org.byEmail.key(txn, "ada@new")).isEqualTo(ada);
      assertThat(org.byEmail.contains(txn, "ada@x")).isFalse();
      assertThat(org.byEmail.key(txn, "bob@x")).isEqualTo(bob);
      assertThat(org.byEmail.count(txn)).isEqualTo(2);
      assertThat(org.byTeam.contains(txn, "web", ada)).isTrue();
      assertThat(org.byTeam.contains(txn, "core", ada)).isFalse();
      assertThat(org.byTeam.contains(txn, "core", bob)).isTrue();
      assertThat(org.byTeam.count(txn)).isEqualTo(2);
    }
    corrupt(bob);
    assertThat(db.<Boolean>writeAndGet(txn -> org.people.replace(txn, bob, bobP))).isTrue();
    try (Txn txn = db.beginRead()) {
      assertThat(org.people.get(txn, bob)).isEqualTo(bobP);
      assertThat(org.byEmail.key(txn, "bob@x")).isEqualTo(bob);
      assertThat(org.byTeam.contains(txn, "core", bob)).isTrue();
      assertThat(org.byTeam.count(txn)).isEqualTo(2);
    }
  }

  @Test
  void put_overCorruptRowWithItsFormerValue_restoresExactlyTheFormerState() {
    final List<String> before = people();
    corrupt(ada);
    db.write(txn -> org.people.put(txn, ada, adaP));
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void delete_ofCorruptRow_removesItAndExactlyItsIndexEntries() {
    final List<String> expected = peopleWithout(ada);
    corrupt(ada);
    assertThat(db.<Boolean>writeAndGet(txn -> org.people.delete(txn, ada))).isTrue();
    assertThat(people()).isEqualTo(expected);
    try (Txn txn = db.beginRead()) {
      assertThat(org.people.contains(txn, ada)).isFalse();
      assertThat(org.byEmail.count(txn)).isEqualTo(1);
      assertThat(org.byTeam.count(txn)).isEqualTo(1);
    }
  }

  @Test
  void writesOverCorruptRow_refusedByUniqueIndexOrInsertOrUpdate_changeNothing() {
    corrupt(ada);
    final Table<UUID, byte[]> raw =
        Access.table(db, org.people.oid(), KeyCodecs.UUID, ValueCodecs.BYTES);
    final List<String> indexes = new ArrayList<>();
    try (Txn txn = db.beginRead()) {
      org.byEmail.select(txn, KeyRange.all()).forEach(r -> indexes.add(r.key() + " " + r.value()));
      org.byTeam.select(txn, KeyRange.all()).forEach(r -> indexes.add(r.key() + " " + r.value()));
    }
    try (Txn txn = db.beginWrite()) {
      assertThatThrownBy(() -> org.people.put(txn, ada, new Person("Ada", "bob@x", "core")))
          .isInstanceOf(UniqueViolationException.class);
      assertThat(org.people.insert(txn, ada, adaP)).isFalse();
      assertThatThrownBy(() -> org.people.update(txn, ada, p -> adaP))
          .isInstanceOf(CorruptValueException.class);
      txn.commit();
    }
    final List<String> after = new ArrayList<>();
    try (Txn txn = db.beginRead()) {
      assertThat(raw.get(txn, ada)).containsExactly(0xff, 0x13);
      org.byEmail.select(txn, KeyRange.all()).forEach(r -> after.add(r.key() + " " + r.value()));
      org.byTeam.select(txn, KeyRange.all()).forEach(r -> after.add(r.key() + " " + r.value()));
    }
    assertThat(after).isEqualTo(indexes);
  }

  @Test
  void put_overCorruptRow_skipsIndexEntriesThatCannotBeDecodedEither() {
    final Table<String, byte[]> rawIndex =
        Access.table(
            db, "ix:" + org.people.oid() + ":by_email", KeyCodecs.STRING, ValueCodecs.BYTES);
    db.write(txn -> rawIndex.put(txn, "bob@x", new byte[] {1, 2, 3}));
    corrupt(ada);
    db.write(txn -> org.people.put(txn, ada, adaP));
    try (Txn txn = db.beginRead()) {
      assertThat(org.people.get(txn, ada)).isEqualTo(adaP);
      assertThat(org.byEmail.key(txn, "ada@x")).isEqualTo(ada);
      assertThat(org.byTeam.count(txn, "core")).isEqualTo(2);
      assertThat(rawIndex.get(txn, "bob@x")).containsExactly(1, 2, 3);
    }
  }

  // ------------------------------------------------------------------ update

  @Test
  void update_changesTheRowAndMovesItsIndexEntries() {
    final Person updated =
        db.writeAndGet(
            txn -> org.people.update(txn, ada, p -> new Person(p.name(), "ada@y", "web")));
    assertThat(updated).isEqualTo(new Person("Ada", "ada@y", "web"));
    try (Txn txn = db.beginRead()) {
      assertThat(org.people.get(txn, ada)).isEqualTo(updated);
      assertThat(org.byEmail.key(txn, "ada@y")).isEqualTo(ada);
      assertThat(org.byEmail.contains(txn, "ada@x")).isFalse();
      assertThat(org.byTeam.contains(txn, "web", ada)).isTrue();
      assertThat(org.byTeam.contains(txn, "core", ada)).isFalse();
    }
  }

  @Test
  void update_absentKey_returnsNullWithoutCallingTheFunction() {
    final AtomicInteger calls = new AtomicInteger();
    final List<String> before = people();
    assertThat(
            db.<Person>writeAndGet(
                txn ->
                    org.people.update(
                        txn,
                        UUID.randomUUID(),
                        p -> {
                          calls.incrementAndGet();
                          return p;
                        })))
        .isNull();
    assertThat(calls).hasValue(0);
    assertThat(people()).isEqualTo(before);
  }

  @Test
  void update_violatingUniqueIndex_refusedAndChangesNothing() {
    final List<String> before = people();
    try (Txn txn = db.beginWrite()) {
      assertThatThrownBy(
              () -> org.people.update(txn, ada, p -> new Person(p.name(), "bob@x", "web")))
          .isInstanceOf(UniqueViolationException.class);
      assertThatThrownBy(() -> org.people.update(txn, ada, p -> null))
          .isInstanceOf(NullPointerException.class);
      txn.commit();
    }
    assertThat(people()).isEqualTo(before);
  }

  // ------------------------------------------------------------------ truncate

  @Test
  void truncate_clearsTheTableAndItsIndexes_butNoOtherTable() {
    final UUID alum = UUID.randomUUID();
    db.write(
        txn -> {
          org.alumni.put(txn, alum, new Person("Old", "ada@x", "gone"));
          org.mentors.add(txn, ada, bob);
        });
    db.write(txn -> org.people.truncate(txn));
    try (Txn txn = db.beginRead()) {
      assertThat(org.people.count(txn)).isZero();
      assertThat(org.byEmail.count(txn)).isZero();
      assertThat(org.byTeam.count(txn)).isZero();
      assertThat(org.alumni.get(txn, alum)).isEqualTo(new Person("Old", "ada@x", "gone"));
      assertThat(org.alumniByEmail.key(txn, "ada@x")).isEqualTo(alum);
      assertThat(org.mentors.contains(txn, ada, bob)).isTrue();
    }
    // the emptied indexes are maintained again by the next writes
    db.write(txn -> org.people.put(txn, bob, bobP));
    try (Txn txn = db.beginRead()) {
      assertThat(org.byEmail.key(txn, "bob@x")).isEqualTo(bob);
      assertThat(org.byEmail.contains(txn, "ada@x")).isFalse();
      assertThat(org.byTeam.count(txn, "core")).isEqualTo(1);
    }
  }

  @Test
  void truncate_inAbortedTransaction_changesNothing() {
    final List<String> before = people();
    try (Txn txn = db.beginWrite()) {
      org.people.truncate(txn);
      assertThat(org.people.count(txn)).isZero();
      txn.abort();
    }
    assertThat(people()).isEqualTo(before);
  }

  // ------------------------------------------------------------------ FlatBuffers copy-through

  @Test
  void flatBuffersValue_readInWriteTxnAndWrittenToAnotherKey_copiesThrough() {
    final UUID a = UUID.randomUUID();
    final UUID b = UUID.randomUUID();
    final UUID c = UUID.randomUUID();
    db.write(
        txn -> org.readings.put(txn, a, org.readingFb.build(x -> Reading.create(x, "s1", 42))));
    db.write(
        txn -> {
          final Reading view = org.readings.get(txn, a);
          org.readings.put(txn, b, view); // same table: the index reads the view before the write
          final Reading again = org.readings.get(txn, b);
          org.archive.put(txn, c, again); // another table
          org.readings.put(txn, a, org.readings.get(txn, a)); // written back onto itself
          assertThat(Reading.text(org.readings.get(txn, b))).isEqualTo("s1=42");
        });
    try (Txn txn = db.beginRead()) {
      assertThat(Reading.text(org.readings.get(txn, a))).isEqualTo("s1=42");
      assertThat(Reading.text(org.readings.get(txn, b))).isEqualTo("s1=42");
      assertThat(Reading.text(org.archive.get(txn, c))).isEqualTo("s1=42");
      assertThat(org.readingsBySensor.count(txn, "s1")).isEqualTo(2);
      assertThat(org.readingsBySensor.count(txn)).isEqualTo(2);
    }
  }

  @Test
  void flatBuffersView_afterTheNextWrite_isDetachedNotStale() {
    final UUID a = UUID.randomUUID();
    db.write(txn -> org.readings.put(txn, a, org.readingFb.build(x -> Reading.create(x, "s1", 1))));
    try (Txn txn = db.beginWrite()) {
      final Reading view = org.readings.get(txn, a);
      assertThat(view.value()).isEqualTo(1);
      org.readings.put(
          txn, UUID.randomUUID(), org.readingFb.build(x -> Reading.create(x, "s2", 2)));
      assertThatThrownBy(view::value).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void flatBuffersUpdate_withBuiltValue_movesIndexEntry() {
    final UUID a = UUID.randomUUID();
    db.write(txn -> org.readings.put(txn, a, org.readingFb.build(x -> Reading.create(x, "s1", 1))));
    db.write(
        txn ->
            org.readings.update(
                txn,
                a,
                r ->
                    org.readingFb.build(
                        x -> Reading.create(x, r.sensor() + "-moved", r.value() + 1))));
    try (Txn txn = db.beginRead()) {
      assertThat(Reading.text(org.readings.get(txn, a))).isEqualTo("s1-moved=2");
      assertThat(org.readingsBySensor.count(txn, "s1")).isZero();
      assertThat(org.readingsBySensor.contains(txn, "s1-moved", a)).isTrue();
    }
  }
}
