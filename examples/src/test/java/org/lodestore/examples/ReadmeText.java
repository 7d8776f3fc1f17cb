package org.lodestore.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The README and the regions of test sources it must show verbatim. */
public final class ReadmeText {

  private static final Path README = Path.of("..", "README.md");
  private static final String BEGIN = "// README:begin";
  private static final String END = "// README:end";

  private ReadmeText() {}

  /**
   * The README's text.
   *
   * @return README.md
   * @throws IOException if it cannot be read
   */
  public static String readme() throws IOException {
    return Files.readString(README, StandardCharsets.UTF_8);
  }

  /**
   * The lines between the {@code // README:begin} and {@code // README:end} markers of {@code
   * file}, without their common indentation.
   *
   * @param file a source file of this module
   * @return the region, each line ending in a newline
   * @throws IOException if it cannot be read
   */
  public static String region(final Path file) throws IOException {
    final List<String> source = Files.readAllLines(file, StandardCharsets.UTF_8);
    final List<String> lines =
        source.subList(indexOf(source, BEGIN, file) + 1, indexOf(source, END, file));
    final int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    final StringBuilder sb = new StringBuilder();
    for (final String line : lines) {
      sb.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return sb.toString();
  }

  private static int indexOf(final List<String> lines, final String marker, final Path file) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("marker " + marker + " not found in " + file);
  }
}
