/**
 * The replication example: {@link org.lodestore.examples.replication.TickSchema} (a time series of
 * ticks keyed (series, time), CBOR values) written on a leader with a change feed, shipped through
 * Kafka by store-kafka's {@code Shipper} and applied by its {@code Follower} to a replica that
 * reads the same schema; {@link org.lodestore.examples.replication.ReplicationExample} runs it all
 * in one JVM, with an embedded broker on 127.0.0.1.
 *
 * <p>Lifetime: everything the example opens (broker, leader, shipper, follower) is closed before it
 * returns, and its directories are deleted.
 */
package org.lodestore.examples.replication;
