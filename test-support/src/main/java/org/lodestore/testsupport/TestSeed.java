package org.lodestore.testsupport;

import java.security.SecureRandom;

/**
 * Seeds and sizes for randomized tests. Every randomized test asks for its seed here, which prints
 * it; a failure is replayed with {@code -Dlodestore.seed=<seed>} (through Maven: {@code
 * -Dlodestore.testArgs=-Dlodestore.seed=<seed>}, with {@code -Dtest=Class#method}). {@code
 * -Dlodestore.test.scale=N} multiplies the operation counts for longer soak runs.
 */
public final class TestSeed {

  /** The system property that fixes the seed. */
  public static final String PROPERTY = "lodestore.seed";

  /** The system property that multiplies operation counts. */
  public static final String SCALE_PROPERTY = "lodestore.test.scale";

  private static final SecureRandom FRESH = new SecureRandom();

  private TestSeed() {}

  /**
   * The seed for one randomized test: {@code -Dlodestore.seed} if set, else a fresh one. Prints
   * {@code <test> seed=<seed> (replay: -Dlodestore.seed=<seed>)}.
   *
   * @param test the test's name, printed with the seed
   * @return the seed
   */
  public static long seed(final String test) {
    final Long fixed = Long.getLong(PROPERTY);
    final long seed = fixed != null ? fixed : FRESH.nextLong();
    System.out.println(test + " seed=" + seed + " (replay: -D" + PROPERTY + "=" + seed + ")");
    return seed;
  }

  /**
   * The factor by which randomized tests multiply their operation counts (default 1).
   *
   * @return {@code -Dlodestore.test.scale}, at least 1
   */
  public static int scale() {
    return Math.max(1, Integer.getInteger(SCALE_PROPERTY, 1));
  }
}
