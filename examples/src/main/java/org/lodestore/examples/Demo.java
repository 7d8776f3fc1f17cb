package org.lodestore.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.Durability;
import org.lodestore.core.TableStats;
import org.lodestore.examples.market.MarketSchema;
import org.lodestore.schema.SchemaTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's demo: ingests a market data feed (ticks as FlatBuffers, trades as CBOR, over many
 * markets) into the {@link MarketSchema} with a progress bar, then runs the market queries, checks
 * every answer against the feed, and prints what it wrote, how fast, how big, and a few rows.
 *
 * <p>The database lives in {@code data/demo} under the working directory ({@code mvn -pl examples
 * exec:exec} runs in the repository's root). A second run reopens it, says so and skips the ingest;
 * {@code --fresh} starts over. Exit status: 0 when every check passed, 1 when a check failed or the
 * demo could not run, 2 for a bad command line.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Ingests a market data feed into Lodestore, runs the example queries, checks every answer"
          + " and prints a summary.",
      "With Maven: mvn -B -q -pl examples exec:exec -Ddemo.args=\"--fresh --ticks 2000000\""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every query answered as expected",
      "1:a check failed, or the demo could not run",
      "2:bad command line"
    })
public final class Demo implements Callable<Integer> {

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "database directory (default: ${DEFAULT-VALUE}, relative to the working directory)")
  Path dir = Path.of("data", "demo");

  @Option(names = "--fresh", description = "delete the database first and ingest again")
  boolean fresh;

  @Option(
      names = "--markets",
      paramLabel = "N",
      description = "markets (default: ${DEFAULT-VALUE})")
  int markets = 100;

  @Option(
      names = "--exchanges",
      paramLabel = "N",
      description = "exchanges; each market is a pair on one of them (default: ${DEFAULT-VALUE})")
  int exchanges = 5;

  @Option(
      names = "--ticks",
      paramLabel = "N",
      description =
          "ticks in all, spread over the markets, 10 per second each (default: ${DEFAULT-VALUE})")
  long ticks = 1_000_000;

  @Option(
      names = "--trades",
      paramLabel = "N",
      description = "trades in all (default: ${DEFAULT-VALUE})")
  long trades = 100_000;

  @Option(
      names = "--batch",
      paramLabel = "N",
      description = "rows per write transaction (default: ${DEFAULT-VALUE})")
  int batch = 50_000;

  @Option(
      names = "--gets",
      paramLabel = "N",
      description = "random point gets to time (default: ${DEFAULT-VALUE})")
  int gets = 100_000;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "the feed's seed (default: ${DEFAULT-VALUE})")
  long seed = 42;

  @Option(
      names = "--durability",
      paramLabel = "MODE",
      description = "SYNC, NO_META_SYNC or NO_SYNC (default: ${DEFAULT-VALUE})")
  Durability durability = Durability.SYNC;

  @Option(names = "--no-progress", description = "no progress bar (for logs)")
  boolean noProgress;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private PrintStream out = System.out;
  private Summary summary;

  /** What a run did; the test checks it. */
  record Summary(
      Path dir,
      boolean reopened,
      String note,
      Feed feed,
      Manifest manifest,
      DemoQueries.Results results,
      long fileBytes,
      DatabaseStats stats,
      List<TableSize> tables) {}

  /** One table's rows and pages. */
  record TableSize(String name, String layout, long rows, long bytes) {}

  /** Used by picocli. */
  Demo() {}

  /**
   * Runs the demo; see the class comment and {@code --help}. Exits with the status.
   *
   * @param args the command line
   */
  public static void main(final String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /**
   * Runs the demo without exiting.
   *
   * @param args the command line
   * @param out where the summary goes
   * @param err where errors go
   * @return the exit status
   */
  static int execute(final String[] args, final PrintStream out, final PrintStream err) {
    return command(new Demo(), out, err).execute(args);
  }

  static CommandLine command(final Demo demo, final PrintStream out, final PrintStream err) {
    demo.out = out;
    final CommandLine cli = new CommandLine(demo);
    cli.setOverwrittenOptionsAllowed(true); // the last --ticks wins, as in most tools
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(err, true));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          err.println("demo failed: " + e);
          Throwable cause = e.getCause();
          while (cause != null) {
            err.println("  caused by: " + cause);
            cause = cause.getCause();
          }
          return 1;
        });
    return cli;
  }

  Summary summary() {
    return summary;
  }

  @Override
  public Integer call() {
    if (batch < 1 || gets < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--batch must be at least 1 and --gets at least 0");
    }
    final Feed requested;
    try {
      requested = new Feed(seed, exchanges, markets, ticks, trades);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    summary = run(requested);
    print(summary);
    return summary.results().failures().isEmpty() ? 0 : 1;
  }

  private Summary run(final Feed requested) {
    final boolean existed = Files.exists(dir.resolve("data.mdb"));
    String note;
    if (fresh) {
      Examples.deleteDatabase(dir);
      note = existed ? "new (--fresh: the previous database was deleted)" : "new";
    } else {
      note = existed ? null : "new";
    }
    final DatabaseOptions options = DatabaseOptions.builder().durability(durability).build();
    Database db = Database.open(dir, options);
    try {
      MarketSchema market = db.attach(new MarketSchema());
      DemoSchema demo = db.attach(new DemoSchema());
      Manifest manifest = manifest(db, demo);
      if (manifest == null && existed && !fresh) {
        // an earlier run stopped before its last transaction: its data is incomplete
        db.close();
        Examples.deleteDatabase(dir);
        db = Database.open(dir, options);
        market = db.attach(new MarketSchema());
        demo = db.attach(new DemoSchema());
        note = "new (an earlier run had not finished its ingest: started over)";
      }
      final Feed feed;
      final boolean reopened = manifest != null;
      if (reopened) {
        feed = manifest.feed();
        note = "reopened: built " + manifest.builtAt() + "; ingest skipped (--fresh to start over)";
        if (!manifest.sameFeed(requested)) {
          note +=
              String.format(
                  "%n             it holds %,d markets on %d exchanges, %,d ticks, %,d trades, seed %d;"
                      + " the size flags given apply only with --fresh",
                  feed.markets, feed.exchanges, feed.ticks, feed.trades, feed.seed);
        }
      } else {
        feed = requested;
        out.printf(
            "Lodestore demo: writing %,d ticks and %,d trades of %,d markets into %s%n",
            feed.ticks, feed.trades, feed.markets, dir.toAbsolutePath().normalize());
        final MarketSchema m = market;
        final DemoSchema d = demo;
        new DemoIngest(db, m, d, feed, batch, !noProgress).run();
        manifest = manifest(db, d);
      }
      final DemoQueries.Results results = new DemoQueries(db, market, feed, gets).run();
      final DatabaseStats stats = db.stats();
      final List<TableSize> tables = new ArrayList<>();
      long listed = 0;
      for (final SchemaTable<?, ?> table : market.tables()) {
        final TableStats t = stats.tables().get(table.oid());
        final long bytes = t == null ? 0 : pages(t) * stats.pageSize();
        listed += bytes;
        tables.add(new TableSize(table.name(), layout(table), t == null ? 0 : t.entries(), bytes));
      }
      long all = 0;
      for (final TableStats t : stats.tables().values()) {
        all += pages(t) * stats.pageSize();
      }
      tables.add(new TableSize("other", "indexes, catalog, manifest", -1, all - listed));
      return new Summary(
          db.path(),
          reopened,
          note,
          feed,
          manifest,
          results,
          fileSize(db.path().resolve("data.mdb")),
          stats,
          tables);
    } finally {
      db.close();
    }
  }

  private static Manifest manifest(final Database db, final DemoSchema demo) {
    return db.readAndGet(txn -> demo.manifest.get(txn, DemoSchema.KEY));
  }

  private static long pages(final TableStats t) {
    return t.branchPages() + t.leafPages() + t.overflowPages();
  }

  private static String layout(final SchemaTable<?, ?> table) {
    return table.keyCodec().id() + " -> " + table.valueCodec().id();
  }

  private static long fileSize(final Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------ the printed summary

  private void print(final Summary s) {
    final Feed f = s.feed();
    final DemoQueries.Results r = s.results();
    out.println();
    out.println("Lodestore demo: market data over LMDB");
    out.printf("  database   %s%n", s.dir());
    out.printf("             %s%n", s.note());
    out.printf(
        "  data       %,d markets (%d exchanges x %d pairs), %,d ticks (FlatBuffers, stored twice:"
            + " per market and by time), %,d trades (CBOR), %s of feed%n",
        f.markets, f.exchanges, f.pairs(), f.ticks, f.trades, span(f.spanNanos()));

    out.println();
    final Manifest m = s.manifest();
    out.println(s.reopened() ? "Ingest (when the database was built)" : "Ingest");
    out.printf(
        "  ticks      %,d ticks = %,d rows in %s: %,.0f ticks/s (%,.0f rows/s)%n",
        f.ticks,
        2 * f.ticks,
        seconds(m.tickNanos()),
        f.ticks * 1e9 / m.tickNanos(),
        2 * f.ticks * 1e9 / m.tickNanos());
    out.printf(
        "  trades     %,d rows in %s: %,.0f rows/s%n",
        f.trades, seconds(m.tradeNanos()), f.trades * 1e9 / m.tradeNanos());
    out.printf(
        "  in %d write transactions%s, each committed before the bar moved%n",
        m.transactions(), s.reopened() ? "" : " (durability " + durability + ")");

    out.println();
    out.println("Scans (one read transaction; timed on a second pass, after the JIT warmed up)");
    for (final DemoQueries.Timing t : r.scans()) {
      out.printf(
          "  %-48s %,11d %-5s %9s  %,13.0f %s/s%n",
          t.name(), t.rows(), t.unit(), millis(t.nanos()), t.perSecond(), t.unit());
    }
    out.println();
    final DemoQueries.Latency l = r.latency();
    out.printf("Point gets (%,d random ticks by (market, time), zero-copy)%n", l.gets());
    out.printf(
        "  p50 %s   p90 %s   p99 %s   p99.9 %s   max %s   mean %s%n",
        micros(l.p50()),
        micros(l.p90()),
        micros(l.p99()),
        micros(l.p999()),
        micros(l.max()),
        micros((long) l.meanNanos()));
    out.println();
    out.println("Index lookups");
    for (final DemoQueries.Timing t : r.lookups()) {
      out.printf(
          "  %-48s %,11d %-7s %9s  %s each%n",
          t.name(),
          t.rows(),
          t.unit(),
          millis(t.nanos()),
          micros(t.nanos() / Math.max(1, t.rows())));
    }
    out.println();
    out.println("Why ticks are stored per market (market, time) and not only by (time, market)");
    out.printf(
        "  zlmdb-style select((t0, m), (t1, m)) over (time, market), %d s: %,d rows, %,d of them other"
            + " markets'%n",
        r.window().toSeconds(), r.naiveRows(), r.naiveForeign());
    out.printf(
        "  the same window over (market, time): %,d rows, all of market m%n", r.seriesRows());

    out.println();
    final DatabaseStats st = s.stats();
    out.printf(
        "Disk: data.mdb %s; %s in use of a %s map (page %d bytes; grew %d times in this run)%n",
        bytes(s.fileBytes()),
        bytes(st.usedBytes()),
        bytes(st.mapSize()),
        st.pageSize(),
        st.mapGrowths());
    out.printf(
        "  %-18s %-34s %13s %11s %10s%n", "table", "key -> value", "rows", "size", "bytes/row");
    for (final TableSize t : s.tables()) {
      out.printf(
          "  %-18s %-34s %13s %11s %10s%n",
          t.name(),
          t.layout(),
          t.rows() < 0 ? "" : String.format("%,d", t.rows()),
          bytes(t.bytes()),
          t.rows() > 0 ? String.format("%,d", t.bytes() / t.rows()) : "");
    }

    out.println();
    out.println("Sample rows (market 0; latest first)");
    for (final String sample : r.samples()) {
      out.println("  " + sample);
    }
    out.println();
    if (r.failures().isEmpty()) {
      out.printf(
          "All %d checks passed: every answer matched the feed that was written.%n", r.checks());
    } else {
      out.printf("%d of %d checks FAILED:%n", r.failures().size(), r.checks());
      for (final String failure : r.failures()) {
        out.println("  " + failure);
      }
    }
  }

  private static String span(final long nanos) {
    final long seconds = nanos / 1_000_000_000L;
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds / 60 % 60)
        : String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
  }

  private static String seconds(final long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  private static String millis(final long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  private static String micros(final long nanos) {
    return String.format(Locale.ROOT, "%.2f us", nanos / 1e3);
  }

  private static String bytes(final long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
