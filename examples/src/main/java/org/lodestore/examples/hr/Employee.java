package org.lodestore.examples.hr;

import java.util.UUID;

/**
 * An employee, stored as CBOR in {@link HrSchema#employees} under its oid.
 *
 * @param company the employer's oid (a reference to {@link HrSchema#companies})
 * @param email the work e-mail, unique across all companies (lower case)
 * @param name the full name
 * @param title the job title
 */
public record Employee(UUID company, String email, String name, String title) {}
