package org.lodestore.examples.users;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;
import org.lodestore.examples.Examples;
import org.lodestore.examples.market.Ids;
import org.lodestore.schema.Page;
import org.lodestore.schema.UniqueViolationException;

/**
 * The users example: each index kind answering the query it is for, paging with "more available",
 * and counters changed by mutators inside the write transaction.
 *
 * <p>The data is a deterministic function of the user number {@code u} (see {@link #user}), so that
 * the test can compute every expected answer independently.
 */
public final class UsersExample {

  /** The countries users come from; user {@code u} lives in {@code COUNTRIES[u % 5]}. */
  public static final List<String> COUNTRIES = List.of("NL", "DE", "FR", "US", "JP");

  /** When user 0 signed up; user {@code u} signed up {@code u} hours later. */
  public static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  /** The page size used to page through a country's users. */
  public static final int PAGE_SIZE = 6;

  /**
   * What the example found; the test checks it.
   *
   * @param users the number of users written
   * @param dutch the number of users in NL, from the equality index (O(log n), no scan)
   * @param pageSizes the sizes of the pages of NL's users, {@link #PAGE_SIZE} at a time
   * @param pageMore the "more available" answer of each of those pages
   * @param thirties the ages 30..39 in index order, from the ordered index
   * @param oldest the ages of the 3 oldest users, from a reverse scan of the same index
   * @param newestDutch the names of the 5 newest NL users, from the composite index
   * @param byEmail the name found under user 7's e-mail
   * @param duplicateRefused whether a second account with that e-mail was refused
   * @param usersAfterDuplicate the number of users after the refused write (unchanged)
   * @param loginsOfUser3 the login counter of user 3
   * @param totalLogins the sum of all login counters
   * @param verified the number of users with the verified bit set
   */
  public record Result(
      long users,
      long dutch,
      List<Integer> pageSizes,
      List<Boolean> pageMore,
      List<Integer> thirties,
      List<Integer> oldest,
      List<String> newestDutch,
      String byEmail,
      boolean duplicateRefused,
      long usersAfterDuplicate,
      long loginsOfUser3,
      long totalLogins,
      long verified) {}

  private UsersExample() {}

  /**
   * Runs the example with 500 users in {@code data/examples/users} (or the directory given as the
   * first argument), starting fresh.
   *
   * @param args an optional database directory
   */
  public static void main(final String[] args) {
    final Path dir = Examples.databaseDir(args, "users");
    Examples.deleteDatabase(dir);
    run(dir, 500, System.out);
  }

  /**
   * User number {@code u}.
   *
   * @param u the user number, from 0
   * @return the user
   */
  public static User user(final int u) {
    return new User(
        "User " + u,
        "user" + u + "@example.com",
        COUNTRIES.get(u % COUNTRIES.size()),
        18 + (u * 7) % 60,
        T0.plusSeconds(3_600L * u));
  }

  /**
   * The oid of user number {@code u}.
   *
   * @param u the user number
   * @return the oid
   */
  public static UUID oid(final int u) {
    return Ids.named("user/" + u);
  }

  /**
   * Writes the users, simulates their logins, and runs the queries.
   *
   * @param dir the database directory (created if missing)
   * @param users how many users
   * @param out where to print
   * @return what the example found
   */
  public static Result run(final Path dir, final int users, final PrintStream out) {
    try (Database db = Database.open(dir)) {
      return run(db, users, out);
    }
  }

  /**
   * Writes the users, simulates their logins, and runs the queries, on an open database (a test's,
   * say); {@link #run(Path, int, PrintStream)} opens one and runs this.
   *
   * @param db an open database; the example attaches its schema
   * @param users how many users
   * @param out where to print
   * @return what the example found
   */
  public static Result run(final Database db, final int users, final PrintStream out) {
    final UserSchema s = db.attach(new UserSchema());
    db.write(
        txn -> {
          for (int u = 0; u < users; u++) {
            s.users.put(txn, oid(u), user(u)); // four indexes updated with each put
          }
        });
    // user u logs in (u % 4) + 1 times; even users verify their e-mail on the first login.
    // The mutators read and write the counter inside the write transaction: no lost update.
    db.write(
        txn -> {
          for (int u = 0; u < users; u++) {
            for (int i = 0; i <= u % 4; i++) {
              s.logins.increment(txn, oid(u), 1);
            }
            if (u % 2 == 0) {
              s.flags.setBit(txn, oid(u), UserSchema.VERIFIED_BIT);
            }
          }
        });
    out.printf("%,d users written, with 4 indexes and 2 counter tables%n", users);

    final UUID intruder = UUID.randomUUID();
    boolean refused = false;
    try {
      db.write(
          txn ->
              s.users.put(txn, intruder, new User("Mallory", "user7@example.com", "NL", 30, T0)));
    } catch (UniqueViolationException e) {
      refused = true;
      out.println("second account for user7@example.com refused: " + e.getMessage());
    }
    final boolean duplicateRefused = refused;

    try (Txn txn = db.beginRead()) {
      return query(txn, s, users, duplicateRefused, out);
    }
  }

  private static Result query(
      final Txn txn,
      final UserSchema s,
      final int users,
      final boolean duplicateRefused,
      final PrintStream out) {
    // equality: how many, then page through them with limit/offset and "more available"
    final long dutch = s.byCountry.count(txn, "NL");
    final List<Integer> pageSizes = new ArrayList<>();
    final List<Boolean> pageMore = new ArrayList<>();
    for (long offset = 0; ; offset += PAGE_SIZE) {
      final Page<Row<UUID, User>> page = s.byCountry.page(txn, "NL", offset, PAGE_SIZE);
      pageSizes.add(page.rows().size());
      pageMore.add(page.moreAvailable());
      if (!page.moreAvailable()) {
        break;
      }
    }
    out.printf(
        "users in NL (equality index): %d; paged %d at a time: %d pages, the last of %d rows;"
            + " 'more available' on all but the last: %s%n",
        dutch,
        PAGE_SIZE,
        pageSizes.size(),
        pageSizes.get(pageSizes.size() - 1),
        !pageMore.get(pageMore.size() - 1)
            && !pageMore.subList(0, pageMore.size() - 1).contains(false));

    // ordered: a range of ages ascending, and the top of the order descending
    final List<Integer> thirties = ages(s.byAge.page(txn, KeyRange.closed(30, 39)));
    final List<Integer> oldest =
        ages(s.byAge.page(txn, KeyRange.<Integer>all().reversed().limit(3)));
    out.printf(
        "ages 30..39 (ordered index): %d users, ascending: %s ...%n",
        thirties.size(), thirties.subList(0, Math.min(12, thirties.size())));
    out.println("3 oldest (same index, reversed): " + oldest);

    // composite: filter by country, order by sign-up time, newest first
    final List<String> newestDutch = new ArrayList<>();
    for (final Row<UUID, User> row :
        s.byCountryNewestFirst
            .page(txn, KeyRange.prefix(UserSchema.COUNTRY_NEWEST_FIRST, "NL").limit(5))
            .rows()) {
      newestDutch.add(row.value().name() + " (" + row.value().signedUp() + ")");
    }
    out.println("5 newest in NL (composite index): " + newestDutch);

    // unique
    final String byEmail = s.byEmail.get(txn, "user7@example.com").name();
    out.println("user7@example.com (unique index): " + byEmail);

    // counters
    final long loginsOfUser3 = s.logins.value(txn, oid(3));
    long totalLogins = 0;
    long verified = 0;
    for (int u = 0; u < users; u++) {
      totalLogins += s.logins.value(txn, oid(u));
      if (s.flags.testBit(txn, oid(u), UserSchema.VERIFIED_BIT)) {
        verified++;
      }
    }
    out.printf(
        "logins: user 3 %d, all users %,d; verified e-mails: %d%n",
        loginsOfUser3, totalLogins, verified);
    return new Result(
        users,
        dutch,
        pageSizes,
        pageMore,
        thirties,
        oldest,
        newestDutch,
        byEmail,
        duplicateRefused,
        s.users.count(txn),
        loginsOfUser3,
        totalLogins,
        verified);
  }

  private static List<Integer> ages(final Page<Row<UUID, User>> page) {
    final List<Integer> ages = new ArrayList<>();
    for (final Row<UUID, User> row : page.rows()) {
      ages.add(row.value().age());
    }
    return ages;
  }
}
