package org.lodestore.examples.replication;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.FeedOptions;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.key.Tuple2;
import org.lodestore.examples.Examples;
import org.lodestore.kafka.Follower;
import org.lodestore.kafka.Shipper;
import org.lodestore.testsupport.TestBroker;

/**
 * A leader and a follower in one JVM, with an embedded Kafka broker between them: ticks written on
 * the leader are shipped to a topic by a {@link Shipper}, applied to a replica by a {@link
 * Follower}, and range-scanned there through the same {@link TickSchema}. Run it with {@code mvn -B
 * -q -pl examples exec:exec
 * -Ddemo.mainClass=org.lodestore.examples.replication.ReplicationExample}.
 *
 * <p>What it does, in order: starts a single-node broker on 127.0.0.1 (test-support's {@link
 * TestBroker}; in production the shipper and follower connect to your own cluster) and creates the
 * topic; opens the leader with a change feed, attaches the schema and writes the first minute of
 * ticks; starts the shipper; takes a {@code backupTo} snapshot of the leader and starts a follower
 * from it; writes nine more minutes on the leader, one transaction per minute; shows
 * read-your-writes ({@code ChangeFeed.write} returns the seq of the entry that carries a write,
 * {@link Follower#awaitApplied} waits until the replica has it); scans a window of one series on
 * the follower and compares it with the leader's; shows that the replica refuses writes; prints the
 * lag of the shipper and the follower along the way. Everything is closed, and its directories
 * deleted, before it returns.
 */
public final class ReplicationExample {

  /** Where the data starts: 09:00 UTC on a Monday. */
  public static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  /** The series written, one tick per second each. */
  public static final List<String> SERIES = List.of("BTC-EUR", "ETH-EUR", "SOL-EUR");

  /** Minutes of ticks written: the first before the snapshot, each later one in a transaction. */
  public static final int MINUTES = 10;

  /** The topic the leader's feed is shipped to. */
  public static final String TOPIC = "ticks-feed";

  /** How long the example waits for the follower at most (a loaded machine is slow). */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static final double[] BASE = {42_000, 2_300, 95};

  /**
   * What the example saw; the test checks it.
   *
   * @param leaderTicks ticks in the leader's table at the end
   * @param followerTicks ticks in the follower's table at the end
   * @param snapshotSeq the feed's seq the snapshot held
   * @param lastSeq the leader's last seq
   * @param appliedSeq the follower's applied seq at the end
   * @param ownWriteSeq the seq of the read-your-writes write
   * @param ownWrite what the follower read of that write right after {@code awaitApplied}
   * @param window the times of the follower's scan of BTC-EUR over [09:05:00, 09:05:10)
   * @param windowMatchesLeader whether the same scan on the leader returned the same rows
   * @param refusedWrite the message of the follower's database refusing a write
   */
  public record Result(
      long leaderTicks,
      long followerTicks,
      long snapshotSeq,
      long lastSeq,
      long appliedSeq,
      long ownWriteSeq,
      Tick ownWrite,
      List<Instant> window,
      boolean windowMatchesLeader,
      String refusedWrite) {}

  private ReplicationExample() {}

  /**
   * Runs the example in a fresh temporary directory, deleted at the end.
   *
   * @param args none
   * @throws Exception if the broker cannot start, or the follower does not catch up in time
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Files.createTempDirectory("lodestore-replication");
    try {
      run(dir, System.out);
    } finally {
      for (final String db : List.of("leader", "snapshot", "replica")) {
        Examples.deleteDatabase(dir.resolve(db));
      }
      Files.delete(dir);
    }
  }

  /**
   * Runs the example with its databases under {@code dir} ({@code leader}, {@code snapshot}, {@code
   * replica}, which must not exist yet), printing what it does; the broker's files go to a
   * temporary directory of their own, deleted when it stops.
   *
   * @param dir the parent directory of the databases
   * @param out where to print
   * @return what it saw
   * @throws Exception if the broker cannot start, or the follower does not catch up in time
   */
  public static Result run(final Path dir, final PrintStream out) throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      final String topic = broker.createTopic(TOPIC);
      out.printf("embedded Kafka broker at %s, topic %s%n", broker.bootstrapServers(), topic);
      final DatabaseOptions leaderOptions =
          DatabaseOptions.builder().changeFeed(FeedOptions.defaults()).build();
      try (Database leader = Database.open(dir.resolve("leader"), leaderOptions);
          Shipper shipper =
              Shipper.builder(leader, topic).bootstrapServers(broker.bootstrapServers()).build()) {
        final TickSchema schema = leader.attach(new TickSchema());
        leader.write(txn -> writeMinute(txn, schema, 0));
        shipper.start();
        leader.backupTo(dir.resolve("snapshot"));
        final long snapshotSeq = leader.feed().lastSeq();
        out.printf(
            "leader: %d ticks of %d series (the first minute); snapshot taken at seq %d%n",
            60 * SERIES.size(), SERIES.size(), snapshotSeq);
        try (Follower follower =
            Follower.builder(dir.resolve("replica"), topic)
                .bootstrapServers(broker.bootstrapServers())
                .snapshot(dir.resolve("snapshot"))
                .build()) {
          follower.start();
          final Database replica = follower.database();
          final TickSchema read = replica.attach(new TickSchema());
          out.printf("follower: bootstrapped from the snapshot at seq %d%n", follower.appliedSeq());
          return follow(leader, schema, shipper, follower, replica, read, snapshotSeq, out);
        }
      } finally {
        out.println("closed the follower, the shipper, the leader and the broker");
      }
    }
  }

  private static Result follow(
      final Database leader,
      final TickSchema schema,
      final Shipper shipper,
      final Follower follower,
      final Database replica,
      final TickSchema read,
      final long snapshotSeq,
      final PrintStream out) {
    // the other minutes, one transaction each; ChangeFeed.write returns the seq of its entry
    long first = 0;
    long last = 0;
    for (int m = 1; m < MINUTES; m++) {
      final int minute = m;
      last = leader.feed().write(txn -> writeMinute(txn, schema, minute));
      first = first == 0 ? last : first;
    }
    out.printf(
        "leader: wrote minutes 2 to %d, %d ticks per transaction (seq %d to %d)%n",
        MINUTES, 60 * SERIES.size(), first, last);
    printLag("lag right after those writes", leader, shipper, follower, out);

    // read your own write: wait until the follower has applied its seq, then read it there
    final Tuple2<String, Instant> key = Tuple2.of(SERIES.get(0), T0.plusSeconds(60L * MINUTES));
    final Tick tick = new Tick(price(0, 60 * MINUTES), 0.5);
    final long seq = leader.feed().write(txn -> schema.ticks.put(txn, key, tick));
    final long started = System.nanoTime();
    if (!follower.awaitApplied(seq, WAIT)) {
      throw new IllegalStateException(
          "the follower did not apply seq " + seq + " within " + WAIT + ": " + follower.failure());
    }
    final long waited = (System.nanoTime() - started) / 1_000_000;
    final Tick seen = replica.readAndGet(txn -> read.ticks.get(txn, key));
    out.printf(
        "read-your-writes: %s %s written on the leader as seq %d; awaitApplied returned after %d"
            + " ms; the follower reads price %.2f size %.1f%n",
        key.first(), key.second(), seq, waited, seen.price(), seen.size());

    // one series over ten seconds, on the follower, through the same schema; and on the leader
    final KeyRange<Tuple2<String, Instant>> window =
        KeyRange.closedOpen(
            Tuple2.of(SERIES.get(0), T0.plusSeconds(300)),
            Tuple2.of(SERIES.get(0), T0.plusSeconds(310)));
    final List<String> followerRows = replica.readAndGet(txn -> rows(txn, read, window));
    final List<String> leaderRows = leader.readAndGet(txn -> rows(txn, schema, window));
    out.printf("%s [09:05:00, 09:05:10) on the follower:%n", SERIES.get(0));
    for (final String row : followerRows) {
      out.println("  " + row);
    }
    final boolean same = followerRows.equals(leaderRows);
    out.printf("  the same %d rows as on the leader: %s%n", leaderRows.size(), same);
    final List<Instant> times =
        replica.readAndGet(
            txn -> {
              final List<Instant> t = new ArrayList<>();
              try (Cursor<Tuple2<String, Instant>, Tick> c = read.ticks.select(txn, window)) {
                while (c.next()) {
                  t.add(c.key().second());
                }
              }
              return t;
            });
    final List<String> latest =
        replica.readAndGet(
            txn ->
                rows(
                    txn, read, KeyRange.prefix(TickSchema.KEY, SERIES.get(1)).reversed().limit(3)));
    out.printf("latest 3 ticks of %s on the follower:%n", SERIES.get(1));
    for (final String row : latest) {
      out.println("  " + row);
    }

    // the replica is read-only for its users
    String refused = null;
    try {
      replica.write(txn -> read.ticks.put(txn, key, new Tick(1, 1)));
    } catch (InvalidStateException e) {
      refused = e.getMessage();
      out.println("a write to the follower's database is refused: " + refused);
    }

    final long leaderTicks = leader.readAndGet(txn -> schema.ticks.count(txn));
    final long followerTicks = replica.readAndGet(txn -> read.ticks.count(txn));
    out.printf(
        "ticks: %d on the leader, %d on the follower; the follower applied %d entries and skipped"
            + " %d it had from its snapshot%n",
        leaderTicks, followerTicks, follower.applied(), follower.skipped());
    printLag("lag at the end", leader, shipper, follower, out);
    return new Result(
        leaderTicks,
        followerTicks,
        snapshotSeq,
        leader.feed().lastSeq(),
        follower.appliedSeq(),
        seq,
        seen,
        List.copyOf(times),
        same,
        refused);
  }

  /** Minute {@code m} of every series: one tick per second. */
  private static void writeMinute(final Txn txn, final TickSchema schema, final int m) {
    for (int k = 0; k < SERIES.size(); k++) {
      for (int s = 60 * m; s < 60 * (m + 1); s++) {
        schema.ticks.put(
            txn, Tuple2.of(SERIES.get(k), T0.plusSeconds(s)), new Tick(price(k, s), size(s)));
      }
    }
  }

  private static double price(final int series, final int second) {
    return BASE[series] * (1 + 0.002 * Math.sin(second / 30.0 + series));
  }

  private static double size(final int second) {
    return 0.1 * (1 + second % 7);
  }

  private static List<String> rows(
      final Txn txn, final TickSchema schema, final KeyRange<Tuple2<String, Instant>> range) {
    final List<String> rows = new ArrayList<>();
    try (Cursor<Tuple2<String, Instant>, Tick> c = schema.ticks.select(txn, range)) {
      while (c.next()) {
        rows.add(
            String.format(
                "%s  price %.2f  size %.1f",
                c.key().second(), c.value().price(), c.value().size()));
      }
    }
    return rows;
  }

  private static void printLag(
      final String when,
      final Database leader,
      final Shipper shipper,
      final Follower follower,
      final PrintStream out) {
    out.printf(
        "%s: leader at seq %d; shipper %d entries / %d ms behind it; follower at seq %d, %d entries"
            + " / %d ms behind the topic as it last looked%n",
        when,
        leader.feed().lastSeq(),
        shipper.entriesBehind(),
        shipper.millisBehind(),
        follower.appliedSeq(),
        follower.entriesBehind(),
        follower.millisBehind());
  }
}
