package org.lodestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.TableStats;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.RowJson;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.StoredCatalog.StoredTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code lodestore export DIR [--table NAME...] [--out FILE|-] [--schema CLASS --classpath PATH]
 * [--raw]}: the rows of a database as JSON Lines.
 */
@Command(
    name = "export",
    header = "Rows as JSON Lines, keys and values decoded (--raw: an exact copy, base64).",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the rows of the database in DIR as JSON Lines, one row a line, table by table (a"
          + " table after those its references point to, so that import can check them), in key"
          + " order:",
      "  {\"table\":\"markets\",\"key\":<key>,\"value\":<value>}   (a set table: \"member\" for"
          + " \"value\")",
      "Keys are decoded by their codecs (UUIDs and RFC 3339 instants as strings, numbers,"
          + " tuples as arrays); CBOR and JSON values are JSON, strings and numbers are themselves,"
          + " FlatBuffers and byte values are base64 unless --schema names the Schema class, which"
          + " decodes FlatBuffers values to JSON (their bytes then follow as \"bytes\", base64, for"
          + " import). Tables no catalog declares are exported by LMDB name, marked \"plain\":true,"
          + " keys and values as base64. Indexes are not exported: import rebuilds them.",
      "--raw writes every LMDB database instead (catalog, indexes and Lodestore's own included),"
          + " keys and values as base64: import restores it into an empty directory as an exact"
          + " copy, without a schema.",
      "Opens the database read-only and reads it in one transaction (a consistent snapshot)."
          + " With --out FILE the file appears only once it is complete."
    })
final class ExportCommand implements Callable<Integer> {

  /** A raw export's field naming the LMDB database of a line. */
  static final String DBI = "dbi";

  /** A raw export's header field: "table" or "set". */
  static final String KIND = "kind";

  /** A raw export's header field: the length of every member of a set with fixed-size members. */
  static final String FIXED_MEMBERS = "fixedMembers";

  /** The field that marks a line of a table no catalog declares (key and value base64). */
  static final String PLAIN = "plain";

  /** The field with the base64 bytes of a value exported decoded (FlatBuffers with --schema). */
  static final String BYTES = "bytes";

  @ParentCommand Lodestore top;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the database directory")
  Path dir;

  @Option(
      names = "--table",
      paramLabel = "NAME",
      arity = "1..*",
      description =
          "only these tables (declared names, or LMDB names of tables no catalog declares);"
              + " default: all")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "FILE",
      defaultValue = "-",
      description = "where to write: a file, or - for stdout (default)")
  String out;

  @Option(
      names = "--raw",
      description = "every LMDB database as stored, base64, for an exact copy (see above)")
  boolean raw;

  @Mixin SchemaOptions schema;

  private final ObjectMapper mapper = RowJson.mapper();
  private List<Schema> schemas = List.of();

  @Override
  public Integer call() throws IOException {
    if (raw && (schema.given() || !tables.isEmpty())) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--raw exports every LMDB database as stored: no --schema or --table");
    }
    schemas = schema.instantiate(spec);
    try (Database db = Databases.openReadOnly(dir)) {
      SchemaOptions.attach(db, schemas);
      final DatabaseModel model = DatabaseModel.of(db);
      final List<Object> selected = raw ? List.of() : select(model);
      final long total = raw ? rawTotal(model) : total(model, selected);
      final Path file = out.equals("-") ? null : Path.of(out);
      final Path part = file == null ? null : file.resolveSibling(file.getFileName() + ".part");
      boolean complete = false;
      try (OutputStream sink =
              file == null
                  ? new NonClosing(top.data)
                  : new BufferedOutputStream(Files.newOutputStream(part), 1 << 16);
          Progress progress = Progress.start(top.err, "export", total, "rows");
          Txn txn = db.beginRead()) {
        final Lines lines = new Lines(sink, progress);
        if (raw) {
          exportRaw(db, txn, model, lines);
        } else {
          for (final Object t : selected) {
            if (t instanceof DatabaseModel.Declared) {
              exportDeclared(txn, model, ((DatabaseModel.Declared) t).table(), lines);
            } else {
              exportPlain(db, txn, (TableStats) t, lines);
            }
          }
        }
        complete = true;
      } catch (IOException e) {
        if (file == null && String.valueOf(e.getMessage()).contains("Broken pipe")) {
          return Exit.OK; // stdout's reader went away (| head): stop, as Unix tools do
        }
        throw e;
      } finally {
        if (part != null) {
          if (complete) {
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
          } else {
            Files.deleteIfExists(part);
          }
        }
      }
      if (file != null) {
        top.err.println("export: wrote " + file);
      }
    }
    return Exit.OK;
  }

  /** The tables to export, in order: declared ones by name, then plain ones. */
  private List<Object> select(final DatabaseModel model) {
    final List<Object> selected = new ArrayList<>();
    if (tables.isEmpty()) {
      selected.addAll(DatabaseModel.referencesFirst(model.declared));
      selected.addAll(model.plain);
      return selected;
    }
    final List<DatabaseModel.Declared> declared = new ArrayList<>();
    final List<TableStats> plain = new ArrayList<>();
    for (final String name : tables) {
      final DatabaseModel.Declared d = model.declared(name);
      final TableStats p = d == null ? model.plain(name) : null;
      if (d == null && p == null) {
        final List<String> known = new ArrayList<>();
        model.declared.forEach(x -> known.add(x.table().name()));
        model.plain.forEach(x -> known.add(x.name()));
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--table "
                + name
                + ": no such table in "
                + dir
                + " (tables: "
                + String.join(", ", known)
                + ")");
      }
      if (d != null) {
        declared.add(d);
      } else {
        plain.add(p);
      }
    }
    selected.addAll(DatabaseModel.referencesFirst(declared));
    selected.addAll(plain);
    return selected;
  }

  private static long total(final DatabaseModel model, final List<Object> selected) {
    long total = 0;
    for (final Object t : selected) {
      final TableStats s =
          t instanceof DatabaseModel.Declared
              ? ((DatabaseModel.Declared) t).stats()
              : (TableStats) t;
      total += s == null ? 0 : s.entries();
    }
    return total;
  }

  private static long rawTotal(final DatabaseModel model) {
    long total = 0;
    for (final TableStats s : model.stats.tables().values()) {
      total += s.entries();
    }
    return total;
  }

  // ------------------------------------------------------------------ declared tables

  private void exportDeclared(
      final Txn txn, final DatabaseModel model, final StoredTable t, final Lines lines)
      throws IOException {
    final KeyCodec<?> keyCodec = KeyCodecs.forId(t.keyCodec()).orElse(KeyCodecs.BYTES);
    if (t.isSet()) {
      final KeyCodec<?> memberCodec = KeyCodecs.forId(t.valueCodec()).orElse(KeyCodecs.BYTES);
      exportSet(txn, model, t, keyCodec, memberCodec, lines);
    } else {
      exportRows(txn, model, t, keyCodec, lines);
    }
  }

  private <K> void exportRows(
      final Txn txn,
      final DatabaseModel model,
      final StoredTable t,
      final KeyCodec<K> keyCodec,
      final Lines lines)
      throws IOException {
    if (model.stats.tables().get(t.dbi()) == null) {
      return; // declared, never created
    }
    final SchemaTable<?, ?> declared = SchemaOptions.table(schemas, t.oid());
    final boolean decodeFlatBuffers = declared != null && t.valueCodec().startsWith("flatbuffers");
    final Table<K, byte[]> table = model.catalog.rawTable(txn, t, keyCodec);
    try (Cursor<K, byte[]> c = table.select(txn, KeyRange.all())) {
      while (next(c, t)) {
        final K key = c.key();
        final byte[] value = value(c, t, key);
        final JsonNode keyJson = RowJson.keyToJson(keyCodec, key);
        final ObjectNode line;
        try {
          if (decodeFlatBuffers) {
            line = RowJson.row(t.name(), keyJson, decode(declared.valueCodec(), value));
            line.put(BYTES, Base64.getEncoder().encodeToString(value));
          } else {
            line = RowJson.row(t.name(), keyJson, RowJson.valueToJson(t.valueCodec(), value));
          }
        } catch (RuntimeException e) {
          throw CliException.failed(
              "the value of table '"
                  + t.name()
                  + "' at key "
                  + keyJson
                  + " cannot be decoded: "
                  + e.getMessage(),
              e);
        }
        lines.write(line);
      }
    }
  }

  private static <V> JsonNode decode(final ValueCodec<V> codec, final byte[] value) {
    return FlatBuffersJson.toJson(codec.decode(ByteBuffer.wrap(value)));
  }

  private <K, M> void exportSet(
      final Txn txn,
      final DatabaseModel model,
      final StoredTable t,
      final KeyCodec<K> keyCodec,
      final KeyCodec<M> memberCodec,
      final Lines lines)
      throws IOException {
    if (model.stats.tables().get(t.dbi()) == null) {
      return;
    }
    final SetTable<K, M> set = model.catalog.rawSetTable(txn, t, keyCodec, memberCodec);
    try (Cursor<K, M> c = set.select(txn, KeyRange.<K>all())) {
      while (next(c, t)) {
        lines.write(
            RowJson.member(
                t.name(),
                RowJson.keyToJson(keyCodec, c.key()),
                RowJson.keyToJson(memberCodec, c.value())));
      }
    }
  }

  /** Moves the cursor; a damaged row is reported by table (its key is not known yet). */
  private static boolean next(final Cursor<?, ?> c, final StoredTable t) {
    try {
      return c.next();
    } catch (LodestoreException e) {
      throw CliException.failed("table '" + t.name() + "' cannot be read: " + e.getMessage(), e);
    }
  }

  /** The row's value bytes; a checksum mismatch is reported naming the table and key. */
  private static <K> byte[] value(final Cursor<K, byte[]> c, final StoredTable t, final K key) {
    try {
      return c.value();
    } catch (LodestoreException e) {
      throw CliException.failed(
          "the value of table '"
              + t.name()
              + "' at key "
              + LodestoreException.describeKey(key)
              + " cannot be read: "
              + e.getMessage(),
          e);
    }
  }

  // ------------------------------------------------------------------ plain tables

  private void exportPlain(final Database db, final Txn txn, final TableStats t, final Lines lines)
      throws IOException {
    final Base64.Encoder b64 = Base64.getEncoder();
    if (t.setTable()) {
      final SetTable<byte[], byte[]> set =
          db.setTable(txn, t.name(), KeyCodecs.BYTES, KeyCodecs.BYTES);
      try (Cursor<byte[], byte[]> c = set.select(txn, KeyRange.<byte[]>all())) {
        while (c.next()) {
          lines.write(
              RowJson.member(
                      t.name(),
                      mapper.getNodeFactory().textNode(b64.encodeToString(c.key())),
                      mapper.getNodeFactory().textNode(b64.encodeToString(c.value())))
                  .put(PLAIN, true));
        }
      }
    } else {
      final Table<byte[], byte[]> table =
          db.table(txn, t.name(), KeyCodecs.BYTES, ValueCodecs.BYTES);
      try (Cursor<byte[], byte[]> c = table.select(txn, KeyRange.all())) {
        while (c.next()) {
          lines.write(
              RowJson.row(
                      t.name(),
                      mapper.getNodeFactory().textNode(b64.encodeToString(c.key())),
                      mapper.getNodeFactory().textNode(b64.encodeToString(c.value())))
                  .put(PLAIN, true));
        }
      }
    }
  }

  // ------------------------------------------------------------------ raw

  private void exportRaw(
      final Database db, final Txn txn, final DatabaseModel model, final Lines lines)
      throws IOException {
    final RawAccess access = RawAccess.of(db);
    final Base64.Encoder b64 = Base64.getEncoder();
    for (final String name : db.tableNames()) {
      final TableStats s = model.stats.tables().get(name);
      if (s == null) {
        continue;
      }
      final ObjectNode header = mapper.createObjectNode();
      header.put(DBI, name);
      header.put(KIND, s.setTable() ? "set" : "table");
      final int fixed = s.setTable() ? RawAccess.fixedMembers(model, name) : 0;
      if (fixed > 0) {
        header.put(FIXED_MEMBERS, fixed);
      }
      header.put("rows", s.entries());
      lines.writeHeader(header);
      if (s.setTable()) {
        final SetTable<byte[], byte[]> set = access.setTable(txn, name, 0);
        try (Cursor<byte[], byte[]> c = set.select(txn, KeyRange.<byte[]>all())) {
          while (c.next()) {
            final ObjectNode line = mapper.createObjectNode();
            line.put(DBI, name);
            line.put(RowJson.KEY, b64.encodeToString(c.key()));
            line.put(RowJson.MEMBER, b64.encodeToString(c.value()));
            lines.write(line);
          }
        }
      } else {
        final Table<byte[], byte[]> table = access.table(txn, name);
        try (Cursor<byte[], byte[]> c = table.select(txn, KeyRange.all())) {
          while (c.next()) {
            final ObjectNode line = mapper.createObjectNode();
            line.put(DBI, name);
            line.put(RowJson.KEY, b64.encodeToString(c.key()));
            line.put(RowJson.VALUE, b64.encodeToString(c.value()));
            lines.write(line);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ output

  /** Writes lines and counts them. */
  private final class Lines {
    private final OutputStream sink;
    private final Progress progress;

    Lines(final OutputStream sink, final Progress progress) {
      this.sink = sink;
      this.progress = progress;
    }

    void write(final JsonNode line) throws IOException {
      writeHeader(line);
      progress.step(1);
    }

    /** A line that is not a row (raw headers): not counted. */
    void writeHeader(final JsonNode line) throws IOException {
      sink.write(mapper.writeValueAsBytes(line));
      sink.write('\n');
    }
  }

  /** Stdout: flushed, never closed. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(final OutputStream out) {
      super(new BufferedOutputStream(out, 1 << 16));
    }

    @Override
    public void write(final byte[] b, final int off, final int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
