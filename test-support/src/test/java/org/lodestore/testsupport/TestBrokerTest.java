package org.lodestore.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-JVM broker: transactions commit, and read_committed readers see what was committed. */
class TestBrokerTest {

  private static TestBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * Every TCP socket this JVM listens on (the broker's and the controller's; Linux only: the
   * sockets of {@code /proc/self/fd} looked up in {@code /proc/net/tcp} and {@code tcp6}) is bound
   * to 127.0.0.1, none to the wildcard address.
   */
  @Test
  void everySocketTheBrokerListensOnIsBoundTo127001Only() throws Exception {
    final Path fds = Path.of("/proc/self/fd");
    assumeTrue(
        Files.isDirectory(fds) && Files.exists(Path.of("/proc/net/tcp")),
        "needs Linux's /proc to list this JVM's sockets");
    final Set<String> inodes = new HashSet<>();
    try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
      for (final Path link : links) {
        try {
          final String target = Files.readSymbolicLink(link).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    final List<String> listening = new ArrayList<>();
    final List<String> notLoopback = new ArrayList<>();
    for (final String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      if (!Files.exists(Path.of(table))) {
        continue;
      }
      final List<String> lines = Files.readAllLines(Path.of(table));
      for (final String line : lines.subList(1, lines.size())) {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        final String[] f = line.trim().split("\\s+");
        if (!f[3].equals("0A") || !inodes.contains(f[9])) {
          continue; // not listening, or not this JVM's
        }
        final String address = f[1].substring(0, f[1].indexOf(':'));
        final int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
        final String socket = table + " " + address + ":" + port;
        listening.add(socket);
        if (!address.equals("0100007F") && !address.equals("0000000000000000FFFF00000100007F")) {
          notLoopback.add(socket);
        }
      }
    }
    final int brokerPort =
        Integer.parseInt(broker.bootstrapServers().substring("127.0.0.1:".length()));
    assertThat(listening)
        .as("this JVM's listening sockets")
        .anyMatch(s -> s.endsWith(":" + brokerPort));
    assertThat(notLoopback).as("listening sockets not on 127.0.0.1").isEmpty();
  }

  @Test
  void aCommittedTransactionIsReadBackAndAnAbortedOneIsNot() throws Exception {
    final String topic = broker.createTopic("broker-smoke");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "smoke",
                ProducerConfig.ACKS_CONFIG, "all"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, 0, null, bytes("kept")));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, 0, null, bytes("dropped")));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, 0, null, bytes("kept too")));
      producer.commitTransaction();
    }
    final List<String> read = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      final TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      final long end = consumer.endOffsets(List.of(tp)).get(tp);
      final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          read.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    assertThat(read).containsExactly("kept", "kept too");
  }

  private static byte[] bytes(final String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
