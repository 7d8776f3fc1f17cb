package org.lodestore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.FeedGapException;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestBroker;

/**
 * {@link Follower} against a real broker: a replica bootstrapped from a snapshot and fed from the
 * topic equals the leader byte for byte; repeats are skipped and counted; a gap stops it until it
 * bootstraps again; a reader waits for its own write.
 */
class FollowerTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  static final DatabaseOptions REPLICA =
      DatabaseOptions.builder().durability(Durability.NO_SYNC).replica(true).build();

  private static TestBroker broker;

  @TempDir Path dir;

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

  private Shipper shipper(final Database db, final String topic) {
    final Shipper s =
        Shipper.builder(db, topic)
            .bootstrapServers(broker.bootstrapServers())
            .retryBackoff(Duration.ofMillis(200))
            .build();
    s.start();
    return s;
  }

  private Follower.Builder follower(final String topic, final Path snapshot) {
    return Follower.builder(dir.resolve("replica"), topic)
        .bootstrapServers(broker.bootstrapServers())
        .snapshot(snapshot)
        .databaseOptions(REPLICA);
  }

  @Test
  void aFollowerBootstrappedFromASnapshotEqualsTheLeaderByteForByte() throws Exception {
    final String topic = broker.createTopic("follow-snapshot");
    final long seed = FeedTesting.seed("feedFollowSnapshot");
    final Random random = new Random(seed);
    final long started = System.nanoTime();
    final int rounds = FeedTesting.pick(3, 12);
    try (Database leader = Database.open(dir.resolve("leader"), ShipperTest.LEADER);
        Shipper shipper = shipper(leader, topic)) {
      final FeedTesting.Writes w = new FeedTesting.Writes(leader, new Random(seed + 1));
      for (int i = 0; i < 200; i++) {
        w.one();
      }
      leader.backupTo(dir.resolve("snapshot"));
      final long snapshotSeq = leader.feed().lastSeq();
      for (int i = 0; i < 300; i++) {
        w.one();
      }
      w.drop();
      long applied = 0;
      long skipped = 0;
      long maxBehind = 0;
      for (int round = 0; round < rounds; round++) {
        // a follower that restarts every round, from the offset its replica recorded
        try (Follower follower =
            follower(topic, dir.resolve("snapshot"))
                .clientConfig(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 7)
                .build()) {
          follower.start();
          if (round == 0) {
            assertThat(follower.appliedSeq()).isEqualTo(snapshotSeq);
          }
          for (int i = 0; i < 100 + random.nextInt(200); i++) {
            w.one();
            maxBehind = Math.max(maxBehind, follower.entriesBehind());
          }
          final long last = leader.feed().lastSeq();
          while (follower.appliedSeq() < last && follower.isRunning()) {
            maxBehind = Math.max(maxBehind, follower.entriesBehind());
            Thread.sleep(5);
          }
          assertThat(follower.awaitApplied(last, WAIT)).isTrue();
          applied += follower.applied();
          skipped += follower.skipped();
          if (round == rounds - 1) {
            assertThat(shipper.awaitShipped(last, WAIT)).isTrue();
            final long mismatches =
                FeedTesting.mismatches(
                    FeedTesting.contents(leader), FeedTesting.contents(follower.database()));
            final long lost = last - snapshotSeq - applied;
            FeedTesting.report(
                "feedFollowSnapshot",
                "snapshotSeq",
                snapshotSeq,
                "entries",
                last,
                "applied",
                applied,
                "skipped",
                skipped,
                "restarts",
                rounds - 1,
                "maxEntriesBehind",
                maxBehind,
                "lost",
                lost,
                "duplicated",
                0,
                "mismatches",
                mismatches,
                "seconds",
                (System.nanoTime() - started) / 1_000_000_000L);
            assertThat(mismatches).isZero();
            assertThat(lost).isZero();
            assertThat(FeedTesting.contents(follower.database()))
                .isEqualTo(FeedTesting.contents(leader));
            assertThat(FeedTesting.await(() -> follower.entriesBehind() == 0, WAIT)).isTrue();
            assertThat(follower.millisBehind()).isZero();
            assertThat(follower.bootstraps()).isZero(); // the first round's follower did it
            final Table<Long, byte[]> plain =
                follower.database().table("plain", KeyCodecs.LONG, ValueCodecs.BYTES);
            assertThatThrownBy(
                    () -> follower.database().write(txn -> plain.put(txn, 1L, new byte[] {1})))
                .isInstanceOf(InvalidStateException.class);
          }
        }
      }
      assertThat(maxBehind).isPositive();
    }
  }

  @Test
  void entriesRepeatedInTheTopicAreSkippedAndCounted() throws Exception {
    final String topic = broker.createTopic("follow-duplicates");
    final long seed = FeedTesting.seed("feedFollowDuplicates");
    try (Database leader = Database.open(dir.resolve("leader"), ShipperTest.LEADER);
        Shipper shipper = shipper(leader, topic)) {
      final FeedTesting.Writes w = new FeedTesting.Writes(leader, new Random(seed));
      leader.backupTo(dir.resolve("snapshot"));
      final long snapshotSeq = leader.feed().lastSeq(); // the tables' creation
      for (int i = 0; i < 100; i++) {
        w.one();
      }
      assertThat(shipper.awaitShipped(leader.feed().lastSeq(), WAIT)).isTrue();
      // a stray producer writes entries 20..59 again, as a misconfigured second shipper would
      final int repeated = replay(topic, 20, 59);
      for (int i = 0; i < 50; i++) {
        w.one();
      }
      final long last = leader.feed().lastSeq();
      try (Follower follower = follower(topic, dir.resolve("snapshot")).build()) {
        follower.start();
        assertThat(follower.awaitApplied(last, WAIT)).isTrue();
        assertThat(shipper.awaitShipped(last, WAIT)).isTrue();
        final long mismatches =
            FeedTesting.mismatches(
                FeedTesting.contents(leader), FeedTesting.contents(follower.database()));
        final long expected = last - snapshotSeq;
        FeedTesting.report(
            "feedFollowDuplicates",
            "entries",
            last,
            "repeated",
            repeated,
            "applied",
            follower.applied(),
            "skipped",
            follower.skipped(),
            "lost",
            Math.max(0, expected - follower.applied()),
            "duplicated",
            Math.max(0, follower.applied() - expected),
            "mismatches",
            mismatches);
        assertThat(repeated).isEqualTo(40);
        assertThat(follower.skipped()).isEqualTo(repeated);
        assertThat(follower.applied()).isEqualTo(expected);
        assertThat(mismatches).isZero();
      }
    }
  }

  /** Copies the committed records of seqs [from, to] to the end of the topic, in a transaction. */
  private static int replay(final String topic, final long from, final long to) {
    final List<ProducerRecord<byte[], byte[]>> again = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        Records.consumer(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), "replay")) {
      final TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      final long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        for (final ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          final long seq = Records.seq(r);
          if (seq >= from && seq <= to) {
            again.add(new ProducerRecord<>(topic, 0, null, r.key(), r.value(), r.headers()));
          }
        }
      }
    }
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "stray-" + topic),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      p.initTransactions();
      p.beginTransaction();
      again.forEach(p::send);
      p.commitTransaction();
    }
    return again.size();
  }

  @Test
  void aGapLeftByRetentionStopsTheFollowerUntilItBootstrapsAgain() throws Exception {
    final String topic = broker.createTopic("follow-gap");
    final long seed = FeedTesting.seed("feedFollowGap");
    try (Database leader = Database.open(dir.resolve("leader"), ShipperTest.LEADER);
        Shipper shipper = shipper(leader, topic)) {
      final FeedTesting.Writes w = new FeedTesting.Writes(leader, new Random(seed));
      leader.backupTo(dir.resolve("snapshot"));
      for (int i = 0; i < 50; i++) {
        w.one();
      }
      long seq = leader.feed().lastSeq();
      try (Follower follower = follower(topic, dir.resolve("snapshot")).build()) {
        follower.start();
        assertThat(follower.awaitApplied(seq, WAIT)).isTrue();
      }
      // the follower is down; the leader goes on and retention deletes what it missed
      for (int i = 0; i < 50; i++) {
        w.one();
      }
      seq = leader.feed().lastSeq();
      assertThat(shipper.awaitShipped(seq, WAIT)).isTrue();
      final TopicPartition tp = new TopicPartition(topic, 0);
      final long end =
          broker
              .admin()
              .listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
              .partitionResult(tp)
              .get(30, TimeUnit.SECONDS)
              .offset();
      broker
          .admin()
          .deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(end)))
          .all()
          .get(30, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        w.one();
      }
      final long last = leader.feed().lastSeq();
      try (Follower follower = follower(topic, dir.resolve("snapshot")).build()) {
        follower.start();
        assertThat(FeedTesting.await(() -> follower.failure().isPresent(), WAIT)).isTrue();
        assertThat(follower.failure().get())
            .isInstanceOf(FeedGapException.class)
            .hasMessageContaining("missing");
        final long stoppedAt = follower.appliedSeq();
        assertThatThrownBy(() -> follower.awaitApplied(last, Duration.ofSeconds(5)))
            .isInstanceOf(KafkaFeedException.class)
            .hasMessageContaining(topic)
            .hasCauseInstanceOf(FeedGapException.class);
        assertThat(follower.isRunning()).isFalse();

        leader.backupTo(dir.resolve("fresh"));
        follower.rebootstrap(dir.resolve("fresh"));
        for (int i = 0; i < 30; i++) {
          w.one();
        }
        final long now = leader.feed().lastSeq();
        assertThat(follower.awaitApplied(now, WAIT)).isTrue();
        final long mismatches =
            FeedTesting.mismatches(
                FeedTesting.contents(leader), FeedTesting.contents(follower.database()));
        FeedTesting.report(
            "feedFollowGap",
            "gapAfterSeq",
            stoppedAt,
            "gapReported",
            true,
            "rebootstraps",
            follower.bootstraps(),
            "entries",
            now,
            "lost",
            now - follower.appliedSeq(),
            "duplicated",
            0,
            "mismatches",
            mismatches);
        assertThat(stoppedAt).isEqualTo(seq - 50);
        assertThat(follower.bootstraps()).isEqualTo(1);
        assertThat(follower.failure()).isEmpty();
        assertThat(mismatches).isZero();
      }
    }
  }

  @Test
  void aReaderOfTheFollowerSeesItsOwnWriteAfterAwaitApplied() throws Exception {
    final String topic = broker.createTopic("follow-ryw");
    final int writes = FeedTesting.pick(200, 2000);
    try (Database leader = Database.open(dir.resolve("leader"), ShipperTest.LEADER);
        Shipper shipper = shipper(leader, topic)) {
      final Table<Long, byte[]> orders = leader.table("orders", KeyCodecs.LONG, ValueCodecs.BYTES);
      leader.backupTo(dir.resolve("snapshot"));
      try (Follower follower = follower(topic, dir.resolve("snapshot")).build()) {
        follower.start();
        final Table<Long, byte[]> replicaOrders =
            follower.database().table("orders", KeyCodecs.LONG, ValueCodecs.BYTES);
        final Random random = new Random(FeedTesting.seed("feedFollowReadYourWrites"));
        long stale = 0;
        long timedOut = 0;
        final long[] micros = new long[writes];
        for (int i = 0; i < writes; i++) {
          final long key = i;
          final byte[] value = new byte[8 + random.nextInt(32)];
          random.nextBytes(value);
          final long t0 = System.nanoTime();
          final long seq = leader.feed().write(txn -> orders.put(txn, key, value));
          if (!follower.awaitApplied(seq, WAIT)) {
            timedOut++;
            continue;
          }
          micros[i] = (System.nanoTime() - t0) / 1_000;
          final byte[] read = follower.database().readAndGet(txn -> replicaOrders.get(txn, key));
          if (!Arrays.equals(read, value)) {
            stale++;
          }
        }
        Arrays.sort(micros);
        FeedTesting.report(
            "feedFollowReadYourWrites",
            "writes",
            writes,
            "p50Micros",
            micros[writes / 2],
            "p99Micros",
            micros[writes * 99 / 100],
            "lost",
            timedOut,
            "duplicated",
            0,
            "mismatches",
            stale);
        assertThat(timedOut).isZero();
        assertThat(stale).isZero();
        assertThat(shipper.entriesBehind()).isGreaterThanOrEqualTo(0);
      }
    }
  }
}
