package org.lodestore.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Numbers and tables for people: byte sizes, thousands separators, aligned columns. */
final class Text {

  private Text() {}

  /** {@code 1536} as {@code "1.5 KiB"}, {@code 0} as {@code "0 B"}. */
  static String bytes(final long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    final String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
  }

  /** {@code 1234567} as {@code "1,234,567"}. */
  static String count(final long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Rows of cells printed in columns; columns listed in {@code right} are right-aligned. */
  static final class Columns {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] right;

    Columns(final int columns, final int... rightAligned) {
      this.right = new boolean[columns];
      for (final int c : rightAligned) {
        right[c] = true;
      }
    }

    Columns row(final String... cells) {
      if (cells.length != right.length) {
        throw new IllegalArgumentException(cells.length + " cells for " + right.length);
      }
      rows.add(cells);
      return this;
    }

    /** The rows, columns two spaces apart, trailing spaces trimmed. */
    List<String> lines() {
      final int[] width = new int[right.length];
      for (final String[] r : rows) {
        for (int c = 0; c < r.length; c++) {
          width[c] = Math.max(width[c], r[c].length());
        }
      }
      final List<String> lines = new ArrayList<>();
      for (final String[] r : rows) {
        final StringBuilder sb = new StringBuilder();
        for (int c = 0; c < r.length; c++) {
          if (c > 0) {
            sb.append("  ");
          }
          final String pad = " ".repeat(width[c] - r[c].length());
          sb.append(right[c] ? pad + r[c] : r[c] + pad);
        }
        lines.add(sb.toString().stripTrailing());
      }
      return lines;
    }
  }
}
