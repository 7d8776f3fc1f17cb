/**
 * Test support for applications that use Lodestore: {@link
 * org.lodestore.testing.LodestoreExtension} gives a JUnit 5 test a fresh database (and an attached
 * schema, {@link org.lodestore.testing.AttachSchema}) and fails the test if it left a transaction
 * open.
 */
package org.lodestore.testing;
