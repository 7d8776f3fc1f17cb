package org.lodestore.testing;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Reference;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaSetTable;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.testsupport.fbs.Market;

/**
 * The schema of the fixture and assertion tests: a checksummed CBOR table with a unique and a multi
 * index, a tuple-keyed table with a reference, a set table and a FlatBuffers table (the rows of
 * {@code fixtures/shop.jsonl}).
 */
final class Shop extends Schema {

  static final UUID LAMP = UUID.fromString("5c000000-0000-4000-8000-000000000001");
  static final UUID FLOOR_LAMP = UUID.fromString("5c000000-0000-4000-8000-000000000002");
  static final UUID DESK = UUID.fromString("5c000000-0000-4000-8000-000000000003");
  static final UUID STOOL = UUID.fromString("5c000000-0000-4000-8000-000000000004");
  static final UUID BTC_EUR = UUID.fromString("5c000000-0000-4000-8000-000000000010");

  record Product(
      String name,
      String sku,
      String category,
      long priceCents,
      List<String> tags,
      Instant listed) {
    Product withPrice(final long cents) {
      return new Product(name, sku, category, cents, tags, listed);
    }

    Product withSku(final String s) {
      return new Product(name, s, category, priceCents, tags, listed);
    }
  }

  record Order(UUID product, int quantity) {}

  /** The rows of {@code fixtures/shop.jsonl}'s products table. */
  static final Product LAMP_ROW =
      new Product(
          "Desk lamp",
          "L-1",
          "lighting",
          2499,
          List.of("desk", "led"),
          Instant.parse("2026-01-05T09:00:00Z"));

  static final Product FLOOR_LAMP_ROW =
      new Product(
          "Floor lamp", "L-2", "lighting", 8900, List.of(), Instant.parse("2026-01-06T09:00:00Z"));

  static final Product DESK_ROW =
      new Product(
          "Oak desk",
          "D-1",
          "furniture",
          34900,
          List.of("oak"),
          Instant.parse("2026-01-07T09:00:00.123456789Z"));

  static final FlatBuffersCodec<Market> MARKETS =
      FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);

  final SchemaTable<UUID, Product> products =
      table(
              "5c000000-0000-4000-8000-0000000000a1",
              "products",
              KeyCodecs.UUID,
              CborCodec.of(Product.class))
          .valueChecksum(ValueChecksum.CRC32C);

  final UniqueIndex<String, UUID, Product> bySku =
      uniqueIndex(products, "by_sku", KeyCodecs.STRING, Product::sku);

  final MultiIndex<String, UUID, Product> byCategory =
      index(products, "by_category", KeyCodecs.STRING, Product::category);

  final SchemaTable<Tuple2<UUID, Instant>, Order> orders =
      table(
          "5c000000-0000-4000-8000-0000000000a2",
          "orders",
          KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
          CborCodec.of(Order.class));

  final Reference<Tuple2<UUID, Instant>, Order, UUID, Product> product =
      reference(orders, "product", Order::product, products);

  final SchemaSetTable<UUID, String> labels =
      setTable("5c000000-0000-4000-8000-0000000000a3", "labels", KeyCodecs.UUID, KeyCodecs.STRING);

  final SchemaTable<UUID, Market> markets =
      table("5c000000-0000-4000-8000-0000000000a4", "markets", KeyCodecs.UUID, MARKETS);
}
