package org.lodestore.core;

/**
 * A commit was refused because the change feed's backlog (entries committed and not yet
 * acknowledged by a shipper) is at its limit ({@link FeedOptions}); nothing of the transaction was
 * written. It clears once a shipper acknowledges what it shipped, or with a larger limit.
 */
public class FeedBacklogException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is full, with the backlog's figures
   */
  public FeedBacklogException(final String message) {
    super(message);
  }
}
