package org.lodestore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * The README's usage example, compiled and run here; {@link #readme_containsTheExampleVerbatim}
 * fails when the README's copy differs, so the two cannot drift apart.
 */
class ReadmeExampleTest {

  private static final Path SOURCE =
      Path.of("src", "test", "java", "org", "lodestore", "examples", "ReadmeExampleTest.java");

  @TempDir Path dir;

  @Test
  void example_runs_andPrintsTheWindowAndTheIndexAnswers() {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final PrintStream stdout = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      example(dir);
    } finally {
      System.setOut(stdout);
    }
    final List<String> lines =
        printed.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    assertThat(lines)
        .hasSize(4)
        .startsWith(
            "2026-01-05T09:00:10Z 42010.0",
            "2026-01-05T09:00:11Z 42011.0",
            "2026-01-05T09:00:12Z 42012.0");
    assertThat(lines.get(3)).matches("BTC-EUR is [0-9a-f-]{36}; Kraken lists 1 market\\(s\\)");
  }

  @SuppressWarnings("unused")
  private static void example(final Path dir) {
    // spotless:off (the README shows this as written, comments aligned)
    // README:begin
    record Market(String symbol, UUID exchange) {}
    record Tick(double price, double size) {}

    final class MarketSchema extends Schema {
      final SchemaTable<UUID, Market> markets =                 // market -> Market, CBOR
          table("0ea4a743-2a9a-45a9-8be5-18b7a75b7546", "markets",
              KeyCodecs.UUID, CborCodec.of(Market.class));
      final MultiIndex<UUID, UUID, Market> byExchange =         // exchange -> {market}
          index(markets, "by_exchange", KeyCodecs.UUID, Market::exchange);
      final UniqueIndex<String, UUID, Market> bySymbol =        // symbol -> market, unique
          uniqueIndex(markets, "by_symbol", KeyCodecs.STRING, Market::symbol);
      final SchemaTable<Tuple2<UUID, Instant>, Tick> ticks =    // (market, time) -> Tick
          table("d2e884ce-812a-46a4-8d4e-9994ee7a9a2f", "ticks",
              KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP), CborCodec.of(Tick.class));
    }

    try (Database db = Database.open(dir)) {                     // a directory, created if missing
      MarketSchema s = db.attach(new MarketSchema());           // creates or checks the tables
      UUID kraken = UUID.randomUUID();
      UUID btc = UUID.randomUUID();
      Instant t0 = Instant.parse("2026-01-05T09:00:00Z");
      db.write(txn -> {                                         // one transaction: all or nothing
        s.markets.put(txn, btc, new Market("BTC-EUR", kraken)); // both indexes updated with it
        for (int i = 0; i < 60; i++) {
          s.ticks.put(txn, Tuple2.of(btc, t0.plusSeconds(i)), new Tick(42_000 + i, 0.5));
        }
      });
      try (Txn txn = db.beginRead();                            // a consistent snapshot
           Cursor<Tuple2<UUID, Instant>, Tick> c = s.ticks.select(txn, KeyRange.closedOpen(
               Tuple2.of(btc, t0.plusSeconds(10)), Tuple2.of(btc, t0.plusSeconds(13))))) {
        while (c.next()) {
          System.out.println(c.key().second() + " " + c.value().price());
        }
        UUID found = s.bySymbol.key(txn, "BTC-EUR");
        long listed = s.byExchange.count(txn, kraken);
        System.out.println("BTC-EUR is " + found + "; Kraken lists " + listed + " market(s)");
      }
    }
    // README:end
    // spotless:on
  }

  @Test
  void readme_containsTheExampleVerbatim() throws IOException {
    final String example = example();
    assertThat(example.lines().count()).isBetween(25L, 45L);
    assertThat(ReadmeText.readme())
        .as("README.md must hold the example of %s verbatim in a java block", SOURCE)
        .contains("```java\n" + example + "```\n");
  }

  /** The lines between the markers of this file, without their common indentation. */
  private static String example() throws IOException {
    return ReadmeText.region(SOURCE);
  }
}
