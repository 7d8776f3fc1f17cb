package org.lodestore.examples.readme;

import java.time.Instant;
import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * The README's {@code MarketSchema} (its usage example, {@code ReadmeExampleTest}, declares the
 * same tables inside a method), as a class the README's test example attaches.
 */
final class MarketSchema extends Schema {

  /** A market listed on an exchange. */
  record Market(String symbol, UUID exchange) {}

  /** One trade. */
  record Tick(double price, double size) {}

  final SchemaTable<UUID, Market> markets =
      table(
          "0ea4a743-2a9a-45a9-8be5-18b7a75b7546",
          "markets",
          KeyCodecs.UUID,
          CborCodec.of(Market.class));
  final MultiIndex<UUID, UUID, Market> byExchange =
      index(markets, "by_exchange", KeyCodecs.UUID, Market::exchange);
  final UniqueIndex<String, UUID, Market> bySymbol =
      uniqueIndex(markets, "by_symbol", KeyCodecs.STRING, Market::symbol);
  final SchemaTable<Tuple2<UUID, Instant>, Tick> ticks =
      table(
          "d2e884ce-812a-46a4-8d4e-9994ee7a9a2f",
          "ticks",
          KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
          CborCodec.of(Tick.class));
}
