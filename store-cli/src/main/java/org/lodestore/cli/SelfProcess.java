package org.lodestore.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs this command in a child JVM (the same {@code java}, class path and lmdbjava flags), so that
 * reading a damaged file cannot crash the caller: a fault or an abort in LMDB ends the child, and
 * the caller says so. The child's crash log and temporary files go to a directory that is deleted
 * afterwards; it writes no core dump.
 */
final class SelfProcess {

  /** The flags lmdbjava and Agrona need on Java 17+. */
  static final List<String> JVM_FLAGS =
      List.of(
          "--add-opens", "java.base/java.nio=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

  private static final Map<Integer, String> SIGNALS =
      Map.of(4, "SIGILL", 6, "SIGABRT", 7, "SIGBUS", 8, "SIGFPE", 9, "SIGKILL", 11, "SIGSEGV");

  /**
   * How a child ended.
   *
   * @param exitCode its exit code, or -1 if it was killed at the timeout
   * @param timedOut whether it was killed at the timeout
   * @param how the end in words for a crash ("SIGSEGV", "exit code 134"), else null
   * @param stderr the last lines it wrote to stderr
   */
  record Result(int exitCode, boolean timedOut, String how, String stderr) {}

  private SelfProcess() {}

  /**
   * Runs {@code lodestore args...} in a child JVM, handing each line it prints on stdout to {@code
   * onLine} as it comes.
   *
   * @param args the command line of the child
   * @param timeout when to kill it
   * @param onLine called on this thread with each stdout line
   * @return how it ended
   * @throws CliException if the child cannot be started
   */
  static Result run(
      final List<String> args, final Duration timeout, final Consumer<String> onLine) {
    Path work = null;
    try {
      work = Files.createTempDirectory("lodestore-check-");
      return run(args, timeout, onLine, work);
    } catch (IOException e) {
      throw CliException.failed("cannot start the check's JVM: " + e.getMessage(), e);
    } finally {
      if (work != null) {
        deleteTree(work);
      }
    }
  }

  private static Result run(
      final List<String> args,
      final Duration timeout,
      final Consumer<String> onLine,
      final Path work)
      throws IOException {
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-XX:ErrorFile=" + work.resolve("hs_err_%p.log"));
    command.add("-XX:-CreateCoredumpOnCrash");
    command.add("-Djava.io.tmpdir=" + work);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Lodestore.class.getName());
    command.addAll(args);
    final Path err = work.resolve("stderr.txt");
    final Process child =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
            .start();
    final Thread watchdog =
        new Thread(
            () -> {
              try {
                if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                  child.destroyForcibly();
                }
              } catch (InterruptedException e) {
                child.destroyForcibly();
              }
            },
            "lodestore-check-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    final long started = System.nanoTime();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        onLine.accept(line);
      }
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    final int exit;
    try {
      exit = child.waitFor();
      watchdog.interrupt();
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted while the check ran", e);
    }
    final boolean timedOut = System.nanoTime() - started >= timeout.toNanos() && exit != 0;
    final String stderr = tail(err);
    String how = null;
    if (timedOut) {
      how = "killed after " + timeout.toSeconds() + " s";
    } else if (exit != 0) {
      how = crashSignal(work);
      if (how == null) {
        how = exit > 128 ? SIGNALS.getOrDefault(exit - 128, "signal " + (exit - 128)) : null;
      }
      if (how == null) {
        how = "exit code " + exit;
      }
    }
    return new Result(timedOut ? -1 : exit, timedOut, how, stderr);
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  /** The signal line of the child's crash log ("SIGSEGV (0xb) at pc=..."), if it wrote one. */
  private static String crashSignal(final Path work) throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      final Path log =
          files
              .filter(p -> p.getFileName().toString().startsWith("hs_err"))
              .findFirst()
              .orElse(null);
      if (log == null) {
        return null;
      }
      for (final String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
        final int at = line.indexOf("SIG");
        if (line.startsWith("#") && at > 0) {
          return line.substring(at).strip();
        }
      }
      return "a JVM crash";
    }
  }

  private static String tail(final Path file) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    final List<String> lines =
        new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
  }

  private static void deleteTree(final Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: left for the system to clear
    }
  }
}
