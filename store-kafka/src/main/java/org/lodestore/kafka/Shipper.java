package org.lodestore.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.lodestore.core.ChangeFeed;
import org.lodestore.core.Database;
import org.lodestore.core.FeedEntry;
import org.lodestore.core.InvalidStateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a database's change feed to a Kafka topic of one partition, exactly once and in order,
 * in Kafka transactions; a {@link Follower} reads it.
 *
 * <pre>{@code
 * Database db = Database.open(dir, DatabaseOptions.builder()
 *     .changeFeed(FeedOptions.defaults()).build());
 * try (Shipper shipper = Shipper.builder(db, "orders-feed")
 *     .bootstrapServers("kafka-1:9092,kafka-2:9092").build()) {
 *   shipper.start();
 *   db.write(txn -> orders.put(txn, id, order));   // shipped moments later
 * }
 * }</pre>
 *
 * <h2>Protocol</h2>
 *
 * <ol>
 *   <li>{@link #start()}: an idempotent, transactional producer ({@code acks=all}) whose {@code
 *       transactional.id} is the prefix plus the feed's generation calls {@code
 *       initTransactions()}, which fences any older shipper with that id (its open transaction is
 *       aborted, its later ones refused) and finishes its last one.
 *   <li>It reads the topic's last committed record ({@code read_committed}); if a shipper of
 *       another id wrote it (every record names its shipper: an older generation of the feed, or
 *       another prefix), it fences that id the same way and reads again. It resumes at that
 *       record's seq + 1: the topic is the only record of what was shipped, so nothing local needs
 *       to be atomic with Kafka, and a shipper that crashed anywhere neither loses nor repeats an
 *       entry.
 *   <li>On its thread it reads entries from the feed and ships up to {@link
 *       Builder#maxBatchEntries} of them (at least one, at most about {@link
 *       Builder#maxBatchBytes}) in one Kafka transaction, each in records of at most {@link
 *       Builder#maxPartBytes} (so an entry larger than a Kafka message is split into parts of that
 *       one transaction; see {@link Records} for the record format).
 *   <li>After each Kafka commit it {@linkplain ChangeFeed#acknowledge acknowledges} the last seq
 *       shipped, so that the feed trims what Kafka holds.
 *   <li>A failed transaction is aborted; if the abort says a newer shipper fenced this one, it
 *       stops. Otherwise it waits, reads where the topic ends (the transaction's fate may have been
 *       unknown) and ships from there, with a new producer if the old one cannot go on (back to
 *       step 1), at most {@link Builder#retries} times in a row; then it stops, and {@link
 *       #failure()} says why.
 * </ol>
 *
 * <p><b>Semi-sync</b> ({@link Builder#semiSync(Duration)}): every {@code db.write} of this process
 * returns only once its entry is committed in Kafka, so an acknowledged write survives the loss of
 * this machine. It costs one Kafka transaction (a few round trips to the brokers, and their
 * replication under {@code acks=all}) per group commit, waited for on the writer's thread; writes
 * that arrive meanwhile share the next transaction.
 *
 * <p>Thread-safe. One shipper per database and topic; the database must stay open while it runs.
 */
public final class Shipper implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Shipper.class);

  /** How often an idle shipper reads the feed even if this process committed nothing. */
  private static final long IDLE_READ_NANOS = 200_000_000L;

  /** Entries read from the feed at a time while a batch is filled. */
  private static final int READ_CHUNK = 64;

  private final Database db;
  private final String topic;
  private final String transactionalId;
  private final byte[] shipperHeader;
  private final Map<String, Object> producerConfig;
  private final Map<String, Object> consumerConfig;
  private final int maxBatchEntries;
  private final long maxBatchBytes;
  private final int maxPartBytes;
  private final int retries;
  private final Duration retryBackoff;
  private final Duration pollInterval;
  private final Duration kafkaTimeout;
  private final Duration semiSync;
  private final LongConsumer commitWaiter;

  private final Object lock = new Object();
  private volatile boolean running;
  private volatile boolean started;
  private volatile long shippedSeq;
  private volatile Throwable failure;
  private volatile long transactions;
  private volatile long records;
  private volatile long restarts;
  private KafkaProducer<byte[], byte[]> producer;
  private volatile Thread thread;
  private boolean wake;
  private volatile boolean resync;

  private Shipper(final Builder b) {
    this.db = b.db;
    this.topic = b.topic;
    this.transactionalId = b.transactionalIdPrefix + db.feed().generation();
    this.shipperHeader = transactionalId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.maxBatchEntries = b.maxBatchEntries;
    this.maxBatchBytes = b.maxBatchBytes;
    this.maxPartBytes = b.maxPartBytes;
    this.retries = b.retries;
    this.retryBackoff = b.retryBackoff;
    this.pollInterval = b.pollInterval;
    this.kafkaTimeout = b.kafkaTimeout;
    this.semiSync = b.semiSync;
    final Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "lodestore-shipper-" + topic);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) kafkaTimeout.toMillis());
    p.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Math.max(1 << 20, maxPartBytes + 64 * 1024)); // room for a part and its headers
    p.putAll(b.clientConfig);
    p.putAll(b.producerConfig);
    // what the guarantees rest on: not overridable
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    this.producerConfig = Map.copyOf(p);
    final Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) kafkaTimeout.toMillis());
    c.putAll(b.clientConfig);
    this.consumerConfig = Map.copyOf(c);
    this.commitWaiter = semiSync == null ? null : this::awaitForWriter;
  }

  /**
   * A builder for a shipper of {@code db}'s change feed to {@code topic}.
   *
   * @param db a database opened with {@code DatabaseOptions.changeFeed}, writable
   * @param topic the topic: it must exist, with one partition (see the README for its settings)
   * @return the builder
   */
  public static Builder builder(final Database db, final String topic) {
    return new Builder(db, topic);
  }

  /**
   * Starts shipping: fences an older shipper of the same transactional id, finds where the topic
   * ends, and ships from there on a thread of its own. Returns once shipping can begin.
   *
   * @throws KafkaFeedException if Kafka cannot be reached within the timeout, the topic is missing
   *     or has more than one partition, or holds a seq beyond this feed's last (another database's
   *     topic, or a database restored from an older copy)
   * @throws ShipperFencedException if a newer shipper fenced this one while it started
   * @throws IllegalStateException if already started
   */
  public void start() {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("shipper of topic " + topic + " already started");
      }
      started = true;
    }
    connect();
    if (commitWaiter != null) {
      db.feed().setCommitWaiter(commitWaiter);
    }
    running = true;
    thread = new Thread(this::run, "lodestore-shipper " + topic);
    thread.setDaemon(true);
    thread.start();
  }

  /** Opens the producer, fences older ones, and finds the seq to ship next. */
  private void connect() {
    final KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
    try {
      p.initTransactions();
      long last;
      final String previous;
      try (KafkaConsumer<byte[], byte[]> c =
          Records.consumer(consumerConfig, "lodestore-shipper-tail-" + topic)) {
        final TopicPartition tp = Records.partition(c, topic, kafkaTimeout);
        final ConsumerRecord<byte[], byte[]> r =
            Records.lastCommitted(c, tp, System.nanoTime() + kafkaTimeout.toNanos());
        last = r == null ? 0 : Records.seq(r);
        previous = r == null ? null : Records.shipper(r);
      }
      if (previous != null && !previous.equals(transactionalId)) {
        // the topic's last writer had another id (an older generation, another prefix): fence
        // it too, so that it ships nothing more and its open transaction no longer holds back
        // what followers can read; then read what it committed meanwhile
        fence(previous);
        last = lastShipped();
      }
      final long feedLast = db.feed().lastSeq();
      if (last > feedLast) {
        throw new KafkaFeedException(
            "the topic holds seq "
                + last
                + " but the change feed of "
                + db.path()
                + " ends at "
                + feedLast
                + ": is it another database's topic, or was the database restored from an older"
                + " copy?",
            topic,
            last,
            null);
      }
      synchronized (lock) {
        producer = p;
        shippedSeq = last;
        resync = false;
        lock.notifyAll();
      }
      LOG.info(
          "shipper of {} to topic {}: transactional id {}, resuming after seq {}",
          db.path(),
          topic,
          transactionalId,
          last);
    } catch (ProducerFencedException e) {
      p.close(Duration.ZERO);
      throw new ShipperFencedException(topic, transactionalId, shippedSeq + 1, e);
    } catch (KafkaException e) {
      p.close(Duration.ZERO);
      throw new KafkaFeedException(
          "cannot start shipping (transactional id " + transactionalId + "): " + e, topic, -1, e);
    } catch (RuntimeException e) {
      p.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * Fences the shipper with transactional id {@code id}: a producer of that id that calls {@code
   * initTransactions} aborts its open transaction and refuses its later ones; then closes.
   */
  private void fence(final String id) {
    final Map<String, Object> config = new HashMap<>(producerConfig);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "lodestore-shipper-fence-" + topic);
    try (KafkaProducer<byte[], byte[]> fencer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      fencer.initTransactions();
    }
    LOG.info(
        "shipper of {} to topic {}: fenced {}, the id of the topic's last writer",
        db.path(),
        topic,
        id);
  }

  /** The seq of the last entry committed in the topic, 0 if it holds none. */
  private long lastShipped() {
    try (KafkaConsumer<byte[], byte[]> c =
        Records.consumer(consumerConfig, "lodestore-shipper-tail-" + topic)) {
      final TopicPartition tp = Records.partition(c, topic, kafkaTimeout);
      final ConsumerRecord<byte[], byte[]> last =
          Records.lastCommitted(c, tp, System.nanoTime() + kafkaTimeout.toNanos());
      return last == null ? 0 : Records.seq(last);
    }
  }

  private void run() {
    int failures = 0;
    while (running) {
      try {
        if (producer == null) {
          connect();
        } else if (resync) {
          resync();
        }
        if (shipOnce()) {
          failures = 0;
        }
      } catch (ShipperFencedException e) {
        stop(e);
        return;
      } catch (InvalidStateException e) {
        if (db.isClosed()) {
          LOG.info("shipper of topic {} stopped: its database was closed", topic);
          stop(null);
        } else {
          stop(new KafkaFeedException("shipping failed: " + e, topic, shippedSeq + 1, e));
        }
        return;
      } catch (RuntimeException e) {
        if (fenced(e) || abortFenced()) {
          stop(new ShipperFencedException(topic, transactionalId, shippedSeq + 1, e));
          return;
        }
        if (!running) {
          break;
        }
        failures++;
        restarts++;
        if (failures > retries) {
          stop(
              new KafkaFeedException(
                  "shipping failed " + failures + " times in a row, the last: " + e,
                  topic,
                  shippedSeq + 1,
                  e));
          return;
        }
        LOG.warn(
            "shipper of topic {}: shipping seq {} failed ({}); retrying, attempt {} of {}",
            topic,
            shippedSeq + 1,
            e.toString(),
            failures,
            retries);
        pause(retryBackoff.multipliedBy(Math.min(failures, 10)).toMillis());
      }
    }
    stop(null);
  }

  /**
   * After a failed transaction: aborts it, keeping the producer if that works (the topic's end is
   * read again before the next batch), else closes it (the next round opens a new one). Returns
   * true if the abort says this shipper was fenced: Kafka reports a newer shipper's epoch to a
   * produce request as an invalid epoch, and to the abort, which asks the coordinator, as fencing.
   */
  private boolean abortFenced() {
    final KafkaProducer<byte[], byte[]> p = producer;
    resync = true;
    if (p == null) {
      return false;
    }
    try {
      p.abortTransaction();
      return false;
    } catch (RuntimeException e) {
      if (fenced(e)) {
        return true;
      }
      LOG.debug("shipper of topic {}: abort failed ({}); reconnecting", topic, e.toString());
      closeProducer(Duration.ZERO);
      return false;
    }
  }

  /** Reads where the topic ends again, after an aborted transaction whose fate was unknown. */
  private void resync() {
    final long last = lastShipped();
    if (last != shippedSeq) {
      LOG.info("shipper of topic {}: the topic ends at seq {}, resuming there", topic, last);
    }
    synchronized (lock) {
      shippedSeq = Math.max(last, shippedSeq); // what it committed stays committed
      resync = false;
      lock.notifyAll();
    }
  }

  /**
   * Ships one batch if the feed has one (else waits a little); returns whether it shipped.
   *
   * @throws KafkaException as the producer throws
   */
  private boolean shipOnce() {
    final long next = shippedSeq + 1;
    final List<FeedEntry> batch = nextBatch(next);
    if (batch.isEmpty()) {
      idle(next);
      return false;
    }
    if (batch.get(0).seq() != next) {
      LOG.warn(
          "shipper of topic {}: entries {} to {} are gone from the change feed of {} (dropped as"
              + " backlog or trimmed); the topic skips them and followers will have to bootstrap"
              + " again",
          topic,
          next,
          batch.get(0).seq() - 1,
          db.path());
    }
    final KafkaProducer<byte[], byte[]> p = producer;
    p.beginTransaction();
    int sent = 0;
    for (final FeedEntry e : batch) {
      for (final ProducerRecord<byte[], byte[]> r :
          Records.of(topic, e, maxPartBytes, shipperHeader)) {
        p.send(r);
        sent++;
      }
    }
    p.commitTransaction();
    final long last = batch.get(batch.size() - 1).seq();
    synchronized (lock) {
      shippedSeq = last;
      transactions++;
      records += sent;
      lock.notifyAll();
    }
    db.feed().acknowledge(last);
    return true;
  }

  /** Up to the batch limits of entries from {@code next} on (at least one if there is one). */
  private List<FeedEntry> nextBatch(final long next) {
    final List<FeedEntry> batch = new ArrayList<>();
    long bytes = 0;
    long from = next;
    while (batch.size() < maxBatchEntries && bytes < maxBatchBytes) {
      final List<FeedEntry> chunk =
          db.feed().read(from, Math.min(READ_CHUNK, maxBatchEntries - batch.size()));
      for (final FeedEntry e : chunk) {
        if (!batch.isEmpty() && bytes + e.size() > maxBatchBytes) {
          return batch;
        }
        batch.add(e);
        bytes += e.size();
      }
      if (chunk.size() < READ_CHUNK) {
        break;
      }
      from = chunk.get(chunk.size() - 1).seq() + 1;
    }
    return batch;
  }

  /** Waits until this process commits past {@code next - 1}, a wake, or the idle read is due. */
  private void idle(final long next) {
    final long until = System.nanoTime() + IDLE_READ_NANOS;
    synchronized (lock) {
      while (running && !wake && db.feed().lastSeq() < next && System.nanoTime() < until) {
        try {
          lock.wait(Math.max(1, pollInterval.toMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          running = false;
        }
      }
      wake = false;
    }
  }

  private void pause(final long millis) {
    final long until = System.nanoTime() + millis * 1_000_000L;
    synchronized (lock) {
      while (running && System.nanoTime() < until) {
        try {
          lock.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          running = false;
        }
      }
    }
  }

  private static boolean fenced(final Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException) {
        return true;
      }
    }
    return false;
  }

  private void stop(final Throwable why) {
    synchronized (lock) {
      if (why != null && failure == null) {
        failure = why;
        LOG.error("shipper of topic {} stopped: {}", topic, why.getMessage());
      }
      running = false;
      lock.notifyAll();
    }
    closeProducer(Duration.ZERO);
    // a semi-sync waiter stays until close(): writes fail fast instead of going on unconfirmed
  }

  private void clearCommitWaiter() {
    if (commitWaiter != null && !db.isClosed()) {
      db.feed().clearCommitWaiter(commitWaiter);
    }
  }

  /** The semi-sync commit waiter: on a writer's thread, after its commit. */
  private void awaitForWriter(final long seq) {
    if (Thread.currentThread() == thread) {
      // its own acknowledgement, grouped into a commit with users' writes: never wait for itself
      return;
    }
    synchronized (lock) {
      wake = true;
      lock.notifyAll();
    }
    if (!awaitShipped(seq, semiSync)) {
      throw new KafkaFeedException(
          "the write was committed in "
              + db.path()
              + " but not confirmed in Kafka within "
              + semiSync
              + " (semi-sync); it will be shipped when Kafka answers",
          topic,
          seq,
          null);
    }
  }

  private void closeProducer(final Duration timeout) {
    final KafkaProducer<byte[], byte[]> p;
    synchronized (lock) {
      p = producer;
      producer = null;
    }
    if (p != null) {
      try {
        p.close(timeout);
      } catch (KafkaException e) {
        LOG.debug("closing the producer of topic {}: {}", topic, e.toString());
      }
    }
  }

  /**
   * Waits until the entry {@code seq} is committed in the topic.
   *
   * @param seq a seq of the feed (e.g. from {@code db.feed().write(...)})
   * @param timeout how long to wait at most
   * @return true once shipped, false if {@code timeout} passed first
   * @throws KafkaFeedException if the shipper stopped (failed or closed) before shipping it
   * @throws IllegalStateException if the shipper was never started
   */
  public boolean awaitShipped(final long seq, final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      if (!started) {
        throw new IllegalStateException("shipper of topic " + topic + " was not started");
      }
      while (shippedSeq < seq) {
        if (!running && thread != null && !thread.isAlive() || failure != null) {
          throw new KafkaFeedException(
              "the shipper stopped before shipping it"
                  + (failure == null ? "" : ": " + failure.getMessage()),
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
          throw new KafkaFeedException("interrupted while waiting for Kafka", topic, seq, e);
        }
      }
      return true;
    }
  }

  /**
   * The seq of the last entry committed in the topic by this shipper, or found there at start.
   *
   * @return the seq (0 for none)
   */
  public long shippedSeq() {
    return shippedSeq;
  }

  /**
   * How many committed entries of the feed are not in the topic yet.
   *
   * @return the entries behind (0 when caught up)
   */
  public long entriesBehind() {
    return Math.max(0, db.feed().lastSeq() - shippedSeq);
  }

  /**
   * How long ago the oldest entry not yet in the topic was committed.
   *
   * @return milliseconds (0 when caught up)
   */
  public long millisBehind() {
    final long shipped = shippedSeq;
    if (db.feed().lastSeq() <= shipped) {
      return 0;
    }
    final List<FeedEntry> oldest = db.feed().read(shipped + 1, 1);
    if (oldest.isEmpty()) {
      return 0;
    }
    return Math.max(0, Duration.between(oldest.get(0).commitTime(), Instant.now()).toMillis());
  }

  /**
   * Why the shipper stopped by itself, if it did.
   *
   * @return a {@link KafkaFeedException} ({@link ShipperFencedException} when fenced), or empty
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Whether it is shipping.
   *
   * @return false before {@link #start()}, after {@link #close()} or a failure
   */
  public boolean isRunning() {
    return running;
  }

  /**
   * Kafka transactions committed since start.
   *
   * @return the count
   */
  public long transactions() {
    return transactions;
  }

  /**
   * Records (entries, or parts of large ones) committed since start.
   *
   * @return the count
   */
  public long records() {
    return records;
  }

  /**
   * How many times it reconnected after a failure since start.
   *
   * @return the count
   */
  public long restarts() {
    return restarts;
  }

  /**
   * The transactional id it ships with: the prefix plus the feed's generation.
   *
   * @return the id
   */
  public String transactionalId() {
    return transactionalId;
  }

  /**
   * The topic.
   *
   * @return its name
   */
  public String topic() {
    return topic;
  }

  /**
   * Stops shipping: the batch in flight is committed or aborted (an aborted one is shipped again by
   * the next shipper), the producer closed, a semi-sync waiter removed (writes waiting for Kafka
   * then fail). Idempotent. Entries committed meanwhile stay in the feed for the next shipper.
   */
  @Override
  public void close() {
    final Thread t;
    synchronized (lock) {
      running = false;
      lock.notifyAll();
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(kafkaTimeout.toMillis() + 5_000);
        if (t.isAlive()) {
          t.interrupt();
          t.join(10_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeProducer(Duration.ofSeconds(5));
    clearCommitWaiter();
  }

  /** Settings of a {@link Shipper}; {@link #build()} checks them. */
  public static final class Builder {
    private final Database db;
    private final String topic;
    private String bootstrapServers;
    private String transactionalIdPrefix = "lodestore-";
    private int maxBatchEntries = 1000;
    private long maxBatchBytes = 16L << 20;
    private int maxPartBytes = 1_000_000;
    private int retries = 10;
    private Duration retryBackoff = Duration.ofSeconds(1);
    private Duration pollInterval = Duration.ofMillis(5);
    private Duration kafkaTimeout = Duration.ofSeconds(30);
    private Duration semiSync;
    private final Map<String, Object> clientConfig = new HashMap<>();
    private final Map<String, Object> producerConfig = new HashMap<>();

    private Builder(final Database db, final String topic) {
      this.db = Objects.requireNonNull(db, "db");
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
     * The start of the transactional id ({@code "lodestore-"} by default); the feed's generation
     * follows it. Shippers with one id fence each other: give each database its own prefix if
     * several share a cluster and could share a generation (they do not, unless copied).
     *
     * @param prefix the prefix
     * @return this
     */
    public Builder transactionalIdPrefix(final String prefix) {
      this.transactionalIdPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * The most entries in one Kafka transaction (1000 by default).
     *
     * @param entries at least 1
     * @return this
     */
    public Builder maxBatchEntries(final int entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("maxBatchEntries must be at least 1: " + entries);
      }
      this.maxBatchEntries = entries;
      return this;
    }

    /**
     * About the most bytes of entries in one Kafka transaction (16 MiB by default); a larger entry
     * goes alone.
     *
     * @param bytes at least 1
     * @return this
     */
    public Builder maxBatchBytes(final long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBatchBytes must be at least 1: " + bytes);
      }
      this.maxBatchBytes = bytes;
      return this;
    }

    /**
     * The most bytes of an entry in one record (1,000,000 by default, under Kafka's default message
     * size); a larger entry is split into parts within one transaction. Keep it below the topic's
     * {@code max.message.bytes}.
     *
     * @param bytes at least 1024
     * @return this
     */
    public Builder maxPartBytes(final int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxPartBytes must be at least 1024: " + bytes);
      }
      this.maxPartBytes = bytes;
      return this;
    }

    /**
     * How many failures in a row it reconnects after before it stops (10 by default).
     *
     * @param retries at least 0
     * @return this
     */
    public Builder retries(final int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must be at least 0: " + retries);
      }
      this.retries = retries;
      return this;
    }

    /**
     * The pause after a failure, times the failures in a row (at most 10 times; 1 s by default).
     *
     * @param backoff the pause
     * @return this
     */
    public Builder retryBackoff(final Duration backoff) {
      this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * How long an idle shipper waits before it looks at the feed again (5 ms by default); commits
     * of this process are seen within it, other processes' within 200 ms.
     *
     * @param interval the interval
     * @return this
     */
    public Builder pollInterval(final Duration interval) {
      this.pollInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * How long a Kafka call may block (30 s by default): the producer's {@code max.block.ms}, and
     * the wait for the topic's end at start.
     *
     * @param timeout the timeout
     * @return this
     */
    public Builder kafkaTimeout(final Duration timeout) {
      this.kafkaTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Semi-sync: every {@code db.write} and {@code db.writeAndGet} of this process (not an explicit
     * {@code beginWrite} transaction) returns only once its entry is committed in Kafka, or throws
     * {@link KafkaFeedException} after {@code timeout}, or at once once the shipper failed, until
     * it is closed (the write is committed in the database all the same, and shipped by the next
     * shipper). Costs one Kafka transaction per group commit, waited for by the writer.
     *
     * @param timeout how long a write waits for Kafka
     * @return this
     */
    public Builder semiSync(final Duration timeout) {
      this.semiSync = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * A Kafka client setting for the producer and the consumer it reads the topic's end with (e.g.
     * {@code security.protocol}, {@code sasl.jaas.config}).
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
     * A producer setting (e.g. {@code compression.type}); {@code acks}, {@code enable.idempotence}
     * and {@code transactional.id} are the shipper's and cannot be set.
     *
     * @param key the setting
     * @param value its value
     * @return this
     */
    public Builder producerConfig(final String key, final Object value) {
      producerConfig.put(key, value);
      return this;
    }

    /**
     * The shipper, not started.
     *
     * @return the shipper
     * @throws IllegalArgumentException if no bootstrap servers were given
     * @throws org.lodestore.core.InvalidStateException if the database has no change feed
     */
    public Shipper build() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers is required");
      }
      return new Shipper(this);
    }
  }
}
