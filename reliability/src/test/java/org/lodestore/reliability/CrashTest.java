package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Kill -9 during indexed writes: a {@link CrashChild} writes rows with a unique and a UUID-set
 * index plus counters, acknowledging each transaction only after {@code commit()} returned; this
 * test SIGKILLs it at a random moment, reopens the database, and checks that every acknowledged
 * commit is there, that no unacknowledged one is (except the single one that may have been in
 * flight), that the table and both indexes agree exactly, and that the counters match. The same
 * database carries over from cycle to cycle.
 *
 * <p>Short form 30 cycles, long form ({@code -Preliability}) 300.
 */
@Tag("crash")
class CrashTest {

  private static final int MAX_REPORTED = 20;

  @TempDir Path tmp;

  /** What the database must hold: the rows and counters of all acknowledged transactions. */
  private static final class Model {
    final Map<UUID, Item> rows = new HashMap<>();
    long txns;
    long writes;

    void apply(final List<String[]> ops) {
      for (final String[] op : ops) {
        final UUID id = UUID.fromString(op[1]);
        if ("D".equals(op[0])) {
          rows.remove(id);
        } else {
          rows.put(id, new Item(op[2], UUID.fromString(op[3]), null));
        }
        writes++;
      }
      txns++;
    }
  }

  private final List<String> problems = new ArrayList<>();
  private int mismatches;
  private int lost;

  @Test
  void killDuringIndexedWrites_losesNoAcknowledgedCommit() throws Exception {
    final long seed = TestSeed.seed("CrashTest");
    final Random rnd = new Random(seed);
    final int cycles = Reliability.pick(30, 300);
    final int maxDelayMillis = Reliability.pick(500, 700);
    final Path dir = tmp.resolve("db");
    final Path crashDir = tmp.resolve("crash");
    final Model model = new Model();
    long commits = 0;
    int inDoubt = 0;
    int inDoubtCommitted = 0;
    int earlyKills = 0;
    final long started = System.nanoTime();
    for (int cycle = 0; cycle < cycles; cycle++) {
      final long childSeed = rnd.nextLong();
      final boolean early = rnd.nextInt(8) == 0;
      final List<String> lines = new ArrayList<>();
      try (ChildProcess child =
          ChildProcess.start(
              CrashChild.class,
              crashDir,
              "192m",
              List.of("-XX:TieredStopAtLevel=1"), // a short-lived child: start fast, JIT little
              dir.toString(),
              Long.toString(childSeed))) {
        if (early) {
          earlyKills++;
          Thread.sleep(rnd.nextInt(1500));
        } else {
          child.awaitLine("READY", Duration.ofSeconds(60));
          Thread.sleep(rnd.nextInt(maxDelayMillis));
        }
        assertThat(child.isAlive())
            .as(
                "cycle %d (child seed %d): the child must be running when killed; %s",
                cycle, childSeed, child.describe())
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
      // replay the protocol: apply every acknowledged transaction to the model
      String pending = null;
      long pendingNo = -1;
      for (final String line : lines) {
        if (line.startsWith("TXN ")) {
          pending = line;
          pendingNo = txnNumber(line);
        } else if (line.matches("ACK \\d+")) {
          final long n = Long.parseLong(line.substring(4));
          if (n != pendingNo || n != model.txns + 1) {
            problem(
                "cycle %d: ACK %d does not follow TXN %d / model at %d",
                cycle, n, pendingNo, model.txns);
            mismatches++;
            continue;
          }
          model.apply(ops(pending));
          commits++;
          pending = null;
          pendingNo = -1;
        }
      }
      if (pending != null) {
        inDoubt++;
      }
      if (verify(dir, model, pending, pendingNo, cycle, childSeed)) {
        inDoubtCommitted++;
      }
    }
    final long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    Reliability.report(
        "crash",
        "cycles",
        cycles,
        "commits",
        commits,
        "lost",
        lost,
        "mismatches",
        mismatches,
        "inDoubt",
        inDoubt,
        "inDoubtCommitted",
        inDoubtCommitted,
        "earlyKills",
        earlyKills,
        "rows",
        model.rows.size(),
        "seconds",
        seconds,
        "seed",
        seed);
    assertThat(problems).as("problems (seed %d)", seed).isEmpty();
    assertThat(lost).isZero();
    assertThat(mismatches).isZero();
    assertThat(commits).as("the children made progress").isPositive();
  }

  /**
   * Reopens the database and compares it with the model; returns whether the in-flight transaction
   * turned out committed (then it is applied to the model). Resynchronises the model with the
   * database after a discrepancy, so that one fault is counted once.
   */
  private boolean verify(
      final Path dir,
      final Model model,
      final String pending,
      final long pendingNo,
      final int cycle,
      final long childSeed) {
    boolean pendingCommitted = false;
    try (Database db =
        Database.open(dir, DatabaseOptions.builder().initialMapSize(1L << 20).build())) {
      final CrashSchema s = db.attach(new CrashSchema());
      try (Txn txn = db.beginRead()) {
        final long txns = s.counters.value(txn, CrashSchema.TXNS);
        if (pending != null && txns == pendingNo && txns == model.txns + 1) {
          model.apply(ops(pending)); // committed, killed before the acknowledgement
          pendingCommitted = true;
        }
        if (txns < model.txns) {
          lost += (int) (model.txns - txns);
          problem(
              "cycle %d (child seed %d): %d acknowledged commits lost (db at txn %d, acked %d)",
              cycle, childSeed, model.txns - txns, txns, model.txns);
        } else if (txns > model.txns) {
          mismatches++;
          problem(
              "cycle %d (child seed %d): db at txn %d but only %d were acknowledged",
              cycle, childSeed, txns, model.txns);
        }
        final Map<UUID, Item> actual = new HashMap<>();
        try (Cursor<UUID, Item> c = s.items.select(txn, KeyRange.all())) {
          while (c.next()) {
            actual.put(c.key(), c.value());
          }
        }
        for (final Map.Entry<UUID, Item> e : model.rows.entrySet()) {
          final Item got = actual.get(e.getKey());
          if (got == null) {
            lost++;
            problem("cycle %d: acknowledged row %s missing", cycle, e.getKey());
          } else if (!got.name().equals(e.getValue().name())
              || !got.group().equals(e.getValue().group())) {
            mismatches++;
            problem("cycle %d: row %s is %s, expected %s", cycle, e.getKey(), got, e.getValue());
          }
        }
        for (final UUID id : actual.keySet()) {
          if (!model.rows.containsKey(id)) {
            mismatches++;
            problem("cycle %d: row %s was never acknowledged", cycle, id);
          }
        }
        checkIndexes(s, txn, actual, cycle);
        final long rows = s.counters.value(txn, CrashSchema.ROWS);
        final long writes = s.counters.value(txn, CrashSchema.WRITES);
        if (rows != actual.size() || rows != s.items.count(txn)) {
          mismatches++;
          problem(
              "cycle %d: rows counter %d, table has %d (count %d)",
              cycle, rows, actual.size(), s.items.count(txn));
        }
        if (writes != model.writes) {
          mismatches++;
          problem(
              "cycle %d: writes counter %d, acknowledged writes %d", cycle, writes, model.writes);
        }
        if (!problems.isEmpty()) {
          // resynchronise, so that later cycles count only new faults
          model.rows.clear();
          actual.forEach((k, v) -> model.rows.put(k, new Item(v.name(), v.group(), null)));
          model.txns = txns;
          model.writes = writes;
        }
      }
    }
    return pendingCommitted;
  }

  private void checkIndexes(
      final CrashSchema s, final Txn txn, final Map<UUID, Item> actual, final int cycle) {
    for (final Map.Entry<UUID, Item> e : actual.entrySet()) {
      final UUID holder = s.byName.key(txn, e.getValue().name());
      if (!e.getKey().equals(holder)) {
        mismatches++;
        problem(
            "cycle %d: by_name[%s] -> %s, expected %s",
            cycle, e.getValue().name(), holder, e.getKey());
      }
      if (!s.byGroup.contains(txn, e.getValue().group(), e.getKey())) {
        mismatches++;
        problem("cycle %d: by_group lacks (%s, %s)", cycle, e.getValue().group(), e.getKey());
      }
    }
    if (s.byName.count(txn) != actual.size() || s.byGroup.count(txn) != actual.size()) {
      mismatches++;
      problem(
          "cycle %d: index sizes by_name=%d by_group=%d, rows=%d",
          cycle, s.byName.count(txn), s.byGroup.count(txn), actual.size());
    }
    try (Cursor<String, UUID> c = s.byName.select(txn, KeyRange.all())) {
      while (c.next()) {
        final Item row = actual.get(c.value());
        if (row == null || !row.name().equals(c.key())) {
          mismatches++;
          problem("cycle %d: by_name entry %s -> %s points to %s", cycle, c.key(), c.value(), row);
        }
      }
    }
    try (Cursor<UUID, UUID> c = s.byGroup.select(txn, KeyRange.all())) {
      while (c.next()) {
        final Item row = actual.get(c.value());
        if (row == null || !row.group().equals(c.key())) {
          mismatches++;
          problem("cycle %d: by_group entry %s -> %s points to %s", cycle, c.key(), c.value(), row);
        }
      }
    }
  }

  private static long txnNumber(final String line) {
    final int end = line.indexOf(' ', 4);
    return Long.parseLong(end < 0 ? line.substring(4) : line.substring(4, end));
  }

  private static List<String[]> ops(final String txnLine) {
    final List<String[]> ops = new ArrayList<>();
    final int start = txnLine.indexOf(' ', 4);
    if (start < 0) {
      return ops;
    }
    for (final String op : txnLine.substring(start + 1).split(";")) {
      if (op.isEmpty()) {
        continue;
      }
      final String[] parts = op.split(",");
      if (!(("D".equals(parts[0]) && parts.length == 2)
          || ("P".equals(parts[0]) && parts.length == 4))) {
        throw new IllegalStateException("malformed operation '" + op + "' in " + txnLine);
      }
      ops.add(parts);
    }
    return ops;
  }

  private void problem(final String format, final Object... args) {
    if (problems.size() < MAX_REPORTED) {
      problems.add(String.format(format, args));
    }
  }
}
