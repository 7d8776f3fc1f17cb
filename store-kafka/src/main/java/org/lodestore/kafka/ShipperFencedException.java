package org.lodestore.kafka;

/**
 * A newer {@link Shipper} with the same transactional id started (on this machine or another) and
 * fenced this one: Kafka refuses its transactions, so it stopped. Nothing is lost: the newer one
 * resumes from what the topic holds.
 */
public class ShipperFencedException extends KafkaFeedException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param topic the topic
   * @param transactionalId the transactional id another shipper took over
   * @param seq the first entry this shipper had not shipped
   * @param cause Kafka's exception
   */
  public ShipperFencedException(
      final String topic, final String transactionalId, final long seq, final Throwable cause) {
    super(
        "shipper fenced: another shipper started with transactional id "
            + transactionalId
            + "; this one stopped (the newer one resumes from the topic)",
        topic,
        seq,
        cause);
  }
}
