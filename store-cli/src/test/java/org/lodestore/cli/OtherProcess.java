package org.lodestore.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lodestore.core.Database;
import org.lodestore.core.Txn;

/**
 * Another process that has a database open, for the tests of {@code readers} and {@code compact}:
 * {@code hold DIR} opens it, begins a read transaction, prints {@code READY} and keeps both until
 * its stdin ends; {@code die DIR} opens it, begins a read transaction, prints {@code READY pid} and
 * halts with it open, leaving a stale slot in the reader table.
 */
public final class OtherProcess implements AutoCloseable {

  private final Process process;
  private final long pid;

  private OtherProcess(final Process process, final long pid) {
    this.process = process;
    this.pid = pid;
  }

  /**
   * The child's main.
   *
   * @param args {@code hold DIR} or {@code die DIR}
   * @throws IOException if stdin fails
   */
  public static void main(final String[] args) throws IOException {
    final Database db = Database.open(Path.of(args[1]));
    final Txn txn = db.beginRead();
    System.out.println("READY " + ProcessHandle.current().pid());
    System.out.flush();
    if (args[0].equals("die")) {
      Runtime.getRuntime().halt(0);
    }
    while (System.in.read() >= 0) {
      // until the parent closes our stdin
    }
    txn.close();
    db.close();
  }

  /** Starts the child and waits until it says it has the database open. */
  static OtherProcess start(final String mode, final Path dir) throws Exception {
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(SelfProcess.JVM_FLAGS);
    command.add("-Xmx128m");
    command.add("-cp");
    final String surefire = System.getProperty("surefire.test.class.path");
    command.add(
        surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path"));
    command.add(OtherProcess.class.getName());
    command.add(mode);
    command.add(dir.toString());
    final Process p =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    final BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    final String line = out.readLine();
    if (line == null || !line.startsWith("READY ")) {
      p.destroyForcibly();
      throw new AssertionError("the other process did not start: " + line);
    }
    final OtherProcess other = new OtherProcess(p, Long.parseLong(line.substring(6).trim()));
    if (mode.equals("die")) {
      other.await(Duration.ofMinutes(1));
    }
    return other;
  }

  long pid() {
    return pid;
  }

  private void await(final Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the other process did not end");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Lets a holding child close the database and end. */
  @Override
  public void close() throws IOException {
    process.getOutputStream().close();
    await(Duration.ofMinutes(1));
  }
}
