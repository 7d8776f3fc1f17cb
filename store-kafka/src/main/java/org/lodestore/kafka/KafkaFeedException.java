package org.lodestore.kafka;

import org.lodestore.core.LodestoreException;

/**
 * Shipping a change feed to Kafka, or following it from Kafka, failed: the message names the topic
 * and, where one is concerned, the feed entry's seq. A {@link Shipper} or {@link Follower} that
 * throws it (or reports it as its failure) has stopped.
 */
public class KafkaFeedException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** The topic concerned. */
  private final String topic;

  /** The seq of the feed entry concerned, or -1. */
  private final long seq;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param topic the topic
   * @param seq the feed entry concerned, or -1 for none
   * @param cause the underlying failure, or null
   */
  public KafkaFeedException(
      final String message, final String topic, final long seq, final Throwable cause) {
    super("topic " + topic + (seq < 0 ? "" : ", seq " + seq) + ": " + message, cause);
    this.topic = topic;
    this.seq = seq;
  }

  /**
   * The topic concerned.
   *
   * @return the topic's name
   */
  public String topic() {
    return topic;
  }

  /**
   * The seq of the feed entry concerned.
   *
   * @return the seq, or -1 if none
   */
  public long seq() {
    return seq;
  }
}
