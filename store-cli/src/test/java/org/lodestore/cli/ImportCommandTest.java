package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Txn;
import org.lodestore.examples.hr.HrSchema;
import org.lodestore.schema.StoredCatalog;
import org.lodestore.schema.StoredCatalog.StoredIndex;
import org.lodestore.schema.StoredCatalog.StoredTable;

/**
 * {@code lodestore import}: an export imported into a fresh directory gives the same tables and
 * indexes, byte for byte (through the schema, and as a --raw copy); a unique violation is refused
 * with its line number, its batch left out and the batches before it kept.
 */
class ImportCommandTest {

  @TempDir static Path tmp;

  static Path source;

  @BeforeAll
  static void writeDatabase() {
    source = tmp.resolve("source");
    ExampleData.write(source, 4);
  }

  /** The LMDB names of every declared table and index, and of the plain table. */
  static List<String> tablesAndIndexes(final Path dir) {
    final List<String> names = new ArrayList<>();
    try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build())) {
      for (final StoredTable t : StoredCatalog.read(db).tables()) {
        names.add(t.dbi());
        for (final StoredIndex i : t.indexes()) {
          names.add(i.dbi());
        }
      }
    }
    names.add(ExampleData.PLAIN);
    return names;
  }

  private static List<String> importArgs(final Path dir, final Path file, final String... more) {
    final List<String> args = new ArrayList<>(List.of("import", dir.toString(), file.toString()));
    args.addAll(VerifyCommandTest.schemaArgs());
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void exportThenImportThroughTheSchema_givesEqualTablesAndIndexes_byteForByte() throws Exception {
    final Path file = tmp.resolve("all.jsonl");
    final Cli.Result export = Cli.run("export", source.toString(), "--out", file.toString());
    assertThat(export.exitCode()).as(export.describe()).isZero();
    final Path copy = tmp.resolve("copy");
    final Cli.Result imported =
        Cli.run(importArgs(copy, file, "--batch", "97").toArray(new String[0]));
    assertThat(imported.exitCode()).as(imported.describe()).isZero();
    final long lines = Files.lines(file).count();
    assertThat(imported.out())
        .contains("imported " + Text.count(lines) + " rows into " + copy)
        .containsPattern("\\n  users\\s+" + ExampleData.USERS + "\\n");

    final List<String> names = tablesAndIndexes(source);
    assertThat(tablesAndIndexes(copy)).containsExactlyInAnyOrderElementsOf(names);
    final Map<String, List<String>> expected = LmdbDump.only(LmdbDump.of(source), names);
    final Map<String, List<String>> actual = LmdbDump.only(LmdbDump.of(copy), names);
    assertThat(actual).isEqualTo(expected);
    assertThat(expected.values().stream().mapToInt(List::size).sum()).isGreaterThan(500);

    final Cli.Result verify = VerifyCommandTest.verify(copy, true);
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  @Test
  void exportWithDecodedFlatBuffers_importsBackToTheSameBytes() throws Exception {
    final List<String> export =
        new ArrayList<>(
            List.of("export", source.toString(), "--table", "exchanges", "pairs", "markets"));
    export.addAll(VerifyCommandTest.schemaArgs());
    final Path file = tmp.resolve("markets.jsonl");
    export.addAll(List.of("--out", file.toString()));
    assertThat(Cli.run(export.toArray(new String[0])).exitCode()).isZero();
    assertThat(Files.readString(file)).contains("\"symbol\":\"C0-EUR\"").contains("\"bytes\":");
    final Path copy = tmp.resolve("markets-copy");
    final Cli.Result r = Cli.run(importArgs(copy, file).toArray(new String[0]));
    assertThat(r.exitCode()).as(r.describe()).isZero();
    final List<String> names = new ArrayList<>();
    try (Database db = Database.open(copy, DatabaseOptions.builder().readOnly(true).build())) {
      for (final String t : List.of("exchanges", "pairs", "markets")) {
        final StoredTable st = StoredCatalog.read(db).table(t).orElseThrow();
        names.add(st.dbi());
        st.indexes().forEach(i -> names.add(i.dbi()));
      }
    }
    assertThat(LmdbDump.only(LmdbDump.of(copy), names))
        .isEqualTo(LmdbDump.only(LmdbDump.of(source), names));
  }

  @Test
  void rawExportThenImport_restoresEveryLmdbDatabase_withoutASchema() throws Exception {
    final Path file = tmp.resolve("raw.jsonl");
    assertThat(Cli.run("export", source.toString(), "--raw", "--out", file.toString()).exitCode())
        .isZero();
    final Path copy = tmp.resolve("raw-copy");
    final Cli.Result r = Cli.run("import", copy.toString(), file.toString(), "--batch", "500");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    final Map<String, List<String>> expected = LmdbDump.of(source);
    assertThat(expected).containsKeys("__lodestore_catalog", "__lodestore_owners");
    assertThat(LmdbDump.of(copy)).isEqualTo(expected);

    // a raw copy goes only into a directory without a database
    final Cli.Result again = Cli.run("import", copy.toString(), file.toString());
    assertThat(again.exitCode()).as(again.describe()).isEqualTo(Exit.PROBLEMS);
    assertThat(again.err()).contains("only into a directory without a database");
  }

  @Test
  void aUniqueViolation_isRefusedWithItsLineNumber_itsBatchLeftOut_earlierBatchesKept()
      throws Exception {
    final Path file = tmp.resolve("hr.jsonl");
    final List<String> export =
        new ArrayList<>(
            List.of("export", source.toString(), "--table", "companies", "employees", "--out"));
    export.add(file.toString());
    assertThat(Cli.run(export.toArray(new String[0])).exitCode()).isZero();
    final List<String> lines = new ArrayList<>(Files.readAllLines(file));
    // line 12 (an employee) takes the e-mail of line 11
    final String taken = email(lines.get(10));
    lines.set(11, lines.get(11).replace(email(lines.get(11)), taken));
    Files.write(file, lines, StandardCharsets.UTF_8);

    final Path copy = tmp.resolve("hr-copy");
    final List<String> args = new ArrayList<>(List.of("import", copy.toString(), file.toString()));
    args.addAll(
        List.of(
            "--schema",
            HrSchema.class.getName(),
            "--classpath",
            ExportCommandTest.examplesClasses(),
            "--batch",
            "5"));
    final Cli.Result r = Cli.run(args.toArray(new String[0]));
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(Exit.PROBLEMS);
    assertThat(r.err())
        .contains("line 12: unique index 'by_email' already maps " + taken)
        .contains("nothing of its batch (lines 11-15) was written, the 2 batches before it were");
    assertThat(r.out()).contains("imported 10 rows");
    try (Database db = Database.open(copy, DatabaseOptions.builder().readOnly(true).build())) {
      final HrSchema hr = db.attach(new HrSchema());
      try (Txn txn = db.beginRead()) {
        assertThat(hr.companies.count(txn)).isEqualTo(ExampleData.COMPANIES);
        assertThat(hr.employees.count(txn)).isEqualTo(10 - ExampleData.COMPANIES);
        assertThat(hr.employeeByEmail.count(txn)).isEqualTo(10 - ExampleData.COMPANIES);
      }
    }
  }

  @Test
  void import_refusals_andUsageErrors() throws Exception {
    final Path file = tmp.resolve("some.jsonl");
    assertThat(
            Cli.run("export", source.toString(), "--table", "users", "--out", file.toString())
                .exitCode())
        .isZero();
    final Cli.Result noSchema = Cli.run("import", tmp.resolve("x").toString(), file.toString());
    assertThat(noSchema.exitCode()).isEqualTo(Exit.PROBLEMS);
    assertThat(noSchema.err()).contains("line 1: rows of declared table 'users'");
    final Cli.Result wrongSchema =
        Cli.run(
            "import",
            tmp.resolve("y").toString(),
            file.toString(),
            "--schema",
            HrSchema.class.getName());
    assertThat(wrongSchema.exitCode()).isEqualTo(Exit.PROBLEMS);
    assertThat(wrongSchema.err()).contains("table 'users' is not declared by the schemas given");
    final Path garbage = tmp.resolve("garbage.jsonl");
    Files.writeString(garbage, "{\"table\":\"users\"}\nnot json\n");
    final Cli.Result bad =
        Cli.run(
            "import",
            tmp.resolve("z").toString(),
            garbage.toString(),
            "--schema",
            HrSchema.class.getName());
    assertThat(bad.exitCode()).isEqualTo(Exit.PROBLEMS);
    assertThat(bad.err()).contains("line 2: not JSON");
    assertThat(Cli.run("import", tmp.resolve("w").toString(), "nope.jsonl").exitCode())
        .isEqualTo(Exit.USAGE);
    assertThat(
            Cli.run("import", tmp.resolve("w").toString(), file.toString(), "--batch", "0")
                .exitCode())
        .isEqualTo(Exit.USAGE);
  }

  private static String email(final String line) {
    final int at = line.indexOf("\"email\":\"") + 9;
    return line.substring(at, line.indexOf('"', at));
  }
}
