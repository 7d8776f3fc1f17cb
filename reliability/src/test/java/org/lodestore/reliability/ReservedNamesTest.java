package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.reliability.StaleSchemas.User;
import org.lodestore.reliability.StaleSchemas.V2;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.serializers.JsonCodec;
import org.lodestore.testsupport.ChildProcess;

/**
 * Issue 11, item 14: the reserved {@code "__"} prefix and the tables a schema owns cannot be
 * reached around the schema. Plain access to the catalog (open, write, drop) is refused; a plain
 * {@code Table} of a schema's table, index or set table refuses writes and drops (which would
 * bypass its indexes), whether it was opened before or after the schema attached, in this process
 * or in another one ({@link ReservedNamesChild}, which opened its tables before the database had a
 * catalog). Afterwards the catalog still detects a codec change, and table and index agree.
 */
@Tag("multi-process")
class ReservedNamesTest {

  private static final Pattern DONE =
      Pattern.compile("DONE attempts=(\\d+) refused=(\\d+) accepted=(\\d+) other=(\\d+)");

  /** The users table under another value codec: attach must refuse it. */
  static final class UsersAsJson extends Schema {
    final SchemaTable<UUID, User> users =
        table(StaleSchemas.USERS, "users", KeyCodecs.UUID, JsonCodec.of(User.class));
  }

  /** What {@link #attempts} counted. */
  static final class Outcome {
    int attempts;
    int refused;
    int accepted;
    int other;
    final List<String> lines = new ArrayList<>();

    @Override
    public String toString() {
      return "attempts="
          + attempts
          + " refused="
          + refused
          + " accepted="
          + accepted
          + " other="
          + other;
    }
  }

  @TempDir Path tmp;

  /**
   * Every way around the schema, each in a write transaction of its own: through {@code early} (a
   * plain table of the users oid opened before the schema attached), through plain tables of the
   * users table, its index and the set table opened now, through the catalog's reserved name, and
   * drops of all of them. Each must be refused: reserved names with IllegalArgumentException, owned
   * tables with SchemaMismatchException naming the table and the Schema.
   */
  static Outcome attempts(final Database db, final Table<UUID, byte[]> early, final String tag) {
    final Outcome out = new Outcome();
    final Map<String, Consumer<Txn>> owned = new LinkedHashMap<>();
    final Table<UUID, byte[]> users =
        db.table(StaleSchemas.USERS, KeyCodecs.UUID, ValueCodecs.BYTES);
    final Table<String, byte[]> byEmail =
        db.table("ix:" + StaleSchemas.USERS + ":by_email", KeyCodecs.STRING, ValueCodecs.BYTES);
    final SetTable<UUID, UUID> follows =
        db.setTable(StaleSchemas.FOLLOWS, KeyCodecs.UUID, KeyCodecs.UUID);
    owned.put("early users put", txn -> early.put(txn, UUID.randomUUID(), new byte[] {1}));
    owned.put("early users delete", txn -> early.delete(txn, StaleSchemas.key(0)));
    owned.put("users put", txn -> users.put(txn, StaleSchemas.key(1), new byte[] {2}));
    owned.put("users truncate", users::truncate);
    owned.put("by_email put", txn -> byEmail.put(txn, tag + "@x", new byte[16]));
    owned.put("by_email delete", txn -> byEmail.delete(txn, "user2@example.com"));
    owned.put("follows add", txn -> follows.add(txn, StaleSchemas.key(3), StaleSchemas.key(4)));
    owned.put("drop users", txn -> db.dropTable(txn, StaleSchemas.USERS));
    owned.put("drop by_email", txn -> db.dropTable(txn, "ix:" + StaleSchemas.USERS + ":by_email"));
    owned.put("drop follows", txn -> db.dropTable(txn, StaleSchemas.FOLLOWS));
    for (final Map.Entry<String, Consumer<Txn>> attempt : owned.entrySet()) {
      run(db, out, attempt.getKey(), attempt.getValue(), SchemaMismatchException.class);
    }
    final Map<String, Consumer<Txn>> reserved = new LinkedHashMap<>();
    reserved.put(
        "catalog open",
        txn ->
            db.table(txn, "__lodestore_catalog", KeyCodecs.STRING, ValueCodecs.BYTES)
                .put(txn, StaleSchemas.USERS, new byte[] {0}));
    reserved.put("catalog drop", txn -> db.dropTable(txn, "__lodestore_catalog"));
    reserved.put(
        "reserved set table",
        txn ->
            db.setTable(txn, "__lodestore_x", KeyCodecs.STRING, KeyCodecs.STRING)
                .add(txn, "a", "b"));
    for (final Map.Entry<String, Consumer<Txn>> attempt : reserved.entrySet()) {
      run(db, out, attempt.getKey(), attempt.getValue(), IllegalArgumentException.class);
    }
    return out;
  }

  private static void run(
      final Database db,
      final Outcome out,
      final String what,
      final Consumer<Txn> attempt,
      final Class<? extends RuntimeException> expected) {
    out.attempts++;
    try {
      db.write(attempt);
      out.accepted++;
      out.lines.add("ACCEPTED " + what);
    } catch (RuntimeException e) {
      final String m = String.valueOf(e.getMessage());
      final boolean named =
          expected == IllegalArgumentException.class
              ? m.contains("reserved")
              : m.contains("Schema") && (m.contains("users") || m.contains("follows"));
      if (expected.isInstance(e) && named) {
        out.refused++;
      } else {
        out.other++;
        out.lines.add("OTHER " + what + ": " + e.toString().replace('\n', ' '));
      }
    }
  }

  @Test
  void reservedAndOwnedNames_refusedInProcessAndAcrossProcesses_catalogIntact() throws Exception {
    final Path dir = tmp.resolve("db");
    final Path go = tmp.resolve("go");
    final Outcome in;
    final Matcher cross;
    final List<String> childLines = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    int mismatches;
    long rows = -1;
    try (Database db = Database.open(dir);
        ChildProcess child =
            ChildProcess.start(
                ReservedNamesChild.class,
                tmp.resolve("crash"),
                "128m",
                dir.toString(),
                go.toString())) {
      child.awaitLine("READY", Duration.ofSeconds(60));
      final Table<UUID, byte[]> early =
          db.table(StaleSchemas.USERS, KeyCodecs.UUID, ValueCodecs.BYTES);
      final V2 schema = db.attach(new V2());
      StaleSchemas.populate(db, schema, 20);
      Files.createFile(go);
      in = attempts(db, early, "parent");
      String done = null;
      while (done == null) {
        final String line = child.awaitLine("", Duration.ofSeconds(120));
        if (line.startsWith("DONE")) {
          done = line;
        } else {
          childLines.add(line);
        }
      }
      assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.describe()).isZero();
      assertThat(child.crashLogs()).as(child.describe()).isEmpty();
      cross = DONE.matcher(done);
      assertThat(cross.matches()).as(done).isTrue();
      try {
        mismatches = db.readAndGet(txn -> StaleSchemas.mismatches(txn, schema, problems));
        rows = db.readAndGet(txn -> schema.users.count(txn));
      } catch (RuntimeException e) {
        problems.add("the schema cannot read its own tables: " + e);
        mismatches = -1;
      }
    }
    String codecChange;
    try (Database db = Database.open(dir)) {
      try {
        db.attach(new UsersAsJson());
        codecChange = "notDetected";
      } catch (SchemaMismatchException e) {
        codecChange = e.getMessage().contains("json") ? "detected" : "other";
      }
    }
    final int crossAccepted = Integer.parseInt(cross.group(3));
    final int crossOther = Integer.parseInt(cross.group(4));
    Reliability.report(
        "reservedNames",
        "inProcessAttempts",
        in.attempts,
        "inProcessRefused",
        in.refused,
        "crossProcessAttempts",
        cross.group(1),
        "crossProcessRefused",
        cross.group(2),
        "accepted",
        in.accepted + crossAccepted,
        "otherFailures",
        in.other + crossOther,
        "indexMismatches",
        mismatches,
        "rows",
        rows,
        "codecChange",
        codecChange);
    assertThat(in.lines).as("this process").isEmpty();
    assertThat(childLines).as("the other process").isEmpty();
    assertThat(in.refused).isEqualTo(in.attempts);
    assertThat(Integer.parseInt(cross.group(2))).isEqualTo(Integer.parseInt(cross.group(1)));
    assertThat(problems).isEmpty();
    assertThat(mismatches).isZero();
    assertThat(rows).isEqualTo(20);
    assertThat(codecChange).isEqualTo("detected");
  }
}
