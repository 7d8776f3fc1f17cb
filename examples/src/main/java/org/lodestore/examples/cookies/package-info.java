/**
 * The cookie store example: cookies by authid (CBOR), a unique cookie-id index, a modified-time
 * index, and the purge of expired cookies through it. {@link
 * org.lodestore.examples.cookies.CookieStore} is the service a web transport would call; {@link
 * org.lodestore.examples.cookies.CookieExample} simulates an afternoon of logins. The store is
 * thread-safe; the cookies it returns are heap records (CBOR), usable after the transaction.
 */
package org.lodestore.examples.cookies;
