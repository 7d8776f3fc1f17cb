package org.lodestore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.FeedReplica;
import org.lodestore.testsupport.TestBroker;

/**
 * The broker goes away while a shipper ships and a follower applies, and comes back on its data:
 * the topic then holds every seq exactly once and in order, and the follower equals the leader.
 *
 * <p>Long form: the broker runs in a child JVM, killed with SIGKILL five times mid-stream and
 * started again on its log directories. Short form (a child broker takes 13-20 s to start on a
 * loaded machine): the broker runs in this JVM and is shut down and started again on its data,
 * twice; the clients see the same outage (connections drop, the transaction in flight fails, the
 * broker is unreachable for a while), the broker's logs are closed cleanly.
 */
@Tag("crash")
class BrokerKillTest {

  private static final Duration WAIT = Duration.ofSeconds(180);

  @TempDir Path dir;

  /** A broker that can go away and come back on its data. */
  private interface Broker {
    String bootstrapServers();

    /** Takes the broker away (killed or shut down), waits {@code downMillis}, starts it again. */
    void outage(long downMillis) throws Exception;
  }

  @Test
  void aBrokerKilledWhileShippingRestartsOnItsDataAndNoSeqIsLostOrRepeated() throws Exception {
    final long seed = FeedTesting.seed("feedBrokerKill");
    if (FeedTesting.longForm()) {
      try (ChildBroker broker = ChildBroker.start(dir.resolve("broker"))) {
        final String topic = broker.createTopic("broker-kill");
        run(
            "child-jvm-kill9",
            5,
            seed,
            topic,
            new Broker() {
              @Override
              public String bootstrapServers() {
                return broker.bootstrapServers();
              }

              @Override
              public void outage(final long downMillis) throws Exception {
                broker.kill();
                Thread.sleep(downMillis);
                broker.restart();
              }
            });
        assertThat(broker.crashLogs()).isEmpty();
        assertThat(broker.starts()).isEqualTo(6);
      }
    } else {
      try (TestBroker broker = TestBroker.start()) {
        final String topic = broker.createTopic("broker-restart");
        run(
            "in-jvm-restart",
            2,
            seed,
            topic,
            new Broker() {
              @Override
              public String bootstrapServers() {
                return broker.bootstrapServers();
              }

              @Override
              public void outage(final long downMillis) throws Exception {
                broker.restart(downMillis);
              }
            });
      }
    }
  }

  private void run(
      final String mode,
      final int outages,
      final long seed,
      final String topic,
      final Broker broker)
      throws Exception {
    final Random random = new Random(seed);
    final long started = System.nanoTime();
    try (Database db = Database.open(dir.resolve("leader"), ShipperTest.LEADER);
        // the default retries and backoff; Kafka calls time out sooner than a child broker takes
        // to start again, so that each kill also fails the transaction in flight and the shipper
        // aborts it (or drops its producer) and reads where the topic ends
        Shipper shipper =
            Shipper.builder(db, topic)
                .bootstrapServers(broker.bootstrapServers())
                .kafkaTimeout(Duration.ofSeconds(8))
                .build()) {
      final List<FeedTesting.Writes> writes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        writes.add(new FeedTesting.Writes(db, new Random(seed + 1 + i)));
      }
      for (int i = 0; i < 50; i++) {
        writes.get(0).one();
      }
      db.backupTo(dir.resolve("snapshot"));
      shipper.start();
      final AtomicBoolean writing = new AtomicBoolean(true);
      final List<Thread> writers = new ArrayList<>();
      for (final FeedTesting.Writes w : writes) {
        final Thread t =
            new Thread(
                () -> {
                  while (writing.get()) {
                    w.one();
                    try {
                      Thread.sleep(2);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                },
                "writer");
        t.start();
        writers.add(t);
      }
      long downMillis = 0;
      try (Follower follower =
          Follower.builder(dir.resolve("replica"), topic)
              .bootstrapServers(broker.bootstrapServers())
              .snapshot(dir.resolve("snapshot"))
              .databaseOptions(FollowerTest.REPLICA)
              .build()) {
        follower.start();
        try {
          for (int outage = 0; outage <= outages; outage++) {
            // shipping and applying go on (again): both pass where they were
            final long shipped = shipper.shippedSeq();
            final long applied = follower.appliedSeq();
            assertThat(
                    FeedTesting.await(
                        () ->
                            shipper.shippedSeq() > shipped + 20
                                && follower.appliedSeq() > applied + 20,
                        WAIT))
                .as(
                    "after outage %d: shipped %d (was %d), applied %d (was %d), shipper %s,"
                        + " follower %s",
                    outage,
                    shipper.shippedSeq(),
                    shipped,
                    follower.appliedSeq(),
                    applied,
                    shipper.failure(),
                    follower.failure())
                .isTrue();
            if (outage == outages) {
              break;
            }
            Thread.sleep(random.nextInt(500)); // mid-stream: a transaction is in flight or near
            final long down = random.nextInt(3000);
            final long t0 = System.nanoTime();
            broker.outage(down);
            downMillis += (System.nanoTime() - t0) / 1_000_000L;
          }
        } finally {
          writing.set(false);
          for (final Thread t : writers) {
            t.join();
          }
        }
        final long last = db.feed().lastSeq();
        assertThat(shipper.awaitShipped(last, WAIT)).isTrue();
        assertThat(follower.awaitApplied(last, WAIT)).isTrue();
        final FeedTesting.Topic inTopic = FeedTesting.read(broker.bootstrapServers(), topic);
        final long lost = inTopic.lost(1, last);
        final long duplicated = inTopic.duplicated();
        final FeedReplica.Position at =
            follower.database().readAndGet(txn -> FeedReplica.position(txn).orElseThrow());
        final long mismatches =
            FeedTesting.mismatches(
                    FeedTesting.contents(db), FeedTesting.contents(follower.database()))
                + inTopic.chainBreaks()
                + (java.util.Arrays.equals(
                        at.hash(), inTopic.entries().get(inTopic.entries().size() - 1).hash())
                    ? 0
                    : 1);
        FeedTesting.report(
            "feedBrokerKill",
            "mode",
            mode,
            "kills",
            mode.endsWith("kill9") ? outages : 0,
            "restarts",
            outages,
            "downMillis",
            downMillis,
            "entries",
            last,
            "shipperRetries",
            shipper.restarts(),
            "skipped",
            follower.skipped(),
            "lost",
            lost,
            "duplicated",
            duplicated,
            "mismatches",
            mismatches,
            "seconds",
            (System.nanoTime() - started) / 1_000_000_000L);
        if (mode.endsWith("kill9")) {
          assertThat(shipper.restarts()).isPositive();
        }
        assertThat(shipper.failure()).isEmpty();
        assertThat(follower.failure()).isEmpty();
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
        assertThat(mismatches).isZero();
        assertThat(inTopic.lastSeq()).isEqualTo(last);
      }
    }
  }
}
