package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.reliability.CrashSchema.Item;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * Kill -9 during group commits: a {@link GroupCommitCrashChild} runs 16 threads calling {@code
 * db.write} with {@code Durability.SYNC} (so their calls share commits), each acknowledging a call
 * only after {@code write} returned; this test SIGKILLs it at a random moment, reopens the database
 * and checks that every acknowledged call's two rows are there, that no call is half applied (each
 * call's two rows are both there or neither: calls whose fn threw after the first, and calls in
 * flight at the kill), that nothing is there that no call wrote, and that the table, both indexes
 * and the row counter agree. The same database carries over from kill to kill.
 *
 * <p>Short form 6 kills, long form ({@code -Preliability}) 60.
 */
@Tag("crash")
class GroupCommitCrashTest {

  private static final int MAX_REPORTED = 20;

  @TempDir Path tmp;

  private final List<String> problems = new ArrayList<>();
  private int lost;
  private int halfApplied;
  private int mismatches;

  @Test
  void killDuringGroupCommits_losesNoAcknowledgedCall_andAppliesNoCallByHalves() throws Exception {
    final long seed = TestSeed.seed("GroupCommitCrashTest");
    final Random rnd = new Random(seed);
    final int kills = Reliability.pick(6, 60);
    final Path dir = tmp.resolve("db");
    final Path crashDir = tmp.resolve("crash");
    // every row that must be in the database: acknowledged calls, and in-flight calls found there
    final Map<UUID, Item> model = new HashMap<>();
    long acknowledged = 0;
    long inFlight = 0;
    long inFlightCommitted = 0;
    long thrown = 0;
    long groupCommits = 0;
    long groupedWrites = 0;
    int errors = 0;
    final long started = System.nanoTime();
    for (int kill = 0; kill < kills; kill++) {
      final long run = rnd.nextLong();
      final List<String> lines = new ArrayList<>();
      try (ChildProcess child =
          ChildProcess.start(
              GroupCommitCrashChild.class,
              crashDir,
              "192m",
              List.of("-XX:TieredStopAtLevel=1"),
              dir.toString(),
              Long.toString(run))) {
        // past the first commits, then at a random moment: groups are always forming
        collectUntil(child, "GROUPS", lines);
        Thread.sleep(rnd.nextInt(Reliability.pick(700, 1500)));
        assertThat(child.isAlive())
            .as("kill %d: child running; %s", kill, child.describe())
            .isTrue();
        child.kill();
        child.waitFor(Duration.ofSeconds(30));
        for (String line;
            !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(10))); ) {
          if (line == null) {
            throw new IllegalStateException(
                "stdout of a dead child did not end; " + child.describe());
          }
          lines.add(line);
        }
        assertThat(child.crashLogs()).as(child.describe()).isEmpty();
      }
      // replay: which calls were tried, which acknowledged
      final Map<Long, Boolean> tried = new HashMap<>(); // call key -> fn throws
      final Set<Long> acked = new HashSet<>();
      for (final String line : lines) {
        final String[] f = line.split(" ");
        try {
          if (f[0].equals("TRY") && f.length == 4) {
            tried.put(key(Integer.parseInt(f[1]), Long.parseLong(f[2])), f[3].equals("1"));
          } else if (f[0].equals("ACK") && f.length == 3) {
            acked.add(key(Integer.parseInt(f[1]), Long.parseLong(f[2])));
          } else if (f[0].equals("GROUPS") && f.length == 3) {
            groupCommits = Math.max(groupCommits, Long.parseLong(f[1]));
            groupedWrites = Math.max(groupedWrites, Long.parseLong(f[2]));
          } else if (f[0].equals("ERROR")) {
            errors++;
            problem("kill %d: a writer failed: %s", kill, line);
          }
        } catch (NumberFormatException e) {
          // the last line, cut short by the kill
        }
      }
      for (final long k : acked) {
        if (!tried.containsKey(k) || tried.get(k)) {
          mismatches++;
          problem("kill %d: ACK of call %s that was not tried, or whose fn threw", kill, k);
        } else {
          add(model, run, k);
          acknowledged++;
        }
      }
      for (final Map.Entry<Long, Boolean> e : tried.entrySet()) {
        if (e.getValue()) {
          thrown++;
        } else if (!acked.contains(e.getKey())) {
          inFlight++;
        }
      }
      inFlightCommitted += verify(dir, model, run, tried, acked, kill);
    }
    final long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    Reliability.report(
        "groupCommitCrash",
        "kills",
        kills,
        "writers",
        GroupCommitCrashChild.WRITERS,
        "acknowledged",
        acknowledged,
        "thrown",
        thrown,
        "inFlight",
        inFlight,
        "inFlightCommitted",
        inFlightCommitted,
        "lost",
        lost,
        "halfApplied",
        halfApplied,
        "mismatches",
        mismatches,
        "errors",
        errors,
        "meanGroup",
        groupCommits == 0 ? "-" : String.format("%.1f", (double) groupedWrites / groupCommits),
        "rows",
        model.size(),
        "seconds",
        seconds,
        "seed",
        seed);
    assertThat(problems).as("problems (seed %d)", seed).isEmpty();
    assertThat(lost).isZero();
    assertThat(halfApplied).isZero();
    assertThat(mismatches).isZero();
    assertThat(errors).isZero();
    assertThat(acknowledged).as("the children made progress").isPositive();
    assertThat(groupCommits).as("the children's calls shared commits").isPositive();
  }

  /** Reads the child's lines into {@code lines} until one starts with {@code prefix}. */
  private static void collectUntil(
      final ChildProcess child, final String prefix, final List<String> lines)
      throws InterruptedException {
    final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      final long left = deadline - System.nanoTime();
      final String line = left > 0 ? child.nextLine(Duration.ofNanos(left)) : null;
      if (line == null || ChildProcess.EOF.equals(line)) {
        throw new IllegalStateException(
            "child ended or timed out before printing '" + prefix + "'; " + child.describe());
      }
      lines.add(line);
      if (line.startsWith(prefix)) {
        return;
      }
    }
  }

  private static long key(final int writer, final long call) {
    return ((long) writer << 48) | call;
  }

  private static void add(final Map<UUID, Item> model, final long run, final long key) {
    final int w = (int) (key >>> 48);
    final long i = key & ((1L << 48) - 1);
    for (int k = 0; k < 2; k++) {
      model.put(GroupCommitCrashChild.id(run, w, i, k), GroupCommitCrashChild.row(run, w, i, k));
    }
  }

  /**
   * Reopens the database and compares it with the model; adds in-flight calls found committed to
   * it. Returns how many there were.
   */
  private int verify(
      final Path dir,
      final Map<UUID, Item> model,
      final long run,
      final Map<Long, Boolean> tried,
      final Set<Long> acked,
      final int kill) {
    int committed = 0;
    try (Database db =
        Database.open(dir, DatabaseOptions.builder().initialMapSize(1L << 20).build())) {
      final CrashSchema s = db.attach(new CrashSchema());
      try (Txn txn = db.beginRead()) {
        // calls of this run not acknowledged: both rows or neither; none of a throwing fn
        for (final Map.Entry<Long, Boolean> e : tried.entrySet()) {
          if (acked.contains(e.getKey())) {
            continue;
          }
          final int w = (int) (e.getKey() >>> 48);
          final long i = e.getKey() & ((1L << 48) - 1);
          final boolean first = s.items.get(txn, GroupCommitCrashChild.id(run, w, i, 0)) != null;
          final boolean second = s.items.get(txn, GroupCommitCrashChild.id(run, w, i, 1)) != null;
          if (e.getValue() ? first || second : first != second) {
            halfApplied++;
            problem(
                "kill %d: call %d of writer %d (fn throws: %s) half applied: rows %s/%s",
                kill, i, w, e.getValue(), first, second);
          } else if (first) {
            add(model, run, e.getKey()); // committed, killed before the acknowledgement
            committed++;
          }
        }
        final Map<UUID, Item> actual = new HashMap<>();
        try (Cursor<UUID, Item> c = s.items.select(txn, KeyRange.all())) {
          while (c.next()) {
            actual.put(c.key(), c.value());
          }
        }
        for (final Map.Entry<UUID, Item> e : model.entrySet()) {
          final Item got = actual.get(e.getKey());
          if (got == null) {
            lost++;
            problem("kill %d: acknowledged row %s missing", kill, e.getKey());
          } else if (!got.name().equals(e.getValue().name())
              || !got.group().equals(e.getValue().group())) {
            mismatches++;
            problem("kill %d: row %s is %s, expected %s", kill, e.getKey(), got, e.getValue());
          }
        }
        for (final UUID id : actual.keySet()) {
          if (!model.containsKey(id)) {
            mismatches++;
            problem("kill %d: row %s was never written by a call that returned", kill, id);
          }
        }
        checkIndexes(s, txn, actual, kill);
        final long rows = s.counters.value(txn, CrashSchema.ROWS);
        if (rows != actual.size() || rows != s.items.count(txn)) {
          halfApplied++;
          problem(
              "kill %d: rows counter %d, table has %d (count %d)",
              kill, rows, actual.size(), s.items.count(txn));
        }
        if (!problems.isEmpty()) {
          // resynchronise, so that later kills count only new faults
          model.clear();
          actual.forEach((k, v) -> model.put(k, new Item(v.name(), v.group(), v.payload())));
        }
      }
    }
    return committed;
  }

  private void checkIndexes(
      final CrashSchema s, final Txn txn, final Map<UUID, Item> actual, final int kill) {
    for (final Map.Entry<UUID, Item> e : actual.entrySet()) {
      final UUID holder = s.byName.key(txn, e.getValue().name());
      if (!e.getKey().equals(holder)) {
        halfApplied++;
        problem(
            "kill %d: by_name[%s] -> %s, expected %s",
            kill, e.getValue().name(), holder, e.getKey());
      }
      if (!s.byGroup.contains(txn, e.getValue().group(), e.getKey())) {
        halfApplied++;
        problem("kill %d: by_group lacks (%s, %s)", kill, e.getValue().group(), e.getKey());
      }
    }
    if (s.byName.count(txn) != actual.size() || s.byGroup.count(txn) != actual.size()) {
      halfApplied++;
      problem(
          "kill %d: index sizes by_name=%d by_group=%d, rows=%d",
          kill, s.byName.count(txn), s.byGroup.count(txn), actual.size());
    }
  }

  private void problem(final String format, final Object... args) {
    if (problems.size() < MAX_REPORTED) {
      problems.add(String.format(format, args));
    }
  }
}
