package org.lodestore.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a main class of the test sources in a child JVM and waits for it, so that a native crash
 * (SIGSEGV in LMDB memory) or a hang fails one test instead of killing the build, and so that what
 * one process wrote can be read by another. The child gets the test classpath, writes any {@code
 * hs_err_pid*.log} into {@code <workDir>/crash} (listed in {@link Result#crashLogs()}), and is
 * killed at the timeout. For a child that is read line by line while it runs, or killed on purpose,
 * use {@link ChildProcess}.
 */
public final class ChildJvm {

  /**
   * The flags lmdbjava and Agrona need on Java 17+ (the parent pom's {@code lodestore.jvmFlags}).
   */
  public static final List<String> LMDB_FLAGS =
      List.of(
          "--add-opens", "java.base/java.nio=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

  /** The child's {@code -Xmx}. */
  static final String HEAP = "256m";

  /**
   * What a child did.
   *
   * @param exitCode its exit code, -1 if it timed out
   * @param output what it printed, stdout and stderr interleaved
   * @param crashLogs the JVM crash logs it wrote (empty unless it crashed)
   * @param timedOut whether it was killed at the timeout
   */
  public record Result(int exitCode, String output, List<Path> crashLogs, boolean timedOut) {

    /**
     * Lines the child printed (stdout and stderr interleaved).
     *
     * @return the lines
     */
    public List<String> lines() {
      return output.lines().collect(Collectors.toList());
    }

    /**
     * A description for assertion messages: exit code, crash logs and the full output.
     *
     * @return the text
     */
    public String describe() {
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
   * Runs {@code main} with {@link #LMDB_FLAGS} and {@code args}, waiting at most {@code timeout}.
   *
   * @param main the main class, from the test classpath
   * @param workDir the child's working directory, for its output and crash logs (created)
   * @param timeout how long to wait before killing the child
   * @param args the program arguments
   * @return what happened
   * @throws IOException if the child cannot start or its output cannot be read
   * @throws InterruptedException if interrupted while waiting
   */
  public static Result run(
      final Class<?> main, final Path workDir, final Duration timeout, final String... args)
      throws IOException, InterruptedException {
    return run(LMDB_FLAGS, main, workDir, timeout, args);
  }

  /**
   * Runs {@code main} with exactly {@code jvmFlags} and {@code args} (a test of what happens
   * without lmdbjava's flags passes none), waiting at most {@code timeout}.
   *
   * @param jvmFlags flags before the class name (e.g. {@link #LMDB_FLAGS}, or none)
   * @param main the main class, from the test classpath
   * @param workDir the child's working directory, for its output and crash logs (created)
   * @param timeout how long to wait before killing the child
   * @param args the program arguments
   * @return what happened
   * @throws IOException if the child cannot start or its output cannot be read
   * @throws InterruptedException if interrupted while waiting
   */
  public static Result run(
      final List<String> jvmFlags,
      final Class<?> main,
      final Path workDir,
      final Duration timeout,
      final String... args)
      throws IOException, InterruptedException {
    final Path crashDir = Files.createDirectories(workDir.resolve("crash"));
    final Path out = workDir.resolve("child-output.txt");
    final Process process =
        new ProcessBuilder(
                Jvm.command(Jvm.launcher(), jvmFlags, HEAP, crashDir, List.of(), main, args))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    final boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    final String output = Files.readString(out, StandardCharsets.UTF_8);
    return new Result(
        finished ? process.exitValue() : -1, output, Jvm.crashLogs(crashDir), !finished);
  }
}
