/**
 * The users example: equality, ordered, unique and composite indexes, limit/offset paging with a
 * "more available" answer, and counter mutators ({@link org.lodestore.schema.CounterTable}).
 */
package org.lodestore.examples.users;
