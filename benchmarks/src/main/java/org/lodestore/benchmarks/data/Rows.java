package org.lodestore.benchmarks.data;

/**
 * The result of a time-series scan (W3, W4): every implementation reads the time, price and size of
 * each row and folds them, in scan order, into one checksum that the benchmark returns (so the JIT
 * cannot drop the reads) and the consistency test compares across implementations.
 */
public final class Rows {
  /** Checksum of an empty scan. */
  public static final long EMPTY = 17;

  private Rows() {}

  /** Folds one row into {@code acc}; order-sensitive. */
  public static long fold(long acc, long timeNanos, double price, double size) {
    acc = acc * 31 + timeNanos;
    acc = acc * 31 + Double.doubleToRawLongBits(price);
    return acc * 31 + Double.doubleToRawLongBits(size);
  }
}
