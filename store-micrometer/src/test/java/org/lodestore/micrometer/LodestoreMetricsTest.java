package org.lodestore.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Attachable;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.schema.UniqueViolationException;
import org.lodestore.serializers.CborCodec;

/**
 * Every meter of {@link LodestoreMetrics}, read back from a {@link SimpleMeterRegistry} after real
 * operations on a real database: commits, an abort, a map growth, a unique refusal, a damaged
 * value, a group commit of concurrent writers, reads; and the gauges.
 */
class LodestoreMetricsTest {

  private static final int MIB = 1 << 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  record Market(String name, byte[] payload) {}

  static final class Shop extends Schema {
    final SchemaTable<UUID, Market> markets =
        table(
            "c3000000-0000-4000-8000-000000000001",
            "markets",
            KeyCodecs.UUID,
            CborCodec.of(Market.class)); // CBOR: checksummed
    final UniqueIndex<String, UUID, Market> byName =
        uniqueIndex(markets, "by_name", KeyCodecs.STRING, Market::name);
    final SchemaTable<String, String> notes =
        table(
            "c3000000-0000-4000-8000-000000000002",
            "notes",
            KeyCodecs.STRING,
            CborCodec.of(String.class));
  }

  /** Reaches the stored bytes of owned tables, to damage one on purpose. */
  static final class RawAccess implements Attachable {
    OwnerAccess access;

    @Override
    public void attachTo(final Database db, final OwnerAccess owner) {
      this.access = owner;
    }
  }

  private Database open(final LodestoreMetrics metrics, final long initialMapSize) {
    return Database.open(
        dir.resolve("db"),
        DatabaseOptions.builder()
            .initialMapSize(initialMapSize)
            .durability(Durability.NO_SYNC)
            .listener(metrics)
            .build());
  }

  /** Every counter, timer count and summary count, as one line to compare before and after. */
  private static final class Snapshot {
    final double reads;
    final double commits;
    final double aborts;
    final double retries;
    final double growths;
    final long readTimer;
    final long writeTimer;
    final long waitTimer;
    final long commitTimer;
    final long groups;

    Snapshot(final MeterRegistry r) {
      reads = counter(r, LodestoreMetrics.READS);
      commits = counter(r, LodestoreMetrics.COMMITS);
      aborts = counter(r, LodestoreMetrics.ABORTS);
      retries = counter(r, LodestoreMetrics.RETRIES);
      growths = counter(r, LodestoreMetrics.GROWTHS);
      readTimer = timer(r, LodestoreMetrics.READ).count();
      writeTimer = timer(r, LodestoreMetrics.WRITE).count();
      waitTimer = timer(r, LodestoreMetrics.WRITE_WAIT).count();
      commitTimer = timer(r, LodestoreMetrics.COMMIT).count();
      groups = summary(r).count();
    }
  }

  private static double counter(final MeterRegistry r, final String name) {
    return r.get(name).tag("db", "shop").functionCounter().count();
  }

  private static Timer timer(final MeterRegistry r, final String name) {
    return r.get(name).tag("db", "shop").timer();
  }

  private static DistributionSummary summary(final MeterRegistry r) {
    return r.get(LodestoreMetrics.GROUP_WRITES).tag("db", "shop").summary();
  }

  private static double gauge(final MeterRegistry r, final String name) {
    return r.get(name).tag("db", "shop").gauge().value();
  }

  private static double rows(final MeterRegistry r, final String table) {
    return r.get(LodestoreMetrics.ROWS).tags("db", "shop", "table", table).gauge().value();
  }

  private static Market market(final String name, final int payload) {
    return new Market(name, new byte[payload]);
  }

  @Test
  void everyMeter_readsBackWhatTheDatabaseDid() throws Exception {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final LodestoreMetrics metrics = new LodestoreMetrics("shop", Tags.of("app", "test"), 1);
    metrics.bindTo(registry);
    try (Database db = open(metrics, MIB)) {
      final Shop s = db.attach(new Shop());
      final RawAccess raw = db.attach(new RawAccess());
      metrics.watch(s);
      final Snapshot start = new Snapshot(registry);

      // 3 commits
      final List<UUID> keys = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        final UUID key = UUID.randomUUID();
        keys.add(key);
        db.write(txn -> s.markets.put(txn, key, market("m" + keys.size(), 10)));
      }
      // 1 abort
      try (Txn txn = db.beginWrite()) {
        s.notes.put(txn, "draft", "never committed");
      }
      // a write too large for the 1 MiB map: aborted, the map grows, the function runs again
      final AtomicInteger runs = new AtomicInteger();
      db.write(
          txn -> {
            runs.incrementAndGet();
            for (int i = 0; i < 150; i++) {
              s.markets.put(txn, UUID.randomUUID(), market("big" + i, 8_000));
            }
          });
      assertThat(runs.get()).isEqualTo(2);
      // a unique refusal: the caller's write aborts
      assertThatThrownBy(
              () -> db.write(txn -> s.markets.put(txn, UUID.randomUUID(), market("m1", 1))))
          .isInstanceOf(UniqueViolationException.class);
      // a damaged value (one committed write through the raw bytes), then read: corrupt
      final UUID damaged = keys.get(0);
      db.write(
          txn -> {
            final Table<UUID, byte[]> bytes =
                raw.access.table(txn, s.markets.oid(), KeyCodecs.UUID, ValueCodecs.BYTES);
            final byte[] stored = bytes.get(txn, damaged);
            stored[stored.length / 2] ^= 0x40;
            bytes.put(txn, damaged, stored);
          });
      assertThatThrownBy(() -> db.read(txn -> s.markets.get(txn, damaged)))
          .isInstanceOf(CorruptValueException.class);
      // 4 concurrent writers, made to share one commit
      groupOfFour(db, s);
      // 10 reads
      for (int i = 0; i < 10; i++) {
        db.read(txn -> s.markets.get(txn, keys.get(1)));
      }

      final Snapshot end = new Snapshot(registry);
      // commits: 3 + the grown write + the damage + the group; aborts: the explicit one, the write
      // that filled the map, the refused write, and the harness's own held transaction
      assertThat(end.commits - start.commits).isEqualTo(6);
      assertThat(end.aborts - start.aborts).isEqualTo(4);
      assertThat(end.retries - start.retries).isEqualTo(1);
      assertThat(end.growths - start.growths).isEqualTo(1);
      assertThat(end.writeTimer - start.writeTimer).as("every write ends once").isEqualTo(10);
      assertThat(end.waitTimer - start.waitTimer).as("every write begins once").isEqualTo(10);
      assertThat(end.commitTimer - start.commitTimer).isEqualTo(6);
      assertThat(end.groups - start.groups).isEqualTo(1);
      assertThat(summary(registry).totalAmount()).as("one group of four").isEqualTo(4.0);
      assertThat(summary(registry).max()).isEqualTo(4.0);
      // reads: the corrupt one and the 10 (writes read inside their own transactions)
      assertThat(end.reads - start.reads).isEqualTo(11);
      assertThat(end.readTimer - start.readTimer).as("interval 1 times every read").isEqualTo(11);
      assertThat(timer(registry, LodestoreMetrics.READ).totalTime(TimeUnit.NANOSECONDS))
          .isPositive();
      final Timer write = timer(registry, LodestoreMetrics.WRITE);
      final Timer commit = timer(registry, LodestoreMetrics.COMMIT);
      assertThat(commit.totalTime(TimeUnit.NANOSECONDS)).isPositive();
      assertThat(write.totalTime(TimeUnit.NANOSECONDS))
          .isGreaterThan(commit.totalTime(TimeUnit.NANOSECONDS));
      assertThat(timer(registry, LodestoreMetrics.WRITE_WAIT).totalTime(TimeUnit.NANOSECONDS))
          .isPositive();
      assertThat(
              registry
                  .get(LodestoreMetrics.REFUSALS)
                  .tags("db", "shop", "table", "markets", "reason", "unique")
                  .functionCounter()
                  .count())
          .isEqualTo(1.0);
      assertThat(
              registry
                  .get(LodestoreMetrics.CORRUPT)
                  .tags("db", "shop", "table", "markets")
                  .functionCounter()
                  .count())
          .isEqualTo(1.0);
      assertThat(registry.find(LodestoreMetrics.REFUSALS).tag("reason", "constraint").meter())
          .as("no constraint refusal happened")
          .isNull();

      // gauges
      assertThat(gauge(registry, LodestoreMetrics.MAP_SIZE)).isEqualTo(2.0 * MIB);
      assertThat(gauge(registry, LodestoreMetrics.MAP_SIZE)).isEqualTo(db.mapSize());
      final double used = gauge(registry, LodestoreMetrics.MAP_USED);
      assertThat(used).isEqualTo(db.usedBytes()).isGreaterThan(MIB).isLessThanOrEqualTo(2.0 * MIB);
      assertThat(gauge(registry, LodestoreMetrics.READERS)).isZero();
      try (Txn open = db.beginRead()) {
        assertThat(gauge(registry, LodestoreMetrics.READERS)).isEqualTo(1.0);
      }
      final double readsBefore = counter(registry, LodestoreMetrics.READS);
      assertThat(rows(registry, "markets")).isEqualTo(3 + 150 + 4);
      assertThat(rows(registry, "notes")).isZero();
      assertThat(counter(registry, LodestoreMetrics.READS))
          .as("a row gauge's read is not counted")
          .isEqualTo(readsBefore);
      final long markets = db.readAndGet(txn -> s.markets.count(txn));
      assertThat(rows(registry, "markets")).isEqualTo(markets);
      assertThat(registry.get(LodestoreMetrics.COMMITS).tag("app", "test").functionCounter())
          .as("the extra tags")
          .isNotNull();
    }
    assertThat(gauge(registry, LodestoreMetrics.MAP_SIZE)).as("closed").isNaN();
    assertThat(gauge(registry, LodestoreMetrics.MAP_USED)).isNaN();
    assertThat(gauge(registry, LodestoreMetrics.READERS)).isNaN();
    assertThat(rows(registry, "markets")).isNaN();
  }

  /**
   * Four {@code db.write} callers in one group commit: this thread holds the write transaction
   * while they start, each waiting before the next starts (the first as the leader, the others
   * queued behind it), then lets them go.
   */
  private static void groupOfFour(final Database db, final Shop s) throws InterruptedException {
    final List<Thread> writers = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    try (Txn hold = db.beginWrite()) {
      for (int i = 0; i < 4; i++) {
        final String name = "group" + i;
        final Thread t =
            new Thread(
                () -> {
                  try {
                    db.write(txn -> s.markets.put(txn, UUID.randomUUID(), market(name, 10)));
                  } catch (Throwable e) {
                    synchronized (errors) {
                      errors.add(e);
                    }
                  }
                },
                name);
        t.setDaemon(true);
        t.start();
        awaitParked(t);
        writers.add(t);
      }
    } // aborted: the leader begins, and takes the other three into its group
    for (final Thread t : writers) {
      t.join(TIMEOUT.toMillis());
      assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
    }
    assertThat(errors).isEmpty();
  }

  /** Polls until {@code t} waits (for the write lock, or in the group's queue). */
  private static void awaitParked(final Thread t) throws InterruptedException {
    final long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      if (!t.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(t.getName() + " did not wait: " + t.getState());
      }
      Thread.sleep(1);
    }
  }

  @Test
  void defaultInterval_countsEveryRead_andTimesAboutOneInSixteen() {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final LodestoreMetrics metrics = new LodestoreMetrics("shop");
    metrics.bindTo(registry);
    try (Database db = open(metrics, 64L * MIB)) {
      final double before = counter(registry, LodestoreMetrics.READS);
      for (int i = 0; i < 4_000; i++) {
        db.read(txn -> {});
      }
      assertThat(counter(registry, LodestoreMetrics.READS) - before).isEqualTo(4_000);
      // 250 expected; the binomial's standard deviation is about 15
      assertThat(timer(registry, LodestoreMetrics.READ).count()).isBetween(150L, 350L);
    }
  }

  @Test
  void everyBoundRegistry_getsTheMeters_andCountersCountFromTheStart() {
    final LodestoreMetrics metrics = new LodestoreMetrics("shop");
    final SimpleMeterRegistry first = new SimpleMeterRegistry();
    final SimpleMeterRegistry second = new SimpleMeterRegistry();
    metrics.bindTo(first);
    try (Database db = open(metrics, 64L * MIB)) {
      final Shop s = db.attach(new Shop());
      db.write(txn -> s.notes.put(txn, "a", "1"));
      metrics.watch(s);
      metrics.bindTo(second); // late: counters and gauges still complete, timers from now
      metrics.bindTo(second); // twice is once
      db.write(txn -> s.notes.put(txn, "b", "2"));
      assertThat(counter(second, LodestoreMetrics.COMMITS))
          .isEqualTo(counter(first, LodestoreMetrics.COMMITS))
          .isGreaterThanOrEqualTo(2);
      assertThat(timer(second, LodestoreMetrics.COMMIT).count()).isEqualTo(1);
      assertThat(timer(first, LodestoreMetrics.COMMIT).count())
          .isEqualTo((long) counter(first, LodestoreMetrics.COMMITS));
      assertThat(rows(first, "notes")).isEqualTo(2.0);
      assertThat(rows(second, "notes")).isEqualTo(2.0);
      assertThat(gauge(second, LodestoreMetrics.MAP_SIZE)).isEqualTo(64.0 * MIB);
    }
  }

  @Test
  void watch_refusesADatabaseNotOpenedWithTheseMetrics() {
    final LodestoreMetrics metrics = new LodestoreMetrics("shop");
    try (Database db = Database.open(dir.resolve("plain"))) {
      assertThatThrownBy(() -> metrics.watch(db))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("listener(metrics)");
    }
    assertThatThrownBy(() -> metrics.watch(new Shop()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("attach");
  }
}
