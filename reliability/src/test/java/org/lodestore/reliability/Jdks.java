package org.lodestore.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a JDK with virtual threads (21+) for the tests that need one, without a machine path in the
 * code: {@code -Dlodestore.jdk21.home}, then the {@code LODESTORE_JDK21_HOME} environment variable,
 * then the JDKs installed next to the one running the tests (the siblings of {@code java.home}'s
 * directory, each identified by its {@code release} file).
 */
final class Jdks {

  private static final Pattern VERSION =
      Pattern.compile("^JAVA_VERSION=\"(\\d+)[^\"]*\"", Pattern.MULTILINE);

  private Jdks() {}

  /**
   * The {@code java} launcher of a JDK 21 or newer, if one is found.
   *
   * @return the launcher
   */
  static Optional<Path> virtualThreadJava() {
    final List<Path> candidates = new ArrayList<>();
    final String property = System.getProperty("lodestore.jdk21.home");
    if (property != null && !property.isBlank()) {
      candidates.add(Path.of(property));
    }
    final String env = System.getenv("LODESTORE_JDK21_HOME");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    final Path home = Path.of(System.getProperty("java.home")).toAbsolutePath();
    final Path parent = home.getParent();
    if (parent != null) {
      try (Stream<Path> siblings = Files.list(parent)) {
        siblings.sorted().forEach(candidates::add);
      } catch (IOException e) {
        // no siblings to look at
      }
    }
    for (final Path jdk : candidates) {
      final Path java = jdk.resolve("bin").resolve("java");
      if (major(jdk) >= 21 && Files.isExecutable(java)) {
        return Optional.of(java);
      }
    }
    return Optional.empty();
  }

  private static int major(final Path jdk) {
    try {
      final Matcher m = VERSION.matcher(Files.readString(jdk.resolve("release")));
      return m.find() ? Integer.parseInt(m.group(1)) : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
