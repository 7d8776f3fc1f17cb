package org.lodestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.lodestore.core.Database;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.RowJson;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaSetTable;
import org.lodestore.schema.SchemaTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code lodestore import DIR FILE [--schema CLASS --classpath PATH] [--batch N]}. */
@Command(
    name = "import",
    header = "Writes exported JSON Lines back: through the schema, or an exact --raw copy.",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the lines of FILE (an export; - for stdin) into the database in DIR (created if"
          + " missing), in batches of --batch lines, one write transaction each: a batch is"
          + " written whole or not at all.",
      "Rows of declared tables are written through the --schema classes, so that every index is"
          + " maintained and every unique index and reference is checked; a refused row stops the"
          + " import with its line number, nothing of its batch written, the batches before it"
          + " kept. A row whose key exists replaces it.",
      "Rows of tables no catalog declared (exported with \"plain\":true) are written to plain"
          + " tables of that name, without a schema.",
      "A --raw export needs no schema: it is restored byte for byte (catalog and indexes"
          + " included) into a directory that holds no database yet.",
      "Prints the rows written per table."
    })
final class ImportCommand implements Callable<Integer> {

  @ParentCommand Lodestore top;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the database directory")
  Path dir;

  @Parameters(index = "1", paramLabel = "FILE", description = "the export to read, or -")
  String file;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "10000",
      description = "lines per write transaction (default: ${DEFAULT-VALUE})")
  int batch;

  @Mixin SchemaOptions schema;

  private final ObjectMapper mapper = RowJson.mapper();

  /** A line that cannot be imported, with its number. */
  private static final class LineException extends LodestoreException {
    private static final long serialVersionUID = 1L;

    LineException(final long line, final String message, final Throwable cause) {
      super("line " + line + ": " + message, cause);
    }
  }

  /** One parsed line. */
  private record Line(long number, JsonNode json) {}

  /** Writes one batch of lines in a write transaction. */
  private interface Writer {
    void write(Txn txn, Line line);
  }

  @Override
  public Integer call() throws IOException {
    if (batch < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1");
    }
    final List<Schema> schemas = schema.instantiate(spec);
    final Path source = file.equals("-") ? null : Path.of(file);
    if (source != null && !Files.isRegularFile(source)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
    }
    final long total = source == null ? -1 : countLines(source);
    try (InputStream in = source == null ? top.in : Files.newInputStream(source);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      final List<Line> first = readBatch(reader, new long[] {0});
      final boolean raw = !first.isEmpty() && first.get(0).json().has(ExportCommand.DBI);
      if (raw && !schemas.isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "FILE is a --raw export: it is restored without --schema");
      }
      try (Database db = open(raw)) {
        final Counts counts = new Counts();
        final Writer writer;
        if (raw) {
          writer = new RawWriter(RawAccess.of(db), counts);
        } else {
          SchemaOptions.attach(db, schemas);
          writer = new SchemaWriter(db, schemas, counts);
        }
        run(db, reader, first, writer, counts, total);
        print(counts);
      }
    }
    return Exit.OK;
  }

  private Database open(final boolean raw) {
    if (!raw) {
      return Databases.openOrCreate(dir);
    }
    if (Files.exists(dir.resolve("data.mdb"))) {
      try (Database existing = Databases.openReadOnly(dir)) {
        if (!existing.tableNames().isEmpty()) {
          throw CliException.failed(
              "a --raw export is restored only into a directory without a database; "
                  + dir
                  + " holds "
                  + existing.tableNames().size()
                  + " tables",
              null);
        }
      }
    }
    return Databases.openOrCreate(dir);
  }

  private void run(
      final Database db,
      final BufferedReader reader,
      final List<Line> first,
      final Writer writer,
      final Counts counts,
      final long total)
      throws IOException {
    final long[] lineNumber = {first.isEmpty() ? 0 : first.get(first.size() - 1).number()};
    try (Progress progress = Progress.start(top.err, "import", total, "lines")) {
      List<Line> lines = first;
      while (!lines.isEmpty()) {
        final List<Line> current = lines;
        final Map<String, Long> before = new HashMap<>(counts.rows);
        try {
          db.write(
              txn -> {
                counts.rows.clear();
                counts.rows.putAll(before); // a retried batch (the map grew) counts once
                for (final Line line : current) {
                  writer.write(txn, line);
                }
              });
        } catch (LineException e) {
          counts.rows.clear();
          counts.rows.putAll(before);
          print(counts);
          throw CliException.failed(
              e.getMessage()
                  + "; nothing of its batch (lines "
                  + current.get(0).number()
                  + "-"
                  + current.get(current.size() - 1).number()
                  + ") was written, the "
                  + Text.count(counts.batches)
                  + " batches before it were",
              e);
        }
        counts.batches++;
        progress.step(current.size());
        lines = readBatch(reader, lineNumber);
      }
    }
  }

  /** Reads up to {@code batch} non-empty lines, parsed; a line that is no JSON fails here. */
  private List<Line> readBatch(final BufferedReader reader, final long[] lineNumber)
      throws IOException {
    final List<Line> lines = new ArrayList<>();
    while (lines.size() < batch) {
      final String text = reader.readLine();
      if (text == null) {
        break;
      }
      final long n = ++lineNumber[0];
      if (text.isBlank()) {
        continue;
      }
      final JsonNode json;
      try {
        json = mapper.readTree(text);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw CliException.failed("line " + n + ": not JSON: " + e.getOriginalMessage(), e);
      }
      if (!json.isObject()) {
        throw CliException.failed("line " + n + ": not a JSON object", null);
      }
      lines.add(new Line(n, json));
    }
    return lines;
  }

  private static long countLines(final Path file) throws IOException {
    try (java.util.stream.Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.filter(l -> !l.isBlank()).count();
    }
  }

  private void print(final Counts counts) {
    long all = 0;
    for (final long n : counts.rows.values()) {
      all += n;
    }
    top.out.println(
        "imported "
            + Text.count(all)
            + " rows into "
            + dir
            + " in "
            + Text.count(counts.batches)
            + " batch"
            + (counts.batches == 1 ? "" : "es"));
    final Text.Columns t = new Text.Columns(2, 1);
    counts.rows.forEach((name, n) -> t.row("  " + name, Text.count(n)));
    t.lines().forEach(top.out::println);
  }

  /** Rows written per table, and batches committed. */
  private static final class Counts {
    final Map<String, Long> rows = new TreeMap<>();
    long batches;

    void add(final String table) {
      rows.merge(table, 1L, Long::sum);
    }
  }

  // ------------------------------------------------------------------ through the schema

  /** Writes rows through the schemas' tables: indexes maintained, constraints checked. */
  private final class SchemaWriter implements Writer {
    private final Map<String, SchemaTable<?, ?>> tables = new HashMap<>();
    private final Map<String, SchemaSetTable<?, ?>> sets = new HashMap<>();
    private final Counts counts;
    private final Database db;
    private final boolean noSchema;

    SchemaWriter(final Database db, final List<Schema> schemas, final Counts counts) {
      this.db = db;
      this.counts = counts;
      this.noSchema = schemas.isEmpty();
      for (final Schema s : schemas) {
        for (final SchemaTable<?, ?> t : s.tables()) {
          tables.put(t.name(), t);
        }
        for (final SchemaSetTable<?, ?> t : setTables(s)) {
          sets.put(t.name(), t);
        }
      }
    }

    @Override
    public void write(final Txn txn, final Line line) {
      final JsonNode json = line.json();
      final String name = text(line, RowJson.TABLE);
      try {
        final SchemaTable<?, ?> table = tables.get(name);
        if (table != null) {
          if (!json.has(RowJson.KEY) || !json.has(RowJson.VALUE)) {
            throw new LineException(line.number(), "a row needs \"key\" and \"value\"", null);
          }
          put(txn, table, line);
        } else if (sets.containsKey(name)) {
          if (!json.has(RowJson.KEY) || !json.has(RowJson.MEMBER)) {
            throw new LineException(line.number(), "a member needs \"key\" and \"member\"", null);
          }
          add(txn, sets.get(name), line);
        } else if (json.path(ExportCommand.PLAIN).asBoolean(false)) {
          plain(txn, name, line);
        } else if (noSchema) {
          throw new LineException(
              line.number(),
              "rows of declared table '"
                  + name
                  + "' are written through its schema, so that"
                  + " its indexes are maintained: give --schema CLASS --classpath PATH (an"
                  + " export --raw imports without one)",
              null);
        } else {
          throw new LineException(
              line.number(),
              "table '"
                  + name
                  + "' is not declared by the schemas given (declared: "
                  + String.join(", ", new java.util.TreeSet<>(declared()))
                  + ")",
              null);
        }
      } catch (LineException e) {
        throw e;
      } catch (LodestoreException | IllegalArgumentException e) {
        throw new LineException(line.number(), e.getMessage(), e);
      }
      counts.add(name);
    }

    private List<String> declared() {
      final List<String> names = new ArrayList<>(tables.keySet());
      names.addAll(sets.keySet());
      return names;
    }

    private <K, V> void put(final Txn txn, final SchemaTable<K, V> table, final Line line) {
      final JsonNode json = line.json();
      final K key = key(table.keyCodec(), json);
      final ValueCodec<V> codec = table.valueCodec();
      final byte[] bytes =
          json.has(ExportCommand.BYTES)
              ? Base64.getDecoder().decode(text(line, ExportCommand.BYTES))
              : RowJson.valueFromJson(codec.id(), json.get(RowJson.VALUE));
      final V value;
      try {
        value = codec.decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
      } catch (RuntimeException e) {
        throw new LineException(
            line.number(),
            "the value is not a "
                + codec.id()
                + " value of table '"
                + table.name()
                + "': "
                + e.getMessage(),
            e);
      }
      table.put(txn, key, value);
    }

    /**
     * A row of a table no catalog declared where it was exported: written to the plain table of
     * that name (which must not be a schema's: those refuse plain writes).
     */
    private void plain(final Txn txn, final String name, final Line line) {
      final Base64.Decoder b64 = Base64.getDecoder();
      final byte[] key = b64.decode(text(line, RowJson.KEY));
      if (line.json().has(RowJson.MEMBER)) {
        db.setTable(txn, name, KeyCodecs.BYTES, KeyCodecs.BYTES)
            .add(txn, key, b64.decode(text(line, RowJson.MEMBER)));
      } else {
        db.table(txn, name, KeyCodecs.BYTES, ValueCodecs.BYTES)
            .put(txn, key, b64.decode(text(line, RowJson.VALUE)));
      }
    }

    private <K, M> void add(final Txn txn, final SchemaSetTable<K, M> set, final Line line) {
      final K key = key(set.keyCodec(), line.json());
      final M member = member(set.memberCodec(), line.json());
      set.add(txn, key, member);
    }
  }

  @SuppressWarnings("unchecked")
  private static <K> K key(final KeyCodec<K> codec, final JsonNode json) {
    return (K) RowJson.keyFromJson(codec, json.get(RowJson.KEY));
  }

  @SuppressWarnings("unchecked")
  private static <M> M member(final KeyCodec<M> codec, final JsonNode json) {
    return (M) RowJson.keyFromJson(codec, json.get(RowJson.MEMBER));
  }

  /** The set tables a schema declares: its fields of that type (the schema lists only tables). */
  static List<SchemaSetTable<?, ?>> setTables(final Schema schema) {
    final List<SchemaSetTable<?, ?>> sets = new ArrayList<>();
    for (Class<?> c = schema.getClass(); c != Schema.class; c = c.getSuperclass()) {
      for (final Field f : c.getDeclaredFields()) {
        if (SchemaSetTable.class.isAssignableFrom(f.getType())
            && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
          try {
            f.setAccessible(true);
            final Object v = f.get(schema);
            if (v != null) {
              sets.add((SchemaSetTable<?, ?>) v);
            }
          } catch (IllegalAccessException | RuntimeException e) {
            // a field we may not read: its set table is then not importable
          }
        }
      }
    }
    return sets;
  }

  private static String text(final Line line, final String field) {
    final JsonNode v = line.json().get(field);
    if (v == null || !v.isTextual()) {
      throw new LineException(line.number(), "\"" + field + "\" must be a string", null);
    }
    return v.asText();
  }

  // ------------------------------------------------------------------ raw

  /** Restores a --raw export: every LMDB database as its bytes, through the owner access. */
  private static final class RawWriter implements Writer {
    private final RawAccess access;
    private final Counts counts;

    /** Each database's kind and member size, from its header line. */
    private final Map<String, int[]> kinds = new HashMap<>();

    /** The handles opened in the current transaction. */
    private final Map<String, Object> open = new HashMap<>();

    private Txn txn;

    RawWriter(final RawAccess access, final Counts counts) {
      this.access = access;
      this.counts = counts;
    }

    @Override
    public void write(final Txn txn, final Line line) {
      if (this.txn != txn) {
        this.txn = txn;
        open.clear();
      }
      final JsonNode json = line.json();
      final String dbi = text(line, ExportCommand.DBI);
      try {
        if (json.has(ExportCommand.KIND)) {
          final boolean set = text(line, ExportCommand.KIND).equals("set");
          kinds.put(dbi, new int[] {set ? 1 : 0, json.path(ExportCommand.FIXED_MEMBERS).asInt(0)});
          handle(dbi, line); // creates it, empty ones too
          counts.rows.putIfAbsent(dbi, 0L);
          return;
        }
        final Object handle = handle(dbi, line);
        final Base64.Decoder b64 = Base64.getDecoder();
        final byte[] key = b64.decode(text(line, RowJson.KEY));
        if (handle instanceof SetTable) {
          @SuppressWarnings("unchecked")
          final SetTable<byte[], byte[]> set = (SetTable<byte[], byte[]>) handle;
          set.add(txn, key, b64.decode(text(line, RowJson.MEMBER)));
        } else {
          @SuppressWarnings("unchecked")
          final Table<byte[], byte[]> table = (Table<byte[], byte[]>) handle;
          table.put(txn, key, b64.decode(text(line, RowJson.VALUE)));
        }
      } catch (LineException e) {
        throw e;
      } catch (LodestoreException | IllegalArgumentException e) {
        throw new LineException(line.number(), e.getMessage(), e);
      }
      counts.add(dbi);
    }

    private Object handle(final String dbi, final Line line) {
      final int[] kind = kinds.get(dbi);
      if (kind == null) {
        throw new LineException(
            line.number(), "LMDB database '" + dbi + "' has no header line before its rows", null);
      }
      return open.computeIfAbsent(
          dbi, d -> kind[0] == 1 ? access.setTable(txn, d, kind[1]) : access.table(txn, d));
    }
  }
}
