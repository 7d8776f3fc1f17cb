package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.examples.market.MarketSchema;

/** {@code lodestore export} on a database the examples wrote. */
class ExportCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;

  static Path db;

  @BeforeAll
  static void writeDatabase() {
    db = tmp.resolve("db");
    ExampleData.write(db, 2);
  }

  /** Where the examples' classes are, for {@code --classpath}. */
  static String examplesClasses() {
    return Path.of(MarketSchema.class.getProtectionDomain().getCodeSource().getLocation().getPath())
        .toString();
  }

  static List<JsonNode> lines(final String text) throws Exception {
    final List<JsonNode> lines = new ArrayList<>();
    for (final String l : text.split("\n")) {
      if (!l.isEmpty()) {
        lines.add(JSON.readTree(l));
      }
    }
    return lines;
  }

  @Test
  void export_writesEveryRowOfEveryTable_keysDecoded_cborAsJson_flatBuffersAsBase64()
      throws Exception {
    final Cli.Result r = Cli.run("export", db.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    final List<JsonNode> lines = lines(r.out());
    final Map<String, Integer> perTable = new TreeMap<>();
    for (final JsonNode l : lines) {
      perTable.merge(l.get("table").asText(), 1, Integer::sum);
    }
    final int markets = ExampleData.MARKETS;
    assertThat(perTable)
        .containsEntry("exchanges", ExampleData.EXCHANGES)
        .containsEntry("markets", markets)
        .containsEntry("pairs", markets)
        .containsEntry("tickers", markets * ExampleData.TICKS_PER_MARKET)
        .containsEntry("tickers_by_time", markets * ExampleData.TICKS_PER_MARKET)
        .containsEntry("trades", markets * ExampleData.TRADES_PER_MARKET)
        .containsEntry("employees", ExampleData.EMPLOYEES)
        .containsEntry("users", ExampleData.USERS)
        .containsEntry("logins", ExampleData.USERS)
        .containsEntry(ExampleData.PLAIN, ExampleData.NOTES)
        .doesNotContainKeys("by_exchange", "__lodestore_catalog");
    final JsonNode tick = first(lines, "tickers");
    assertThat(tick.get("key").isArray()).isTrue();
    assertThat(tick.get("key").get(0).asText()).matches("[0-9a-f-]{36}");
    assertThat(tick.get("key").get(1).asText()).isEqualTo("2026-01-05T09:00:00.123456789Z");
    assertThat(Base64.getDecoder().decode(tick.get("value").asText())).hasSizeGreaterThan(8);
    final JsonNode trade = first(lines, "trades");
    assertThat(trade.get("value").get("side").asText()).isEqualTo("BUY");
    assertThat(trade.get("value").get("price").asDouble()).isEqualTo(100.0);
    final JsonNode user = first(lines, "users");
    assertThat(user.get("value").get("email").asText()).endsWith("@example.org");
    assertThat(first(lines, "logins").get("value").isIntegralNumber()).isTrue();
    final JsonNode note = first(lines, ExampleData.PLAIN);
    assertThat(new String(Base64.getDecoder().decode(note.get("key").asText()), "UTF-8"))
        .isEqualTo("note 0");
    assertThat(r.err()).contains("export: " + Text.count(lines.size()) + " rows in");
  }

  @Test
  void exportWithSchema_decodesFlatBuffersInFieldOrder_andKeepsTheirBytes() throws Exception {
    final Cli.Result plain = Cli.run("export", db.toString(), "--table", "markets");
    final Cli.Result decoded =
        Cli.run(
            "export",
            db.toString(),
            "--table",
            "markets",
            "--schema",
            MarketSchema.class.getName(),
            "--classpath",
            examplesClasses());
    assertThat(decoded.exitCode()).as(decoded.describe()).isZero();
    final List<JsonNode> before = lines(plain.out());
    final List<JsonNode> after = lines(decoded.out());
    assertThat(after).hasSize(ExampleData.MARKETS);
    assertThat(after)
        .extracting(l -> l.get("value").get("symbol").asText())
        .containsExactlyInAnyOrder("C0-EUR", "C1-EUR", "C2-EUR", "C3-EUR", "C4-EUR", "C5-EUR");
    for (int i = 0; i < after.size(); i++) {
      final JsonNode value = after.get(i).get("value");
      assertThat(new ArrayList<String>(iterable(value.fieldNames())))
          .containsExactly("oid", "exchangeOid", "pairOid", "symbol", "tickSize", "listedNanos");
      assertThat(iterable(value.get("oid").fieldNames())).containsExactly("msb", "lsb");
      assertThat(after.get(i).get("bytes").asText()).isEqualTo(before.get(i).get("value").asText());
      assertThat(after.get(i).get("key")).isEqualTo(before.get(i).get("key"));
    }
  }

  @Test
  void exportToFile_writesTheFileWhole_andNothingToStdout() throws Exception {
    final Path file = tmp.resolve("out").resolve("users.jsonl");
    Files.createDirectories(file.getParent());
    final Cli.Result r =
        Cli.run("export", db.toString(), "--table", "users", "logins", "--out", file.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).isEmpty();
    final List<JsonNode> lines = lines(Files.readString(file));
    assertThat(lines).hasSize(2 * ExampleData.USERS);
    assertThat(lines.get(0).get("table").asText()).isEqualTo("users");
    assertThat(lines.get(lines.size() - 1).get("table").asText()).isEqualTo("logins");
    assertThat(Files.list(file.getParent())).containsExactly(file);
  }

  @Test
  void exportRaw_writesEveryLmdbDatabase_withAHeaderEach() throws Exception {
    final Cli.Result r = Cli.run("export", db.toString(), "--raw");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    final List<JsonNode> lines = lines(r.out());
    final List<String> headers = new ArrayList<>();
    for (final JsonNode l : lines) {
      if (l.has("kind")) {
        headers.add(l.get("dbi").asText());
      }
    }
    assertThat(headers)
        .contains("__lodestore_catalog", "__lodestore_owners", ExampleData.PLAIN)
        .anyMatch(h -> h.startsWith("ix:"))
        .isSorted();
    final JsonNode byExchange =
        lines.stream()
            .filter(l -> l.has("kind") && l.get("dbi").asText().endsWith(":by_exchange"))
            .findFirst()
            .orElseThrow();
    assertThat(byExchange.get("kind").asText()).isEqualTo("set");
    assertThat(byExchange.get("fixedMembers").asInt()).isEqualTo(16);
  }

  @Test
  void exportToAPipeClosedEarly_stopsWithoutAnError_andToAMissingDirectory_fails()
      throws Exception {
    final java.util.concurrent.atomic.AtomicLong written =
        new java.util.concurrent.atomic.AtomicLong();
    final java.io.OutputStream closedAfter10k =
        new java.io.OutputStream() {
          @Override
          public void write(final int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(final byte[] b, final int off, final int len)
              throws java.io.IOException {
            if (written.addAndGet(len) > 10_000) {
              throw new java.io.IOException("Broken pipe");
            }
          }
        };
    final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    final int code =
        Lodestore.run(
            new String[] {"export", db.toString()},
            new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, "UTF-8"),
            new java.io.PrintStream(err, true, "UTF-8"),
            java.io.InputStream.nullInputStream(),
            closedAfter10k);
    assertThat(code).as(err.toString("UTF-8")).isZero();
    final String total = err.toString("UTF-8");
    assertThat(total).startsWith("export: ");
    final long stoppedAt =
        Long.parseLong(total.replaceAll("export: ([0-9,]+) rows.*\\s*", "$1").replace(",", ""));
    assertThat(stoppedAt).isLessThan(Cli.run("export", db.toString()).out().lines().count());
    final java.io.OutputStream diskFull =
        new java.io.OutputStream() {
          @Override
          public void write(final int b) throws java.io.IOException {
            throw new java.io.IOException("No space left on device");
          }
        };
    final java.io.ByteArrayOutputStream err2 = new java.io.ByteArrayOutputStream();
    final int failed =
        Lodestore.run(
            new String[] {"export", db.toString()},
            new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, "UTF-8"),
            new java.io.PrintStream(err2, true, "UTF-8"),
            java.io.InputStream.nullInputStream(),
            diskFull);
    assertThat(failed).isEqualTo(Exit.PROBLEMS);
    assertThat(err2.toString("UTF-8")).contains("No space left on device");

    final Cli.Result missing =
        Cli.run("export", db.toString(), "--out", tmp.resolve("no/such/dir/x.jsonl").toString());
    assertThat(missing.exitCode()).isEqualTo(Exit.PROBLEMS);
    assertThat(missing.err()).contains("NoSuchFileException").contains("no/such/dir");
  }

  @Test
  void export_badArguments_areUsageErrors_exit2() {
    final Cli.Result table = Cli.run("export", db.toString(), "--table", "nope");
    assertThat(table.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(table.err()).contains("--table nope: no such table").contains("markets");
    final Cli.Result cp = Cli.run("export", db.toString(), "--classpath", examplesClasses());
    assertThat(cp.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(cp.err()).contains("--classpath is given without --schema");
    final Cli.Result cls = Cli.run("export", db.toString(), "--schema", "com.example.Nope");
    assertThat(cls.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(cls.err()).contains("--schema com.example.Nope: no such class");
    final Cli.Result notSchema = Cli.run("export", db.toString(), "--schema", "java.lang.String");
    assertThat(notSchema.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(notSchema.err()).contains("not a subclass of org.lodestore.schema.Schema");
    final Cli.Result raw =
        Cli.run("export", db.toString(), "--raw", "--schema", MarketSchema.class.getName());
    assertThat(raw.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(Cli.run("export", db.toString(), "--table", "markets", "--raw").exitCode())
        .isEqualTo(Exit.USAGE);
  }

  private static <T> List<T> iterable(final java.util.Iterator<T> it) {
    final List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }

  private static JsonNode first(final List<JsonNode> lines, final String table) {
    return lines.stream()
        .filter(l -> l.get("table").asText().equals(table))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line of " + table));
  }
}
