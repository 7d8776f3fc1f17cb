package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.StoredCatalog.StoredIndex;
import org.lodestore.schema.StoredCatalog.StoredReference;
import org.lodestore.schema.StoredCatalog.StoredTable;
import org.lodestore.serializers.CborCodec;

/** {@link StoredCatalog}: a database's declarations read back without the schema's classes. */
class StoredCatalogTest {

  @TempDir Path dir;

  @Test
  void aDatabaseWithoutSchemaHasAnEmptyCatalog() {
    try (Database db = Database.open(dir)) {
      db.table("plain", KeyCodecs.STRING, org.lodestore.core.codec.ValueCodecs.STRING);
      assertThat(StoredCatalog.read(db).tables()).isEmpty();
    }
  }

  @Test
  void everyDeclaredTableIsReadBackByNameWithItsCodecsIndexesAndReferences() {
    try (Database db = Database.open(dir)) {
      db.attach(new Shop());
    }
    try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build())) {
      final StoredCatalog catalog = StoredCatalog.read(db);
      assertThat(catalog.tables())
          .extracting(StoredTable::name)
          .containsExactly("orders", "products", "tags");

      final StoredTable products = catalog.table("products").orElseThrow();
      assertThat(products.oid()).isEqualTo("5b000000-0000-4000-8000-000000000001");
      assertThat(products.kind()).isEqualTo("table");
      assertThat(products.isSet()).isFalse();
      assertThat(products.keyCodec()).isEqualTo("uuid");
      assertThat(products.valueCodec()).isEqualTo(CborCodec.ID);
      assertThat(products.valueChecksum()).isEqualTo("crc32c");
      assertThat(products.valueType()).isEqualTo(Shop.Product.class.getName());
      assertThat(products.description()).isEqualTo("what the shop sells");
      assertThat(products.migrating()).isFalse();
      assertThat(products.indexes())
          .extracting(StoredIndex::name, StoredIndex::keyCodec, StoredIndex::unique)
          .containsExactlyInAnyOrder(
              org.assertj.core.api.Assertions.tuple("by_sku", "utf8", true),
              org.assertj.core.api.Assertions.tuple("by_category", "utf8", false));
      assertThat(db.tableNames()).contains(products.dbi());

      final StoredTable orders = catalog.table("orders").orElseThrow();
      assertThat(orders.keyCodec()).isEqualTo("tuple(uuid,timestamp)");
      assertThat(orders.valueChecksum()).isNull();
      assertThat(orders.references())
          .containsExactly(new StoredReference("product", products.oid(), "restrict"));
      assertThat(orders.indexes()).extracting(StoredIndex::name).containsExactly("ref.product");

      final StoredTable tags = catalog.table("tags").orElseThrow();
      assertThat(tags.isSet()).isTrue();
      assertThat(tags.valueCodec()).isEqualTo("utf8");
      assertThat(catalog.table("nothing")).isEmpty();
    }
  }

  @Test
  void rawTablesReadTheStoredBytesWithTheChecksumChecked() {
    final UUID id = UUID.randomUUID();
    final Shop.Product product = new Shop.Product("pen", "P-1", "office", 150);
    try (Database db = Database.open(dir)) {
      final Shop shop = db.attach(new Shop());
      db.write(
          txn -> {
            shop.products.put(txn, id, product);
            shop.tags.add(txn, id, "blue");
          });
    }
    try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build())) {
      final StoredCatalog catalog = StoredCatalog.read(db);
      try (Txn txn = db.beginRead()) {
        final Table<UUID, byte[]> raw =
            catalog.rawTable(txn, catalog.table("products").orElseThrow(), KeyCodecs.UUID);
        assertThat(
                CborCodec.of(Shop.Product.class).decode(java.nio.ByteBuffer.wrap(raw.get(txn, id))))
            .isEqualTo(product);
        final SetTable<UUID, String> tags =
            catalog.rawSetTable(
                txn, catalog.table("tags").orElseThrow(), KeyCodecs.UUID, KeyCodecs.STRING);
        assertThat(tags.contains(txn, id, "blue")).isTrue();
        assertThatThrownBy(
                () ->
                    catalog.rawSetTable(
                        txn,
                        catalog.table("products").orElseThrow(),
                        KeyCodecs.UUID,
                        KeyCodecs.UUID))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("products");
      }
    }
    // a value whose bytes changed on disk fails its checksum when read raw
    try (Database db = Database.open(dir)) {
      final Table<UUID, byte[]> bytes =
          Access.table(
              db, Shop.PRODUCTS, KeyCodecs.UUID, org.lodestore.core.codec.ValueCodecs.BYTES);
      final byte[] stored = db.readAndGet(txn -> bytes.get(txn, id));
      stored[stored.length / 2] ^= 0x10;
      db.write(txn -> bytes.put(txn, id, stored));
    }
    try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build())) {
      final StoredCatalog catalog = StoredCatalog.read(db);
      try (Txn txn = db.beginRead()) {
        final Table<UUID, byte[]> raw =
            catalog.rawTable(txn, catalog.table("products").orElseThrow(), KeyCodecs.UUID);
        assertThatThrownBy(() -> raw.get(txn, id))
            .isInstanceOf(CorruptValueException.class)
            .hasMessageContaining("products");
      }
    }
  }
}
