package org.lodestore.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test sources in a second JVM with the test classpath and the flags
 * lmdbjava needs, and returns what it printed. Used to check that what one process wrote, another
 * process reads the same way.
 */
final class ChildJvm {

  /**
   * The flags lmdbjava and Agrona need on Java 17+ (the parent pom's {@code lodestore.jvmFlags}).
   */
  static final List<String> LMDB_FLAGS =
      List.of(
          "--add-opens", "java.base/java.nio=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

  /** What the child did. */
  record Result(int exitCode, String output, boolean timedOut) {

    List<String> lines() {
      return output.lines().toList();
    }

    String describe() {
      return "exit="
          + exitCode
          + (timedOut ? " (timed out, killed)" : "")
          + "\n--- child output ---\n"
          + output
          + "--- end ---";
    }
  }

  private ChildJvm() {}

  static Result run(
      final Class<?> main, final Path workDir, final Duration timeout, final String... args)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    final Path out = workDir.resolve("child-output.txt");
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(LMDB_FLAGS);
    command.add("-Xmx128m");
    command.add("-cp");
    command.add(classpath());
    command.add(main.getName());
    command.addAll(List.of(args));
    final Process process =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    final boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    final String output = Files.readString(out, StandardCharsets.UTF_8);
    return new Result(finished ? process.exitValue() : -1, output, !finished);
  }

  /** The test classpath: surefire's real one if it says so, else this JVM's. */
  private static String classpath() {
    final String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }
}
