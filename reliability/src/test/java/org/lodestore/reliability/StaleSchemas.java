package org.lodestore.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.CounterTable;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaSetTable;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * The two declarations of a rolling deploy ({@link StaleSchemaTest}): {@link V1}, the old service
 * version, declares {@code users} without indexes; {@link V2}, the new one, adds the unique index
 * {@code by_email}. Both declare the same counters and set table, which the new version does not
 * change. {@link #staleWrites} is what the old version keeps doing after the new one attached.
 */
final class StaleSchemas {

  static final String USERS = "5ca1e000-0000-4000-8000-000000000001";
  static final String COUNTERS = "5ca1e000-0000-4000-8000-000000000002";
  static final String FOLLOWS = "5ca1e000-0000-4000-8000-000000000003";

  /**
   * A user.
   *
   * @param name any text
   * @param email unique under {@link V2}
   */
  public record User(String name, String email) {}

  /** The old declaration: no index on users. */
  static class V1 extends Schema {
    final SchemaTable<UUID, User> users =
        table(USERS, "users", KeyCodecs.UUID, CborCodec.of(User.class));
    final CounterTable<String> counters = counterTable(COUNTERS, "counters", KeyCodecs.STRING);
    final SchemaSetTable<UUID, UUID> follows =
        setTable(FOLLOWS, "follows", KeyCodecs.UUID, KeyCodecs.UUID);
  }

  /** The new declaration: users gain a unique index on the e-mail, backfilled at attach. */
  static final class V2 extends V1 {
    final UniqueIndex<String, UUID, User> byEmail =
        uniqueIndex(users, "by_email", KeyCodecs.STRING, User::email);
  }

  private StaleSchemas() {}

  static UUID key(final int i) {
    return new UUID(0x5ca1eL, i);
  }

  /** Writes {@code n} users with distinct e-mails, through any declaration. */
  static void populate(final Database db, final V1 schema, final int n) {
    db.write(
        txn -> {
          for (int i = 0; i < n; i++) {
            schema.users.put(txn, key(i), new User("user " + i, "user" + i + "@example.com"));
          }
        });
  }

  /** What {@link #staleWrites} counted. */
  static final class Outcome {
    /** Writes attempted on the changed table (users). */
    int attempts;

    /** Of those: refused with a SchemaMismatchException naming users and by_email. */
    int refused;

    /** Of those: accepted (each one leaves by_email wrong). */
    int accepted;

    /** Of those: failed otherwise (a refusal that does not name the table and the index). */
    int other;

    /** Writes through the old declaration to tables the new one did not change (allowed). */
    int unchangedWrites;

    /** Reads through the old declaration after the new one attached (allowed). */
    int reads;

    /** The first unexpected failure, for the report. */
    String firstOther = "";

    @Override
    public String toString() {
      return "attempts="
          + attempts
          + " refused="
          + refused
          + " accepted="
          + accepted
          + " other="
          + other
          + " unchangedWrites="
          + unchangedWrites
          + " reads="
          + reads;
    }
  }

  /**
   * Writes through {@code stale} (attached before {@code by_email} existed), each write in its own
   * transaction: inserts with fresh e-mails, e-mail changes, duplicates of a present e-mail,
   * deletes, replaces, updates, and finally a truncate; plus counter and set writes and reads,
   * which the new declaration did not change.
   */
  static Outcome staleWrites(
      final Database db,
      final V1 stale,
      final SplittableRandom rnd,
      final int ops,
      final String tag) {
    final Outcome out = new Outcome();
    for (int i = 0; i <= ops; i++) {
      final List<UUID> present = db.readAndGet(txn -> keys(txn, stale));
      out.reads++;
      final int dice = i == ops ? -1 : rnd.nextInt(8);
      if (dice == 6) {
        final String counter = "c" + rnd.nextInt(4);
        db.write(txn -> stale.counters.increment(txn, counter, 1));
        out.unchangedWrites++;
        continue;
      }
      if (dice == 7) {
        db.write(txn -> stale.follows.add(txn, key(rnd.nextInt(50)), key(rnd.nextInt(50))));
        out.unchangedWrites++;
        continue;
      }
      final UUID some = present.isEmpty() ? key(0) : present.get(rnd.nextInt(present.size()));
      final UUID other = present.isEmpty() ? key(1) : present.get(rnd.nextInt(present.size()));
      final String fresh = tag + "-" + i + "@example.com";
      out.attempts++;
      try {
        db.write(
            txn -> {
              switch (dice) {
                case 0 -> stale.users.insert(txn, UUID.randomUUID(), new User("new", fresh));
                case 1 -> stale.users.put(txn, some, new User("moved", fresh));
                case 2 -> {
                  final User taken = stale.users.get(txn, other);
                  final String email = taken == null ? fresh : taken.email();
                  stale.users.put(txn, UUID.randomUUID(), new User("duplicate", email));
                }
                case 3 -> stale.users.delete(txn, some);
                case 4 -> stale.users.replace(txn, some, new User("replaced", fresh));
                case 5 -> stale.users.update(txn, some, u -> new User(u.name(), fresh));
                default -> stale.users.truncate(txn);
              }
            });
        out.accepted++;
      } catch (SchemaMismatchException e) {
        final String m = String.valueOf(e.getMessage());
        if (m.contains("users") && m.contains("by_email")) {
          out.refused++;
        } else {
          out.other++;
          out.firstOther = out.firstOther.isEmpty() ? e.toString() : out.firstOther;
        }
      } catch (RuntimeException e) {
        out.other++;
        out.firstOther = out.firstOther.isEmpty() ? e.toString() : out.firstOther;
      }
    }
    return out;
  }

  private static List<UUID> keys(final Txn txn, final V1 schema) {
    final List<UUID> out = new ArrayList<>();
    try (Cursor<UUID, User> c = schema.users.select(txn, KeyRange.all())) {
      while (c.next()) {
        out.add(c.key());
      }
    }
    return out;
  }

  /**
   * Counts the disagreements between users and by_email: rows missing from the index or mapped to
   * another row, index entries with no row of that e-mail, and e-mails held by two rows.
   */
  static int mismatches(final Txn txn, final V2 current, final List<String> problems) {
    int bad = 0;
    final java.util.Map<String, UUID> holders = new java.util.HashMap<>();
    try (Cursor<UUID, User> c = current.users.select(txn, KeyRange.all())) {
      while (c.next()) {
        final User u = c.value();
        final UUID k = c.key();
        final UUID first = holders.putIfAbsent(u.email(), k);
        if (first != null) {
          bad++;
          note(problems, "e-mail " + u.email() + " held by " + first + " and " + k);
        }
        final UUID indexed = current.byEmail.key(txn, u.email());
        if (!k.equals(indexed)) {
          bad++;
          note(problems, "row " + k + " (" + u.email() + ") indexed as " + indexed);
        }
      }
    }
    try (Cursor<String, UUID> c = current.byEmail.select(txn, KeyRange.all())) {
      while (c.next()) {
        final User u = current.users.get(txn, c.value());
        if (u == null || !u.email().equals(c.key())) {
          bad++;
          note(problems, "stale entry " + c.key() + " -> " + c.value() + " (row: " + u + ")");
        }
      }
    }
    return bad;
  }

  private static void note(final List<String> problems, final String problem) {
    if (problems.size() < 20) {
      problems.add(problem);
    }
  }

  /**
   * Valid writes through the current declaration after the stale ones: a fresh e-mail for every
   * even {@code i}, and for every odd one the populated e-mail {@code user<i>@example.com}, written
   * to the row that has it or, if no row has it any more, to a new row. Each must be accepted.
   *
   * @return how many were refused (must be 0)
   */
  static int currentWrites(final Database db, final V2 current, final int n, final String tag) {
    int refused = 0;
    for (int i = 0; i < n; i++) {
      final String email =
          i % 2 == 0 ? tag + "-current-" + i + "@example.com" : "user" + i + "@example.com";
      try {
        db.write(
            txn -> {
              UUID holder = UUID.randomUUID();
              try (Cursor<UUID, User> c = current.users.select(txn, KeyRange.all())) {
                while (c.next()) {
                  if (c.value().email().equals(email)) {
                    holder = c.key();
                  }
                }
              }
              current.users.put(txn, holder, new User("current", email));
            });
      } catch (RuntimeException e) {
        refused++;
      }
    }
    return refused;
  }
}
