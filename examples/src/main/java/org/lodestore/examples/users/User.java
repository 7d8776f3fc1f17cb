package org.lodestore.examples.users;

import java.time.Instant;

/**
 * A user account, stored as CBOR in {@link UserSchema#users} under its oid.
 *
 * @param name the display name
 * @param email the login e-mail, unique
 * @param country the country (ISO 3166 alpha-2)
 * @param age the age in years
 * @param signedUp when the account was created
 */
public record User(String name, String email, String country, int age, Instant signedUp) {}
