package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.schema.SchemaCheck.Kind;
import org.lodestore.schema.SchemaCheck.Problem;

/**
 * {@link Schema#check}: each kind of damage written underneath a schema (through the owner's raw
 * access, as a bug, a crash of an older version or a hand edit would leave it) is found and named
 * by table, index and key; an undamaged database is ok.
 */
class SchemaCheckTest {

  private static final int PRODUCTS = 2_500;

  @TempDir Path dir;
  private Database db;
  private Shop shop;
  private final List<UUID> ids = new ArrayList<>();

  @BeforeEach
  void fill() {
    db = Database.open(dir);
    shop = db.attach(new Shop());
    db.write(
        txn -> {
          for (int i = 0; i < PRODUCTS; i++) {
            final UUID id = new UUID(1, i);
            ids.add(id);
            shop.products.put(
                txn, id, new Shop.Product("p" + i, "SKU-" + i, "cat" + (i % 7), 100 + i));
            shop.orders.put(
                txn,
                Tuple2.of(id, Instant.ofEpochSecond(1_700_000_000L + i)),
                new Shop.Order(id, 1 + i % 3));
            shop.tags.add(txn, id, "t" + (i % 3));
          }
        });
  }

  @AfterEach
  void close() {
    db.close();
  }

  private SchemaCheck check() {
    try (Txn txn = db.beginRead()) {
      return shop.check(txn);
    }
  }

  @Test
  void anUndamagedDatabaseIsOkAndEveryRowIsCountedWithProgress() {
    final List<Long> progress = new ArrayList<>();
    final SchemaCheck check;
    try (Txn txn = db.beginRead()) {
      check = shop.check(txn, progress::add);
    }
    assertThat(check.problems()).isEmpty();
    assertThat(check.ok()).isTrue();
    assertThat(check.rowsChecked()).isEqualTo(3L * PRODUCTS);
    assertThat(progress).isSorted().hasSizeGreaterThanOrEqualTo(7).last().isEqualTo(3L * PRODUCTS);
  }

  @Test
  void aDamagedValueIsUnreadableNamingTableAndKey() {
    final Table<UUID, byte[]> raw =
        Access.table(db, Shop.PRODUCTS, KeyCodecs.UUID, ValueCodecs.BYTES);
    final UUID victim = ids.get(17);
    final byte[] bytes = db.readAndGet(txn -> raw.get(txn, victim));
    bytes[bytes.length / 2] ^= 0x01;
    db.write(txn -> raw.put(txn, victim, bytes));

    final SchemaCheck check = check();
    assertThat(check.ok()).isFalse();
    assertThat(check.problems())
        .extracting(Problem::kind, Problem::table, Problem::key)
        .containsExactly(tuple(Kind.UNREADABLE_VALUE, "products", victim.toString()));
    assertThat(check.problems().get(0).message()).containsIgnoringCase("checksum");
  }

  @Test
  void aMissingUniqueIndexEntryIsNamedByIndexAndRow() {
    final Table<String, UUID> bySku =
        Access.table(db, "ix:" + Shop.PRODUCTS + ":by_sku", KeyCodecs.STRING, ValueCodecs.UUID);
    db.write(txn -> assertThat(bySku.delete(txn, "SKU-5")).isTrue());

    assertThat(check().problems())
        .extracting(Problem::kind, Problem::table, Problem::index, Problem::key)
        .containsExactly(
            tuple(Kind.MISSING_INDEX_ENTRY, "products", "by_sku", ids.get(5).toString()));
  }

  @Test
  void staleMultiIndexEntriesAreFoundForGoneRowsAndForRowsThatDeriveAnotherKey() {
    final OwnerAccess access = Access.of(db);
    final UUID ghost = new UUID(9, 9);
    db.write(
        txn -> {
          final SetTable<String, UUID> byCategory =
              access.setTable(
                  txn, "ix:" + Shop.PRODUCTS + ":by_category", KeyCodecs.STRING, KeyCodecs.UUID);
          byCategory.add(txn, "cat0", ghost); // no such row
          byCategory.add(txn, "cat6", ids.get(0)); // the row is in cat0
        });

    final SchemaCheck check = check();
    assertThat(check.problems())
        .extracting(Problem::kind, Problem::table, Problem::index, Problem::key)
        .containsExactlyInAnyOrder(
            tuple(Kind.STALE_INDEX_ENTRY, "products", "by_category", ghost.toString()),
            tuple(Kind.STALE_INDEX_ENTRY, "products", "by_category", ids.get(0).toString()));
    assertThat(check.problems())
        .extracting(Problem::message)
        .anySatisfy(m -> assertThat(m).contains("does not exist"))
        .anySatisfy(m -> assertThat(m).contains("derives").contains("cat0"));
  }

  @Test
  void aRowDeletedUnderneathLeavesADanglingReferenceAndStaleEntries() {
    final Table<UUID, byte[]> raw =
        Access.table(db, Shop.PRODUCTS, KeyCodecs.UUID, ValueCodecs.BYTES);
    final UUID gone = ids.get(3);
    db.write(txn -> assertThat(raw.delete(txn, gone)).isTrue());

    final SchemaCheck check = check();
    assertThat(check.problems())
        .extracting(Problem::kind, Problem::table, Problem::index)
        .containsExactlyInAnyOrder(
            tuple(Kind.DANGLING_REFERENCE, "orders", "ref.product"),
            tuple(Kind.STALE_INDEX_ENTRY, "products", "by_sku"),
            tuple(Kind.STALE_INDEX_ENTRY, "products", "by_category"));
    assertThat(check.problems().stream().filter(p -> p.kind() == Kind.DANGLING_REFERENCE))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains(gone.toString()).contains("products"));
  }

  @Test
  void aCatalogEntryRemovedUnderneathIsACatalogProblem() {
    final Table<String, byte[]> catalog =
        Access.table(db, Catalog.DBI, KeyCodecs.STRING, ValueCodecs.BYTES);
    db.write(txn -> assertThat(catalog.delete(txn, shop.tags.oid())).isTrue());

    assertThat(check().problems())
        .extracting(Problem::kind, Problem::table)
        .containsExactly(tuple(Kind.CATALOG, "tags"));
  }

  @Test
  void problemsBeyondTheRecordedOnesAreCounted() {
    final Table<String, UUID> bySku =
        Access.table(db, "ix:" + Shop.PRODUCTS + ":by_sku", KeyCodecs.STRING, ValueCodecs.UUID);
    db.write(txn -> bySku.truncate(txn));

    final SchemaCheck check = check();
    assertThat(check.problemCount()).isEqualTo(PRODUCTS);
    assertThat(check.problems()).hasSize(SchemaCheck.RECORDED);
    assertThat(check.toString()).contains(PRODUCTS + " problems");
  }

  @Test
  void aSchemaThatIsNotAttachedCannotBeChecked() {
    try (Txn txn = db.beginRead()) {
      assertThatThrownBy(() -> new Shop().check(txn))
          .isInstanceOf(InvalidStateException.class)
          .hasMessageContaining("not attached");
    }
  }
}
