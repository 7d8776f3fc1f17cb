package org.lodestore.kafka;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lodestore.core.FeedEntry;

/**
 * Turns a topic's records, in offset order, back into feed entries: an entry in one record at once,
 * a split one once its last part came (its parts may span polls). Not thread-safe.
 */
final class Assembler {

  /** An entry and the offset after its last record (where a reader resumes after it). */
  record Assembled(FeedEntry entry, long nextOffset) {}

  private final String topic;
  private long seq = -1;
  private int expected;
  private int parts;
  private ByteArrayOutputStream buffer;

  Assembler(final String topic) {
    this.topic = topic;
  }

  /**
   * Adds {@code r}; returns its entry if it completes one, else null.
   *
   * @throws KafkaFeedException if a part comes out of order (the topic was written by something
   *     other than one shipper at a time)
   * @throws org.lodestore.core.CorruptValueException if the assembled bytes are not an entry
   */
  Assembled add(final ConsumerRecord<byte[], byte[]> r) {
    final long s = Records.seq(r);
    final int part = Records.part(r);
    final int count = Records.parts(r);
    if (count <= 1) {
      if (buffer != null) {
        throw outOfOrder(r, s, part, count);
      }
      return new Assembled(FeedEntry.decode(r.value()), r.offset() + 1);
    }
    if (part == 0) {
      if (buffer != null) {
        throw outOfOrder(r, s, part, count);
      }
      seq = s;
      parts = count;
      expected = 0;
      buffer = new ByteArrayOutputStream();
    } else if (buffer == null || s != seq || part != expected || count != parts) {
      throw outOfOrder(r, s, part, count);
    }
    buffer.writeBytes(r.value());
    expected++;
    if (expected < parts) {
      return null;
    }
    final byte[] bytes = buffer.toByteArray();
    reset();
    return new Assembled(FeedEntry.decode(bytes), r.offset() + 1);
  }

  /** Adds every record in order; returns the entries completed. */
  List<Assembled> addAll(final Iterable<ConsumerRecord<byte[], byte[]>> records) {
    final List<Assembled> out = new ArrayList<>();
    for (final ConsumerRecord<byte[], byte[]> r : records) {
      final Assembled a = add(r);
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  /** Forgets a partly assembled entry (after a seek). */
  void reset() {
    seq = -1;
    buffer = null;
    expected = 0;
    parts = 0;
  }

  private KafkaFeedException outOfOrder(
      final ConsumerRecord<byte[], byte[]> r, final long s, final int part, final int count) {
    return new KafkaFeedException(
        "record at offset "
            + r.offset()
            + " is part "
            + part
            + " of "
            + count
            + " of seq "
            + s
            + (buffer == null
                ? " without the parts before it"
                : " while part " + expected + " of " + parts + " of seq " + seq + " was due")
            + ": was the topic written by more than one shipper at a time?",
        topic,
        s,
        null);
  }
}
