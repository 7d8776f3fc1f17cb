package org.lodestore.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.FeedEntry;
import org.lodestore.core.FeedGapException;
import org.lodestore.core.FeedReplica;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.LodestoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a replica of a database from the topic a {@link Shipper} writes: a read-only copy, byte for
 * byte (every table, index and catalog), that its users read through {@link #database()}.
 *
 * <pre>{@code
 * leader.backupTo(snapshotDir);                  // on the leader's machine; copy it over
 * try (Follower follower = Follower.builder(replicaDir, "orders-feed")
 *     .bootstrapServers("kafka-1:9092").snapshot(snapshotDir).build()) {
 *   follower.start();
 *   Database replica = follower.database();      // read it; attach the same Schema
 *   long seq = leaderFeed.write(txn -> orders.put(txn, id, order));   // on the leader
 *   follower.awaitApplied(seq, Duration.ofSeconds(5));                // read your write here
 * }
 * }</pre>
 *
 * <h2>Protocol</h2>
 *
 * <ol>
 *   <li><b>Bootstrap</b> (the first start, or {@link #rebootstrap}): the snapshot, a {@link
 *       Database#backupTo} copy of the leader, is copied into the replica directory, opened as a
 *       replica ({@link DatabaseOptions.Builder#replica(boolean)}), and {@link
 *       FeedReplica#startFromSnapshot} sets its position to the feed head the copy holds.
 *   <li><b>Where to read</b>: the replica's position records, with the last entry applied, the
 *       offset of the record after it (8 bytes of {@link FeedReplica.Position#state()}); the first
 *       time there is none, and a binary search over the topic's offsets finds the first record of
 *       seq = position + 1.
 *   <li><b>Apply</b>: a manually assigned {@code read_committed} consumer (no consumer group, no
 *       offsets committed to Kafka) polls; split entries are reassembled; the entries of each poll
 *       are applied in one write transaction of the replica, which also records the position and
 *       the offset, so a crash anywhere leaves them in step. An entry at or below the position is
 *       skipped and counted ({@link #skipped()}), unless it has the position's own seq and another
 *       hash: the leader diverged (see Stop).
 *   <li><b>Stop</b> on an entry that does not follow (a gap: retention deleted records it needed,
 *       or the leader started a new generation; or a hash that does not chain, or another entry of
 *       the position's seq: the leader diverged, restored from an older copy, say): what came
 *       before it is applied, the follower stops, {@link #failure()} holds the {@link
 *       FeedGapException}, and {@link #rebootstrap} with a fresh snapshot cures it.
 * </ol>
 *
 * <p>Thread-safe. It applies on a thread of its own; users read {@link #database()} from any
 * thread.
 */
public final class Follower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Follower.class);

  private static final String DATA = "data.mdb";

  /** How often, at most, a follower that is behind asks the topic where it ends. */
  private static final long TAIL_EVERY_NANOS = 1_000_000_000L;

  private final Path dir;
  private final String topic;
  private final DatabaseOptions options;
  private final Map<String, Object> consumerConfig;
  private final Duration pollTimeout;
  private final Duration kafkaTimeout;
  private final Path firstSnapshot;

  private final Object lock = new Object();
  private volatile Database db;
  private volatile Thread thread;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean running;
  private volatile boolean started;
  private volatile boolean closed;
  private volatile Throwable failure;
  private volatile long appliedSeq;
  private volatile long tailSeq;
  private volatile long lastAppliedMicros = -1;
  private volatile long applied;
  private volatile long skipped;
  private volatile long polls;
  private volatile long bootstraps;

  private Follower(final Builder b) {
    this.dir = b.dir;
    this.topic = b.topic;
    this.options = b.options;
    this.pollTimeout = b.pollTimeout;
    this.kafkaTimeout = b.kafkaTimeout;
    this.firstSnapshot = b.snapshot;
    final Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) kafkaTimeout.toMillis());
    c.putAll(b.clientConfig);
    this.consumerConfig = Map.copyOf(c);
  }

  /**
   * A builder for a follower that keeps the replica in {@code replicaDir} from {@code topic}.
   *
   * @param replicaDir the replica's directory: bootstrapped from {@link Builder#snapshot} if it
   *     holds no database yet, else resumed
   * @param topic the topic the leader's shipper writes
   * @return the builder
   */
  public static Builder builder(final Path replicaDir, final String topic) {
    return new Builder(replicaDir, topic);
  }

  /**
   * Opens the replica (bootstrapping it from the snapshot the first time) and starts applying on a
   * thread of its own.
   *
   * @throws IllegalStateException if already started, or if the replica directory holds no database
   *     and no snapshot was given
   * @throws LodestoreException if the snapshot is not a copy of a database with a change feed, or
   *     cannot be copied or opened
   */
  public void start() {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("follower of topic " + topic + " already started");
      }
      started = true;
    }
    db = open(firstSnapshot);
    startThread();
  }

  /**
   * Bootstraps the replica again from {@code snapshot}, a fresh {@link Database#backupTo} copy of
   * the leader, after the follower stopped on a gap (or at any time): stops applying, closes the
   * replica database, replaces its files with the snapshot's, and applies from there on. The {@link
   * Database} that {@link #database()} returned before is closed: call it again (and close your
   * transactions of the old one first, or the new one cannot open).
   *
   * @param snapshot the directory holding the copy's {@code data.mdb}
   * @throws LodestoreException if the snapshot is not usable (the follower then stays stopped: call
   *     again with another)
   * @throws IllegalStateException if the follower was never started or is closed
   */
  public void rebootstrap(final Path snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    synchronized (lock) {
      if (!started || closed) {
        throw new IllegalStateException(
            "follower of topic " + topic + (closed ? " is closed" : " was not started"));
      }
    }
    stopThread();
    final Database old = db;
    if (old != null) {
      old.close();
    }
    db = null;
    try {
      for (final String file : List.of(DATA, "lock.mdb")) {
        Files.deleteIfExists(dir.resolve(file));
      }
    } catch (IOException e) {
      throw new LodestoreException("cannot remove the replica's files in " + dir + ": " + e, e);
    }
    db = open(snapshot);
    synchronized (lock) {
      failure = null;
      lock.notifyAll();
    }
    startThread();
  }

  /** Opens the replica, copying {@code snapshot} in first if it has no database yet. */
  private Database open(final Path snapshot) {
    try {
      Files.createDirectories(dir);
      final Path part = dir.resolve(DATA + ".part");
      Files.deleteIfExists(part); // a copy a crash interrupted
      if (!Files.exists(dir.resolve(DATA))) {
        if (snapshot == null) {
          throw new IllegalStateException(
              "replica directory "
                  + dir
                  + " holds no database: give the follower a snapshot (a backupTo copy of the"
                  + " leader)");
        }
        final Path source = snapshot.resolve(DATA);
        if (!Files.isRegularFile(source)) {
          throw new LodestoreException(
              "snapshot " + snapshot + " holds no " + DATA + ": is it a backupTo copy?");
        }
        Files.copy(source, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, dir.resolve(DATA), StandardCopyOption.ATOMIC_MOVE);
        bootstraps++;
      }
    } catch (IOException e) {
      throw new LodestoreException("cannot bootstrap replica " + dir + ": " + e, e);
    }
    final Database replica = Database.open(dir, options);
    try {
      FeedReplica.Position at = replica.readAndGet(txn -> FeedReplica.position(txn).orElse(null));
      if (at == null) {
        final FeedReplica.Position[] set = new FeedReplica.Position[1];
        FeedReplica.write(replica, txn -> set[0] = FeedReplica.startFromSnapshot(txn));
        at = set[0];
        LOG.info(
            "replica {} bootstrapped at seq {} of generation {}", dir, at.seq(), at.generation());
      }
      synchronized (lock) {
        appliedSeq = at.seq();
        tailSeq = Math.max(tailSeq, at.seq());
        lastAppliedMicros = -1;
        lock.notifyAll();
      }
      return replica;
    } catch (RuntimeException e) {
      replica.close();
      throw e;
    }
  }

  private void startThread() {
    synchronized (lock) {
      running = true;
      thread = new Thread(this::run, "lodestore-follower " + topic);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void stopThread() {
    final Thread t;
    synchronized (lock) {
      running = false;
      t = thread;
      lock.notifyAll();
    }
    final KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(kafkaTimeout.toMillis() + 10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    final Database replica = db;
    KafkaConsumer<byte[], byte[]> tail = null;
    try (KafkaConsumer<byte[], byte[]> c =
        Records.consumer(consumerConfig, "lodestore-follower-" + topic)) {
      consumer = c;
      if (!running) {
        return;
      }
      final TopicPartition tp = Records.partition(c, topic, kafkaTimeout);
      c.assign(List.of(tp));
      final FeedReplica.Position at =
          replica.readAndGet(txn -> FeedReplica.position(txn).orElseThrow());
      final byte[] state = at.state();
      final long from =
          state.length == 8
              ? ByteBuffer.wrap(state).getLong()
              : Records.offsetOf(c, tp, at.seq() + 1, System.nanoTime() + kafkaTimeout.toNanos());
      c.seek(tp, from);
      LOG.info(
          "follower of topic {}: replica {} at seq {}, reading from offset {}",
          topic,
          dir,
          at.seq(),
          from);
      final Assembler assembler = new Assembler(topic);
      long lastTail = 0;
      while (running) {
        final ConsumerRecords<byte[], byte[]> records;
        try {
          records = c.poll(pollTimeout);
        } catch (OffsetOutOfRangeException e) {
          LOG.warn(
              "follower of topic {}: offset {} is gone from the topic (retention?); reading from"
                  + " its beginning, where a gap will show",
              topic,
              c.position(tp));
          assembler.reset();
          c.seekToBeginning(List.of(tp));
          continue;
        }
        polls++;
        final List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
        if (!list.isEmpty()) {
          final List<Assembler.Assembled> batch = assembler.addAll(list);
          if (!batch.isEmpty()) {
            tailSeq = Math.max(tailSeq, batch.get(batch.size() - 1).entry().seq());
            apply(replica, batch);
          }
        }
        final long lag = c.currentLag(tp).orElse(-1);
        if (lag == 0) {
          tailSeq = Math.max(tailSeq, appliedSeq);
        } else if (lag > 0 && System.nanoTime() - lastTail > TAIL_EVERY_NANOS) {
          lastTail = System.nanoTime();
          if (tail == null) {
            tail = Records.consumer(consumerConfig, "lodestore-follower-tail-" + topic);
          }
          try {
            final ConsumerRecord<byte[], byte[]> last =
                Records.lastCommitted(tail, tp, System.nanoTime() + pollTimeout.toNanos() * 5);
            if (last != null) {
              tailSeq = Math.max(tailSeq, Records.seq(last));
            }
          } catch (KafkaException e) {
            LOG.debug("follower of topic {}: no lag figure this time: {}", topic, e.toString());
          }
        }
      }
    } catch (WakeupException e) {
      // closed or re-bootstrapped
    } catch (FeedGapException e) {
      fail(e);
    } catch (CorruptValueException e) {
      fail(
          new KafkaFeedException(
              "a record of the topic is not a sound change feed entry: " + e.getMessage(),
              topic,
              appliedSeq + 1,
              e));
    } catch (InvalidStateException e) {
      if (!replica.isClosed()) {
        fail(e);
      }
    } catch (KafkaException e) {
      fail(new KafkaFeedException("reading the topic failed: " + e, topic, appliedSeq + 1, e));
    } catch (RuntimeException | Error e) {
      fail(e);
    } finally {
      consumer = null;
      if (tail != null) {
        tail.close(CloseOptions.timeout(Duration.ZERO));
      }
      synchronized (lock) {
        running = false;
        lock.notifyAll();
      }
    }
  }

  /**
   * Applies the entries of one poll in one write transaction of the replica; on a gap, those before
   * it, then throws it.
   */
  private void apply(final Database replica, final List<Assembler.Assembled> batch) {
    final long before = appliedSeq;
    long fresh = 0;
    for (final Assembler.Assembled a : batch) {
      if (a.entry().seq() > before) {
        fresh++;
      }
    }
    if (fresh == 0) {
      skipped += batch.size();
      return;
    }
    try {
      commit(replica, batch, Long.MAX_VALUE);
    } catch (FeedGapException gap) {
      commit(replica, batch, gap.entrySeq());
      throw gap;
    }
  }

  /** Applies the entries of {@code batch} before seq {@code upTo} in one transaction. */
  private void commit(
      final Database replica, final List<Assembler.Assembled> batch, final long upTo) {
    final long before = appliedSeq;
    final long[] result = new long[4]; // applied, skipped, last seq, last commit micros
    FeedReplica.write(
        replica,
        txn -> {
          long applied = 0;
          long skipped = 0;
          long last = before;
          long micros = -1;
          for (final Assembler.Assembled a : batch) {
            final FeedEntry e = a.entry();
            if (e.seq() >= upTo) {
              break;
            }
            if (e.seq() <= last) {
              skipped++; // already applied: in the snapshot, or a repeat in the topic
            } else if (FeedReplica.apply(txn, e, offset(a.nextOffset()))) {
              applied++;
              last = e.seq();
              micros = micros(e.commitTime());
            } else {
              skipped++;
            }
          }
          result[0] = applied;
          result[1] = skipped;
          result[2] = last;
          result[3] = micros;
        });
    synchronized (lock) {
      applied += result[0];
      skipped += result[1];
      appliedSeq = result[2];
      if (result[3] >= 0) {
        lastAppliedMicros = result[3];
      }
      lock.notifyAll();
    }
  }

  private static byte[] offset(final long offset) {
    return ByteBuffer.allocate(8).putLong(offset).array();
  }

  private static long micros(final Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private void fail(final Throwable e) {
    synchronized (lock) {
      failure = e;
      running = false;
      lock.notifyAll();
    }
    LOG.error("follower of topic {} stopped at seq {}: {}", topic, appliedSeq, e.getMessage());
  }

  /**
   * The replica users read: an ordinary {@link Database} that refuses their writes; attach the
   * leader's schema to it to read typed rows. After {@link #rebootstrap} it is another one.
   *
   * @return the replica
   * @throws IllegalStateException before {@link #start()}
   */
  public Database database() {
    final Database d = db;
    if (d == null) {
      throw new IllegalStateException(
          "follower of topic "
              + topic
              + (started ? " has no replica open (a rebootstrap failed)" : " is not started"));
    }
    return d;
  }

  /**
   * Waits until the replica has applied the entry {@code seq} (read-your-writes: {@code
   * ChangeFeed.write} on the leader returns the seq of its entry).
   *
   * @param seq the seq to wait for
   * @param timeout how long at most
   * @return true once applied (reads of {@link #database()} then see it), false on timeout
   * @throws KafkaFeedException if the follower stopped on a failure before applying it (its cause
   *     is the failure, e.g. a {@link FeedGapException}), or was closed
   * @throws IllegalStateException before {@link #start()}
   */
  public boolean awaitApplied(final long seq, final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      if (!started) {
        throw new IllegalStateException("follower of topic " + topic + " was not started");
      }
      while (appliedSeq < seq) {
        if (closed) {
          throw new KafkaFeedException("the follower is closed", topic, seq, null);
        }
        if (failure != null) {
          throw new KafkaFeedException(
              "the follower stopped before applying it: " + failure.getMessage(),
              topic,
              seq,
              failure);
        }
        final long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KafkaFeedException("interrupted while waiting", topic, seq, e);
        }
      }
      return true;
    }
  }

  /**
   * The seq of the last entry applied (or that the snapshot held).
   *
   * @return the seq
   */
  public long appliedSeq() {
    return appliedSeq;
  }

  /**
   * How many entries the topic holds beyond what was applied, as last seen (the follower asks the
   * topic at most once a second while behind).
   *
   * @return entries behind (0 when caught up)
   */
  public long entriesBehind() {
    return Math.max(0, tailSeq - appliedSeq);
  }

  /**
   * While entries remain to apply, how long ago the last entry applied was committed on the leader
   * (reads of the replica are at most that stale, give or take the machines' clocks); 0 when caught
   * up.
   *
   * @return milliseconds behind
   */
  public long millisBehind() {
    if (entriesBehind() == 0) {
      return 0;
    }
    final long micros = lastAppliedMicros;
    if (micros < 0) {
      return 0;
    }
    return Math.max(0, System.currentTimeMillis() - micros / 1_000);
  }

  /**
   * Entries applied since start.
   *
   * @return the count
   */
  public long applied() {
    return applied;
  }

  /**
   * Entries skipped since start as already applied (in the snapshot, or repeated in the topic).
   *
   * @return the count
   */
  public long skipped() {
    return skipped;
  }

  /**
   * How many times the replica was bootstrapped from a snapshot by this follower.
   *
   * @return the count
   */
  public long bootstraps() {
    return bootstraps;
  }

  /**
   * Why the follower stopped by itself, if it did.
   *
   * @return a {@link FeedGapException} (gap or diverged hash chain), a {@link KafkaFeedException},
   *     or empty
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Whether it is applying.
   *
   * @return false before {@link #start()}, after {@link #close()} or a failure
   */
  public boolean isRunning() {
    return running;
  }

  /**
   * The topic.
   *
   * @return its name
   */
  public String topic() {
    return topic;
  }

  /** Stops applying and closes the replica database. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    stopThread();
    final Database d = db;
    if (d != null) {
      d.close();
    }
  }

  /** Settings of a {@link Follower}; {@link #build()} checks them. */
  public static final class Builder {
    private final Path dir;
    private final String topic;
    private String bootstrapServers;
    private Path snapshot;
    private DatabaseOptions options = DatabaseOptions.builder().replica(true).build();
    private Duration pollTimeout = Duration.ofMillis(200);
    private Duration kafkaTimeout = Duration.ofSeconds(30);
    private final Map<String, Object> clientConfig = new HashMap<>();

    private Builder(final Path dir, final String topic) {
      this.dir = Objects.requireNonNull(dir, "replicaDir");
      this.topic = Objects.requireNonNull(topic, "topic");
    }

    /**
     * The brokers to connect to ({@code bootstrap.servers}).
     *
     * @param servers {@code host:port[,host:port...]}
     * @return this
     */
    public Builder bootstrapServers(final String servers) {
      this.bootstrapServers = Objects.requireNonNull(servers, "servers");
      return this;
    }

    /**
     * The snapshot to bootstrap from if the replica directory holds no database yet: a directory
     * holding a {@link Database#backupTo} copy of the leader (it is copied, not moved).
     *
     * @param snapshot the directory
     * @return this
     */
    public Builder snapshot(final Path snapshot) {
      this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
      return this;
    }

    /**
     * How the replica is opened (by default {@code DatabaseOptions.builder().replica(true)}); it
     * must be a replica.
     *
     * @param options the options, with {@link DatabaseOptions.Builder#replica(boolean)} true
     * @return this
     * @throws IllegalArgumentException if they are not a replica's
     */
    public Builder databaseOptions(final DatabaseOptions options) {
      if (!options.replica()) {
        throw new IllegalArgumentException(
            "a follower's database is a replica: build its options with replica(true)");
      }
      this.options = options;
      return this;
    }

    /**
     * How long one poll of the topic waits for records (200 ms by default).
     *
     * @param timeout the timeout
     * @return this
     */
    public Builder pollTimeout(final Duration timeout) {
      this.pollTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How long a Kafka call at start (metadata, the search for the first record) may take (30 s by
     * default).
     *
     * @param timeout the timeout
     * @return this
     */
    public Builder kafkaTimeout(final Duration timeout) {
      this.kafkaTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * A consumer setting (e.g. {@code security.protocol}); its isolation level ({@code
     * read_committed}), offset handling and group are the follower's and cannot be set.
     *
     * @param key the setting
     * @param value its value
     * @return this
     */
    public Builder clientConfig(final String key, final Object value) {
      clientConfig.put(key, value);
      return this;
    }

    /**
     * The follower, not started.
     *
     * @return the follower
     * @throws IllegalArgumentException if no bootstrap servers were given
     */
    public Follower build() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers is required");
      }
      return new Follower(this);
    }
  }
}
