package org.lodestore.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.lodestore.core.FeedEntry;

/**
 * The change feed's form in a Kafka topic, shared by {@link Shipper} and {@link Follower}.
 *
 * <pre>
 *  topic        one partition (0): the feed is one ordered log
 *  record key   seq, 8 bytes big-endian
 *  record value the entry's bytes ({@link FeedEntry#bytes()}), or part {@code i} of them
 *  headers      lodestore.generation  16 bytes, the feed generation (UUID, most significant first)
 *               lodestore.part        4 bytes big-endian, i (0-based)
 *               lodestore.parts       4 bytes big-endian, n (1 for an entry in one record)
 *               lodestore.shipper     UTF-8, the transactional id of the shipper that wrote it
 * </pre>
 *
 * <p>An entry's parts are consecutive records of one Kafka transaction, so a {@code read_committed}
 * reader sees all of them or none; a transaction holds whole entries only, so the last committed
 * record of the topic carries the seq of the last entry shipped.
 */
final class Records {

  static final String GENERATION = "lodestore.generation";
  static final String PART = "lodestore.part";
  static final String PARTS = "lodestore.parts";
  static final String SHIPPER = "lodestore.shipper";

  /** The partition every record goes to. */
  static final int PARTITION = 0;

  private Records() {}

  /** The records of {@code entry}, in parts of at most {@code partBytes}. */
  static List<ProducerRecord<byte[], byte[]>> of(
      final String topic, final FeedEntry entry, final int partBytes, final byte[] shipper) {
    final byte[] bytes = entry.bytes();
    final int parts = Math.max(1, (bytes.length + partBytes - 1) / partBytes);
    final byte[] key = ByteBuffer.allocate(8).putLong(entry.seq()).array();
    final byte[] generation =
        ByteBuffer.allocate(16)
            .putLong(entry.generation().getMostSignificantBits())
            .putLong(entry.generation().getLeastSignificantBits())
            .array();
    final List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(parts);
    for (int i = 0; i < parts; i++) {
      final byte[] value =
          parts == 1
              ? bytes
              : java.util.Arrays.copyOfRange(
                  bytes, i * partBytes, Math.min(bytes.length, (i + 1) * partBytes));
      final List<Header> headers =
          List.of(
              new RecordHeader(GENERATION, generation),
              new RecordHeader(PART, int4(i)),
              new RecordHeader(PARTS, int4(parts)),
              new RecordHeader(SHIPPER, shipper));
      out.add(new ProducerRecord<>(topic, PARTITION, null, key, value, headers));
    }
    return out;
  }

  private static byte[] int4(final int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  /**
   * The seq a record carries.
   *
   * @throws KafkaFeedException if its key is not 8 bytes (not a record of a feed)
   */
  static long seq(final ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null || r.key().length != 8) {
      throw new KafkaFeedException(
          "the record at offset " + r.offset() + " has no 8-byte seq key: not a change feed record",
          r.topic(),
          -1,
          null);
    }
    return ByteBuffer.wrap(r.key()).getLong();
  }

  /** The part index of a record (0 if the header is missing). */
  static int part(final ConsumerRecord<byte[], byte[]> r) {
    return intHeader(r, PART, 0);
  }

  /** The part count of a record (1 if the header is missing). */
  static int parts(final ConsumerRecord<byte[], byte[]> r) {
    return intHeader(r, PARTS, 1);
  }

  /** The transactional id of the shipper that wrote a record, or null if it does not say. */
  static String shipper(final ConsumerRecord<byte[], byte[]> r) {
    final Header h = r.headers().lastHeader(SHIPPER);
    return h == null || h.value() == null
        ? null
        : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The generation a record carries, or null if it has none. */
  static UUID generation(final ConsumerRecord<byte[], byte[]> r) {
    final Header h = r.headers().lastHeader(GENERATION);
    if (h == null || h.value() == null || h.value().length != 16) {
      return null;
    }
    final ByteBuffer b = ByteBuffer.wrap(h.value());
    return new UUID(b.getLong(), b.getLong());
  }

  private static int intHeader(
      final ConsumerRecord<byte[], byte[]> r, final String name, final int absent) {
    final Header h = r.headers().lastHeader(name);
    if (h == null || h.value() == null || h.value().length != 4) {
      return absent;
    }
    return ByteBuffer.wrap(h.value()).getInt();
  }

  /** A consumer that reads committed records only, assigned by hand, committing no offsets. */
  static KafkaConsumer<byte[], byte[]> consumer(
      final Map<String, Object> config, final String clientId) {
    final Map<String, Object> c = new java.util.HashMap<>(config);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Checks that {@code topic} exists with one partition and returns that partition.
   *
   * @throws KafkaFeedException if it does not exist or has more than one partition
   */
  static TopicPartition partition(
      final Consumer<byte[], byte[]> consumer, final String topic, final Duration timeout) {
    final List<PartitionInfo> partitions;
    try {
      partitions = consumer.partitionsFor(topic, timeout);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new KafkaFeedException("cannot read the topic's metadata: " + e, topic, -1, e);
    }
    if (partitions == null || partitions.isEmpty()) {
      throw new KafkaFeedException(
          "the topic does not exist: create it with one partition (see the README's topic"
              + " settings)",
          topic,
          -1,
          null);
    }
    if (partitions.size() != 1) {
      throw new KafkaFeedException(
          "the topic has "
              + partitions.size()
              + " partitions: a change feed is one ordered log and needs a topic of one partition",
          topic,
          -1,
          null);
    }
    return new TopicPartition(topic, PARTITION);
  }

  /**
   * The last committed record of the partition (read_committed: before the last stable offset),
   * found by reading back from the end, over a window that widens until it holds a committed record
   * (aborted transactions leave none).
   *
   * @param consumer a read_committed consumer; it is assigned {@code tp} and left at the end
   * @param tp the partition
   * @param deadline {@link System#nanoTime()} by which to give up
   * @return the record, or null if the partition holds no committed record
   * @throws org.apache.kafka.common.errors.TimeoutException if the deadline passes first
   */
  static ConsumerRecord<byte[], byte[]> lastCommitted(
      final Consumer<byte[], byte[]> consumer, final TopicPartition tp, final long deadline) {
    consumer.assign(List.of(tp));
    final Duration wait = remaining(deadline);
    final long begin = consumer.beginningOffsets(List.of(tp), wait).get(tp);
    final long end = consumer.endOffsets(List.of(tp), remaining(deadline)).get(tp);
    long lookback = 64;
    while (true) {
      final long from = Math.max(begin, end - lookback);
      consumer.seek(tp, from);
      ConsumerRecord<byte[], byte[]> last = null;
      while (consumer.position(tp, remaining(deadline)) < end) {
        for (final ConsumerRecord<byte[], byte[]> r :
            consumer.poll(Duration.ofMillis(Math.min(500, remaining(deadline).toMillis())))) {
          if (r.offset() < end) {
            last = r;
          }
        }
        remaining(deadline);
      }
      if (last != null || from == begin) {
        return last;
      }
      lookback *= 8;
    }
  }

  /**
   * The offset of the first record whose seq is {@code seq} or more (its first part), found by a
   * binary search over offsets (seqs grow with offsets); the end offset if there is none yet.
   *
   * @param consumer a read_committed consumer; it is assigned {@code tp}
   * @param tp the partition
   * @param seq the seq wanted
   * @param deadline {@link System#nanoTime()} by which to give up
   * @return the offset to consume from
   * @throws org.apache.kafka.common.errors.TimeoutException if the deadline passes first
   */
  static long offsetOf(
      final Consumer<byte[], byte[]> consumer,
      final TopicPartition tp,
      final long seq,
      final long deadline) {
    consumer.assign(List.of(tp));
    long lo = consumer.beginningOffsets(List.of(tp), remaining(deadline)).get(tp);
    long hi = consumer.endOffsets(List.of(tp), remaining(deadline)).get(tp);
    while (lo < hi) {
      final long mid = lo + (hi - lo) / 2;
      final ConsumerRecord<byte[], byte[]> r = firstAtOrAfter(consumer, tp, mid, hi, deadline);
      if (r == null || seq(r) >= seq) {
        hi = mid;
      } else {
        lo = r.offset() + 1;
      }
    }
    return lo;
  }

  /** The first committed record at {@code offset} or after, before {@code end}; or null. */
  private static ConsumerRecord<byte[], byte[]> firstAtOrAfter(
      final Consumer<byte[], byte[]> consumer,
      final TopicPartition tp,
      final long offset,
      final long end,
      final long deadline) {
    consumer.seek(tp, offset);
    while (consumer.position(tp, remaining(deadline)) < end) {
      for (final ConsumerRecord<byte[], byte[]> r :
          consumer.poll(Duration.ofMillis(Math.min(500, remaining(deadline).toMillis())))) {
        return r.offset() < end ? r : null;
      }
    }
    return null;
  }

  /**
   * The time left until {@code deadline}.
   *
   * @throws org.apache.kafka.common.errors.TimeoutException if none is left
   */
  static Duration remaining(final long deadline) {
    final long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new org.apache.kafka.common.errors.TimeoutException(
          "timed out reading the topic's records");
    }
    return Duration.ofNanos(left);
  }
}
