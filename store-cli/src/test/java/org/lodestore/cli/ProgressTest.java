package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long operations report on stderr, never stdout: plain periodic lines without a terminal (as
 * here), a progress bar with one ({@code -Dlodestore.progress=bar} forces it).
 */
class ProgressTest {

  @TempDir static Path tmp;

  static Path db;

  @BeforeAll
  static void writeDatabase() {
    db = tmp.resolve("db");
    ExampleData.write(db, 8);
  }

  @AfterEach
  void reset() {
    System.clearProperty("lodestore.progress");
    System.clearProperty("lodestore.progress.seconds");
  }

  @Test
  void withoutATerminal_exportPrintsPeriodicLinesAndATotal_toStderr() {
    System.setProperty("lodestore.progress.seconds", "0"); // a line at every step
    final Cli.Result r = Cli.run("export", db.toString(), "--table", "users");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    final int rows = ExampleData.USERS;
    assertThat(r.err().lines())
        .contains("export: 1 of " + rows + " rows (4%), 0 s")
        .anyMatch(l -> l.startsWith("export: " + rows + " of " + rows + " rows (100%)"))
        .anyMatch(l -> l.matches("export: " + rows + " rows in \\d+\\.\\d s"));
    assertThat(r.out().lines()).hasSize(rows).allMatch(l -> l.startsWith("{\"table\":\"users\""));
  }

  @Test
  void byDefault_linesComeEveryFewSeconds_soAShortRunPrintsOnlyItsTotal() {
    final Cli.Result r = Cli.run("export", db.toString(), "--table", "users");
    assertThat(r.err().lines()).singleElement().asString().startsWith("export: 25 rows in ");
  }

  @Test
  void onATerminal_aProgressBar() {
    System.setProperty("lodestore.progress", "bar");
    final Cli.Result r = Cli.run("backup", db.toString(), tmp.resolve("copy").toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.err()).contains("backup").contains("100%").contains("bytes");
    assertThat(r.out()).startsWith("backed up ");
  }
}
