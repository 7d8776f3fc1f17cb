package org.lodestore.examples.cookies;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.lodestore.core.Database;
import org.lodestore.examples.Examples;

/**
 * The cookie store example: a simulated afternoon of logins on a web transport. Users log in at
 * regular intervals over two hours; every tenth user logs in again near the end (which replaces
 * their cookie); then requests present cookies, and the expired ones are purged through the time
 * index.
 */
public final class CookieExample {

  /** When the simulation starts. */
  public static final Instant T0 = Instant.parse("2026-01-05T12:00:00Z");

  /** How long a cookie lives after it was last modified. */
  public static final Duration MAX_AGE = Duration.ofHours(1);

  /** How long the simulated logins go on. */
  public static final Duration SPAN = Duration.ofHours(2);

  /**
   * What the example found; the test checks it.
   *
   * @param stored cookies stored after all logins (one per user)
   * @param freshFound whether a recent cookie is found on request
   * @param expiredFound whether an expired, not yet purged cookie is found (it must not be)
   * @param replacedFound whether a cookie replaced by a later login still works (it must not)
   * @param renewedFound whether the cookie of that later login works
   * @param touched whether a request could use a cookie that was about to expire
   * @param touchedAliveLater whether that cookie still works after its original expiry
   * @param purged cookies the purge deleted
   * @param remaining cookies left after it
   * @param consistent whether the table and both indexes agree afterwards
   */
  public record Result(
      long stored,
      boolean freshFound,
      boolean expiredFound,
      boolean replacedFound,
      boolean renewedFound,
      boolean touched,
      boolean touchedAliveLater,
      int purged,
      long remaining,
      boolean consistent) {}

  private CookieExample() {}

  /**
   * Runs the example with 1,000 users in {@code data/examples/cookies} (or the directory given as
   * the first argument), starting fresh.
   *
   * @param args an optional database directory
   */
  public static void main(final String[] args) {
    final Path dir = Examples.databaseDir(args, "cookies");
    Examples.deleteDatabase(dir);
    run(dir, 1_000, System.out);
  }

  /**
   * Runs the simulation.
   *
   * @param dir the database directory (created if missing)
   * @param users how many users log in, a multiple of 20
   * @param out where to print
   * @return what the example found
   */
  public static Result run(final Path dir, final int users, final PrintStream out) {
    checkUsers(users);
    try (Database db = Database.open(dir)) {
      return run(db, users, out);
    }
  }

  /**
   * Runs the simulation, on an open database (a test's, say); {@link #run(Path, int, PrintStream)}
   * opens one and runs this.
   *
   * @param db an open database; the example attaches its schema
   * @param users how many users log in, a multiple of 20
   * @param out where to print
   * @return what the example found
   */
  public static Result run(final Database db, final int users, final PrintStream out) {
    checkUsers(users);
    final CookieStore store = new CookieStore(db, MAX_AGE);
    final Duration step = SPAN.dividedBy(users);
    final List<Cookie> cookies = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      cookies.add(store.storeOnLogin(T0.plus(step.multipliedBy(u)), authid(u), "user", "ticket"));
    }
    final Instant end = T0.plus(SPAN);
    // every tenth user logs in again just before the end: the new cookie replaces the old
    final List<Cookie> renewed = new ArrayList<>();
    for (int u = 0; u < users; u += 10) {
      renewed.add(store.storeOnLogin(end.minusSeconds(60), authid(u), "user", "ticket"));
    }
    final long stored = store.count();
    out.printf(
        "%,d logins by %,d users over %s: %,d cookies stored (one per user)%n",
        users + users / 10, users, SPAN, stored);

    // requests at the end: user 0's first cookie was replaced, user 1's has expired (logged in
    // at T0, max age 1h), the last user's is fresh
    final boolean freshFound = store.lookup(end, cookies.get(users - 1).cookieId()).isPresent();
    final boolean expiredFound = store.lookup(end, cookies.get(1).cookieId()).isPresent();
    final boolean replacedFound = store.lookup(end, cookies.get(0).cookieId()).isPresent();
    final boolean renewedFound = store.lookup(end, renewed.get(0).cookieId()).isPresent();
    out.printf(
        "lookup on request: fresh cookie %s, expired cookie %s, replaced cookie %s, renewed"
            + " cookie %s%n",
        found(freshFound), found(expiredFound), found(replacedFound), found(renewedFound));

    // user users/2 + 1 logged in just under an hour before the end; a request now keeps their
    // cookie alive for another hour (its by_modified entry moves to now)
    final Cookie active = cookies.get(users / 2 + 1);
    final boolean touched = store.touch(end, active.cookieId());

    final int purged = store.purgeExpired(end);
    final long remaining = store.count();
    final boolean consistent = store.indexesConsistent();
    final boolean touchedLater =
        store.lookup(end.plus(Duration.ofMinutes(30)), active.cookieId()).isPresent();
    out.printf(
        "purge at %s (cut-off %s, through the by_modified index): %,d expired cookies deleted,"
            + " %,d left; table and indexes agree: %s%n",
        end, end.minus(MAX_AGE), purged, remaining, consistent);
    out.printf("cookie used at the end: still valid 30 minutes later: %s%n", touchedLater);
    return new Result(
        stored,
        freshFound,
        expiredFound,
        replacedFound,
        renewedFound,
        touched,
        touchedLater,
        purged,
        remaining,
        consistent);
  }

  private static void checkUsers(final int users) {
    if (users <= 0 || users % 20 != 0) {
      throw new IllegalArgumentException("users must be a positive multiple of 20: " + users);
    }
  }

  private static String authid(final int user) {
    return String.format("user-%05d", user);
  }

  private static String found(final boolean found) {
    return found ? "found" : "not found";
  }
}
