package org.lodestore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestBroker;

/**
 * Shippers and followers killed with SIGKILL at random moments, in child JVMs, against a broker in
 * this JVM: the topic ends up with every seq exactly once and in order, a follower equal to the
 * leader, a semi-sync write acknowledged before the kill in the topic.
 */
@Tag("crash")
class KillTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

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

  private ChildProcess child(final String... args) throws Exception {
    return ChildProcess.start(KillChild.class, dir.resolve("crash"), "256m", args);
  }

  @Test
  void aShipperKilledAtRandomMomentsLeavesEverySeqInTheTopicExactlyOnce() throws Exception {
    final String topic = broker.createTopic("kill-shipper");
    final long seed = FeedTesting.seed("feedShipperKill");
    final Random random = new Random(seed);
    final int cycles = FeedTesting.pick(3, 20);
    final long started = System.nanoTime();
    final Path leader = dir.resolve("leader");
    for (int cycle = 0; cycle < cycles; cycle++) {
      try (ChildProcess c =
          child(
              "shipper",
              leader.toString(),
              broker.bootstrapServers(),
              topic,
              "" + (seed + cycle))) {
        c.awaitLine("READY", WAIT);
        Thread.sleep(100 + random.nextInt(1500));
        c.kill();
        c.waitFor(WAIT);
        assertThat(c.crashLogs()).isEmpty();
      }
    }
    try (Database db = Database.open(leader, ShipperTest.LEADER);
        Shipper shipper =
            Shipper.builder(db, topic).bootstrapServers(broker.bootstrapServers()).build()) {
      shipper.start();
      final long last = db.feed().lastSeq();
      assertThat(shipper.awaitShipped(last, WAIT)).isTrue();
      final FeedTesting.Topic shipped = FeedTesting.read(broker.bootstrapServers(), topic);
      final long lost = shipped.lost(1, last);
      final long duplicated = shipped.duplicated();
      final long mismatches = shipped.chainBreaks();
      FeedTesting.report(
          "feedShipperKill",
          "cycles",
          cycles,
          "entries",
          last,
          "lost",
          lost,
          "duplicated",
          duplicated,
          "mismatches",
          mismatches,
          "seconds",
          (System.nanoTime() - started) / 1_000_000_000L);
      assertThat(last).isGreaterThan(cycles);
      assertThat(lost).isZero();
      assertThat(duplicated).isZero();
      assertThat(mismatches).isZero();
      assertThat(shipped.lastSeq()).isEqualTo(last);
    }
  }

  @Test
  void aSemiSyncWriteAcknowledgedBeforeTheLeaderIsKilledIsInTheTopic() throws Exception {
    final String topic = broker.createTopic("kill-semi-sync");
    final long seed = FeedTesting.seed("feedSemiSyncKill");
    final Random random = new Random(seed);
    final int cycles = FeedTesting.pick(2, 20);
    final Path leader = dir.resolve("leader");
    final TreeSet<Long> acked = new TreeSet<>();
    for (int cycle = 0; cycle < cycles; cycle++) {
      try (ChildProcess c =
          child(
              "semisync",
              leader.toString(),
              broker.bootstrapServers(),
              topic,
              "" + (seed + cycle))) {
        c.awaitLine("READY", WAIT);
        c.awaitLine("ACK", WAIT);
        Thread.sleep(100 + random.nextInt(1000));
        c.kill();
        c.waitFor(WAIT);
        for (String line; (line = c.nextLine(Duration.ofSeconds(5))) != null; ) {
          if (line.startsWith("ACK ")) {
            acked.add(Long.parseLong(line.substring(4)));
          } else if (line.equals(ChildProcess.EOF)) {
            break;
          }
        }
      }
    }
    // the leader's machine is gone: only what the topic holds counts
    final FeedTesting.Topic shipped = FeedTesting.read(broker.bootstrapServers(), topic);
    final TreeSet<Long> inTopic = new TreeSet<>();
    shipped.entries().forEach(e -> inTopic.add(e.seq()));
    long lost = 0;
    for (final long seq : acked) {
      if (!inTopic.contains(seq)) {
        lost++;
      }
    }
    FeedTesting.report(
        "feedSemiSyncKill",
        "cycles",
        cycles,
        "acknowledged",
        acked.size(),
        "inTopic",
        inTopic.size(),
        "lost",
        lost,
        "duplicated",
        shipped.duplicated(),
        "mismatches",
        shipped.chainBreaks());
    assertThat(acked).isNotEmpty();
    assertThat(lost).isZero();
    assertThat(shipped.duplicated()).isZero();
    assertThat(shipped.chainBreaks()).isZero();
  }

  @Test
  void aFollowerKilledAtRandomMomentsEndsEqualToTheLeader() throws Exception {
    final String topic = broker.createTopic("kill-follower");
    final long seed = FeedTesting.seed("feedFollowerKill");
    final Random random = new Random(seed);
    final int cycles = FeedTesting.pick(3, 20);
    final long started = System.nanoTime();
    final Path replica = dir.resolve("replica");
    final Path snapshot = dir.resolve("snapshot");
    try (Database db = Database.open(dir.resolve("leader"), ShipperTest.LEADER);
        Shipper shipper =
            Shipper.builder(db, topic).bootstrapServers(broker.bootstrapServers()).build()) {
      shipper.start();
      final FeedTesting.Writes w = new FeedTesting.Writes(db, new Random(seed + 1));
      for (int i = 0; i < 100; i++) {
        w.one();
      }
      db.backupTo(snapshot);
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
      long maxApplied = 0;
      try {
        for (int cycle = 0; cycle < cycles; cycle++) {
          try (ChildProcess c =
              child(
                  "follower",
                  replica.toString(),
                  snapshot.toString(),
                  broker.bootstrapServers(),
                  topic)) {
            c.awaitLine("READY", WAIT);
            // kill it while it applies: once it went past where the last one was killed
            final long before = maxApplied;
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (maxApplied <= before + 10 && System.nanoTime() < deadline) {
              final String line = c.awaitLine("APPLIED", WAIT);
              maxApplied = Math.max(maxApplied, Long.parseLong(line.substring(8)));
            }
            Thread.sleep(random.nextInt(300));
            c.kill();
            c.waitFor(WAIT);
            assertThat(c.crashLogs()).isEmpty();
          }
        }
      } finally {
        writing.set(false);
        writer.join();
      }
      final long last = db.feed().lastSeq();
      assertThat(shipper.awaitShipped(last, WAIT)).isTrue();
      try (Follower follower =
          Follower.builder(replica, topic)
              .bootstrapServers(broker.bootstrapServers())
              .databaseOptions(FollowerTest.REPLICA)
              .build()) {
        follower.start(); // resumes the killed children's replica: no snapshot given
        final long resumedAt = follower.appliedSeq();
        assertThat(follower.awaitApplied(last, WAIT)).isTrue();
        final long mismatches =
            FeedTesting.mismatches(
                FeedTesting.contents(db), FeedTesting.contents(follower.database()));
        FeedTesting.report(
            "feedFollowerKill",
            "cycles",
            cycles,
            "entries",
            last,
            "appliedByKilled",
            maxApplied,
            "resumedAt",
            resumedAt,
            "skipped",
            follower.skipped(),
            "lost",
            last - follower.appliedSeq(),
            "duplicated",
            0,
            "mismatches",
            mismatches,
            "seconds",
            (System.nanoTime() - started) / 1_000_000_000L);
        assertThat(resumedAt).isGreaterThanOrEqualTo(maxApplied);
        assertThat(follower.failure()).isEmpty();
        assertThat(mismatches).isZero();
        assertThat(follower.appliedSeq()).isEqualTo(last);
      }
    }
  }
}
