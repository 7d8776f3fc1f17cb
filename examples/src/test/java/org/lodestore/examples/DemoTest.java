package org.lodestore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.examples.market.MarketSchema;

class DemoTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** Runs the demo at small volume with extra flags; returns the exit status and its summary. */
  private Demo.Summary run(final int expectedStatus, final String... extra) {
    out.reset();
    err.reset();
    final List<String> args =
        new ArrayList<>(
            List.of(
                "--dir",
                dir.resolve("demo").toString(),
                "--markets",
                "10",
                "--exchanges",
                "2",
                "--ticks",
                "2000",
                "--trades",
                "200",
                "--batch",
                "300",
                "--gets",
                "500",
                "--no-progress"));
    args.addAll(List.of(extra));
    final Demo demo = new Demo();
    final int status =
        Demo.command(
                demo,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))
            .execute(args.toArray(new String[0]));
    assertThat(status).as("exit status; stderr: %s", err).isEqualTo(expectedStatus);
    return demo.summary();
  }

  private String printed() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static long rows(final Demo.Summary s, final String table) {
    return s.tables().stream().filter(t -> t.name().equals(table)).findFirst().orElseThrow().rows();
  }

  @Test
  void firstRun_ingestsChecksAndPrintsTheSummary() {
    final Demo.Summary s = run(0);
    assertThat(s.reopened()).isFalse();
    assertThat(s.results().failures()).isEmpty();
    assertThat(s.results().checks()).isGreaterThan(30);
    assertThat(rows(s, "tickers")).isEqualTo(2000);
    assertThat(rows(s, "tickers_by_time")).isEqualTo(2000);
    assertThat(rows(s, "trades")).isEqualTo(200);
    assertThat(rows(s, "markets")).isEqualTo(10);
    assertThat(s.fileBytes()).isPositive();
    // 10 s window: market 0's 100 ticks, and 100 of each of the 9 others in between
    assertThat(s.results().naiveRows()).isEqualTo(100 + 9 * 100);
    assertThat(s.results().naiveForeign()).isEqualTo(9 * 100);
    assertThat(s.results().seriesRows()).isEqualTo(100);
    assertThat(s.results().latency().gets()).isEqualTo(500);
    assertThat(printed())
        .contains("Lodestore demo: market data over LMDB")
        .contains("ticks/s")
        .contains("Point gets")
        .contains("p99.9")
        .contains("Disk: data.mdb")
        .contains("Sample rows")
        .contains("checks passed");
  }

  @Test
  void secondRun_reopensAndSaysSo_freshStartsOver() {
    run(0);
    final Demo.Summary again = run(0);
    assertThat(again.reopened()).isTrue();
    assertThat(again.note()).contains("reopened").contains("--fresh");
    assertThat(again.results().failures()).isEmpty();
    assertThat(printed()).contains("reopened").contains("Ingest (when the database was built)");

    // other sizes on a reopened database: said, and the database's own sizes are used
    final Demo.Summary other = run(0, "--ticks", "4000");
    assertThat(other.reopened()).isTrue();
    assertThat(other.note()).contains("only with --fresh");
    assertThat(rows(other, "tickers")).isEqualTo(2000);

    final Demo.Summary fresh = run(0, "--fresh", "--ticks", "4000");
    assertThat(fresh.reopened()).isFalse();
    assertThat(fresh.note()).contains("--fresh");
    assertThat(rows(fresh, "tickers")).isEqualTo(4000);
  }

  @Test
  void interruptedIngest_isDetectedAndStartedOver() {
    // a database with the schema but without the manifest the ingest writes last
    try (Database db = Database.open(dir.resolve("demo"))) {
      db.attach(new MarketSchema());
    }
    final Demo.Summary s = run(0);
    assertThat(s.reopened()).isFalse();
    assertThat(s.note()).contains("had not finished");
    assertThat(rows(s, "tickers")).isEqualTo(2000);
  }

  @Test
  void badCommandLine_exitsWith2AndSaysWhy() {
    run(2, "--markets", "0");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("at least 1 market")
        .contains("Usage");
    run(2, "--no-such-flag");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--no-such-flag");
  }

  @Test
  void freshOnADirectoryThatIsNotADatabase_refusesToDeleteIt() throws Exception {
    Files.createDirectories(dir.resolve("demo"));
    Files.writeString(dir.resolve("demo").resolve("notes.txt"), "mine");
    run(1, "--fresh");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("demo failed")
        .contains("not a Lodestore database directory");
    assertThat(dir.resolve("demo").resolve("notes.txt")).exists();
    assertThatThrownBy(() -> Examples.deleteDatabase(dir.resolve("demo")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notes.txt");
  }
}
