package org.lodestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.lodestore.core.Verify;
import org.lodestore.core.VerifyReport;
import org.lodestore.schema.RowJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code lodestore verify DIR [--schema CLASS --classpath PATH]}: is the database intact? */
@Command(
    name = "verify",
    header = "Checks every page, value, index entry and reference; exit 1 on any problem.",
    mixinStandardHelpOptions = true,
    description = {
      "Checks the database in DIR in two steps, each in a child JVM so that a damaged file cannot"
          + " crash this one:",
      "1. pages: every page of data.mdb is walked without LMDB (page kinds, bounds, key order,"
          + " overflow pages, the free list), then LMDB reads every entry (Verify.run).",
      "2. rows, if the pages are intact: with --schema, the schema's own check (Schema.check):"
          + " every value decodes and matches its checksum, every index holds exactly what its"
          + " rows derive (missing and stale entries), every reference resolves, the catalog"
          + " matches the declarations. Without --schema, what the catalog alone allows: checksums,"
          + " CBOR/JSON/string/number values decode, index entries point to rows that exist, and"
          + " non-nullable indexes have as many entries as their table has rows.",
      "Prints what it found by table, index and key, and ends with exit code 1 on any problem."
          + " Writes nothing. Check a copy or a stopped database: pages a live writer reuses during"
          + " the walk can look damaged."
    })
final class VerifyCommand implements Callable<Integer> {

  @ParentCommand Lodestore top;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the database directory")
  Path dir;

  @Mixin SchemaOptions schema;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "PT30M",
      description = "how long each step may run, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration timeout;

  private final ObjectMapper mapper = RowJson.mapper();

  @Override
  public Integer call() throws IOException {
    schema.instantiate(spec); // a bad --schema is a usage error before anything runs
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
    }
    Databases.requireDatabase(dir);
    final PrintStream out = top.out;
    out.println("verify " + dir.toAbsolutePath().normalize());
    final VerifyReport pages;
    try (Progress progress = Progress.timer(top.err, "verify pages")) {
      pages = Ticker.run(progress, () -> Verify.run(dir, timeout));
    }
    out.println("pages: " + pages.summary());
    if (!pages.ok()) {
      for (final String p : pages.problems()) {
        out.println("  " + p);
      }
      out.println("rows: not checked (the pages are not intact; restore from a backup)");
      return Exit.PROBLEMS;
    }
    return rows(out) ? Exit.OK : Exit.PROBLEMS;
  }

  /** Step 2 in a child JVM; prints its findings and returns whether it found nothing. */
  private boolean rows(final PrintStream out) {
    final List<String> args =
        new ArrayList<>(List.of(SchemaCheckChild.NAME, dir.toAbsolutePath().toString()));
    for (final String c : schema.classes) {
      args.add("--schema");
      args.add(c);
    }
    for (final Path p : schema.classpath) {
      args.add("--classpath");
      args.add(p.toAbsolutePath().toString());
    }
    final List<String> problems = new ArrayList<>();
    final AtomicReference<JsonNode> done = new AtomicReference<>();
    final List<String> other = new ArrayList<>();
    final SelfProcess.Result result;
    final AtomicReference<Progress> bar = new AtomicReference<>();
    try {
      result =
          SelfProcess.run(
              args,
              timeout,
              line -> {
                final JsonNode json;
                try {
                  json = mapper.readTree(line);
                } catch (IOException | RuntimeException e) {
                  other.add(line);
                  return;
                }
                if (json.has("total")) {
                  bar.set(
                      Progress.start(
                          top.err,
                          "verify rows" + (schema.given() ? "" : " (catalog)"),
                          json.get("total").asLong(),
                          "rows"));
                } else if (json.has("progress") && bar.get() != null) {
                  bar.get().stepTo(json.get("progress").asLong());
                } else if (json.has("problem")) {
                  problems.add(describe(json.get("problem")));
                } else if (json.has("done")) {
                  done.set(json.get("done"));
                } else {
                  other.add(line);
                }
              });
    } finally {
      if (bar.get() != null) {
        bar.get().close();
      }
    }
    final String how = schema.given() ? "schema check" : "catalog check";
    if (done.get() == null) {
      out.println(
          "rows: the "
              + how
              + " did not finish ("
              + (result.how() == null ? "exit code " + result.exitCode() : result.how())
              + ")"
              + (result.timedOut() ? "" : ": the file is damaged or the check could not run"));
      problems.forEach(p -> out.println("  " + p));
      if (!result.stderr().isBlank()) {
        result.stderr().lines().forEach(l -> out.println("  | " + l));
      }
      return false;
    }
    final long rows = done.get().get("rows").asLong();
    final long count = done.get().get("problems").asLong();
    if (count == 0) {
      out.println("rows: ok (" + how + "), " + Text.count(rows) + " rows");
      return true;
    }
    out.println(
        "rows: "
            + Text.count(count)
            + " problem"
            + (count == 1 ? "" : "s")
            + " ("
            + how
            + "), "
            + Text.count(rows)
            + " rows");
    problems.forEach(p -> out.println("  " + p));
    if (count > problems.size()) {
      out.println("  ... and " + Text.count(count - problems.size()) + " more");
    }
    return false;
  }

  /** {@code KIND table.index key K: message}, as {@code SchemaCheck.Problem} prints itself. */
  private static String describe(final JsonNode p) {
    final String index = p.path("index").isNull() ? null : p.path("index").asText(null);
    final String key = p.path("key").isNull() ? null : p.path("key").asText(null);
    return p.get("kind").asText()
        + " "
        + p.get("table").asText()
        + (index == null ? "" : "." + index)
        + (key == null ? "" : " key " + key)
        + ": "
        + p.get("message").asText();
  }
}
