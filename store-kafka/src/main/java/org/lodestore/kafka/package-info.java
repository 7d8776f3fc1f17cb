/**
 * Lodestore beyond one machine: a database's change feed ({@link org.lodestore.core.ChangeFeed})
 * shipped through Kafka to replicas on other machines.
 *
 * <ul>
 *   <li>{@link org.lodestore.kafka.Shipper} runs beside the database that is written (the leader)
 *       and publishes every feed entry, exactly once and in order, to a topic of one partition, in
 *       Kafka transactions. The topic is the only record of what was shipped.
 *   <li>{@link org.lodestore.kafka.Follower} keeps a replica from that topic: bootstrapped from a
 *       {@code backupTo} snapshot of the leader, it applies each poll in one LMDB transaction with
 *       its position, and serves reads through an ordinary {@link org.lodestore.core.Database}.
 * </ul>
 *
 * <p>Guarantees: one writer per database (the leader); replicas are asynchronous (read your own
 * writes with {@code ChangeFeed.write} and {@link org.lodestore.kafka.Follower#awaitApplied})
 * unless the shipper runs semi-sync; a replica equals the leader byte for byte at every seq it
 * applied, or stops with a typed error. Unique indexes hold per database.
 *
 * <p>Threads: each shipper and follower works on a thread of its own; their methods are
 * thread-safe. Failures are {@link org.lodestore.kafka.KafkaFeedException} (naming the topic and
 * seq) or the core's {@link org.lodestore.core.FeedGapException}; a stopped shipper or follower
 * says why in {@code failure()}.
 */
package org.lodestore.kafka;
