package org.lodestore.examples.cookies;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;

/**
 * The cookie store's operations: store a cookie on login, look it up on each request, purge expired
 * cookies. Every method takes the current time, so that a test (or a simulation) controls the
 * clock. Thread-safe.
 */
public final class CookieStore {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final CookieSchema schema;
  private final Duration maxAge;

  /**
   * Attaches the cookie schema to {@code db}.
   *
   * @param db the database
   * @param maxAge how long a cookie lives after it was last modified
   */
  public CookieStore(final Database db, final Duration maxAge) {
    this.db = Objects.requireNonNull(db, "db");
    this.schema = db.attach(new CookieSchema());
    this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
  }

  /**
   * The schema, for queries this class does not offer.
   *
   * @return the attached schema
   */
  public CookieSchema schema() {
    return schema;
  }

  /**
   * Issues a cookie for a login. A previous cookie of the same authid is replaced, and its cookie
   * id stops working (the unique index entry moves with the row).
   *
   * @param now the time of the login
   * @param authid who logged in
   * @param authrole their role
   * @param authmethod how they authenticated
   * @return the new cookie
   */
  public Cookie storeOnLogin(
      final Instant now, final String authid, final String authrole, final String authmethod) {
    final Cookie cookie = new Cookie(newCookieId(), authid, authrole, authmethod, now, now);
    db.write(txn -> schema.cookies.put(txn, authid, cookie));
    return cookie;
  }

  /**
   * The cookie a request presents, if it is known and not expired.
   *
   * @param now the time of the request
   * @param cookieId the cookie id the browser sent
   * @return the cookie, or empty
   */
  public Optional<Cookie> lookup(final Instant now, final String cookieId) {
    return db.readAndGet(
        txn -> {
          final Cookie cookie = schema.authidByCookieId.get(txn, cookieId);
          return cookie == null || expired(cookie, now) ? Optional.empty() : Optional.of(cookie);
        });
  }

  /**
   * Marks a cookie as used now, extending its life by {@code maxAge}; its time index entry moves.
   *
   * @param now the time of use
   * @param cookieId the cookie id
   * @return true if the cookie was known and not expired
   */
  public boolean touch(final Instant now, final String cookieId) {
    return db.writeAndGet(
        txn -> {
          final String authid = schema.authidByCookieId.key(txn, cookieId);
          final Cookie cookie = authid == null ? null : schema.cookies.get(txn, authid);
          if (cookie == null || expired(cookie, now)) {
            return false;
          }
          schema.cookies.put(
              txn,
              authid,
              new Cookie(
                  cookie.cookieId(),
                  authid,
                  cookie.authrole(),
                  cookie.authmethod(),
                  cookie.created(),
                  now));
          return true;
        });
  }

  /**
   * Deletes every cookie modified more than {@code maxAge} before {@code now}, reading only the
   * expired entries of the time index (oldest first), never the whole table.
   *
   * @param now the current time
   * @return the number of cookies deleted
   */
  public int purgeExpired(final Instant now) {
    final Instant cutoff = now.minus(maxAge);
    return db.writeAndGet(
        txn -> {
          // collect first: deleting a row changes the index this cursor walks
          final List<String> expired = new ArrayList<>();
          try (Cursor<Instant, String> c =
              schema.byModified.select(txn, KeyRange.lessThan(cutoff))) {
            while (c.next()) {
              expired.add(c.value());
            }
          }
          for (final String authid : expired) {
            schema.cookies.delete(txn, authid); // its index entries go with it
          }
          return expired.size();
        });
  }

  /**
   * The number of stored cookies, expired or not.
   *
   * @return the count
   */
  public long count() {
    return db.readAndGet(schema.cookies::count);
  }

  /**
   * Checks that every cookie is reachable through both indexes and nothing else is in them.
   *
   * @return true if the table and its indexes agree
   */
  public boolean indexesConsistent() {
    return db.readAndGet(
        txn -> {
          final long rows = schema.cookies.count(txn);
          if (schema.authidByCookieId.count(txn) != rows || schema.byModified.count(txn) != rows) {
            return false;
          }
          try (Cursor<String, Cookie> c = schema.cookies.select(txn, KeyRange.all())) {
            while (c.next()) {
              final Cookie cookie = c.value();
              if (!c.key().equals(schema.authidByCookieId.key(txn, cookie.cookieId()))
                  || !schema.byModified.contains(txn, cookie.modified(), c.key())) {
                return false;
              }
            }
          }
          return true;
        });
  }

  private boolean expired(final Cookie cookie, final Instant now) {
    return cookie.modified().plus(maxAge).isBefore(now);
  }

  private static String newCookieId() {
    final byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
