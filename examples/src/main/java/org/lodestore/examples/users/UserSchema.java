package org.lodestore.examples.users;

import java.time.Instant;
import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.schema.CounterTable;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * User accounts with the index kinds of the Go "model" package and Mail.Ru's ActiveRecord in the
 * reference documents, each maintained by every write:
 *
 * <pre>
 *  users                         uuid -> User (CBOR)
 *    by_email                    email -> uuid                      unique
 *    by_country                  country -> {uuid}                  equality
 *    by_age                      age -> {uuid}                      ordered (range scans, either way)
 *    by_country_signed_up_desc   (country, desc(signedUp)) -> {uuid}
 *                                composite: filter by country, newest first
 *  logins                        uuid -> long                       a counter per user
 *  flags                         uuid -> long                       64 flag bits per user
 * </pre>
 *
 * The composite index's second component is {@code descending(TIMESTAMP)}: its bytes are
 * complemented, so a forward scan of one country's prefix yields the newest sign-up first, without
 * a reverse scan. Its key codec is the constant {@link #COUNTRY_NEWEST_FIRST}, which also types its
 * prefix ranges: {@code KeyRange.prefix(COUNTRY_NEWEST_FIRST, "NL")}.
 */
public final class UserSchema extends Schema {

  /** Bit of {@link #logins}' value set once a user verified their e-mail. */
  public static final int VERIFIED_BIT = 0;

  /** The key of {@link #byCountryNewestFirst}: (country, sign-up time descending). */
  public static final Tuple2KeyCodec<String, Instant> COUNTRY_NEWEST_FIRST =
      KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.descending(KeyCodecs.TIMESTAMP));

  /** Users by oid. */
  public final SchemaTable<UUID, User> users =
      table(
          "35af9b83-2336-4bf6-88ac-de5a7aeb202a",
          "users",
          KeyCodecs.UUID,
          CborCodec.of(User.class));

  /** The user with an e-mail. */
  public final UniqueIndex<String, UUID, User> byEmail =
      uniqueIndex(users, "by_email", KeyCodecs.STRING, User::email);

  /** The users of a country. */
  public final MultiIndex<String, UUID, User> byCountry =
      index(users, "by_country", KeyCodecs.STRING, User::country);

  /** Users ordered by age. */
  public final MultiIndex<Integer, UUID, User> byAge =
      index(users, "by_age", KeyCodecs.INT, User::age);

  /** The users of a country, newest sign-up first. */
  public final MultiIndex<Tuple2<String, Instant>, UUID, User> byCountryNewestFirst =
      index(
          users,
          "by_country_signed_up_desc",
          COUNTRY_NEWEST_FIRST,
          u -> Tuple2.of(u.country(), u.signedUp()));

  /** Per user: the number of logins. */
  public final CounterTable<UUID> logins =
      counterTable("baf3a421-f261-44c2-9b66-0041d3aeab9d", "logins", KeyCodecs.UUID);

  /** Per user: flag bits, such as {@link #VERIFIED_BIT}. */
  public final CounterTable<UUID> flags =
      counterTable("3250b375-abe5-4ad8-9aed-057a8f829edd", "flags", KeyCodecs.UUID);
}
