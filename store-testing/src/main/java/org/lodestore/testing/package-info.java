/**
 * Test support for applications that use Lodestore.
 *
 * <ul>
 *   <li>{@link org.lodestore.testing.LodestoreExtension} gives a JUnit 5 test a fresh database (and
 *       an attached schema, {@link org.lodestore.testing.AttachSchema}) and fails the test if it
 *       left a transaction open.
 *   <li>{@link org.lodestore.testing.Fixtures} (and {@link org.lodestore.testing.Fixture} on a
 *       test) loads rows from JSON Lines or JSON resources into the schema's tables, through the
 *       schema, so that indexes are built and constraints enforced; a refused row is a {@link
 *       org.lodestore.testing.FixtureException} naming the resource, line, table and key.
 *   <li>{@link org.lodestore.testing.TableAssertions} asserts that a table and its indexes hold
 *       exactly the expected rows (Java objects or a fixture) and prints a readable diff.
 * </ul>
 *
 * <p>Rows are written and compared in {@link org.lodestore.schema.RowJson}'s form, the one {@code
 * lodestore export} writes and {@code lodestore import} reads. Everything here runs on the test's
 * thread, inside the transactions it is given or opens; nothing keeps state between tests.
 */
package org.lodestore.testing;
