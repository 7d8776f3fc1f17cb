package org.lodestore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.ChangeFeed;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.FeedEntry;
import org.lodestore.core.FeedOptions;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestBroker;

/**
 * {@link Shipper} against a real broker: every committed entry reaches the topic exactly once and
 * in order, across restarts and a second shipper that fences the first; a large entry travels in
 * parts of one transaction.
 */
class ShipperTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  static final DatabaseOptions LEADER =
      DatabaseOptions.builder()
          .durability(Durability.NO_SYNC)
          .changeFeed(FeedOptions.defaults())
          .build();

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

  private Shipper.Builder shipper(final Database db, final String topic) {
    return Shipper.builder(db, topic)
        .bootstrapServers(broker.bootstrapServers())
        .retryBackoff(Duration.ofMillis(200));
  }

  /** Every entry the feed commits from now on, in order, as the feed delivers it. */
  private static List<FeedEntry> record(
      final ChangeFeed feed, final List<ChangeFeed.Subscription> s) {
    final List<FeedEntry> seen = new CopyOnWriteArrayList<>();
    s.add(feed.subscribe(1, seen::add));
    return seen;
  }

  private static long mismatches(final List<FeedEntry> expected, final List<FeedEntry> shipped) {
    long n = Math.abs(expected.size() - shipped.size());
    for (int i = 0; i < Math.min(expected.size(), shipped.size()); i++) {
      if (!Arrays.equals(expected.get(i).bytes(), shipped.get(i).bytes())) {
        n++;
      }
    }
    return n;
  }

  @Test
  void everyCommittedEntryReachesTheTopicExactlyOnceAndInOrder() throws Exception {
    final String topic = broker.createTopic("ship-once");
    final long seed = FeedTesting.seed("feedShipExactlyOnce");
    final int writes = FeedTesting.pick(400, 10_000);
    final long started = System.nanoTime();
    final List<ChangeFeed.Subscription> subs = new CopyOnWriteArrayList<>();
    try (Database db = Database.open(dir.resolve("leader"), LEADER)) {
      final List<FeedEntry> committed = record(db.feed(), subs);
      final FeedTesting.Writes a = new FeedTesting.Writes(db, new Random(seed));
      final FeedTesting.Writes b = new FeedTesting.Writes(db, new Random(seed + 1));
      try (Shipper shipper = shipper(db, topic).maxBatchEntries(50).build()) {
        shipper.start();
        final Thread second =
            new Thread(
                () -> {
                  for (int i = 0; i < writes / 2; i++) {
                    b.one();
                  }
                });
        second.start();
        for (int i = 0; i < writes - writes / 2; i++) {
          a.one();
        }
        second.join();
        final long last = db.feed().lastSeq();
        assertThat(shipper.awaitShipped(last, WAIT)).isTrue();
        assertThat(FeedTesting.await(() -> committed.size() == last, WAIT)).isTrue();
        final FeedTesting.Topic shipped = FeedTesting.read(broker.bootstrapServers(), topic);
        final long lost = shipped.lost(1, last);
        final long duplicated = shipped.duplicated();
        final long mismatches = mismatches(committed, shipped.entries()) + shipped.chainBreaks();
        FeedTesting.report(
            "feedShipExactlyOnce",
            "entries",
            last,
            "transactions",
            shipper.transactions(),
            "records",
            shipped.records(),
            "lost",
            lost,
            "duplicated",
            duplicated,
            "mismatches",
            mismatches,
            "seconds",
            (System.nanoTime() - started) / 1_000_000_000L);
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
        assertThat(mismatches).isZero();
        assertThat(shipped.lastSeq()).isEqualTo(last);
        assertThat(shipper.transactions()).isLessThan(last); // batched
        assertThat(FeedTesting.await(() -> db.feed().acknowledgedSeq() == last, WAIT)).isTrue();
        assertThat(shipper.entriesBehind()).isZero();
        assertThat(shipper.millisBehind()).isZero();
      } finally {
        subs.forEach(ChangeFeed.Subscription::close);
      }
    }
  }

  @Test
  void aSecondShipperWithTheSameIdFencesTheFirstAndNothingIsShippedTwice() throws Exception {
    fencedAfterASecondShipper("feedShipFenced", null, null);
  }

  @Test
  void aShipperFencesTheOneThatLastCommittedToTheTopicWhateverItsId() throws Exception {
    // another id: another prefix here; in production, a new generation of the feed
    fencedAfterASecondShipper("feedShipFencedOtherId", "old-", "new-");
  }

  /**
   * Ships 50 entries with one shipper, starts a second (with the same id, or with the prefixes
   * given), ships 50 more: the second fences the first, and the topic holds every entry once, in
   * order.
   */
  private void fencedAfterASecondShipper(
      final String name, final String olderPrefix, final String newerPrefix) throws Exception {
    final String topic = broker.createTopic("ship-" + name);
    final long seed = FeedTesting.seed(name);
    try (Database db = Database.open(dir.resolve("leader"), LEADER)) {
      final FeedTesting.Writes w = new FeedTesting.Writes(db, new Random(seed));
      final Shipper.Builder olderBuilder = shipper(db, topic).retries(0);
      final Shipper.Builder newerBuilder = shipper(db, topic);
      if (olderPrefix != null) {
        olderBuilder.transactionalIdPrefix(olderPrefix);
        newerBuilder.transactionalIdPrefix(newerPrefix);
      }
      try (Shipper older = olderBuilder.build();
          Shipper newer = newerBuilder.build()) {
        older.start();
        for (int i = 0; i < 50; i++) {
          w.one();
        }
        assertThat(older.awaitShipped(db.feed().lastSeq(), WAIT)).isTrue();
        assertThat(newer.transactionalId().equals(older.transactionalId()))
            .isEqualTo(olderPrefix == null);
        newer.start();
        for (int i = 0; i < 50; i++) {
          w.one();
        }
        final long last = db.feed().lastSeq();
        assertThat(newer.awaitShipped(last, WAIT)).isTrue();
        assertThat(FeedTesting.await(() -> !older.isRunning(), WAIT)).isTrue();
        assertThat(older.failure()).get().isInstanceOf(ShipperFencedException.class);
        assertThat(older.failure())
            .get()
            .extracting(e -> e.getMessage())
            .asString()
            .contains(topic, older.transactionalId());
        assertThatThrownBy(() -> older.awaitShipped(last + 1, Duration.ofSeconds(1)))
            .isInstanceOf(KafkaFeedException.class)
            .hasMessageContaining(topic);
        final FeedTesting.Topic shipped = FeedTesting.read(broker.bootstrapServers(), topic);
        final long lost = shipped.lost(1, last);
        final long duplicated = shipped.duplicated();
        final long mismatches = shipped.chainBreaks();
        FeedTesting.report(
            name,
            "entries",
            last,
            "olderFenced",
            older.failure().isPresent(),
            "lost",
            lost,
            "duplicated",
            duplicated,
            "mismatches",
            mismatches);
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
        assertThat(mismatches).isZero();
      }
    }
  }

  @Test
  void aRestartedShipperResumesFromTheTopicWithoutLossOrDuplicates() throws Exception {
    final String topic = broker.createTopic("ship-restart");
    final long seed = FeedTesting.seed("feedShipRestart");
    final Random random = new Random(seed);
    final int cycles = FeedTesting.pick(6, 40);
    final long started = System.nanoTime();
    try (Database db = Database.open(dir.resolve("leader"), LEADER)) {
      final FeedTesting.Writes w = new FeedTesting.Writes(db, new Random(seed + 1));
      final AtomicBoolean writing = new AtomicBoolean(true);
      final Thread writer =
          new Thread(
              () -> {
                while (writing.get()) {
                  w.one();
                  try {
                    Thread.sleep(1);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      writer.start();
      long transactions = 0;
      try {
        for (int cycle = 0; cycle < cycles; cycle++) {
          try (Shipper shipper =
              shipper(db, topic).maxBatchEntries(1 + random.nextInt(20)).build()) {
            shipper.start();
            Thread.sleep(50 + random.nextInt(400));
            transactions += shipper.transactions();
          } // closed at a random moment, mid-stream
          Thread.sleep(random.nextInt(100)); // writes go on with no shipper
        }
      } finally {
        writing.set(false);
        writer.join();
      }
      final long last = db.feed().lastSeq();
      try (Shipper shipper = shipper(db, topic).build()) {
        shipper.start();
        assertThat(shipper.awaitShipped(last, WAIT)).isTrue();
      }
      final FeedTesting.Topic shipped = FeedTesting.read(broker.bootstrapServers(), topic);
      final long lost = shipped.lost(1, last);
      final long duplicated = shipped.duplicated();
      final long mismatches = shipped.chainBreaks();
      FeedTesting.report(
          "feedShipRestart",
          "cycles",
          cycles,
          "entries",
          last,
          "transactions",
          transactions,
          "lost",
          lost,
          "duplicated",
          duplicated,
          "mismatches",
          mismatches,
          "seconds",
          (System.nanoTime() - started) / 1_000_000_000L);
      assertThat(lost).isZero();
      assertThat(duplicated).isZero();
      assertThat(mismatches).isZero();
      assertThat(shipped.lastSeq()).isEqualTo(last);
    }
  }

  @Test
  void anEntryLargerThanAKafkaMessageTravelsInPartsOfOneTransaction() throws Exception {
    final String topic = broker.createTopic("ship-large");
    try (Database db = Database.open(dir.resolve("leader"), LEADER)) {
      final Table<Long, byte[]> blobs = db.table("blobs", KeyCodecs.LONG, ValueCodecs.BYTES);
      final Random random = new Random(FeedTesting.seed("feedShipLargeEntry"));
      final long small = db.feed().write(txn -> blobs.put(txn, 0L, new byte[] {1}));
      final long large =
          db.feed()
              .write(
                  txn -> {
                    for (long k = 1; k <= 3; k++) {
                      final byte[] b = new byte[1 << 20]; // three 1 MiB values: over 1 MB
                      random.nextBytes(b);
                      blobs.put(txn, k, b);
                    }
                  });
      final long after = db.feed().write(txn -> blobs.put(txn, 9L, new byte[] {9}));
      final List<FeedEntry> expected = db.feed().read(1, 100);
      final FeedEntry big = expected.stream().filter(e -> e.seq() == large).findFirst().get();
      assertThat(big.size()).isGreaterThan(3 << 20);
      try (Shipper shipper = shipper(db, topic).build()) {
        shipper.start();
        assertThat(shipper.awaitShipped(after, WAIT)).isTrue();
        final FeedTesting.Topic shipped = FeedTesting.read(broker.bootstrapServers(), topic);
        final int parts = (big.size() + 999_999) / 1_000_000;
        final long mismatches = mismatches(expected, shipped.entries());
        FeedTesting.report(
            "feedShipLargeEntry",
            "entryBytes",
            big.size(),
            "parts",
            parts,
            "records",
            shipped.records(),
            "lost",
            shipped.lost(1, after),
            "duplicated",
            shipped.duplicated(),
            "mismatches",
            mismatches);
        assertThat(parts).isEqualTo(4);
        assertThat(shipped.records()).isEqualTo(expected.size() - 1 + parts);
        assertThat(mismatches).isZero();
        assertThat(shipped.lost(1, after)).isZero();
        assertThat(shipped.duplicated()).isZero();
        assertThat(small).isLessThan(large);
      }
    }
  }

  @Test
  void semiSyncWritesReturnOnlyOnceTheirEntryIsCommittedInKafka() throws Exception {
    final String topic = broker.createTopic("ship-semi-sync");
    final long seed = FeedTesting.seed("feedSemiSync");
    final int writes = FeedTesting.pick(150, 2000);
    try (Database db = Database.open(dir.resolve("leader"), LEADER)) {
      final FeedTesting.Writes w = new FeedTesting.Writes(db, new Random(seed));
      long unconfirmed = 0;
      final long[] micros = new long[writes];
      try (Shipper shipper = shipper(db, topic).semiSync(WAIT).build()) {
        shipper.start();
        for (int i = 0; i < writes; i++) {
          final long t0 = System.nanoTime();
          final long seq = w.one();
          micros[i] = (System.nanoTime() - t0) / 1_000;
          if (shipper.shippedSeq() < seq) {
            unconfirmed++; // returned before Kafka held it
          }
        }
        // group commits: several writers, each returns after the shared entry is in Kafka
        final FeedTesting.Writes w2 = new FeedTesting.Writes(db, new Random(seed + 1));
        final long[] late = new long[1];
        final Thread other =
            new Thread(
                () -> {
                  for (int i = 0; i < writes / 3; i++) {
                    final long seq = w2.one();
                    if (shipper.shippedSeq() < seq) {
                      late[0]++;
                    }
                  }
                });
        other.start();
        for (int i = 0; i < writes / 3; i++) {
          final long seq = w.one();
          if (shipper.shippedSeq() < seq) {
            unconfirmed++;
          }
        }
        other.join();
        unconfirmed += late[0];
      }
      final long last = db.feed().lastSeq();
      final FeedTesting.Topic shipped = FeedTesting.read(broker.bootstrapServers(), topic);
      Arrays.sort(micros);
      FeedTesting.report(
          "feedSemiSync",
          "writes",
          writes + 2 * (writes / 3),
          "p50Micros",
          micros[writes / 2],
          "p99Micros",
          micros[writes * 99 / 100],
          "lost",
          shipped.lost(1, last) + unconfirmed,
          "duplicated",
          shipped.duplicated(),
          "mismatches",
          shipped.chainBreaks());
      assertThat(unconfirmed).isZero();
      assertThat(shipped.lost(1, last)).isZero();
      assertThat(shipped.duplicated()).isZero();
      assertThat(shipped.chainBreaks()).isZero();
      // without a shipper, writes no longer wait
      final long t0 = System.nanoTime();
      w.one();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT);
    }
  }

  @Test
  void aSemiSyncWriteFailsFastOnceItsShipperFailedAndStaysCommitted() throws Exception {
    final String topic = broker.createTopic("ship-semi-sync-fenced");
    try (Database db = Database.open(dir.resolve("leader"), LEADER)) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      try (Shipper older = shipper(db, topic).retries(0).semiSync(WAIT).build();
          Shipper newer = shipper(db, topic).build()) {
        older.start();
        db.write(txn -> t.put(txn, "a", "1"));
        newer.start(); // fences the older one, which learns it at its next transaction
        try {
          db.write(txn -> t.put(txn, "b", "2")); // newer ships it
        } catch (KafkaFeedException e) {
          assertThat(e).hasMessageContaining("fenced"); // the older one learnt it meanwhile
        }
        assertThat(FeedTesting.await(() -> older.failure().isPresent(), WAIT)).isTrue();
        final long t0 = System.nanoTime();
        assertThatThrownBy(() -> db.write(txn -> t.put(txn, "c", "3")))
            .isInstanceOf(KafkaFeedException.class)
            .hasMessageContaining(topic)
            .hasMessageContaining("stopped");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat((Object) db.readAndGet(txn -> t.get(txn, "c"))).isEqualTo("3");
        assertThat(newer.awaitShipped(db.feed().lastSeq(), WAIT)).isTrue();
      }
      db.write(txn -> t.put(txn, "d", "4")); // the closed shipper's waiter is gone
    }
  }

  @Test
  void aMissingOrPartitionedTopicOrAForeignOneIsRefusedAtStartNamingTheTopic() throws Exception {
    broker
        .admin()
        .createTopics(List.of(new NewTopic("ship-two-partitions", 2, (short) 1)))
        .all()
        .get();
    final String used = broker.createTopic("ship-used");
    try (Database db = Database.open(dir.resolve("leader"), LEADER);
        Database other = Database.open(dir.resolve("other"), LEADER)) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      for (int i = 0; i < 5; i++) {
        final String k = "k" + i;
        db.write(txn -> t.put(txn, k, "v"));
      }
      try (Shipper s = shipper(db, used).build()) {
        s.start();
        assertThat(s.awaitShipped(db.feed().lastSeq(), WAIT)).isTrue();
      }
      try (Shipper s =
          shipper(db, "ship-no-such-topic").kafkaTimeout(Duration.ofSeconds(5)).build()) {
        assertThatThrownBy(s::start)
            .isInstanceOf(KafkaFeedException.class)
            .hasMessageContaining("ship-no-such-topic")
            .hasMessageContaining("does not exist");
      }
      try (Shipper s = shipper(db, "ship-two-partitions").build()) {
        assertThatThrownBy(s::start)
            .isInstanceOf(KafkaFeedException.class)
            .hasMessageContaining("ship-two-partitions")
            .hasMessageContaining("one partition");
      }
      try (Shipper s = shipper(other, used).build()) {
        assertThatThrownBy(s::start)
            .isInstanceOf(KafkaFeedException.class)
            .hasMessageContaining(used)
            .hasMessageContaining("another database");
      }
    }
  }
}
