package org.lodestore.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A main class of the test sources running in a child JVM, so that it can be killed with SIGKILL (a
 * copy of the reliability module's, trimmed to what the feed's kill tests use).
 *
 * <p>Both pipes are drained by threads of their own from the start, so the child never blocks on a
 * full pipe; stdout arrives line by line in {@link #lines()}. {@link #kill()} sends SIGKILL through
 * {@link ProcessHandle#destroyForcibly()}, which (unlike {@link Process#destroyForcibly()}) closes
 * none of our ends of the pipes: every line the child wrote before it died is still read. A JVM
 * crash log goes to {@code <dir>/hs_err_pid<pid>.log}, which {@link #crashLogs()} lists.
 */
final class ChildProcess implements AutoCloseable {

  /**
   * The flags lmdbjava and Agrona need on Java 17+ (the parent pom's {@code lodestore.jvmFlags}).
   */
  static final List<String> LMDB_FLAGS =
      List.of(
          "--add-opens", "java.base/java.nio=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

  /** What {@link #lines()} yields once stdout reached its end. */
  static final String EOF = "\u0000EOF";

  private final Process process;
  private final Path crashDir;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  private final Thread outReader;
  private final Thread errReader;

  private ChildProcess(final Process process, final Path crashDir) {
    this.process = process;
    this.crashDir = crashDir;
    this.outReader = drain(process.getInputStream(), "stdout-" + process.pid(), true);
    this.errReader = drain(process.getErrorStream(), "stderr-" + process.pid(), false);
  }

  /**
   * Starts {@code main} in a child JVM with the LMDB flags, the test classpath and a crash-log
   * directory.
   *
   * @param main the main class, from the test classpath
   * @param crashDir where {@code hs_err_pid*.log} goes (created)
   * @param heap the child's {@code -Xmx}, e.g. {@code "256m"}
   * @param args the program arguments
   * @return the running child
   * @throws IOException if it cannot start
   */
  static ChildProcess start(
      final Class<?> main, final Path crashDir, final String heap, final String... args)
      throws IOException {
    return start(main, crashDir, heap, List.of(), args);
  }

  /**
   * As {@link #start(Class, Path, String, String...)}, with extra JVM flags.
   *
   * @param main the main class, from the test classpath
   * @param crashDir where {@code hs_err_pid*.log} goes (created)
   * @param heap the child's {@code -Xmx}
   * @param jvmFlags flags added before the class name
   * @param args the program arguments
   * @return the running child
   * @throws IOException if it cannot start
   */
  static ChildProcess start(
      final Class<?> main,
      final Path crashDir,
      final String heap,
      final List<String> jvmFlags,
      final String... args)
      throws IOException {
    return startIn(
        Path.of(System.getProperty("java.home"), "bin", "java"),
        null,
        main,
        crashDir,
        heap,
        jvmFlags,
        args);
  }

  private static ChildProcess startIn(
      final Path java,
      final Path workDir,
      final Class<?> main,
      final Path crashDir,
      final String heap,
      final List<String> jvmFlags,
      final String... args)
      throws IOException {
    Files.createDirectories(crashDir);
    final List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(LMDB_FLAGS);
    command.add("-Xmx" + heap);
    command.add("-XX:ErrorFile=" + crashDir.resolve("hs_err_pid%p.log"));
    command.add("-XX:-CreateCoredumpOnCrash");
    command.add("-XX:+UseSerialGC");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(classpath());
    command.add(main.getName());
    command.addAll(List.of(args));
    final ProcessBuilder builder = new ProcessBuilder(command);
    if (workDir != null) {
      builder.directory(Files.createDirectories(workDir).toFile());
    }
    return new ChildProcess(builder.start(), crashDir);
  }

  /** The test classpath: surefire's own if it says so, else this JVM's. */
  private static String classpath() {
    final String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  private Thread drain(final InputStream in, final String name, final boolean toLines) {
    final Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  if (toLines) {
                    lines.add(line);
                  } else if (stderr.length() < 1 << 20) {
                    stderr.append(line).append('\n');
                  }
                }
              } catch (IOException e) {
                stderr.append("[").append(name).append(" read failed: ").append(e).append("]\n");
              } finally {
                if (toLines) {
                  lines.add(EOF);
                }
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * The child's stdout, line by line; {@link #EOF} once it ended.
   *
   * @return the queue
   */
  BlockingQueue<String> lines() {
    return lines;
  }

  /**
   * Waits for the next stdout line.
   *
   * @param timeout how long
   * @return the line, {@link #EOF} at the end, or null on timeout
   * @throws InterruptedException if interrupted
   */
  String nextLine(final Duration timeout) throws InterruptedException {
    final String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (EOF.equals(line)) {
      lines.add(EOF); // stay at the end for later callers
    }
    return line;
  }

  /**
   * Reads stdout until a line starts with {@code prefix}.
   *
   * @param prefix the start of the awaited line
   * @param timeout how long to wait in all
   * @return the line
   * @throws IllegalStateException if stdout ended or the time ran out first
   */
  String awaitLine(final String prefix, final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      final long left = deadline - System.nanoTime();
      final String line = left > 0 ? nextLine(Duration.ofNanos(left)) : null;
      if (line == null || EOF.equals(line)) {
        throw new IllegalStateException(
            "child ended or timed out before printing '" + prefix + "'; " + describe());
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /**
   * The child's pid.
   *
   * @return the pid
   */
  long pid() {
    return process.pid();
  }

  /**
   * Whether the child is still running.
   *
   * @return true if alive
   */
  boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGKILL to the child's pid, leaving our ends of its pipes open. */
  void kill() {
    process.toHandle().destroyForcibly();
  }

  /**
   * Waits for the child to exit and for both pipes to be read to their end.
   *
   * @param timeout how long
   * @return the exit code
   * @throws IllegalStateException if the child is still running after {@code timeout} (it is then
   *     killed)
   */
  int waitFor(final Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException("child did not exit within " + timeout + "; " + describe());
    }
    outReader.join(10_000);
    errReader.join(10_000);
    return process.exitValue();
  }

  /**
   * The JVM crash logs the child wrote.
   *
   * @return paths of {@code hs_err_pid*.log} files
   * @throws IOException if the directory cannot be listed
   */
  List<Path> crashLogs() throws IOException {
    try (Stream<Path> files = Files.list(crashDir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("hs_err_pid"))
          .collect(Collectors.toList());
    }
  }

  /**
   * What the child wrote to stderr so far.
   *
   * @return the text (at most about 1 MiB)
   */
  String stderr() {
    return stderr.toString();
  }

  /**
   * A description for failure messages: pid, state, stderr and the head of any crash log.
   *
   * @return the text
   */
  String describe() {
    final StringBuilder sb = new StringBuilder("child pid=").append(pid());
    sb.append(process.isAlive() ? " (alive)" : " exit=" + process.exitValue());
    try {
      for (final Path log : crashLogs()) {
        sb.append("\n--- ").append(log).append(" ---\n");
        try (Stream<String> head = Files.lines(log)) {
          sb.append(head.limit(60).collect(Collectors.joining("\n")));
        }
      }
    } catch (IOException | RuntimeException e) {
      sb.append("\n(crash logs unreadable: ").append(e).append(')');
    }
    sb.append("\n--- child stderr ---\n").append(stderr);
    return sb.toString();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
