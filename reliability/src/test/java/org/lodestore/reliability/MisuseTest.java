package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * Random API misuse in a child JVM ({@link MisuseChild}): at least 10,000 sequences (long form
 * 50,000) of use after commit, abort and close, writes in read transactions, write transactions
 * touched from another thread, {@code Database.close()} with transactions, cursors and views open
 * (then using them), double closes and map growth while views are held. Only documented exceptions,
 * no silent use of something that ended, and no {@code hs_err} file.
 */
@Tag("misuse")
class MisuseTest {

  private static final Pattern DONE =
      Pattern.compile(
          "DONE sequences=(\\d+) steps=(\\d+) raised=(\\d+) silent=(\\d+) "
              + "violations=(\\d+) types=(.*)");

  @TempDir Path tmp;

  @Test
  void randomMisuse_onlyDocumentedExceptions_noCrash() throws Exception {
    final long seed = TestSeed.seed("MisuseTest");
    final int sequences = Reliability.pick(10_000, 50_000);
    final List<String> violations = new ArrayList<>();
    String done = null;
    final long started = System.nanoTime();
    int exit;
    List<Path> crashLogs;
    String description;
    try (ChildProcess child =
        ChildProcess.start(
            MisuseChild.class,
            tmp.resolve("crash"),
            "256m",
            tmp.resolve("dbs").toString(),
            Long.toString(seed),
            Integer.toString(sequences))) {
      for (String line; !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofMinutes(10))); ) {
        if (line == null) {
          throw new IllegalStateException(
              "misuse child silent for 10 minutes; " + child.describe());
        }
        if (line.startsWith("VIOLATION")) {
          violations.add(line);
        } else if (line.startsWith("DONE")) {
          done = line;
        }
      }
      exit = child.waitFor(Duration.ofMinutes(1));
      crashLogs = child.crashLogs();
      description = child.describe();
    }
    final long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    final Matcher m = done == null ? null : DONE.matcher(done);
    final boolean parsed = m != null && m.matches();
    Reliability.report(
        "misuse",
        "sequences",
        parsed ? m.group(1) : "?",
        "steps",
        parsed ? m.group(2) : "?",
        "raised",
        parsed ? m.group(3) : "?",
        "silent",
        parsed ? m.group(4) : "?",
        "violations",
        parsed ? m.group(5) : violations.size() + "+",
        "hsErr",
        crashLogs.size(),
        "exit",
        exit,
        "seconds",
        seconds,
        "seed",
        seed,
        "types",
        parsed ? m.group(6) : "?");
    assertThat(crashLogs).as("JVM crash logs (seed %d): %s", seed, description).isEmpty();
    assertThat(exit).as("child exit (seed %d): %s", seed, description).isZero();
    assertThat(violations).as("violations (seed %d)", seed).isEmpty();
    assertThat(parsed).as("child summary: %s", done).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isGreaterThanOrEqualTo(10_000);
  }

  /**
   * Fixed defect: {@code Database.close()} from another thread leaves a write transaction to be
   * "aborted when that thread next uses or closes it", but {@code commit()} by that thread is not
   * such a use: it commits to LMDB and returns normally, publishing writes after the database was
   * closed. Expected: {@link InvalidStateException} from {@code commit()}, nothing published.
   */
  @Test
  @SuppressWarnings("try") // closes the database inside its try-with-resources on purpose
  void commitAfterDatabaseClose_throwsAndPublishesNothing() throws Exception {
    final Path dir = tmp.resolve("commit-after-close");
    final UUID key = new UUID(1, 2);
    final ExecutorService writer = Executors.newSingleThreadExecutor();
    Throwable outcome = null;
    try (Database db = Database.open(dir)) {
      final Table<UUID, String> t = db.table("t", KeyCodecs.UUID, ValueCodecs.STRING);
      final Txn txn =
          writer
              .submit(
                  () -> {
                    final Txn w = db.beginWrite();
                    t.put(w, key, "written before close");
                    return w;
                  })
              .get();
      db.close(); // from this thread: the writer's transaction stays until its owner ends it
      outcome =
          writer
              .submit(
                  () -> {
                    try {
                      txn.commit();
                      return null;
                    } catch (RuntimeException e) {
                      return e;
                    }
                  })
              .get();
    } finally {
      writer.shutdown();
    }
    final String stored;
    try (Database db = Database.open(dir)) {
      final Table<UUID, String> t = db.table("t", KeyCodecs.UUID, ValueCodecs.STRING);
      stored = db.readAndGet(txn -> t.get(txn, key));
    }
    Reliability.report(
        "misuse-commitAfterClose", "commitThrew", outcome != null, "published", stored != null);
    assertThat(outcome)
        .as("commit() after Database.close()")
        .isInstanceOf(InvalidStateException.class);
    assertThat(stored).as("row written by a transaction committed after close").isNull();
  }

  /**
   * Was a known defect, fixed (detach keeps the address; the map range is replaced by sealed zero
   * pages before LMDB unmaps it): a zero-copy view read by one thread while another thread ends its
   * transaction ({@code txn}), closes the database ({@code db}) or ends it and grows the map
   * ({@code grow}) crashes the JVM (SIGSEGV). Detaching writes the view's address and capacity
   * without any synchronisation with the reading thread: a read that passed the bounds check with
   * the old limit then reads address 0 + index, and a compiled loop that hoisted the address keeps
   * reading the old mapping after munmap/mremap. Each mode runs in its own child JVM.
   */
  @Test
  void closeWhileAnotherThreadReadsView_neverCrashes() throws Exception {
    final long seed = TestSeed.seed("MisuseTest-viewRace");
    final StringBuilder crashes = new StringBuilder();
    final List<Object> figures = new ArrayList<>();
    for (final String mode : List.of("txn", "db", "grow")) {
      final Path dir = tmp.resolve("race-" + mode);
      String summary = null;
      try (ChildProcess child =
          ChildProcess.start(
              ViewRaceChild.class,
              dir.resolve("crash"),
              "128m",
              dir.resolve("dbs").toString(),
              Long.toString(seed),
              "200",
              mode)) {
        final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (String line;
            !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(5))); ) {
          if (line != null && line.startsWith("RACE")) {
            summary = line;
          }
          if (System.nanoTime() > deadline) {
            break;
          }
        }
        if (child.isAlive()) {
          child.kill();
        }
        child.waitFor(Duration.ofMinutes(1));
        final List<Path> logs = child.crashLogs();
        figures.add(mode + "HsErr");
        figures.add(logs.size());
        if (!logs.isEmpty()) {
          crashes.append("\n[").append(mode).append("] ").append(child.describe());
        } else if (summary == null) {
          crashes.append("\n[").append(mode).append("] no summary: ").append(child.describe());
        }
      }
    }
    figures.add("seed");
    figures.add(seed);
    Reliability.report("misuse-viewRace", figures.toArray());
    assertThat(crashes.toString()).as("JVM crashes").isEmpty();
  }
}
