package org.lodestore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.schema.RowJson;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaSetTable;
import org.lodestore.schema.SchemaTable;

/**
 * Loads rows from JSON Lines or JSON resources into the tables of an attached {@link Schema}, as
 * the seed data of a test. Every row is written through the schema ({@link SchemaTable#insert},
 * {@link SchemaSetTable#add}), so indexes are built and unique indexes and references are enforced
 * as for any write.
 *
 * <pre>{@code
 * // src/test/resources/fixtures/markets.jsonl, one row a line (the RowJson line format):
 * {"table":"markets","key":"0ea4a743-2a9a-45a9-8be5-18b7a75b7546","value":{"symbol":"BTC-EUR","exchange":"6f1c0000-0000-4000-8000-000000000002"}}
 * {"table":"followers","key":"6f1c0000-0000-4000-8000-000000000002","member":"0ea4a743-2a9a-45a9-8be5-18b7a75b7546"}
 *
 * Fixtures.load(schema, "fixtures/markets.jsonl");      // or @Fixture on a LodestoreExtension test
 * }</pre>
 *
 * <h2>Format</h2>
 *
 * A resource holds rows in {@link RowJson}'s line format: {@code {"table":..,"key":..,"value":..}}
 * for a table, {@code {"table":..,"key":..,"member":..}} for a set table, tables by their declared
 * names, keys and values as {@link RowJson} writes them (UUIDs and instants as strings, tuples as
 * arrays, CBOR and JSON values as JSON objects whose fields are the value type's properties,
 * FlatBuffers values as base64). JSON Lines has one row a line; a {@code .json} resource may
 * instead hold an array of rows, laid out over as many lines as one likes. Rows are written in the
 * order given: a row that references another comes after it.
 *
 * <h2>Errors</h2>
 *
 * Everything is checked before it is written, and a refused write stops the load: each problem is a
 * {@link FixtureException} whose message starts with {@code <resource>:<line>:} and names the table
 * and key: a missing resource, bad JSON, a table the schema does not declare, a key or value its
 * codecs do not read, a value field its type does not have (a typo a CBOR or JSON codec would
 * silently drop), a key already present, a unique violation or a dangling reference.
 */
public final class Fixtures {

  private Fixtures() {}

  /**
   * Loads {@code resource} into {@code schema}'s tables in one write transaction of its database:
   * all rows or, on any error, none.
   *
   * @param schema an attached schema
   * @param resource a classpath resource, e.g. {@code "fixtures/markets.jsonl"}
   * @return the rows written
   * @throws FixtureException if the resource is missing or a row is refused (see the class
   *     comment); nothing is written
   * @throws InvalidStateException if the schema is not attached
   */
  public static int load(final Schema schema, final String resource) {
    final Database db = database(schema);
    final List<Resolved> rows = resolve(schema, resource);
    db.write(txn -> write(txn, rows));
    return rows.size();
  }

  /**
   * Loads {@code resource} into {@code schema}'s tables in the caller's write transaction. On an
   * error the rows before the failing one are written in {@code txn}: abort it.
   *
   * @param txn a write transaction of the schema's database
   * @param schema an attached schema
   * @param resource a classpath resource, e.g. {@code "fixtures/markets.jsonl"}
   * @return the rows written
   * @throws FixtureException if the resource is missing or a row is refused (see the class comment)
   * @throws InvalidStateException if the schema is not attached
   */
  public static int load(final Txn txn, final Schema schema, final String resource) {
    Objects.requireNonNull(txn, "txn");
    database(schema);
    final List<Resolved> rows = resolve(schema, resource);
    write(txn, rows);
    return rows.size();
  }

  private static Database database(final Schema schema) {
    Objects.requireNonNull(schema, "schema");
    final Database db = schema.database();
    if (db == null) {
      throw new InvalidStateException(
          "schema " + schema.getClass().getName() + " is not attached: db.attach(schema) first");
    }
    return db;
  }

  private static void write(final Txn txn, final List<Resolved> rows) {
    for (final Resolved row : rows) {
      row.write(txn);
    }
  }

  // ------------------------------------------------------------ rows checked against a schema

  /** A fixture row checked against its schema's declarations: ready to write or to compare. */
  interface Resolved {

    /** The declared name of its table. */
    String table();

    /** Where it was written. */
    FixtureFile.Line line();

    /** Every row of its table, as it is in {@code txn}. */
    List<Rows.Entry> actual(Txn txn);

    /** Its row as table diffs compare it. */
    Rows.Entry entry();

    /** Writes it through the schema; a refusal is a {@link FixtureException} at its line. */
    void write(Txn txn);
  }

  /** Reads {@code resource} and checks every row against {@code schema}; writes nothing. */
  static List<Resolved> resolve(final Schema schema, final String resource) {
    final Map<String, SchemaTable<?, ?>> tables = new LinkedHashMap<>();
    schema.tables().forEach(t -> tables.put(t.name(), t));
    final Map<String, SchemaSetTable<?, ?>> sets = new LinkedHashMap<>();
    schema.setTables().forEach(s -> sets.put(s.name(), s));
    final List<Resolved> rows = new ArrayList<>();
    for (final FixtureFile.Line line : FixtureFile.read(resource)) {
      final SchemaTable<?, ?> table = tables.get(line.table());
      final SchemaSetTable<?, ?> set = sets.get(line.table());
      if (table != null) {
        if (line.value() == null) {
          throw line.error("a row of a table has a \"value\", not a \"member\"", null, null);
        }
        rows.add(resolve(line, table));
      } else if (set != null) {
        if (line.member() == null) {
          throw line.error("a row of a set table has a \"member\", not a \"value\"", null, null);
        }
        rows.add(resolve(line, set));
      } else {
        throw new FixtureException(
            line.resource(),
            line.line(),
            "no table '"
                + line.table()
                + "' in "
                + schema.getClass().getSimpleName()
                + " (it declares: "
                + names(tables.keySet(), sets.keySet())
                + ")",
            null,
            null,
            null);
      }
    }
    return rows;
  }

  private static String names(final Iterable<String> tables, final Iterable<String> sets) {
    final List<String> all = new ArrayList<>();
    tables.forEach(all::add);
    sets.forEach(s -> all.add(s + " (set)"));
    return all.isEmpty() ? "no tables" : all.stream().collect(Collectors.joining(", "));
  }

  private static <K, V> Resolved resolve(
      final FixtureFile.Line line, final SchemaTable<K, V> table) {
    final K key = key(line, table.keyCodec());
    final ValueCodec<V> codec = table.valueCodec();
    final V value;
    final JsonNode stored;
    try {
      value = Rows.decode(codec, RowJson.valueFromJson(codec.id(), line.value()));
      stored = Rows.valueJson(codec, value);
    } catch (RuntimeException e) {
      throw line.error(
          "the value is not a " + codec.id() + " value of this table: " + e.getMessage(), key, e);
    }
    final List<String> dropped = new ArrayList<>();
    dropped(line.value(), stored, "", dropped);
    if (!dropped.isEmpty()) {
      throw line.error(
          "the value's field(s) "
              + dropped
              + " are not stored by codec "
              + codec.id()
              + " (not properties of the value type?)",
          key,
          null);
    }
    final Rows.Entry entry = Rows.row(table, key, value);
    return new Resolved() {
      @Override
      public String table() {
        return table.name();
      }

      @Override
      public FixtureFile.Line line() {
        return line;
      }

      @Override
      public List<Rows.Entry> actual(final Txn txn) {
        return Rows.all(txn, table);
      }

      @Override
      public Rows.Entry entry() {
        return entry;
      }

      @Override
      public void write(final Txn txn) {
        final boolean inserted;
        try {
          inserted = table.insert(txn, key, value);
        } catch (LodestoreException e) {
          throw line.refused(e);
        }
        if (!inserted) {
          throw line.error("the table already holds this key (an earlier row)", key, null);
        }
      }
    };
  }

  private static <K, M> Resolved resolve(
      final FixtureFile.Line line, final SchemaSetTable<K, M> set) {
    final K key = key(line, set.keyCodec());
    final M member;
    try {
      member = Rows.key(set.memberCodec(), line.member());
    } catch (RuntimeException e) {
      throw line.error(
          "the member is not a " + set.memberCodec().id() + " key: " + e.getMessage(), key, e);
    }
    final Rows.Entry entry = Rows.member(set, key, member);
    return new Resolved() {
      @Override
      public String table() {
        return set.name();
      }

      @Override
      public FixtureFile.Line line() {
        return line;
      }

      @Override
      public List<Rows.Entry> actual(final Txn txn) {
        return Rows.all(txn, set);
      }

      @Override
      public Rows.Entry entry() {
        return entry;
      }

      @Override
      public void write(final Txn txn) {
        final boolean added;
        try {
          added = set.add(txn, key, member);
        } catch (LodestoreException e) {
          throw line.refused(e);
        }
        if (!added) {
          throw line.error(
              "the set already holds member " + entry.member() + " (an earlier row)", key, null);
        }
      }
    };
  }

  private static <K> K key(final FixtureFile.Line line, final KeyCodec<K> codec) {
    try {
      return Rows.key(codec, line.key());
    } catch (RuntimeException e) {
      throw line.error("the key is not a " + codec.id() + " key: " + e.getMessage(), null, e);
    }
  }

  /**
   * Adds to {@code out} the paths of the non-null fields of {@code given} that {@code stored} (the
   * JSON of what the codec stores for it) lacks: fields a CBOR or JSON codec ignores on read.
   */
  private static void dropped(
      final JsonNode given, final JsonNode stored, final String path, final List<String> out) {
    if (given.isObject() && stored.isObject()) {
      for (final Map.Entry<String, JsonNode> field : given.properties()) {
        final String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        final JsonNode kept = stored.get(field.getKey());
        if (kept == null) {
          if (!field.getValue().isNull()) {
            out.add(at);
          }
        } else {
          dropped(field.getValue(), kept, at, out);
        }
      }
    } else if (given.isArray() && stored.isArray() && given.size() == stored.size()) {
      for (int i = 0; i < given.size(); i++) {
        dropped(given.get(i), stored.get(i), path + "[" + i + "]", out);
      }
    }
  }
}
