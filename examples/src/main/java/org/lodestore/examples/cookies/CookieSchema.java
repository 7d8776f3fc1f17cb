package org.lodestore.examples.cookies;

import java.time.Instant;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * Crossbar.io's cookie store from the zlmdb reference. zlmdb keeps three tables and updates them by
 * hand in every method; here the two lookups are indexes on the one table, kept in step by every
 * write, so a cookie can never be found through one path and missing from another.
 *
 * <pre>
 *  cookies          authid -> Cookie (CBOR)
 *    by_cookie_id   cookie id -> authid          unique index
 *    by_modified    modified time -> {authid}    non-unique, ordered by time: the purge's scan
 * </pre>
 */
public final class CookieSchema extends Schema {

  /** Cookies by authid. */
  public final SchemaTable<String, Cookie> cookies =
      table(
          "57ddbda4-b8f6-4b64-bb95-12dfd270f525",
          "cookies",
          KeyCodecs.STRING,
          CborCodec.of(Cookie.class));

  /** The authid a cookie id belongs to. */
  public final UniqueIndex<String, String, Cookie> authidByCookieId =
      uniqueIndex(cookies, "by_cookie_id", KeyCodecs.STRING, Cookie::cookieId);

  /** Authids by the time their cookie was last modified, oldest first. */
  public final MultiIndex<Instant, String, Cookie> byModified =
      index(cookies, "by_modified", KeyCodecs.TIMESTAMP, Cookie::modified);
}
