package org.lodestore.schema;

import java.time.Instant;
import java.util.UUID;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.serializers.CborCodec;

/**
 * A small schema with one of everything the inspection tools read: a checksummed table with a
 * unique and a multi index, a time-series table without checksums with a reference, and a set
 * table.
 */
final class Shop extends Schema {

  /** The oid, and the LMDB database name, of {@link #products}. */
  static final String PRODUCTS = "5b000000-0000-4000-8000-000000000001";

  record Product(String name, String sku, String category, long priceCents) {
    Product withSku(final String s) {
      return new Product(name, s, category, priceCents);
    }
  }

  record Order(UUID product, int quantity) {}

  final SchemaTable<UUID, Product> products =
      table(PRODUCTS, "products", KeyCodecs.UUID, CborCodec.of(Product.class))
          .valueChecksum(ValueChecksum.CRC32C)
          .description("what the shop sells");

  final UniqueIndex<String, UUID, Product> bySku =
      uniqueIndex(products, "by_sku", KeyCodecs.STRING, Product::sku);

  final MultiIndex<String, UUID, Product> byCategory =
      index(products, "by_category", KeyCodecs.STRING, Product::category);

  final SchemaTable<Tuple2<UUID, Instant>, Order> orders =
      table(
              "5b000000-0000-4000-8000-000000000002",
              "orders",
              KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
              CborCodec.of(Order.class))
          .valueChecksum(ValueChecksum.NONE);

  final Reference<Tuple2<UUID, Instant>, Order, UUID, Product> product =
      reference(orders, "product", Order::product, products);

  final SchemaSetTable<UUID, String> tags =
      setTable("5b000000-0000-4000-8000-000000000003", "tags", KeyCodecs.UUID, KeyCodecs.STRING);
}
