package org.lodestore.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Checks a database file you do not trust (one you were handed, restored, or found after a crash or
 * a disk error) without risking the JVM that asks: the check runs in a child JVM, so a damaged page
 * that makes LMDB abort or fault ends the child, and the caller gets a report saying so.
 *
 * <pre>{@code
 * VerifyReport report = Verify.run(Path.of("orders.db"));
 * if (!report.ok()) {
 *   log.error("not opening orders.db: {}", report.summary());
 * }
 * }</pre>
 *
 * <h2>What it checks</h2>
 *
 * The child first walks every page of {@code data.mdb} with positional reads, without LMDB: both
 * meta pages, every table's B-tree (page kinds, bounds, node pointers and sizes, key order and the
 * key ranges of branch pages, overflow pages), the sets' sub-pages and sub-databases, the free
 * table, entry and page counts against every record, and that each page of the file is used exactly
 * once or free. Only if all of that holds does LMDB itself read every entry of every table, every
 * byte of every key and value, and count them against the tables' records.
 *
 * <h2>What no check can see</h2>
 *
 * LMDB keeps no checksums of its pages: a key or value whose bytes changed while every rule above
 * still holds reads back wrong, and neither this check nor LMDB can tell. Value checksums of the
 * tables that have them catch those on read; this check does not test them (it reads the file
 * without the schema that says which tables have them).
 *
 * <h2>How it runs</h2>
 *
 * The child is this JVM's {@code java} ({@code java.home}) with this JVM's class path and the flags
 * lmdbjava needs, a heap sized for the file, crash logs ({@code hs_err}) and LMDB's native library
 * in a temporary directory that is deleted afterwards (never in the working directory), and no core
 * dump. It opens the file read-only and without a lock file: it writes nothing. Check a file no
 * process is writing (a backup from {@link Database#backupTo}, a copy, a stopped service's files):
 * pages a live writer reuses under the check can look damaged.
 *
 * <p>The library prints nothing: {@link VerifyReport#summary()} and {@link VerifyReport#problems()}
 * say what was found, for a caller to log or show.
 */
public final class Verify {

  /** How long {@link #run(Path)} lets the check run. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  private static final Map<Integer, String> SIGNALS =
      Map.of(
          4, "SIGILL", 6, "SIGABRT", 7, "SIGBUS", 8, "SIGFPE", 9, "SIGKILL", 11, "SIGSEGV", 15,
          "SIGTERM");

  private Verify() {}

  /**
   * Checks the database in {@code dir}, within {@link #DEFAULT_TIMEOUT}.
   *
   * @param dir the database directory (holding {@code data.mdb})
   * @return the report; never throws for a damaged file
   * @throws IllegalArgumentException if {@code dir} holds no {@code data.mdb}
   * @throws LodestoreException if the calling thread is interrupted (the child is killed)
   */
  public static VerifyReport run(final Path dir) {
    return run(dir, DEFAULT_TIMEOUT);
  }

  /**
   * Checks the database in {@code dir}; the child is killed after {@code timeout}.
   *
   * @param dir the database directory (holding {@code data.mdb})
   * @param timeout how long the check may run (LMDB walking a damaged tree may loop)
   * @return the report; never throws for a damaged file
   * @throws IllegalArgumentException if {@code dir} holds no {@code data.mdb}, or the timeout is
   *     not positive
   * @throws LodestoreException if the calling thread is interrupted (the child is killed)
   */
  public static VerifyReport run(final Path dir, final Duration timeout) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    final Path data = dir.resolve("data.mdb");
    if (!Files.isRegularFile(data)) {
      throw new IllegalArgumentException("no database in " + dir + " (no data.mdb)");
    }
    Path work = null;
    try {
      work = Files.createTempDirectory("lodestore-verify-");
      return check(dir.toAbsolutePath(), data, work, timeout);
    } catch (IOException e) {
      return notRun(dir, "cannot start the check's JVM: " + e);
    } finally {
      if (work != null) {
        deleteTree(work);
      }
    }
  }

  private static VerifyReport check(
      final Path dir, final Path data, final Path work, final Duration timeout) throws IOException {
    final String classPath = System.getProperty("java.class.path", "");
    if (classPath.isEmpty()) {
      return notRun(dir, "this JVM has no class path to give the check's JVM");
    }
    final List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(Arrays.asList(JvmAccess.FLAGS.split(" ")));
    command.add("-Xmx" + heapMegabytes(Files.size(data)) + "m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:ErrorFile=" + work.resolve("hs_err_%p.log"));
    command.add("-XX:-CreateCoredumpOnCrash");
    command.add("-Djava.io.tmpdir=" + work);
    command.add("-cp");
    command.add(classPath);
    command.add(VerifyChild.class.getName());
    command.add(dir.toString());
    final Path out = work.resolve("out.txt");
    final Path err = work.resolve("err.txt");
    final Process child =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return report(
            dir,
            VerifyReport.Outcome.TIMED_OUT,
            read(out),
            List.of(
                "the check did not finish within "
                    + timeout
                    + " (a damaged tree that loops, or a "
                    + "file too large for the timeout)"));
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LodestoreException("interrupted while checking " + dir, e);
    }
    return outcome(dir, child.exitValue(), read(out), read(err), work);
  }

  /** Reads what the child said and how it ended ({@code work}: where its crash log would be). */
  static VerifyReport outcome(
      final Path dir,
      final int exit,
      final List<String> out,
      final List<String> err,
      final Path work)
      throws IOException {
    final List<String> problems = new ArrayList<>();
    boolean begun = false;
    boolean ended = false;
    String reading = null;
    for (final String line : out) {
      if (!line.startsWith(VerifyChild.PREFIX)) {
        continue;
      }
      final String[] f = line.substring(VerifyChild.PREFIX.length()).split(" ");
      switch (f[0]) {
        case "begin":
          begun = true;
          break;
        case "end":
          ended = true;
          break;
        case "reading":
          reading = decode(f[1]);
          break;
        case "problem":
          problems.add(
              f[1].equals("-") ? decode(f[2]) : "table '" + decode(f[1]) + "': " + decode(f[2]));
          break;
        default:
          break;
      }
    }
    if (ended && exit == 0) {
      return report(
          dir,
          problems.isEmpty() ? VerifyReport.Outcome.OK : VerifyReport.Outcome.DAMAGED,
          out,
          problems);
    }
    if (!begun) {
      return notRun(dir, "the check's JVM did not start (exit " + exit + "): " + tail(err));
    }
    final String crash = crashLog(work);
    final String signal =
        crash != null
            ? crash
            : exit > 128
                ? SIGNALS.getOrDefault(exit - 128, "signal " + (exit - 128))
                : "exit code " + exit;
    final String assertion =
        err.stream()
            .filter(l -> l.contains("Assertion"))
            .findFirst()
            .map(l -> ": LMDB: " + l.strip())
            .orElse("");
    problems.add(
        "the check crashed ("
            + signal
            + ")"
            + (reading == null ? "" : " while LMDB read table '" + reading + "'")
            + assertion
            + ": the file is damaged");
    return report(dir, VerifyReport.Outcome.CRASHED, out, problems);
  }

  /** The signal and the faulting frame of the child's crash log, if it wrote one. */
  private static String crashLog(final Path work) throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      final Path log =
          files
              .filter(p -> p.getFileName().toString().startsWith("hs_err"))
              .findFirst()
              .orElse(null);
      if (log == null) {
        return null;
      }
      final List<String> lines = read(log);
      String signal = "a JVM crash";
      String frame = "";
      for (int i = 0; i < lines.size(); i++) {
        final String l = lines.get(i);
        if (l.matches("#\\s+SIG[A-Z]+ .*")) {
          signal = l.substring(1).strip().split(" ")[0];
        } else if (l.startsWith("# Problematic frame:") && i + 1 < lines.size()) {
          frame = " in " + lines.get(i + 1).substring(1).strip();
        }
      }
      return signal + frame;
    }
  }

  private static VerifyReport report(
      final Path dir,
      final VerifyReport.Outcome outcome,
      final List<String> out,
      final List<String> problems) {
    final Map<String, Long> counts = new TreeMap<>();
    for (final String line : out) {
      if (line.startsWith(VerifyChild.PREFIX + "table ")) {
        final String[] f = line.split(" ");
        counts.put(decode(f[2]), Long.parseLong(f[3]));
      }
    }
    return new VerifyReport(dir, outcome, counts, problems);
  }

  private static VerifyReport notRun(final Path dir, final String why) {
    return new VerifyReport(dir, VerifyReport.Outcome.NOT_RUN, Map.of(), List.of(why));
  }

  private static String javaBinary() {
    final Path bin = Path.of(System.getProperty("java.home"), "bin");
    final Path exe = bin.resolve("java.exe");
    return (Files.isRegularFile(exe) ? exe : bin.resolve("java")).toString();
  }

  /** A heap for the walk's two bit sets of the file's pages, and room for LMDB's reads. */
  private static long heapMegabytes(final long fileBytes) {
    return 256 + 2 * (fileBytes / 512 / 8) / (1 << 20);
  }

  private static List<String> read(final Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Arrays.asList(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\\R"));
  }

  private static String tail(final List<String> lines) {
    final StringBuilder sb = new StringBuilder();
    for (int i = Math.max(0, lines.size() - 5); i < lines.size(); i++) {
      sb.append(i > 0 && sb.length() > 0 ? " | " : "").append(lines.get(i).strip());
    }
    return sb.length() == 0 ? "(no output)" : sb.toString();
  }

  private static String decode(final String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static void deleteTree(final Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory left behind; nothing of the check depends on it
    }
  }
}
