package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.reliability.StaleSchemas.Outcome;
import org.lodestore.reliability.StaleSchemas.V1;
import org.lodestore.reliability.StaleSchemas.V2;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * A stale schema declaration next to a newer one (issue 11, item 1): {@link V1} declares {@code
 * users} without indexes and stays attached; {@link V2} attaches the same oid with the unique index
 * {@code by_email}, backfilled. Every later write through V1 to {@code users} must be refused with
 * a {@code SchemaMismatchException} naming the table and the index, so that the index never goes
 * wrong (no row missing from it, no stale entry, no e-mail twice under UNIQUE, no valid V2 write
 * refused because of a stale entry). Reads through V1, and its writes to tables V2 did not change,
 * stay allowed.
 *
 * <p>Twice: with both declarations in this process, and as a rolling deploy, with V1 attached in a
 * {@link StaleSchemaChild} process before this process attaches V2. Short form 150 stale writes
 * each, long form 3,000.
 */
@Tag("multi-process")
class StaleSchemaTest {

  private static final int ROWS = 100;

  private static final Pattern DONE =
      Pattern.compile(
          "DONE attempts=(\\d+) refused=(\\d+) accepted=(\\d+) other=(\\d+) "
              + "unchangedWrites=(\\d+) reads=(\\d+)");

  @TempDir Path tmp;

  private static Database open(final Path dir) {
    return Database.open(dir, DatabaseOptions.builder().durability(Durability.NO_SYNC).build());
  }

  @Test
  void staleDeclaration_writesRefusedInProcessAndAcrossProcesses_indexNeverWrong()
      throws Exception {
    final long seed = TestSeed.seed("StaleSchemaTest");
    final SplittableRandom rnd = new SplittableRandom(seed);
    final int ops = Reliability.pick(150, 3000);
    final List<String> problems = new ArrayList<>();

    // 1. both declarations in this process
    final Outcome in;
    int mismatches = 0;
    int currentRefused = 0;
    try (Database db = open(tmp.resolve("in-process"))) {
      final V1 v1 = db.attach(new V1());
      StaleSchemas.populate(db, v1, ROWS);
      final V2 v2 = db.attach(new V2());
      in = StaleSchemas.staleWrites(db, v1, rnd, ops, "in");
      mismatches += db.readAndGet(txn -> StaleSchemas.mismatches(txn, v2, problems));
      currentRefused += StaleSchemas.currentWrites(db, v2, ROWS, "in");
      mismatches += db.readAndGet(txn -> StaleSchemas.mismatches(txn, v2, problems));
    }

    // 2. a rolling deploy: the old version in another process, attached before the new one
    final Path dir = tmp.resolve("two-processes");
    final Path go = tmp.resolve("go");
    final Matcher cross;
    String other = "";
    try (Database db = open(dir)) {
      StaleSchemas.populate(db, db.attach(new V1()), ROWS);
      try (ChildProcess child =
          ChildProcess.start(
              StaleSchemaChild.class,
              tmp.resolve("crash"),
              "128m",
              dir.toString(),
              go.toString(),
              Integer.toString(ops),
              Long.toString(seed))) {
        child.awaitLine("READY", Duration.ofSeconds(60));
        final V2 v2 = db.attach(new V2());
        Files.createFile(go);
        String done = null;
        for (String line; done == null; ) {
          line = child.awaitLine("", Duration.ofSeconds(180));
          if (line.startsWith("OTHER")) {
            other = line;
          } else if (line.startsWith("DONE")) {
            done = line;
          }
        }
        assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.describe()).isZero();
        assertThat(child.crashLogs()).as(child.describe()).isEmpty();
        cross = DONE.matcher(done);
        assertThat(cross.matches()).as(done).isTrue();
        mismatches += db.readAndGet(txn -> StaleSchemas.mismatches(txn, v2, problems));
        currentRefused += StaleSchemas.currentWrites(db, v2, ROWS, "parent");
        mismatches += db.readAndGet(txn -> StaleSchemas.mismatches(txn, v2, problems));
      }
    }
    final int crossAttempts = Integer.parseInt(cross.group(1));
    final int crossRefused = Integer.parseInt(cross.group(2));
    final int crossAccepted = Integer.parseInt(cross.group(3));
    final int crossOther = Integer.parseInt(cross.group(4));
    Reliability.report(
        "staleSchema",
        "inProcessStaleWrites",
        in.attempts,
        "inProcessRefused",
        in.refused,
        "inProcessAccepted",
        in.accepted,
        "crossProcessStaleWrites",
        crossAttempts,
        "crossProcessRefused",
        crossRefused,
        "crossProcessAccepted",
        crossAccepted,
        "otherFailures",
        in.other + crossOther,
        "unchangedTableWrites",
        in.unchangedWrites + Integer.parseInt(cross.group(5)),
        "staleReads",
        in.reads + Integer.parseInt(cross.group(6)),
        "indexMismatches",
        mismatches,
        "currentWritesRefused",
        currentRefused,
        "seed",
        seed);
    assertThat(problems).as("index problems, seed %d", seed).isEmpty();
    assertThat(mismatches).isZero();
    assertThat(currentRefused).as("valid writes of the new declaration refused").isZero();
    assertThat(in.accepted).as("stale writes accepted in process").isZero();
    assertThat(crossAccepted).as("stale writes accepted by the other process").isZero();
    assertThat(in.other + crossOther).as("%s %s", in.firstOther, other).isZero();
    assertThat(in.refused).isEqualTo(in.attempts).isPositive();
    assertThat(crossRefused).isEqualTo(crossAttempts).isPositive();
  }
}
