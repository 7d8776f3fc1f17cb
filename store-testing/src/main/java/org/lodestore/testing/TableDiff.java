package org.lodestore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.lodestore.schema.SchemaCheck;
import org.opentest4j.AssertionFailedError;

/**
 * The differences between the expected and the actual rows of one or more tables, rendered for a
 * person: rows missing, rows not expected, values differing field by field, and what {@link
 * org.lodestore.schema.Schema#check} found wrong with the tables (index entries their rows do not
 * derive, entries missing, unreadable values, dangling references).
 */
final class TableDiff {

  /** The most differences listed per table; the rest are counted. */
  static final int LISTED = 50;

  private final StringBuilder report = new StringBuilder();
  private final List<String> expectedLines = new ArrayList<>();
  private final List<String> actualLines = new ArrayList<>();
  private int differingTables;

  /**
   * Compares one table.
   *
   * @param table its declared name
   * @param set whether it is a set table (pairs, not rows)
   * @param expected the expected rows, in {@link Rows#ORDER}, no two with the same identity
   * @param actual its rows, in {@link Rows#ORDER}
   * @param problems what {@code Schema.check} found in it
   */
  void compare(
      final String table,
      final boolean set,
      final List<Rows.Entry> expected,
      final List<Rows.Entry> actual,
      final List<SchemaCheck.Problem> problems) {
    expected.forEach(e -> expectedLines.add(e.line(table)));
    actual.forEach(a -> actualLines.add(a.line(table)));
    final List<String> items = new ArrayList<>();
    int missing = 0;
    int unexpected = 0;
    int different = 0;
    int i = 0;
    int j = 0;
    while (i < expected.size() || j < actual.size()) {
      final int order =
          i == expected.size()
              ? 1
              : j == actual.size() ? -1 : Rows.ORDER.compare(expected.get(i), actual.get(j));
      if (order < 0) {
        missing++;
        items.add("missing     " + describe(expected.get(i++)));
      } else if (order > 0) {
        unexpected++;
        items.add("unexpected  " + describe(actual.get(j++)));
      } else {
        final Rows.Entry e = expected.get(i++);
        final Rows.Entry a = actual.get(j++);
        if (!set && !e.value().equals(a.value())) {
          different++;
          final List<String> fields = new ArrayList<>();
          fields("", e.value(), a.value(), fields);
          items.add(
              "different   key "
                  + e.key()
                  + fields.stream()
                      .map(f -> "\n                " + f)
                      .collect(Collectors.joining()));
        }
      }
    }
    for (final SchemaCheck.Problem p : problems) {
      items.add(
          "check       "
              + p.kind()
              + (p.index() == null ? "" : " index " + p.index())
              + (p.key() == null ? "" : " key " + p.key())
              + ": "
              + p.message());
    }
    if (items.isEmpty()) {
      return;
    }
    differingTables++;
    final String unit = set ? " pairs" : " rows";
    report
        .append(set ? "set table '" : "table '")
        .append(table)
        .append("': ")
        .append(expected.size())
        .append(unit)
        .append(" expected, ")
        .append(actual.size())
        .append(" found; ")
        .append(missing)
        .append(" missing, ")
        .append(unexpected)
        .append(" unexpected")
        .append(set ? "" : ", " + different + " different")
        .append(problems.isEmpty() ? "" : ", " + problems.size() + " found by Schema.check")
        .append('\n');
    for (int k = 0; k < Math.min(items.size(), LISTED); k++) {
      report.append("  ").append(items.get(k)).append('\n');
    }
    if (items.size() > LISTED) {
      report.append("  ... and ").append(items.size() - LISTED).append(" more\n");
    }
  }

  /**
   * Throws if any compared table differed.
   *
   * @throws AssertionFailedError with the report as message and the tables' rows as JSON Lines as
   *     expected and actual values (IDEs show them side by side)
   */
  void throwIfDifferent() {
    if (differingTables == 0) {
      return;
    }
    throw new AssertionFailedError(
        (differingTables == 1 ? "1 table differs" : differingTables + " tables differ")
            + " from the expected rows\n"
            + report,
        String.join("\n", expectedLines),
        String.join("\n", actualLines));
  }

  private static String describe(final Rows.Entry e) {
    return e.member() == null
        ? "key " + e.key() + " value " + e.value()
        : "key " + e.key() + " member " + e.member();
  }

  /** Adds a line to {@code out} for each field where {@code actual} differs from expected. */
  static void fields(
      final String path, final JsonNode expected, final JsonNode actual, final List<String> out) {
    if (expected.equals(actual)) {
      return;
    }
    if (expected.isObject() && actual.isObject()) {
      final Set<String> names = new LinkedHashSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (final String name : names) {
        field(path.isEmpty() ? name : path + "." + name, expected.get(name), actual.get(name), out);
      }
    } else if (expected.isArray() && actual.isArray()) {
      for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
        field(path + "[" + i + "]", expected.get(i), actual.get(i), out);
      }
    } else {
      out.add((path.isEmpty() ? "value" : path) + ": expected " + expected + ", found " + actual);
    }
  }

  private static void field(
      final String path, final JsonNode expected, final JsonNode actual, final List<String> out) {
    if (expected == null) {
      out.add(path + ": not expected, found " + actual);
    } else if (actual == null) {
      out.add(path + ": expected " + expected + ", found nothing");
    } else {
      fields(path, expected, actual, out);
    }
  }
}
