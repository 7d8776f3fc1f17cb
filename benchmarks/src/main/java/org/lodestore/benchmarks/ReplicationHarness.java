package org.lodestore.benchmarks;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.fbs.TickFb;
import org.lodestore.benchmarks.peer.SyncMode;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.FeedOptions;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.kafka.Follower;
import org.lodestore.kafka.Shipper;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.testsupport.TestBroker;

/**
 * Replication end to end in one JVM: a leader with a change feed, its {@link Shipper}, a Kafka
 * broker (test-support's {@link TestBroker}, on 127.0.0.1) and a {@link Follower} bootstrapped from
 * a snapshot of the leader. Not JMH: what it measures is a pipeline of threads (the leader's
 * writer, the shipper, the broker, the follower), over seconds.
 *
 * <p>Each phase writes ticks (the W3 table: (series, time) keys, FlatBuffers values, {@code
 * --series} series) in transactions of {@code --txn-rows} rows for {@code --seconds}, either as
 * fast as the leader can ({@code max}) or paced at a number of rows per second (a transaction every
 * {@code txn-rows / rate} seconds, on schedule: a late one is not made up for by a burst); then
 * waits until the follower has applied the last one. A warm-up ({@code --warmup} seconds as fast as
 * the leader can, default 5) runs first and is not reported. Per phase it prints:
 *
 * <ul>
 *   <li>the leader's commit rate, the shipper's and the follower's apply rate over the same window
 *       (rows per second), and the most entries the follower was behind the leader (sampled every
 *       50 ms);
 *   <li>how long after the last commit the follower had applied it ({@code caught up}); a follower
 *       that keeps up does so within a fraction of a second;
 *   <li>the end-to-end lag of every transaction, from the moment the leader's {@code
 *       ChangeFeed.write} returned (committed on disk) to the moment {@link Follower#awaitApplied}
 *       returned for its seq (applied and readable on the replica): p50, p99 and max. In a {@code
 *       max} phase the lag is mostly the growing backlog; the paced phases give the lag at a steady
 *       rate.
 * </ul>
 *
 * At the end it checks that the replica holds as many ticks as the leader. Every directory is
 * created under {@code $LODESTORE_BENCH_DIR} (default: {@code java.io.tmpdir}) and deleted, the
 * broker's log under {@code java.io.tmpdir}. Run it (see benchmarks/README.md):
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
 *   --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Xms2g -Xmx2g \
 *   -cp benchmarks/target/benchmarks.jar org.lodestore.benchmarks.ReplicationHarness \
 *   [--phases max,100000,10000] [--txn-rows 1000] [--seconds 15] [--warmup 5] [--series 100] \
 *   [--durability sync]
 * </pre>
 */
public final class ReplicationHarness {

  /** The topic the leader ships to. */
  static final String TOPIC = "replication-bench";

  /** The options and their defaults, as {@code --help} prints them. */
  static final String USAGE =
      """
      usage: ReplicationHarness [--phases max,100000,10000] [--txn-rows 1000] [--seconds 15]
                                [--warmup 5] [--series 100] [--durability sync]
        --phases      phases in order: max (as fast as the leader can) or a rate in rows per second
        --txn-rows    rows per leader transaction
        --seconds     how long each phase writes
        --warmup      seconds written as fast as the leader can before the phases, not reported
                      (JIT, the first Kafka transactions, the maps' growth); 0 for none
        --series      tick series the rows are spread over
        --durability  the leader's and the replica's: sync, meta-nosync or nosync
      """;

  /** How long the harness waits for the follower to catch up after a phase. */
  private static final Duration CATCH_UP = Duration.ofMinutes(5);

  private static final long SAMPLE_NANOS = 50_000_000L;

  private final PrintStream out;
  private List<Long> rates = List.of(0L, 100_000L, 10_000L);
  private int txnRows = 1000;
  private double seconds = 15;
  private double warmup = 5;
  private int series = 100;
  private SyncMode durability = SyncMode.SYNC;

  /**
   * A harness printing to {@code out}, configured by {@code args} (see {@link #USAGE}).
   *
   * @throws IllegalArgumentException for an unknown option or a bad value
   */
  ReplicationHarness(PrintStream out, String... args) {
    this.out = out;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      String v = args[i + 1].replace("_", "");
      switch (args[i]) {
        case "--phases" -> {
          List<Long> r = new ArrayList<>();
          for (String p : v.split(",")) {
            r.add(p.equals("max") ? 0L : positive(args[i], Long.parseLong(p)));
          }
          rates = List.copyOf(r);
        }
        case "--txn-rows" -> txnRows = (int) positive(args[i], Integer.parseInt(v));
        case "--seconds" -> seconds = positive(args[i], Double.parseDouble(v));
        case "--warmup" -> warmup = Double.parseDouble(v);
        case "--series" -> series = (int) positive(args[i], Integer.parseInt(v));
        case "--durability" -> durability = SyncMode.of(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
  }

  private static <N extends Number> N positive(String option, N n) {
    if (n.doubleValue() <= 0) {
      throw new IllegalArgumentException(option + " must be positive: " + n);
    }
    return n;
  }

  /** The ticks table, as W3's (series, time) -> FlatBuffers tick. */
  static final class TickSchema extends Schema {
    final FlatBuffersCodec<TickFb> values =
        FlatBuffersCodec.of(TickFb::getRootAsTickFb, TickFb::new);
    final SchemaTable<Tuple2<UUID, Instant>, TickFb> ticks =
        table(
            "3c9a7f1e-6b2d-4e58-a1c4-9d0e7f8b2a63",
            "tick",
            KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
            values);
  }

  /**
   * What one phase measured.
   *
   * @param name {@code max} or the rate asked, in rows per second
   * @param transactions leader transactions written
   * @param rows rows written
   * @param writeSeconds how long the leader wrote
   * @param leaderRowsPerSecond rows committed per second
   * @param shippedRowsPerSecond rows committed in Kafka per second over the same window
   * @param appliedRowsPerSecond rows applied by the follower per second over the same window
   * @param maxEntriesBehind the most leader transactions the follower was behind, sampled
   * @param caughtUpSeconds seconds from the last commit until the follower had applied it
   * @param lagMillis end-to-end lag of each transaction, sorted, in milliseconds
   */
  record Phase(
      String name,
      long transactions,
      long rows,
      double writeSeconds,
      double leaderRowsPerSecond,
      double shippedRowsPerSecond,
      double appliedRowsPerSecond,
      long maxEntriesBehind,
      double caughtUpSeconds,
      double[] lagMillis) {

    /** The lag at quantile {@code q} (nearest rank), in milliseconds; NaN without samples. */
    double lag(double q) {
      if (lagMillis.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(q * lagMillis.length);
      return lagMillis[Math.max(0, Math.min(lagMillis.length - 1, rank - 1))];
    }

    /**
     * Whether the follower kept up: it applied at least 95% of the leader's rate over the window
     * and had the last commit within a second of it.
     */
    boolean keptUp() {
      return appliedRowsPerSecond >= 0.95 * leaderRowsPerSecond && caughtUpSeconds <= 1.0;
    }
  }

  /**
   * What a run measured.
   *
   * @param phases each phase, in order
   * @param leaderTicks ticks in the leader at the end
   * @param replicaTicks ticks in the replica at the end
   */
  record Report(List<Phase> phases, long leaderTicks, long replicaTicks) {}

  /**
   * Runs the harness; see the class comment. Exits with 0 if the replica ended equal in size to the
   * leader, 1 if not, 2 for bad arguments.
   *
   * @param args the options ({@code --help} lists them)
   * @throws Exception if the broker cannot start or the follower does not catch up
   */
  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help")) {
      System.out.print(USAGE);
      return;
    }
    ReplicationHarness harness;
    try {
      harness = new ReplicationHarness(System.out, args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    Report report = harness.run();
    System.exit(report.leaderTicks() == report.replicaTicks() ? 0 : 1);
  }

  /**
   * Runs every phase and prints what it measured.
   *
   * @return the measurements
   * @throws Exception if the broker cannot start or the follower does not catch up
   */
  Report run() throws Exception {
    Durability d =
        switch (durability) {
          case SYNC -> Durability.SYNC;
          case META_NO_SYNC -> Durability.NO_META_SYNC;
          case NO_SYNC -> Durability.NO_SYNC;
        };
    out.printf(
        Locale.ROOT,
        "# replication harness: %,d-row transactions over %d series, %s s per phase, leader and"
            + " replica %s, %d cores, Java %s%n",
        txnRows,
        series,
        fmt(seconds),
        durability.id(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    Path dir = StoreFixture.freshDir("replication");
    try (TestBroker broker = TestBroker.start()) {
      String topic = broker.createTopic(TOPIC);
      try (Database leader =
              Database.open(
                  dir.resolve("leader"),
                  DatabaseOptions.builder()
                      .durability(d)
                      .changeFeed(FeedOptions.defaults())
                      .build());
          Shipper shipper =
              Shipper.builder(leader, topic).bootstrapServers(broker.bootstrapServers()).build()) {
        TickSchema schema = leader.attach(new TickSchema());
        shipper.start();
        leader.backupTo(dir.resolve("snapshot"));
        try (Follower follower =
            Follower.builder(dir.resolve("replica"), topic)
                .bootstrapServers(broker.bootstrapServers())
                .snapshot(dir.resolve("snapshot"))
                .databaseOptions(DatabaseOptions.builder().durability(d).replica(true).build())
                .build()) {
          follower.start();
          TickSchema replicaSchema = follower.database().attach(new TickSchema());
          out.printf(
              "# broker at %s, follower bootstrapped at seq %d%n",
              broker.bootstrapServers(), follower.appliedSeq());
          List<Phase> done = new ArrayList<>();
          Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, series, 0);
          long[] nextRow = {0};
          if (warmup > 0) {
            Phase w = phase(leader, schema, shipper, follower, data, nextRow, 0, warmup);
            out.printf(
                Locale.ROOT,
                "# warm-up: %,d rows in %s s, not reported%n",
                w.rows(),
                fmt(w.writeSeconds()));
          }
          out.printf(
              Locale.ROOT,
              "%-8s %14s %14s %14s %12s %10s %9s %9s %9s  %s%n",
              "phase",
              "leader rows/s",
              "shipped rows/s",
              "applied rows/s",
              "max behind",
              "caught up",
              "lag p50",
              "lag p99",
              "lag max",
              "kept up");
          for (long rate : rates) {
            Phase p = phase(leader, schema, shipper, follower, data, nextRow, rate, seconds);
            done.add(p);
            print(p);
          }
          long leaderTicks = leader.readAndGet(txn -> schema.ticks.count(txn));
          long replicaTicks = follower.database().readAndGet(txn -> replicaSchema.ticks.count(txn));
          out.printf(
              Locale.ROOT,
              "# ticks: %,d on the leader, %,d on the replica: %s%n",
              leaderTicks,
              replicaTicks,
              leaderTicks == replicaTicks ? "equal" : "DIFFERENT");
          return new Report(List.copyOf(done), leaderTicks, replicaTicks);
        }
      }
    } finally {
      StoreFixture.deleteTree(dir);
    }
  }

  /** One phase: writes for {@code seconds} at {@code rate} rows/s (0: as fast as it can). */
  private Phase phase(
      Database leader,
      TickSchema schema,
      Shipper shipper,
      Follower follower,
      Dataset data,
      long[] nextRow,
      long rate,
      double seconds)
      throws InterruptedException {
    BlockingQueue<long[]> committed = new LinkedBlockingQueue<>();
    List<Double> lags = new ArrayList<>();
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (true) {
                  long[] c = committed.take();
                  if (c[0] < 0) {
                    return;
                  }
                  if (!follower.awaitApplied(c[0], CATCH_UP)) {
                    throw new IllegalStateException("seq " + c[0] + " not applied in " + CATCH_UP);
                  }
                  lags.add((System.nanoTime() - c[1]) / 1e6);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "replication-harness-lag");
    watcher.setDaemon(true);
    watcher.start();
    AtomicLong maxBehind = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                maxBehind.accumulateAndGet(
                    leader.feed().lastSeq() - follower.appliedSeq(), Math::max);
                LockSupport.parkNanos(SAMPLE_NANOS);
              }
            },
            "replication-harness-sampler");
    sampler.setDaemon(true);

    long shippedBefore = shipper.shippedSeq();
    long appliedBefore = follower.appliedSeq();
    long intervalNanos = rate == 0 ? 0 : Math.max(1, 1_000_000_000L * txnRows / rate);
    long durationNanos = (long) (seconds * 1e9);
    long transactions = 0;
    long lastSeq = 0;
    sampler.start();
    long start = System.nanoTime();
    long now = start;
    while (now - start < durationNanos) {
      if (intervalNanos > 0) {
        long due = start + transactions * intervalNanos;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
      }
      long from = nextRow[0];
      lastSeq = leader.feed().write(txn -> writeRows(txn, schema, data, from, txnRows));
      now = System.nanoTime();
      committed.add(new long[] {lastSeq, now});
      nextRow[0] += txnRows;
      transactions++;
    }
    long end = now;
    long shippedAtEnd = shipper.shippedSeq();
    long appliedAtEnd = follower.appliedSeq();
    if (!follower.awaitApplied(lastSeq, CATCH_UP)) {
      throw new IllegalStateException(
          "the follower did not catch up within " + CATCH_UP + ": " + follower.failure());
    }
    double caughtUp = (System.nanoTime() - end) / 1e9;
    committed.add(new long[] {-1, 0});
    watcher.join(CATCH_UP.toMillis());
    sampler.interrupt();
    sampler.join(TimeUnit.SECONDS.toMillis(10));
    if (watcher.isAlive()) {
      throw new IllegalStateException("the lag watcher did not finish");
    }
    double writeSeconds = (end - start) / 1e9;
    long rows = transactions * txnRows;
    double[] lag = lags.stream().mapToDouble(Double::doubleValue).toArray(); // after join
    Arrays.sort(lag);
    return new Phase(
        rate == 0 ? "max" : String.format(Locale.ROOT, "%,d/s", rate),
        transactions,
        rows,
        writeSeconds,
        rows / writeSeconds,
        (shippedAtEnd - shippedBefore) * (double) txnRows / writeSeconds,
        (appliedAtEnd - appliedBefore) * (double) txnRows / writeSeconds,
        maxBehind.get(),
        caughtUp,
        lag);
  }

  /** Rows {@code from .. from + count - 1}: row g is tick g / series of series g % series. */
  private static void writeRows(Txn txn, TickSchema schema, Dataset data, long from, int count) {
    int series = data.series();
    for (long g = from; g < from + count; g++) {
      int s = (int) (g % series);
      long j = g / series;
      long nanos = Dataset.tickTime(j);
      double price = data.tickPrice(s, j);
      double size = data.tickSize(s, j);
      long sequence = Dataset.tickSequence(j);
      schema.ticks.put(
          txn,
          Tuple2.of(data.seriesOid(s), Instant.ofEpochSecond(0, nanos)),
          schema.values.build(b -> TickFb.createTickFb(b, price, size, sequence)));
    }
  }

  private void print(Phase p) {
    out.printf(
        Locale.ROOT,
        "%-8s %,14.0f %,14.0f %,14.0f %12s %10s %9s %9s %9s  %s%n",
        p.name(),
        p.leaderRowsPerSecond(),
        p.shippedRowsPerSecond(),
        p.appliedRowsPerSecond(),
        String.format(Locale.ROOT, "%,d tx", p.maxEntriesBehind()),
        fmt(p.caughtUpSeconds()) + " s",
        fmt(p.lag(0.50)) + " ms",
        fmt(p.lag(0.99)) + " ms",
        fmt(p.lag(1.0)) + " ms",
        p.keptUp() ? "yes" : "no");
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return v >= 100
        ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }
}
