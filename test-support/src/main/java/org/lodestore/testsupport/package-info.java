/**
 * The project's own shared test support, for the tests of every Lodestore module (test scope):
 * {@link org.lodestore.testsupport.ChildJvm} and {@link org.lodestore.testsupport.ChildProcess} run
 * a test main class in a child JVM (lmdbjava's flags, the test classpath, a timeout, JVM crash logs
 * collected) so that a crash or a hang fails one test instead of the build; {@link
 * org.lodestore.testsupport.TestSeed} prints every randomized test's seed and replays it; {@code
 * org.lodestore.testsupport.fbs} holds the FlatBuffers test entity generated from one {@code
 * market.fbs}; {@link org.lodestore.testsupport.TestBroker} starts a single-node Kafka broker in
 * the JVM (on 127.0.0.1 only) for store-kafka's tests, the replication example and the replication
 * benchmark, whose modules declare the broker's artifacts (optional here).
 *
 * <p>It depends on nothing of Lodestore, so that store-core's and store-schema's tests can use it
 * (they cannot use store-testing, which depends on both). Applications use store-testing instead.
 * Everything here is safe to use from any thread; a {@link org.lodestore.testsupport.ChildProcess}
 * belongs to the test that started it.
 */
package org.lodestore.testsupport;
