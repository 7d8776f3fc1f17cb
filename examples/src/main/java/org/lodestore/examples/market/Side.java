package org.lodestore.examples.market;

/**
 * Which side of the book took liquidity in a {@link Trade}; CBOR stores the name, never the
 * ordinal.
 */
public enum Side {
  /** The buyer crossed the spread. */
  BUY,
  /** The seller crossed the spread. */
  SELL
}
