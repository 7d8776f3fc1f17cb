package org.lodestore.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.schema.UniqueViolationException;
import org.lodestore.serializers.CborCodec;

/**
 * The README's "Metrics" example, compiled and run here; {@link #readme_containsTheExampleVerbatim}
 * fails when the README's copy differs.
 */
class ReadmeMetricsExampleTest {

  private static final Path SOURCE =
      Path.of(
          "src", "test", "java", "org", "lodestore", "micrometer", "ReadmeMetricsExampleTest.java");
  private static final Path README = Path.of("..", "README.md");
  private static final String BEGIN = "// README:begin";
  private static final String END = "// README:end";

  @TempDir Path dir;

  record Market(String symbol, UUID exchange) {}

  /** The README's schema, as far as this example needs it. */
  static final class MarketSchema extends Schema {
    final SchemaTable<UUID, Market> markets =
        table(
            "0ea4a743-2a9a-45a9-8be5-18b7a75b7546",
            "markets",
            KeyCodecs.UUID,
            CborCodec.of(Market.class));
    final UniqueIndex<String, UUID, Market> bySymbol =
        uniqueIndex(markets, "by_symbol", KeyCodecs.STRING, Market::symbol);
  }

  @Test
  void example_runs_andItsMetersReadBack() {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final PrintStream stdout = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    final MeterRegistry registry;
    try {
      registry = example(dir);
    } finally {
      System.setOut(stdout);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("markets: 1.0 row(s), 1.0 refused write(s)");
    assertThat(registry.get(LodestoreMetrics.READS).tag("db", "market").functionCounter().count())
        .isEqualTo(1.0);
    assertThat(registry.get(LodestoreMetrics.ABORTS).functionCounter().count()).isEqualTo(1.0);
  }

  @SuppressWarnings("unused")
  private static MeterRegistry example(final Path dir) {
    // spotless:off (the README shows this as written, comments aligned)
    // README:begin
    MeterRegistry registry = new SimpleMeterRegistry();           // or the application's registry
    LodestoreMetrics metrics = new LodestoreMetrics("market");    // every meter tagged db=market
    metrics.bindTo(registry);                                     // a MeterBinder: any registry
    try (Database db = Database.open(dir, DatabaseOptions.builder()
            .listener(metrics)                                    // told of transactions and more
            .build())) {
      MarketSchema s = db.attach(new MarketSchema());
      metrics.watch(s);                                           // gauges: map, readers, rows
      UUID kraken = UUID.randomUUID();
      db.write(txn -> s.markets.put(txn, UUID.randomUUID(), new Market("BTC-EUR", kraken)));
      try {
        db.write(txn -> s.markets.put(txn, UUID.randomUUID(), new Market("BTC-EUR", kraken)));
      } catch (UniqueViolationException e) {
        // counted: lodestore.write.refusals{table=markets,reason=unique}
      }
      db.read(txn -> s.bySymbol.key(txn, "BTC-EUR"));
      System.out.println("markets: "
          + registry.get("lodestore.table.rows").tag("table", "markets").gauge().value()
          + " row(s), "
          + registry.get("lodestore.write.refusals").tag("reason", "unique").functionCounter().count()
          + " refused write(s)");
    }
    // README:end
    // spotless:on
    return registry;
  }

  @Test
  void readme_containsTheExampleVerbatim() throws IOException {
    final String example = example();
    assertThat(example.lines().count()).isBetween(15L, 30L);
    assertThat(Files.readString(README, StandardCharsets.UTF_8))
        .as("README.md must hold the example of %s verbatim in a java block", SOURCE)
        .contains("```java\n" + example + "```\n");
  }

  /** The lines between the markers of this file, without their common indentation. */
  private static String example() throws IOException {
    final List<String> source = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
    final List<String> lines = source.subList(indexOf(source, BEGIN) + 1, indexOf(source, END));
    final int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    final StringBuilder sb = new StringBuilder();
    for (final String line : lines) {
      sb.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return sb.toString();
  }

  private static int indexOf(final List<String> lines, final String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("marker " + marker + " not found in " + SOURCE);
  }
}
