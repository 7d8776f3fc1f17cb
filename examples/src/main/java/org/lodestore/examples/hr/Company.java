package org.lodestore.examples.hr;

/**
 * A company, stored as CBOR in {@link HrSchema#companies} under its oid.
 *
 * @param name the company's name
 * @param country where it is registered (ISO 3166 alpha-2)
 */
public record Company(String name, String country) {}
