package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.examples.market.MarketSchema;

/**
 * The command as a user runs it: the launcher script {@code store-cli/lodestore} starting the
 * shaded {@code target/lodestore.jar} in a JVM of its own. Run by failsafe after {@code package},
 * which builds the jar.
 */
class LauncherIT {

  @TempDir static Path tmp;

  static Path db;
  static Path jar;
  static Path launcher;

  @BeforeAll
  static void setUp() {
    jar = Path.of(System.getProperty("lodestore.cli.jar", "target/lodestore.jar"));
    launcher = Path.of(System.getProperty("lodestore.cli.launcher", "lodestore"));
    if (!Files.isRegularFile(jar)) {
      System.out.println("LauncherIT skipped: " + jar + " is not built (mvn package builds it)");
    }
    assumeTrue(Files.isRegularFile(jar), "the shaded jar is not built");
    db = tmp.resolve("db");
    ExampleData.write(db, 9);
  }

  record Run(int exitCode, String out, String err) {
    String describe() {
      return "exit=" + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  static Run lodestore(final Map<String, String> env, final String... args) throws Exception {
    final List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
    command.addAll(List.of(args));
    final ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    final Path out = Files.createTempFile(tmp, "out", ".txt");
    final Path err = Files.createTempFile(tmp, "err", ".txt");
    final Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("lodestore " + String.join(" ", args) + " did not end");
    }
    return new Run(p.exitValue(), read(out), read(err));
  }

  static Run lodestore(final String... args) throws Exception {
    return lodestore(Map.of("LODESTORE_JAR", jar.toAbsolutePath().toString()), args);
  }

  private static String read(final Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void stat_throughTheLauncher_showsTheDeclaredTables() throws Exception {
    final Run r = lodestore("stat", db.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).contains("markets").contains("tickers_by_time").contains("by_email");
    assertThat(r.err()).isEmpty(); // no SLF4J warnings, no JVM warnings
  }

  @Test
  void exportWithASchemaFromTheClasspath_decodesFlatBuffers_inTheJarsOwnJvm() throws Exception {
    final String classes =
        Path.of(MarketSchema.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    final Run r =
        lodestore(
            "export",
            db.toString(),
            "--table",
            "markets",
            "--schema",
            MarketSchema.class.getName(),
            "--classpath",
            classes);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out().lines())
        .hasSize(ExampleData.MARKETS)
        .allMatch(l -> l.contains("\"symbol\":\"C"));
    final Run without =
        lodestore("export", db.toString(), "--schema", MarketSchema.class.getName());
    assertThat(without.exitCode()).as(without.describe()).isEqualTo(Exit.USAGE);
    assertThat(without.err()).contains("no such class");
  }

  @Test
  void verify_startsItsChildFromTheJar() throws Exception {
    final Run r = lodestore("verify", db.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).contains("pages: ok").contains("rows: ok (catalog check)");
  }

  @Test
  void exitCodes_usage2_cannotOpen3_andAMissingJarSaysHowToBuildIt() throws Exception {
    assertThat(lodestore().exitCode()).isEqualTo(Exit.USAGE);
    assertThat(lodestore("stat", tmp.resolve("none").toString()).exitCode())
        .isEqualTo(Exit.CANNOT_OPEN);
    final Run help = lodestore("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("stat", "export", "import", "backup", "verify", "readers", "compact")
        .contains("Exit codes:")
        .doesNotContain("__check");
    final Run missing =
        lodestore(Map.of("LODESTORE_JAR", tmp.resolve("no.jar").toString()), "stat", "x");
    assertThat(missing.exitCode()).isEqualTo(Exit.CANNOT_OPEN);
    assertThat(missing.err()).contains("mvn -B -q install -DskipTests");
  }
}
