package org.lodestore.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a main class of the test sources in a child JVM, so that a native crash (SIGSEGV in LMDB
 * memory) fails one test instead of killing the build. The child gets the test classpath, writes
 * any {@code hs_err_pid*.log} into a directory the caller checks, and is killed at a timeout.
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

  /** What a child did. */
  record Result(int exitCode, String output, List<Path> crashLogs, boolean timedOut) {

    /** Lines the child printed (stdout and stderr interleaved). */
    List<String> lines() {
      return output.lines().collect(Collectors.toList());
    }

    /** A description for assertion messages: exit code, crash logs and the full output. */
    String describe() {
      return "exit="
          + exitCode
          + (timedOut ? " (timed out, killed)" : "")
          + ", crash logs="
          + crashLogs
          + "\n--- child output ---\n"
          + output
          + "--- end ---";
    }
  }

  private ChildJvm() {}

  /**
   * Runs {@code main} with {@code jvmFlags} and {@code args}, waiting at most {@code timeout}.
   *
   * @param jvmFlags flags before the class name (e.g. {@link #LMDB_FLAGS}, or none)
   * @param main the main class, from the test classpath
   * @param workDir a directory for the child's output and crash logs (must exist)
   * @param timeout how long to wait before killing the child
   * @param args the program arguments
   * @return what happened
   */
  static Result run(
      final List<String> jvmFlags,
      final Class<?> main,
      final Path workDir,
      final Duration timeout,
      final String... args)
      throws IOException, InterruptedException {
    final Path crashDir = Files.createDirectories(workDir.resolve("crash"));
    final Path out = workDir.resolve("child-output.txt");
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-Xmx256m");
    command.add("-XX:ErrorFile=" + crashDir.resolve("hs_err_pid%p.log"));
    command.add("-XX:-CreateCoredumpOnCrash");
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
    final List<Path> crashLogs;
    try (Stream<Path> files = Files.list(crashDir)) {
      crashLogs =
          files
              .filter(p -> p.getFileName().toString().startsWith("hs_err_pid"))
              .collect(Collectors.toList());
    }
    final String output = Files.readString(out, StandardCharsets.UTF_8);
    return new Result(finished ? process.exitValue() : -1, output, crashLogs, !finished);
  }

  /** The test classpath: surefire's real one if it says so, else this JVM's. */
  private static String classpath() {
    final String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }
}
