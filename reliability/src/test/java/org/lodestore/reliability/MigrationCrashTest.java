package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.reliability.MigrationSchemas.Market;
import org.lodestore.reliability.MigrationSchemas.User;
import org.lodestore.reliability.MigrationSchemas.V1;
import org.lodestore.reliability.MigrationSchemas.V2;
import org.lodestore.serializers.CborCodec;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * Kill -9 during a {@link org.lodestore.schema.TableMigration} (issue 15, item 1): a table of
 * {@code Market} values with a unique index is migrated to {@code User} values (no property in
 * common, other indexes) by a {@link MigrationCrashChild} with a random batch size, SIGKILLed after
 * a random number of committed batches (and a random 0..3 ms more, so the kill lands inside a batch
 * or its commit); then again, resumed by another child, and so on; finally this process resumes it
 * to the end. After every kill the table must be exactly what the recorded progress says: the rows
 * up to the recorded last key hold the transformed value, every later row its old value, no batch
 * acknowledged by the child is lost, and every attach (old or new declaration) is refused with the
 * message to resume. At the end the table must be exactly the transform of the original rows, each
 * value transformed once, both indexes of the new declaration must match it, and the catalog must
 * record the new type with no migration left.
 *
 * <p>Short form 4 kills over 3,000 rows, long form 40 over 30,000.
 */
@Tag("crash")
class MigrationCrashTest {

  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path tmp;

  private final List<String> problems = new ArrayList<>();

  @Test
  void killDuringMigration_resumedRunsGiveExactlyTheTransformedTable() throws Exception {
    final long seed = TestSeed.seed("MigrationCrashTest");
    final Random rnd = new Random(seed);
    final int rows = Reliability.pick(3_000, 30_000);
    final int kills = Reliability.pick(4, 40);
    final Path dir = tmp.resolve("db");
    final Path crashDir = tmp.resolve("crash");
    final long started = System.nanoTime();

    try (Database db = Database.open(dir)) {
      final V1 v1 = db.attach(new V1());
      db.write(
          txn -> {
            for (int i = 0; i < rows; i++) {
              v1.things.put(txn, MigrationSchemas.key(i), MigrationSchemas.market(seed, i));
            }
          });
    }

    int killed = 0;
    int finishedBeforeKill = 0;
    int lostBatches = 0;
    int mixedMismatches = 0;
    int attachAccepted = 0;
    int attachRefused = 0;
    int crashLogs = 0;
    long migrated = 0;
    for (int cycle = 0; cycle < kills && migrated < rows; cycle++) {
      final int batchSize = 16 + rnd.nextInt(200);
      // spread the kills over the rows left: at most one share of them per cycle
      final long target =
          migrated + 1 + rnd.nextInt((int) Math.max(1, (rows - migrated) / (kills - cycle)));
      long acked = migrated;
      boolean done = false;
      try (ChildProcess child =
          ChildProcess.start(
              MigrationCrashChild.class,
              crashDir,
              "192m",
              List.of("-XX:TieredStopAtLevel=1"),
              dir.toString(),
              Integer.toString(batchSize))) {
        child.awaitLine("READY", Duration.ofSeconds(120));
        while (acked < target && !done) {
          final String line = child.awaitLine("", Duration.ofSeconds(120));
          if (line.startsWith("BATCH ")) {
            acked = Long.parseLong(line.split(" ")[1]);
          } else if (line.startsWith("DONE")) {
            done = true;
          }
        }
        Thread.sleep(rnd.nextInt(4));
        if (child.isAlive() && !done) {
          child.kill();
          killed++;
        } else {
          finishedBeforeKill++;
        }
        child.waitFor(Duration.ofSeconds(60));
        for (String line;
            !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(10))); ) {
          if (line == null) {
            throw new IllegalStateException(
                "stdout of a dead child did not end; " + child.describe());
          }
          if (line.startsWith("BATCH ")) {
            acked = Long.parseLong(line.split(" ")[1]);
          }
        }
        crashLogs += child.crashLogs().size();
      }
      // what the catalog says was done, and whether the table is exactly that
      try (Database db = Database.open(dir)) {
        final Map<String, Object> entry = catalogEntry(db);
        @SuppressWarnings("unchecked")
        final Map<String, Object> migration = (Map<String, Object>) entry.get("migration");
        final boolean finished = migration == null && isUser(entry);
        final long recorded =
            finished ? rows : migration == null ? 0 : ((Number) migration.get("rows")).longValue();
        if (recorded < acked) {
          lostBatches++;
          problem(
              "cycle %d: the child acknowledged %d rows, the catalog records %d",
              cycle, acked, recorded);
        }
        if (migration != null && recorded > 0) {
          final String lastKey = (String) migration.get("lastKey");
          if (!HEX.formatHex(encoded(MigrationSchemas.key((int) recorded - 1))).equals(lastKey)) {
            mixedMismatches++;
            problem("cycle %d: %d rows recorded but last key %s", cycle, recorded, lastKey);
          }
        }
        mixedMismatches += checkMixed(db, seed, rows, recorded, cycle);
        if (!finished) {
          for (final org.lodestore.schema.Schema s : List.of(new V1(), new V2())) {
            try {
              db.attach(s);
              attachAccepted++;
              problem("cycle %d: %s attached while the migration is unfinished", cycle, s);
            } catch (SchemaMismatchException e) {
              if (e.getMessage().contains("resume the migration")) {
                attachRefused++;
              } else {
                attachAccepted++;
                problem("cycle %d: refused for another reason: %s", cycle, e.getMessage());
              }
            }
          }
        }
        migrated = recorded;
      }
    }

    // resume to the end here, with yet another batch size
    int finalMismatches = 0;
    int indexMismatches = 0;
    try (Database db = Database.open(dir)) {
      final long total = MigrationSchemas.migration(new V2(), 16 + rnd.nextInt(200)).run(db);
      if (total != rows && migrated < rows) {
        problem("the final run reports %d rows of %d", total, rows);
        finalMismatches++;
      }
      final V2 v2 = db.attach(new V2());
      try (Txn txn = db.beginRead()) {
        if (v2.things.count(txn) != rows) {
          finalMismatches++;
          problem("%d rows after the migration, %d before", v2.things.count(txn), rows);
        }
        for (int i = 0; i < rows; i++) {
          final UUID k = MigrationSchemas.key(i);
          final User want = MigrationSchemas.user(MigrationSchemas.market(seed, i));
          final User got = v2.things.get(txn, k);
          if (!want.equals(got)) {
            finalMismatches++;
            problem("row %d: %s, expected %s", i, got, want);
          }
          if (!k.equals(v2.bySymbol.key(txn, want.email()))
              || !v2.byAge.contains(txn, (long) want.age(), k)) {
            indexMismatches++;
            problem("row %d: index entries missing for %s", i, want);
          }
        }
        if (v2.bySymbol.count(txn) != rows || v2.byAge.count(txn) != rows) {
          indexMismatches++;
          problem(
              "index sizes %d and %d for %d rows",
              v2.bySymbol.count(txn), v2.byAge.count(txn), rows);
        }
      }
      final Map<String, Object> entry = catalogEntry(db);
      if (entry.get("migration") != null || !isUser(entry)) {
        finalMismatches++;
        problem("catalog after the migration: %s", entry);
      }
      try {
        db.attach(new V1());
        attachAccepted++;
        problem("the old declaration attached after the migration");
      } catch (SchemaMismatchException e) {
        // the value type rule
      }
    }
    final long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    Reliability.report(
        "migrationCrash",
        "rows",
        rows,
        "kills",
        killed,
        "finishedBeforeKill",
        finishedBeforeKill,
        "attachRefusedWhileUnfinished",
        attachRefused,
        "lostBatches",
        lostBatches,
        "mixedMismatches",
        mixedMismatches,
        "attachAccepted",
        attachAccepted,
        "finalMismatches",
        finalMismatches,
        "indexMismatches",
        indexMismatches,
        "crashLogs",
        crashLogs,
        "seconds",
        seconds,
        "seed",
        seed);
    assertThat(problems).as("problems (seed %d)", seed).isEmpty();
    assertThat(
            lostBatches
                + mixedMismatches
                + attachAccepted
                + finalMismatches
                + indexMismatches
                + crashLogs)
        .isZero();
    assertThat(killed).as("kills that landed during the migration").isPositive();
  }

  /**
   * Counts rows that are not what {@code recorded} migrated rows say: rows below it hold the
   * transformed value, the others the original one.
   */
  private int checkMixed(
      final Database db, final long seed, final int rows, final long recorded, final int cycle) {
    final Table<UUID, User> users =
        OwnerTables.table(db, MigrationSchemas.OID, KeyCodecs.UUID, CborCodec.of(User.class))
            .withValueChecksum(ValueChecksum.CRC32C);
    final Table<UUID, Market> markets =
        OwnerTables.table(db, MigrationSchemas.OID, KeyCodecs.UUID, CborCodec.of(Market.class))
            .withValueChecksum(ValueChecksum.CRC32C);
    int bad = 0;
    try (Txn txn = db.beginRead()) {
      if (users.count(txn) != rows) {
        bad++;
        problem("cycle %d: %d rows, expected %d", cycle, users.count(txn), rows);
      }
      for (int i = 0; i < rows; i++) {
        final Market old = MigrationSchemas.market(seed, i);
        final Object want = i < recorded ? MigrationSchemas.user(old) : old;
        final Object got =
            i < recorded
                ? users.get(txn, MigrationSchemas.key(i))
                : markets.get(txn, MigrationSchemas.key(i));
        if (!want.equals(got)) {
          bad++;
          problem(
              "cycle %d: row %d is %s, expected %s (%d rows recorded)",
              cycle, i, got, want, recorded);
        }
      }
    }
    return bad;
  }

  private static Map<String, Object> catalogEntry(final Database db) throws Exception {
    final Table<String, byte[]> catalog =
        OwnerTables.table(db, "__lodestore_catalog", KeyCodecs.STRING, ValueCodecs.BYTES);
    final byte[] bytes = db.readAndGet(txn -> catalog.get(txn, MigrationSchemas.OID));
    @SuppressWarnings("unchecked")
    final Map<String, Object> entry = new CBORMapper().readValue(bytes, Map.class);
    return entry;
  }

  private static boolean isUser(final Map<String, Object> entry) {
    @SuppressWarnings("unchecked")
    final Map<String, Object> type = (Map<String, Object>) entry.get("valueType");
    return type != null && User.class.getName().equals(type.get("type"));
  }

  private static byte[] encoded(final UUID key) {
    final ByteBuffer b = ByteBuffer.allocate(16);
    KeyCodecs.UUID.encode(key, b);
    return b.array();
  }

  private void problem(final String format, final Object... args) {
    if (problems.size() < 20) {
      problems.add(String.format(format, args));
    }
  }
}
