package org.lodestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.lodestore.core.Database;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.TableStats;
import org.lodestore.core.Txn;
import org.lodestore.schema.RowJson;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaCheck;
import org.lodestore.schema.SchemaCheck.Kind;
import org.lodestore.schema.SchemaCheck.Problem;
import org.lodestore.schema.StoredCatalog;
import org.lodestore.schema.StoredCatalog.StoredTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The child half of {@code verify}: the row-level check, in a JVM of its own so that a damaged file
 * cannot crash the one that asked. With schemas it attaches them read-only and runs {@link
 * Schema#check}; without, the {@link CatalogCheck}. It tells its parent what it finds on stdout,
 * one JSON object a line:
 *
 * <pre>
 *  {"total": n}                    rows it will read (from the tables' statistics)
 *  {"progress": n}                 rows read so far
 *  {"problem": {"kind", "table", "index", "key", "message"}}
 *  {"done": {"rows": n, "problems": n}}   the last line of a check that finished
 * </pre>
 */
@Command(name = SchemaCheckChild.NAME, hidden = true)
final class SchemaCheckChild implements Callable<Integer> {

  /** The hidden subcommand's name. */
  static final String NAME = "__check-rows";

  @ParentCommand Lodestore top;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR")
  Path dir;

  @Mixin SchemaOptions schema;

  private final ObjectMapper mapper = RowJson.mapper();
  private long recorded;

  @Override
  public Integer call() throws Exception {
    final List<Schema> schemas = schema.instantiate(spec);
    final PrintStream out = top.out;
    try (Database db = Databases.openReadOnly(dir)) {
      final StoredCatalog catalog = DatabaseModel.readCatalog(db);
      long total = 0;
      final java.util.Map<String, TableStats> stats = db.stats().tables();
      for (final StoredTable t : catalog.tables()) {
        final TableStats s = stats.get(t.dbi());
        total += s == null ? 0 : s.entries();
      }
      emit(out, "total", mapper.getNodeFactory().numberNode(total));
      long rows = 0;
      if (schemas.isEmpty()) {
        try (Txn txn = db.beginRead()) {
          rows = CatalogCheck.run(db, catalog, txn, p -> problem(out, p), n -> progress(out, n));
        }
      } else {
        final List<Schema> attached = new ArrayList<>();
        for (final Schema s : schemas) {
          try {
            db.attach(s);
            attached.add(s);
          } catch (LodestoreException e) {
            problem(
                out,
                new Problem(
                    Kind.CATALOG,
                    e.table() != null ? e.table() : s.getClass().getName(),
                    null,
                    null,
                    "schema " + s.getClass().getName() + " does not attach: " + e.getMessage()));
          }
        }
        try (Txn txn = db.beginRead()) {
          for (final Schema s : attached) {
            final long base = rows;
            final SchemaCheck check = s.check(txn, n -> progress(out, base + n));
            check.problems().forEach(p -> problem(out, p));
            final long unrecorded = check.problemCount() - check.problems().size();
            recorded += unrecorded; // counted, not shown
            rows += check.rowsChecked();
          }
        }
      }
      final ObjectNode done = mapper.createObjectNode();
      done.put("rows", rows);
      done.put("problems", recorded);
      emit(out, "done", done);
    }
    return Exit.OK;
  }

  private void progress(final PrintStream out, final long rows) {
    emit(out, "progress", mapper.getNodeFactory().numberNode(rows));
  }

  private void problem(final PrintStream out, final Problem p) {
    recorded++;
    emit(out, "problem", mapper.valueToTree(p));
  }

  private void emit(final PrintStream out, final String field, final JsonNode value) {
    final ObjectNode line = mapper.createObjectNode();
    line.set(field, value);
    try {
      out.println(mapper.writeValueAsString(line));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }
}
