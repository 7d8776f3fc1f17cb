package org.lodestore.schema;

import java.security.SecureRandom;

/**
 * Seeds and sizes for randomized tests. Every randomized test asks for its seed here, which prints
 * it; a failure is replayed with {@code -Dlodestore.seed=<seed>} (and {@code -Dtest=Class#method}).
 * {@code -Dlodestore.test.scale=N} multiplies the operation counts for longer soak runs.
 */
final class TestSeed {

  /** The system property that fixes the seed. */
  static final String PROPERTY = "lodestore.seed";

  private static final SecureRandom FRESH = new SecureRandom();

  private TestSeed() {}

  /**
   * The seed for one randomized test: {@code -Dlodestore.seed} if set, else a fresh one. Prints
   * {@code <test> seed=<seed>}.
   */
  static long seed(final String test) {
    final Long fixed = Long.getLong(PROPERTY);
    final long seed = fixed != null ? fixed : FRESH.nextLong();
    System.out.println(test + " seed=" + seed + " (replay: -D" + PROPERTY + "=" + seed + ")");
    return seed;
  }

  /** The factor by which randomized tests multiply their operation counts (default 1). */
  static int scale() {
    return Math.max(1, Integer.getInteger("lodestore.test.scale", 1));
  }
}
