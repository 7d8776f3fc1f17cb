package org.lodestore.examples.cookies;

import java.time.Instant;

/**
 * A login cookie of a web transport, stored as CBOR in {@link CookieSchema#cookies} under its
 * authid (one cookie per authid: a new login replaces the old cookie).
 *
 * @param cookieId the random value the browser sends back
 * @param authid who logged in
 * @param authrole the role they were given
 * @param authmethod how they authenticated, e.g. "ticket"
 * @param created when the cookie was issued
 * @param modified when it was last issued or used; it expires {@code maxAge} after this
 */
public record Cookie(
    String cookieId,
    String authid,
    String authrole,
    String authmethod,
    Instant created,
    Instant modified) {}
