package org.lodestore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.FeedEntry;
import org.lodestore.core.FeedReplica;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestBroker;

/**
 * Every role at once, each killed with SIGKILL at random moments and started again, for a bounded
 * time: a leader process whose threads write through group commit, a shipper process of that
 * leader, and two follower processes, against a broker in this JVM. Then the roles run in this JVM
 * to the end of the feed: the topic holds every seq once and in order, and both replicas equal the
 * leader byte for byte with the leader's hash chain.
 */
@Tag("soak")
class FeedSoakTest {

  private static final Duration WAIT = Duration.ofSeconds(180);

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

  /** One role's child JVM, started again after each kill; what it printed is read as it comes. */
  private final class Role implements AutoCloseable {
    private final String name;
    private final String progress;
    private final String[] args;
    private ChildProcess child;
    private long maxSeen;
    private int kills;
    private final List<String> failures = new ArrayList<>();

    Role(final String name, final String progress, final String... args) {
      this.name = name;
      this.progress = progress + " ";
      this.args = args;
    }

    void start() throws Exception {
      child = ChildProcess.start(KillChild.class, dir.resolve("crash-" + name), "256m", args);
      child.awaitLine("READY", WAIT);
    }

    /** Reads what the child printed so far. */
    void drain() {
      for (String line; (line = child.lines().poll()) != null; ) {
        if (line.equals(ChildProcess.EOF)) {
          child.lines().add(line);
          return;
        }
        if (line.startsWith(progress)) {
          maxSeen = Math.max(maxSeen, Long.parseLong(line.substring(progress.length())));
        } else if (line.startsWith("FAILED ") && failures.size() < 5) {
          failures.add(name + ": " + line);
        }
      }
    }

    void kill() throws Exception {
      child.kill();
      child.waitFor(WAIT);
      drain();
      assertThat(child.crashLogs()).as(name).isEmpty();
      child.close();
      kills++;
    }

    @Override
    public void close() {
      if (child != null) {
        child.close();
      }
    }
  }

  @Test
  void everyRoleKilledAtRandomLeavesBothFollowersEqualToTheLeader() throws Exception {
    final String topic = broker.createTopic("soak");
    final long seed = FeedTesting.seed("feedSoak");
    final Random random = new Random(seed);
    final long seconds = FeedTesting.pick(15, 180);
    final long started = System.nanoTime();
    final Path leader = dir.resolve("leader");
    final Path snapshot = dir.resolve("snapshot");
    final long snapshotSeq;
    try (Database db = Database.open(leader, ShipperTest.LEADER)) {
      final FeedTesting.Writes w = new FeedTesting.Writes(db, new Random(seed));
      for (int i = 0; i < 100; i++) {
        w.one();
      }
      db.backupTo(snapshot);
      snapshotSeq = db.feed().lastSeq();
    }
    final String bootstrap = broker.bootstrapServers();
    final Role writers = new Role("leader", "WROTE", "writers", leader.toString(), "" + seed, "4");
    final Role shipper =
        new Role("shipper", "SHIPPED", "ship", leader.toString(), bootstrap, topic);
    final List<Role> followers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      followers.add(
          new Role(
              "follower" + i,
              "APPLIED",
              "follower",
              dir.resolve("replica" + i).toString(),
              snapshot.toString(),
              bootstrap,
              topic));
    }
    final List<Role> roles = new ArrayList<>(List.of(writers, shipper));
    roles.addAll(followers);
    final List<String> failures = new ArrayList<>();
    try {
      for (final Role r : roles) {
        r.start();
      }
      final long deadline = started + Duration.ofSeconds(seconds).toNanos();
      final List<Role> bag = new ArrayList<>();
      // until the time is up and every role was killed at least once
      while (System.nanoTime() < deadline || roles.stream().anyMatch(r -> r.kills == 0)) {
        // a while of work, then one role is killed and comes back: each role in turn, shuffled
        final long until =
            System.nanoTime()
                + (FeedTesting.longForm()
                        ? 2000 + random.nextInt(6000)
                        : 300 + random.nextInt(1000))
                    * 1_000_000L;
        while (System.nanoTime() < until) {
          Thread.sleep(100);
          roles.forEach(Role::drain);
        }
        if (bag.isEmpty()) {
          bag.addAll(roles);
          Collections.shuffle(bag, random);
        }
        final Role victim = bag.remove(bag.size() - 1);
        victim.kill();
        Thread.sleep(random.nextInt(300));
        victim.start();
      }
    } finally {
      // the last kill of each, mid-work: followers first, so that they have entries left to apply
      for (final Role r : List.of(followers.get(0), followers.get(1), shipper, writers)) {
        if (r.child != null && r.child.isAlive()) {
          r.kill();
        }
        r.close();
        failures.addAll(r.failures);
      }
    }
    final long soakSeconds = (System.nanoTime() - started) / 1_000_000_000L;
    int kills = 0;
    for (final Role r : roles) {
      kills += r.kills;
    }

    // the same roles in this JVM, to the end of the feed
    try (Database db = Database.open(leader, ShipperTest.LEADER);
        Shipper last = Shipper.builder(db, topic).bootstrapServers(bootstrap).build()) {
      final long end = db.feed().lastSeq();
      last.start();
      assertThat(last.awaitShipped(end, WAIT)).isTrue();
      final FeedTesting.Topic inTopic = FeedTesting.read(bootstrap, topic);
      final FeedEntry tail = inTopic.entries().get(inTopic.entries().size() - 1);
      // what the killed processes reported done, and the feed or replica lost afterwards
      long lost = inTopic.lost(1, end) + Math.max(0, writers.maxSeen - end);
      long mismatches = inTopic.chainBreaks() + (tail.seq() == end ? 0 : 1);
      long skipped = 0;
      final StringBuilder resumed = new StringBuilder();
      for (int i = 0; i < followers.size(); i++) {
        try (Follower f =
            Follower.builder(dir.resolve("replica" + i), topic)
                .bootstrapServers(bootstrap)
                .databaseOptions(FollowerTest.REPLICA)
                .build()) {
          f.start();
          final long at = f.appliedSeq();
          resumed.append(i == 0 ? "" : ",").append(at);
          lost += Math.max(0, followers.get(i).maxSeen - at);
          assertThat(f.awaitApplied(end, WAIT)).as("follower %d, %s", i, f.failure()).isTrue();
          lost += end - f.appliedSeq();
          skipped += f.skipped();
          mismatches +=
              FeedTesting.mismatches(FeedTesting.contents(db), FeedTesting.contents(f.database()));
          final FeedReplica.Position p =
              f.database().readAndGet(txn -> FeedReplica.position(txn).orElseThrow());
          if (p.seq() != end
              || !p.generation().equals(tail.generation())
              || !Arrays.equals(p.hash(), tail.hash())) {
            mismatches++;
          }
          if (f.failure().isPresent()) {
            failures.add("follower" + i + " in this JVM: " + f.failure().get());
          }
        }
      }
      FeedTesting.report(
          "feedSoak",
          "seconds",
          soakSeconds,
          "writes",
          end - snapshotSeq,
          "kills",
          kills,
          "killsLeader",
          writers.kills,
          "killsShipper",
          shipper.kills,
          "killsFollowers",
          followers.get(0).kills + followers.get(1).kills,
          "followers",
          followers.size(),
          "resumedAt",
          resumed,
          "skipped",
          skipped,
          "lost",
          lost,
          "duplicated",
          inTopic.duplicated(),
          "mismatches",
          mismatches,
          "totalSeconds",
          (System.nanoTime() - started) / 1_000_000_000L);
      assertThat(failures).isEmpty();
      for (final Role r : roles) {
        assertThat(r.kills).as(r.name).isGreaterThanOrEqualTo(2);
      }
      assertThat(end - snapshotSeq).isGreaterThan(kills);
      assertThat(lost).isZero();
      assertThat(inTopic.duplicated()).isZero();
      assertThat(mismatches).isZero();
    }
  }
}
