package org.lodestore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.TableStats;
import org.lodestore.schema.StoredCatalog.StoredTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lodestore stat DIR [--json]}: sizes, readers, and every table with its indexes. */
@Command(
    name = "stat",
    header = "Sizes, reader slots, and every table with its indexes, by declared name.",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the database in DIR: map size (as its last writer set it) and use, file size, page"
          + " size, reader slots (in use, and stale ones"
          + " of processes that are gone), and per table its declared name, kind, key and value"
          + " codecs, rows, bytes, depth and oid, with its indexes; LMDB databases no catalog"
          + " declares are listed by their LMDB name.",
      "Opens the database read-only."
    })
final class StatCommand implements Callable<Integer> {

  @ParentCommand Lodestore top;

  @Parameters(index = "0", paramLabel = "DIR", description = "the database directory")
  Path dir;

  @Option(names = "--json", description = "print one JSON object instead of a table (for scripts)")
  boolean json;

  @Override
  public Integer call() throws Exception {
    try (Database db = Databases.openReadOnly(dir)) {
      final DatabaseModel model = DatabaseModel.of(db);
      final Path data = dir.resolve("data.mdb");
      final long fileBytes = Files.size(data);
      final long mapSize = MetaPages.read(data).mapSize();
      if (json) {
        final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        top.out.println(mapper.writeValueAsString(toJson(db, model, mapper, mapSize, fileBytes)));
      } else {
        print(db, model, top.out, mapSize, fileBytes);
      }
    }
    return Exit.OK;
  }

  private static void print(
      final Database db,
      final DatabaseModel m,
      final PrintStream out,
      final long mapSize,
      final long fileBytes) {
    final DatabaseStats s = m.stats;
    out.println("database  " + db.path());
    out.printf(
        Locale.ROOT,
        "map       %s, %s used (%.1f%%), file %s, page size %s%n",
        Text.bytes(mapSize),
        Text.bytes(s.usedBytes()),
        100.0 * s.usedBytes() / Math.max(1, mapSize),
        Text.bytes(fileBytes),
        Text.bytes(s.pageSize()));
    out.printf(
        Locale.ROOT,
        "readers   %d in use, %d stale, %d slots%n",
        m.readersInUse(),
        m.staleReaders(),
        s.maxReaders());
    out.println();
    final Text.Columns t = new Text.Columns(8, 4, 5, 6);
    t.row("TABLE", "KIND", "KEY", "VALUE", "ROWS", "BYTES", "DEPTH", "OID");
    for (final DatabaseModel.Declared d : m.declared) {
      final StoredTable st = d.table();
      final String value =
          st.valueCodec() + (st.valueChecksum() == null ? "" : "+" + st.valueChecksum());
      t.row(
          st.name(),
          st.kind() + (st.migrating() ? " (migrating)" : ""),
          st.keyCodec(),
          value,
          rows(d.stats()),
          size(m, d.stats()),
          depth(d.stats()),
          st.oid());
      for (final DatabaseModel.DeclaredIndex i : d.indexes()) {
        t.row(
            "  " + i.index().name(),
            i.index().unique() ? "unique index" : "index",
            i.index().keyCodec(),
            i.index().nullable() ? "(nullable)" : "",
            rows(i.stats()),
            size(m, i.stats()),
            depth(i.stats()),
            "");
      }
    }
    if (m.declared.isEmpty()) {
      t.row("(no catalog: no schema was ever attached)", "", "", "", "", "", "", "");
    }
    t.lines().forEach(out::println);
    if (!m.plain.isEmpty() || !m.internal.isEmpty()) {
      out.println();
      out.println("LMDB databases in no catalog (plain tables, and Lodestore's own):");
      final Text.Columns o = new Text.Columns(5, 2, 3, 4);
      o.row("NAME", "KIND", "ROWS", "BYTES", "DEPTH");
      for (final TableStats p : m.plain) {
        o.row(p.name(), kind(p), rows(p), size(m, p), depth(p));
      }
      for (final TableStats p : m.internal) {
        o.row(p.name(), kind(p) + " (Lodestore's)", rows(p), size(m, p), depth(p));
      }
      o.lines().forEach(out::println);
    }
  }

  private static ObjectNode toJson(
      final Database db,
      final DatabaseModel m,
      final ObjectMapper mapper,
      final long mapSize,
      final long fileBytes) {
    final DatabaseStats s = m.stats;
    final ObjectNode root = mapper.createObjectNode();
    root.put("path", db.path().toString());
    root.put("mapSize", mapSize);
    root.put("fileBytes", fileBytes);
    root.put("usedBytes", s.usedBytes());
    root.put("pageSize", s.pageSize());
    final ObjectNode readers = root.putObject("readers");
    readers.put("inUse", m.readersInUse());
    readers.put("stale", m.staleReaders());
    readers.put("slots", s.maxReaders());
    final ArrayNode tables = root.putArray("tables");
    for (final DatabaseModel.Declared d : m.declared) {
      final StoredTable st = d.table();
      final ObjectNode t = tables.addObject();
      t.put("name", st.name());
      t.put("oid", st.oid());
      t.put("kind", st.kind());
      t.put("dbi", st.dbi());
      t.put("keyCodec", st.keyCodec());
      t.put("valueCodec", st.valueCodec());
      t.put("valueChecksum", st.valueChecksum());
      t.put("valueType", st.valueType());
      t.put("migrating", st.migrating());
      stats(t, m, d.stats());
      final ArrayNode indexes = t.putArray("indexes");
      for (final DatabaseModel.DeclaredIndex i : d.indexes()) {
        final ObjectNode x = indexes.addObject();
        x.put("name", i.index().name());
        x.put("dbi", i.index().dbi());
        x.put("keyCodec", i.index().keyCodec());
        x.put("unique", i.index().unique());
        x.put("nullable", i.index().nullable());
        stats(x, m, i.stats());
      }
    }
    final ArrayNode other = root.putArray("otherTables");
    for (final TableStats p : m.plain) {
      other(other.addObject(), m, p, false);
    }
    for (final TableStats p : m.internal) {
      other(other.addObject(), m, p, true);
    }
    return root;
  }

  private static void other(
      final ObjectNode o, final DatabaseModel m, final TableStats p, final boolean internal) {
    o.put("dbi", p.name());
    o.put("kind", kind(p));
    o.put("internal", internal);
    stats(o, m, p);
  }

  private static void stats(final ObjectNode o, final DatabaseModel m, final TableStats t) {
    if (t == null) {
      o.putNull("rows");
      o.putNull("bytes");
      o.putNull("depth");
      return;
    }
    o.put("rows", t.entries());
    o.put("bytes", m.bytes(t));
    o.put("depth", t.depth());
  }

  private static String kind(final TableStats t) {
    return t.setTable() ? "set" : "table";
  }

  private static String rows(final TableStats t) {
    return t == null ? "-" : Text.count(t.entries());
  }

  private static String size(final DatabaseModel m, final TableStats t) {
    return t == null ? "-" : Text.bytes(m.bytes(t));
  }

  private static String depth(final TableStats t) {
    return t == null ? "-" : Integer.toString(t.depth());
  }
}
