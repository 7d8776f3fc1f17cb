package org.lodestore.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.lodestore.core.Txn;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaCheck;
import org.lodestore.schema.SchemaSetTable;
import org.lodestore.schema.SchemaTable;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions that a table holds exactly the expected rows and that its indexes hold exactly what
 * those rows derive, failing with a diff a person can read:
 *
 * <pre>
 * 1 table differs from the expected rows
 * table 'products': 3 rows expected, 3 found; 1 missing, 1 unexpected, 1 different, 1 found by Schema.check
 *   missing     key "5c000000-0000-4000-8000-0000000000ff" value {"name":"Stool","sku":"S-1",...}
 *   unexpected  key "5c000000-0000-4000-8000-000000000002" value {"name":"Floor lamp","sku":"L-2",...}
 *   different   key "5c000000-0000-4000-8000-000000000001"
 *                 priceCents: expected 1999, found 2499
 *                 tags[1]: expected "halogen", found "led"
 *   check       STALE_INDEX_ENTRY index by_sku key 5c000000-0000-4000-8000-000000000003: index key D-1 points to the row, which derives D-2
 * </pre>
 *
 * <pre>{@code
 * db.read(txn -> TableAssertions.assertRows(txn, s.markets, Map.of(btc, new Market("BTC-EUR", kraken))));
 * db.read(txn -> TableAssertions.assertMatchesFixture(txn, s, "expected/after-listing.jsonl"));
 * }</pre>
 *
 * <p>Values are compared as the table stores them: expected and actual values are both written by
 * the table's codec and compared as the JSON of those bytes ({@link org.lodestore.schema.RowJson}),
 * field by field for CBOR and JSON values; FlatBuffers values compare as their bytes (shown as
 * base64). Indexes are compared through {@link Schema#check}: every index entry a row derives must
 * be there and every entry must be derived by its row; its other findings about the table
 * (unreadable values, dangling references, catalog) fail the assertion too.
 *
 * <p>A failure is an opentest4j {@link AssertionFailedError} whose expected and actual values are
 * the rows as JSON Lines, so that an IDE shows them side by side; the actual lines are a fixture
 * ({@link Fixtures}) that reproduces the table.
 */
public final class TableAssertions {

  private TableAssertions() {}

  /**
   * Asserts that {@code table} holds exactly {@code expected} and that its indexes hold exactly
   * what those rows derive.
   *
   * @param txn a transaction of the table's database
   * @param table an attached table
   * @param expected the expected rows, by key
   * @param <K> the key type
   * @param <V> the value type
   * @throws AssertionFailedError with the diff, if anything differs
   */
  public static <K, V> void assertRows(
      final Txn txn, final SchemaTable<K, V> table, final Map<K, ? extends V> expected) {
    Objects.requireNonNull(txn, "txn");
    final List<Rows.Entry> rows = new ArrayList<>();
    expected.forEach((k, v) -> rows.add(Rows.row(table, k, v)));
    rows.sort(Rows.ORDER);
    final TableDiff diff = new TableDiff();
    diff.compare(
        table.name(),
        false,
        rows,
        Rows.all(txn, table),
        problems(table.schema().check(txn), table.name()));
    diff.throwIfDifferent();
  }

  /**
   * Asserts that set table {@code set} holds exactly the {@code expected} members under each key (a
   * key with no members is not in the map).
   *
   * @param txn a transaction of the set's database
   * @param set an attached set table
   * @param expected the expected members, by key
   * @param <K> the key type
   * @param <M> the member type
   * @throws AssertionFailedError with the diff, if anything differs
   */
  public static <K, M> void assertMembers(
      final Txn txn,
      final SchemaSetTable<K, M> set,
      final Map<K, ? extends Collection<? extends M>> expected) {
    Objects.requireNonNull(txn, "txn");
    final List<Rows.Entry> pairs = new ArrayList<>();
    expected.forEach((k, members) -> members.forEach(m -> pairs.add(Rows.member(set, k, m))));
    pairs.sort(Rows.ORDER);
    final List<Rows.Entry> unique = new ArrayList<>();
    for (final Rows.Entry pair : pairs) {
      if (unique.isEmpty() || Rows.ORDER.compare(unique.get(unique.size() - 1), pair) != 0) {
        unique.add(pair);
      }
    }
    final TableDiff diff = new TableDiff();
    diff.compare(set.name(), true, unique, Rows.all(txn, set), List.of());
    diff.throwIfDifferent();
  }

  /**
   * Asserts that every table {@code resource} has rows for holds exactly those rows (tables it does
   * not name are not compared), and that their indexes hold exactly what the rows derive. The
   * resource is a fixture ({@link Fixtures}): the same format, checked the same way.
   *
   * @param txn a transaction of the schema's database
   * @param schema an attached schema
   * @param resource a classpath resource, e.g. {@code "expected/after-listing.jsonl"}
   * @throws AssertionFailedError with the diff, if anything differs
   * @throws FixtureException if the resource cannot be read or a row does not fit its table, or if
   *     it lists a row twice
   */
  public static void assertMatchesFixture(
      final Txn txn, final Schema schema, final String resource) {
    Objects.requireNonNull(txn, "txn");
    final Map<String, List<Fixtures.Resolved>> byTable = new LinkedHashMap<>();
    for (final Fixtures.Resolved row : Fixtures.resolve(schema, resource)) {
      byTable.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row);
    }
    final SchemaCheck check = schema.check(txn);
    final TableDiff diff = new TableDiff();
    for (final Map.Entry<String, List<Fixtures.Resolved>> table : byTable.entrySet()) {
      final List<Fixtures.Resolved> rows = new ArrayList<>(table.getValue());
      rows.sort((a, b) -> Rows.ORDER.compare(a.entry(), b.entry()));
      for (int i = 1; i < rows.size(); i++) {
        if (Rows.ORDER.compare(rows.get(i - 1).entry(), rows.get(i).entry()) == 0) {
          final Fixtures.Resolved twice =
              rows.get(i).line().line() > rows.get(i - 1).line().line()
                  ? rows.get(i)
                  : rows.get(i - 1);
          throw twice
              .line()
              .error(
                  "the row is listed twice (also at line "
                      + Math.min(rows.get(i).line().line(), rows.get(i - 1).line().line())
                      + ")",
                  null,
                  null);
        }
      }
      final Fixtures.Resolved first = table.getValue().get(0);
      diff.compare(
          table.getKey(),
          first.entry().member() != null,
          rows.stream().map(Fixtures.Resolved::entry).collect(Collectors.toList()),
          first.actual(txn),
          problems(check, table.getKey()));
    }
    diff.throwIfDifferent();
  }

  private static List<SchemaCheck.Problem> problems(final SchemaCheck check, final String table) {
    return check.problems().stream()
        .filter(p -> table.equals(p.table()))
        .collect(Collectors.toList());
  }
}
