package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.TableStats;

/** {@code lodestore stat} on a database the examples wrote. */
class StatCommandTest {

  @TempDir static Path tmp;

  static Path db;

  @BeforeAll
  static void writeDatabase() {
    db = tmp.resolve("db");
    ExampleData.write(db, 1);
  }

  @Test
  void stat_showsDeclaredNames_codecs_rows_andIndexes_andPlainTablesByLmdbName() {
    final Cli.Result r = Cli.run("stat", db.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    final List<String> lines = r.out().lines().toList();
    assertThat(r.out()).contains("database  " + real(db));
    assertThat(lines)
        .anyMatch(
            l -> l.matches("map\\s+64\\.0 MiB, .* used \\(.*%\\), file .*, page size 4\\.0 KiB"));
    assertThat(lines).anyMatch(l -> l.matches("readers\\s+0 in use, 0 stale, 256 slots"));
    assertThat(row(lines, "markets"))
        .containsSubsequence(
            "table",
            "uuid",
            "flatbuffers",
            Integer.toString(ExampleData.MARKETS),
            "7b4dced2-2626-4a84-b2c9-049596ce8242");
    assertThat(row(lines, "  by_exchange"))
        .containsSubsequence("index", "uuid", Integer.toString(ExampleData.MARKETS));
    assertThat(row(lines, "trades"))
        .containsSubsequence(
            "tuple(uuid,timestamp)",
            "cbor+crc32c",
            Text.count(ExampleData.MARKETS * ExampleData.TRADES_PER_MARKET));
    assertThat(row(lines, "  by_email")).contains("unique index");
    assertThat(row(lines, "  by_country_signed_up_desc"))
        .contains("tuple(utf8,desc(timestamp))", Integer.toString(ExampleData.USERS));
    assertThat(row(lines, "logins")).contains("int64+crc32c");
    assertThat(row(lines, ExampleData.PLAIN))
        .containsSubsequence("table", Integer.toString(ExampleData.NOTES));
    assertThat(r.out()).contains("__lodestore_catalog").doesNotContain("ix:");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void statJson_agreesWithTheDatabasesOwnStatistics() throws Exception {
    final Cli.Result r = Cli.run("stat", db.toString(), "--json");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    final JsonNode json = new ObjectMapper().readTree(r.out());
    final DatabaseStats stats;
    try (Database d = Database.open(db, DatabaseOptions.builder().readOnly(true).build())) {
      stats = d.stats();
    }
    assertThat(json.get("pageSize").asInt()).isEqualTo(stats.pageSize());
    assertThat(json.get("usedBytes").asLong()).isEqualTo(stats.usedBytes());
    assertThat(json.get("mapSize").asLong()).isEqualTo(64L << 20); // as the writer set it
    assertThat(json.get("fileBytes").asLong()).isEqualTo(Files.size(db.resolve("data.mdb")));
    assertThat(json.get("readers").get("stale").asInt()).isZero();
    final List<String> names = new ArrayList<>();
    for (final JsonNode t : json.get("tables")) {
      names.add(t.get("name").asText());
      final TableStats s = stats.tables().get(t.get("dbi").asText());
      assertThat(t.get("rows").asLong()).as(t.toString()).isEqualTo(s.entries());
      assertThat(t.get("depth").asInt()).isEqualTo(s.depth());
      assertThat(t.get("bytes").asLong())
          .isEqualTo((s.branchPages() + s.leafPages() + s.overflowPages()) * stats.pageSize());
      for (final JsonNode i : t.get("indexes")) {
        assertThat(i.get("rows").asLong())
            .isEqualTo(stats.tables().get(i.get("dbi").asText()).entries());
      }
    }
    assertThat(names)
        .isSorted()
        .contains(
            "companies", "employees", "exchanges", "markets", "pairs", "tickers", "trades", "users")
        .hasSize(11);
    final JsonNode markets = table(json, "markets");
    assertThat(markets.get("oid").asText()).isEqualTo("7b4dced2-2626-4a84-b2c9-049596ce8242");
    assertThat(markets.get("valueType").asText()).endsWith("fbs.Market");
    assertThat(markets.get("indexes").findValuesAsText("name"))
        .containsExactlyInAnyOrder("by_exchange", "by_pair", "ref.exchange", "ref.pair");
    assertThat(json.get("otherTables").findValuesAsText("dbi"))
        .contains(ExampleData.PLAIN, "__lodestore_catalog");
  }

  @Test
  void stat_ofAMissingDirectoryOrNoDatabase_cannotOpen_exit3() throws Exception {
    final Cli.Result missing = Cli.run("stat", tmp.resolve("nowhere").toString());
    assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(Exit.CANNOT_OPEN);
    assertThat(missing.err()).contains("no such directory").contains("nowhere");
    final Path empty = Files.createDirectories(tmp.resolve("empty"));
    final Cli.Result none = Cli.run("stat", empty.toString());
    assertThat(none.exitCode()).as(none.describe()).isEqualTo(Exit.CANNOT_OPEN);
    assertThat(none.err()).contains("no database in " + empty);
    assertThat(Files.list(empty)).isEmpty(); // read-only: nothing created
  }

  @Test
  void stat_ofAFileThatIsNoLmdbFile_cannotOpen_exit3() throws Exception {
    final Path bad = Files.createDirectories(tmp.resolve("bad"));
    Files.write(bad.resolve("data.mdb"), new byte[16384]);
    final Cli.Result r = Cli.run("stat", bad.toString());
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(Exit.CANNOT_OPEN);
    assertThat(r.err()).contains(bad.toString());
  }

  @Test
  void badCommandLines_areUsageErrors_exit2() {
    assertThat(Cli.run().exitCode()).isEqualTo(Exit.USAGE);
    final Cli.Result noDir = Cli.run("stat");
    assertThat(noDir.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(noDir.err()).contains("Missing required parameter: 'DIR'");
    assertThat(Cli.run("stat", db.toString(), "--no-such-option").exitCode()).isEqualTo(Exit.USAGE);
    assertThat(Cli.run("no-such-command").exitCode()).isEqualTo(Exit.USAGE);
  }

  @Test
  void help_ofEverySubcommand_documentsTheExitCodes() {
    for (final String sub : List.of("stat", "export")) {
      final Cli.Result r = Cli.run(sub, "--help");
      assertThat(r.exitCode()).as(sub).isZero();
      assertThat(r.out())
          .as(sub)
          .contains("Usage: lodestore " + sub)
          .contains("Exit codes:")
          .contains("0   ok")
          .contains("3   cannot open the database");
    }
  }

  private static Path real(final Path p) {
    try {
      return p.toRealPath();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode table(final JsonNode json, final String name) {
    for (final JsonNode t : json.get("tables")) {
      if (t.get("name").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError("no table " + name + " in " + json);
  }

  /** The cells of the table row whose first cell is {@code name} (indexes start with 2 spaces). */
  private static List<String> row(final List<String> lines, final String name) {
    for (final String l : lines) {
      if (l.startsWith(name + " ")) {
        return List.of(l.trim().split("\\s{2,}"));
      }
    }
    throw new AssertionError("no row " + name + " in\n" + String.join("\n", lines));
  }
}
