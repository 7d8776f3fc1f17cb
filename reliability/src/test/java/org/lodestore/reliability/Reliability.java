package org.lodestore.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

/**
 * What every reliability test shares: whether the long form runs, and the one {@code RELIABILITY
 * <name> <key=value ...>} line it prints. Seeds come from {@link
 * org.lodestore.testsupport.TestSeed}.
 *
 * <ul>
 *   <li>{@code -Dlodestore.seed=<n>} replays a run (each test prints its seed).
 *   <li>{@code -Dlodestore.reliability.long=true} (set by {@code mvn -Preliability verify}) runs
 *       the long forms: 300 crash cycles, a 60 s soak, and so on.
 * </ul>
 */
final class Reliability {

  /** The system property that selects the long form. */
  static final String LONG_PROPERTY = "lodestore.reliability.long";

  private Reliability() {}

  /**
   * Whether the long form runs.
   *
   * @return true under {@code -Preliability}
   */
  static boolean longForm() {
    return Boolean.getBoolean(LONG_PROPERTY);
  }

  /**
   * The short or the long value, by form.
   *
   * @param shortForm for the normal build
   * @param longForm for {@code -Preliability}
   * @return one of them
   */
  static int pick(final int shortForm, final int longForm) {
    return longForm() ? longForm : shortForm;
  }

  /**
   * The short or the long duration, by form.
   *
   * @param shortForm for the normal build
   * @param longForm for {@code -Preliability}
   * @return one of them
   */
  static Duration pick(final Duration shortForm, final Duration longForm) {
    return longForm() ? longForm : shortForm;
  }

  /**
   * Prints the test's one result line: {@code RELIABILITY <name> k1=v1 k2=v2 ...}.
   *
   * @param name the test's short name
   * @param figures alternating keys and values
   */
  static void report(final String name, final Object... figures) {
    if (figures.length % 2 != 0) {
      throw new IllegalArgumentException("figures come in key/value pairs");
    }
    final StringBuilder line = new StringBuilder("RELIABILITY ").append(name);
    for (int i = 0; i < figures.length; i += 2) {
      line.append(' ').append(figures[i]).append('=').append(figures[i + 1]);
    }
    System.out.println(line);
  }

  /**
   * Deletes a directory tree, best effort (a temp directory of a finished test).
   *
   * @param dir the directory
   */
  static void deleteTree(final Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path d, final IOException e)
                throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
