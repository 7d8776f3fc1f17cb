package org.lodestore.benchmarks.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.lodestore.benchmarks.peer.Impl;
import org.lodestore.benchmarks.peer.SyncMode;
import org.lodestore.benchmarks.peer.Workload;

/**
 * Turns a JMH JSON result file into {@code REPORT.md} plus PNG charts, next to the JSON: issue 12's
 * targets checked case by case ({@link Targets}); per workload W1-W5 and case (method +
 * parameters), every implementation's score, its ratio to {@code lmdbjava-raw}, its allocation per
 * operation, and the implementations that cannot run the workload or were not measured; the
 * cache-hot dataset in a section of its own; W6 and W7 as throughput against threads ({@link
 * ThreadScaling}); W1/W3 at two dataset sizes; the store load times.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.lodestore.benchmarks.report.ReportGenerator
 * <jmh.json> [profile]}. A {@code machine.txt} next to the JSON (written by {@code run.sh}) is
 * copied into the report.
 */
public final class ReportGenerator {
  static final String BASELINE = "lmdbjava-raw";
  static final String LODESTORE_FB = "lodestore-fb";

  /**
   * Synchronous disk writes per single-row W2 commit (both indexes), per implementation and
   * durability ({@code sync}, {@code meta-nosync}, {@code nosync}): fsync-family system calls plus
   * writes to a file opened with {@code O_DSYNC} (LMDB's meta page). Measured with {@code
   * benchmarks/scripts/count-fsyncs.sh} (strace; 200 commits less none) on 2026-12-01; NaN where
   * the store has no such level. MapDB's are {@code msync}s of its memory-mapped files.
   */
  static final Map<String, double[]> SYNCS_PER_COMMIT =
      Map.of(
          "lodestore-fb",
          new double[] {2, 1, 0},
          "lodestore-cbor",
          new double[] {2, 1, 0},
          BASELINE,
          new double[] {2, 1, 0},
          "sqlite",
          new double[] {1, 0, 0},
          "h2-mvstore",
          new double[] {1, 0, 0},
          "rocksdb",
          new double[] {1, 0, 0},
          "xodus",
          new double[] {1, 0, 0},
          "mapdb",
          new double[] {3, Double.NaN, 1});

  /**
   * The implementations whose {@code meta-nosync} is the very setting of their {@code nosync}
   * (their closest level to LMDB's {@code MDB_NOMETASYNC}; see their adapters).
   */
  static final Set<String> META_NOSYNC_IS_NOSYNC = Set.of("rocksdb", "xodus");

  private final List<JmhResult> results;
  private final Path dir;
  private final String profile;

  ReportGenerator(List<JmhResult> results, Path dir, String profile) {
    this.results = results;
    this.dir = dir;
    this.profile = profile;
  }

  /**
   * Writes the report for {@code args[0]} (a JMH JSON file); {@code args[1]} optionally names the
   * profile.
   *
   * @throws IOException if the JSON cannot be read or the report not written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ReportGenerator <jmh.json> [profile]");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    Path json = Paths.get(args[0]).toAbsolutePath();
    Path report =
        new ReportGenerator(
                JmhResult.read(json), json.getParent(), args.length > 1 ? args[1] : "unspecified")
            .write();
    System.out.println("wrote " + report);
  }

  /** Writes REPORT.md and the charts; returns the report's path. */
  Path write() throws IOException {
    StringBuilder md = new StringBuilder();
    header(md);
    new Targets(results).render(md);
    for (Workload w : List.of(Workload.W1, Workload.W2, Workload.W3, Workload.W4, Workload.W5)) {
      workload(md, w);
    }
    cacheHot(md);
    ThreadScaling threads = new ThreadScaling(results, dir);
    threads.section(md, Workload.W6);
    threads.section(md, Workload.W7);
    scaling(md);
    loads(md);
    Path out = dir.resolve("REPORT.md");
    Files.writeString(out, md.toString());
    return out;
  }

  private void header(StringBuilder md) throws IOException {
    md.append("# Lodestore benchmarks: ").append(dir.getFileName()).append("\n\n");
    md.append("Generated by `ReportGenerator` from `jmh.json` (profile: ")
        .append(profile)
        .append("). W1-W5 scores are JMH average times (lower is better); W6 and W7 are")
        .append(" throughputs (higher is better). \"vs raw\" is the time relative to")
        .append(" `lmdbjava-raw`'s in the same case (1.00 = as fast as hand-written lmdbjava;")
        .append(" 2.00 = twice as slow; throughputs inverted).\n\n");
    if (results.isEmpty()) {
      md.append("**The JSON holds no results.**\n\n");
      return;
    }
    JmhResult.RunInfo run = results.get(0).run();
    md.append("## Run\n\n");
    md.append("- JDK: ")
        .append(run.jdkVersion())
        .append(", ")
        .append(run.vmName())
        .append(' ')
        .append(run.vmVersion())
        .append('\n');
    // iteration settings -> the workloads run with them
    Map<String, Set<String>> settings = new LinkedHashMap<>();
    boolean tooFew = false;
    for (JmhResult r : results) {
      JmhResult.RunInfo i = r.run();
      String setting =
          i.forks()
              + " fork(s), "
              + i.warmupIterations()
              + " x "
              + i.warmupTime()
              + " warmup, "
              + i.measurementIterations()
              + " x "
              + i.measurementTime()
              + " measurement";
      settings.computeIfAbsent(setting, k -> new TreeSet<>()).add(r.workload());
      tooFew |= i.forks() * i.measurementIterations() < 3;
    }
    for (Map.Entry<String, Set<String>> e : settings.entrySet()) {
      md.append("- JMH: ").append(e.getKey());
      if (settings.size() > 1) {
        md.append(" (").append(String.join(", ", e.getValue())).append(')');
      }
      md.append('\n');
    }
    if (tooFew) {
      md.append(
          "- **Too few measurement iterations for confidence intervals: treat every score and"
              + " ratio as indicative only, not as evidence for or against a target.**\n");
    }
    md.append("- JVM arguments (identical for every implementation): `")
        .append(String.join(" ", run.jvmArgs()))
        .append("`\n");
    Set<String> durability =
        results.stream()
            .map(r -> r.params().get("durability"))
            .filter(d -> d != null)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    if (!durability.isEmpty()) {
      md.append("- W2 durability: ")
          .append(String.join(", ", durability))
          .append(" (see benchmarks/README.md for what each store does)\n");
    }
    Path machine = dir.resolve("machine.txt");
    if (Files.exists(machine)) {
      md.append("\n### Machine\n\n```\n")
          .append(Files.readString(machine).strip())
          .append("\n```\n");
    }
    md.append('\n');
  }

  /**
   * The rows of workload {@code w} on its main datasets: without the cache-hot dataset's rows,
   * unless the run measured {@code w} on nothing else (the quick profile, whose data it is).
   */
  static List<JmhResult> mainRows(List<JmhResult> results, String w) {
    List<JmhResult> all = results.stream().filter(r -> r.workload().equals(w)).toList();
    List<JmhResult> main = all.stream().filter(r -> !r.cacheHot()).toList();
    return main.isEmpty() ? all : main;
  }

  /** Synchronous disk writes per commit of {@code impl} at {@code durability}; NaN if unknown. */
  static double syncsPerCommit(String impl, String durability) {
    double[] counts = SYNCS_PER_COMMIT.get(impl);
    if (counts == null || durability == null) {
      return Double.NaN;
    }
    return switch (durability) {
      case "sync" -> counts[0];
      case "meta-nosync" -> counts[1];
      case "nosync" -> counts[2];
      default -> Double.NaN;
    };
  }

  private void workload(StringBuilder md, Workload w) throws IOException {
    md.append("## ").append(w).append(": ").append(w.title()).append("\n\n");
    List<JmhResult> rows = mainRows(results, w.name());
    if (rows.stream().anyMatch(JmhResult::cacheHot)) {
      md.append(
          "On the cache-hot dataset (10k markets; 10 x 10k ticks), this run's only dataset for"
              + " this workload.\n\n");
    }
    if (w == Workload.W2 && !rows.isEmpty()) {
      durabilities(md, rows);
    }
    List<String> unsupported = new ArrayList<>();
    for (Impl impl : Impl.values()) {
      if (!impl.supports(w)) {
        unsupported.add("`" + impl.id() + "`: " + impl.unsupportedReason(w));
      }
    }
    if (rows.isEmpty()) {
      md.append("Not measured in this run.\n\n");
    } else {
      String chart = w.name() + ".png";
      if (chart(w, w + ": " + w.title(), rows, dir.resolve(chart))) {
        md.append("![").append(w).append(" vs lmdbjava-raw](").append(chart).append(")\n\n");
      }
      for (Map.Entry<String, List<JmhResult>> c : cases(rows).entrySet()) {
        table(md, c.getKey(), c.getValue(), w);
      }
    }
    if (!unsupported.isEmpty()) {
      md.append("Cannot run ").append(w).append(":\n\n");
      unsupported.forEach(u -> md.append("- ").append(u).append('\n'));
      md.append('\n');
    }
  }

  /**
   * W2 at each durability side by side (time per row), with the synchronous disk writes per commit,
   * and the stores without a level of their own.
   */
  private void durabilities(StringBuilder md, List<JmhResult> rows) {
    List<String> levels =
        rows.stream()
            .map(JmhResult::durability)
            .filter(d -> d != null)
            .distinct()
            .sorted((a, b) -> Integer.compare(levelOrder(a), levelOrder(b)))
            .toList();
    md.append("### W2 by durability\n\n");
    md.append(
        "Time per row (time per commit / batch) at each durability, and in brackets the"
            + " synchronous disk writes one single-row commit makes (fsync-family calls plus"
            + " O_DSYNC writes, measured with `benchmarks/scripts/count-fsyncs.sh`). A store with"
            + " fewer per commit wins small synced commits by physics: LMDB syncs its data pages,"
            + " then its meta page; a WAL store syncs its log once.\n\n");
    // batch + indexes -> impl -> durability -> row
    Map<String, Map<String, Map<String, JmhResult>>> byCase = new LinkedHashMap<>();
    for (JmhResult r : rows) {
      if (r.durability() == null) {
        continue;
      }
      String label = "batch=" + r.params().get("batch") + " indexes=" + r.params().get("indexes");
      byCase
          .computeIfAbsent(label, k -> new TreeMap<>(ReportGenerator::implOrder))
          .computeIfAbsent(r.impl(), k -> new LinkedHashMap<>())
          .put(r.durability(), r);
    }
    md.append("| case | impl |");
    levels.forEach(l -> md.append(' ').append(l).append(" |"));
    md.append("\n|---|---|");
    levels.forEach(l -> md.append("---:|"));
    md.append('\n');
    for (Map.Entry<String, Map<String, Map<String, JmhResult>>> c : byCase.entrySet()) {
      for (Map.Entry<String, Map<String, JmhResult>> e : c.getValue().entrySet()) {
        md.append("| ").append(c.getKey()).append(" | ").append(e.getKey()).append(" |");
        for (String level : levels) {
          JmhResult r = e.getValue().get(level);
          double syncs = syncsPerCommit(e.getKey(), level);
          md.append(' ');
          if (r != null) {
            md.append(fmt(r.score() / Integer.parseInt(r.params().get("batch")), 2))
                .append(' ')
                .append(r.unit().replace("/op", "/row"));
            if (!Double.isNaN(syncs)) {
              md.append(" (").append(fmt(syncs, 0)).append(')');
            }
          } else {
            md.append(Double.isNaN(syncs) ? "n/a" : "not run");
          }
          md.append(" |");
        }
        md.append('\n');
      }
    }
    md.append('\n');
    if (levels.contains("meta-nosync")) {
      List<String> notes = new ArrayList<>();
      for (Impl impl : Impl.values()) {
        if (impl.supports(Workload.W2) && !impl.supports(SyncMode.META_NO_SYNC)) {
          notes.add(
              "`"
                  + impl.id()
                  + "` has no `meta-nosync` level: "
                  + impl.unsupportedReason(SyncMode.META_NO_SYNC)
                  + ".");
        }
      }
      for (String id : new TreeSet<>(META_NOSYNC_IS_NOSYNC)) {
        notes.add(
            "`"
                + id
                + "` at `meta-nosync` runs its `nosync` setting, its closest level to LMDB's"
                + " MDB_NOMETASYNC (benchmarks/README.md).");
      }
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
      md.append('\n');
    }
  }

  private static int levelOrder(String durability) {
    return switch (durability) {
      case "sync" -> 0;
      case "meta-nosync" -> 1;
      case "nosync" -> 2;
      default -> 3;
    };
  }

  /**
   * The cache-hot dataset (10,000 markets; 10 series x 10,000 ticks: the quick profile's data),
   * where the fixed cost per query is all that counts: its W1, W3, W4 and W5 cases, if the run
   * measured those workloads on their main datasets too.
   */
  private void cacheHot(StringBuilder md) throws IOException {
    md.append("## Cache-hot dataset: W1, W3, W4, W5 on 10k markets and 10 x 10k ticks\n\n");
    List<JmhResult> hot = new ArrayList<>();
    boolean onlyDataset = false;
    for (String w : List.of("W1", "W3", "W4", "W5")) {
      List<JmhResult> rows =
          results.stream().filter(r -> r.workload().equals(w) && r.cacheHot()).toList();
      if (!rows.isEmpty() && mainRows(results, w).stream().anyMatch(JmhResult::cacheHot)) {
        onlyDataset = true;
      } else {
        hot.addAll(rows);
      }
    }
    if (hot.isEmpty()) {
      md.append(
          onlyDataset
              ? "This run's only dataset is the cache-hot one: see the workload sections above"
                  + " (the Targets table checks the cache-hot target on them).\n\n"
              : "Not measured in this run.\n\n");
      return;
    }
    md.append(
        "Small stores that stay in the CPU caches and the page cache: the fixed cost of each"
            + " query (transaction begin and end, cursor open and close) is what counts."
            + " Issue 12's target: `lodestore-fb` faster than every other implementation on"
            + " every case.\n\n");
    String chart = "cache-hot.png";
    if (chart(null, "Cache-hot dataset: W1, W3, W4, W5", hot, dir.resolve(chart))) {
      md.append("![cache-hot vs lmdbjava-raw](").append(chart).append(")\n\n");
    }
    for (Map.Entry<String, List<JmhResult>> c : cases(hot).entrySet()) {
      table(md, c.getKey(), c.getValue(), Workload.valueOf(c.getValue().get(0).workload()));
    }
  }

  private void table(StringBuilder md, String label, List<JmhResult> rows, Workload w) {
    md.append("### ").append(label).append("\n\n");
    JmhResult raw = find(rows, BASELINE);
    String batch = rows.get(0).params().get("batch");
    md.append("| impl | score | ± (99.9%) | unit |");
    if (batch != null) {
      md.append(" per row |");
    }
    md.append(" vs raw | alloc B/op |\n");
    md.append("|---|---:|---:|---|");
    if (batch != null) {
      md.append("---:|");
    }
    md.append("---:|---:|\n");
    List<JmhResult> sorted = new ArrayList<>(rows);
    sorted.sort((a, b) -> Double.compare(a.score(), b.score()));
    for (JmhResult r : sorted) {
      md.append("| ")
          .append(r.impl().equals(BASELINE) ? "**" + r.impl() + "**" : r.impl())
          .append(" | ")
          .append(fmt(r.score(), 1))
          .append(" | ")
          .append(fmt(r.error(), 1))
          .append(" | ")
          .append(r.unit())
          .append(" |");
      if (batch != null) {
        md.append(' ')
            .append(fmt(r.score() / Integer.parseInt(batch), 2))
            .append(' ')
            .append(r.unit().replace("/op", "/row"))
            .append(" |");
      }
      md.append(' ')
          .append(raw == null ? "n/a" : fmt(ratio(r, raw), 2))
          .append(" | ")
          .append(fmt(r.allocBytesPerOp(), 0))
          .append(" |\n");
    }
    Set<String> measured = rows.stream().map(JmhResult::impl).collect(Collectors.toSet());
    String durability = rows.get(0).durability();
    List<String> missing = new ArrayList<>();
    List<String> noLevel = new ArrayList<>();
    for (Impl impl : Impl.values()) {
      if (!impl.supports(w) || measured.contains(impl.id())) {
        continue;
      }
      SyncMode sync = durability == null ? null : SyncMode.of(durability);
      if (sync != null && !impl.supports(sync)) {
        noLevel.add(
            "`"
                + impl.id()
                + "` has no `"
                + durability
                + "` level: "
                + impl.unsupportedReason(sync));
      } else {
        missing.add(impl.id());
      }
    }
    if (!noLevel.isEmpty()) {
      md.append('\n');
      noLevel.forEach(n -> md.append(n).append(".\n"));
    }
    if (!missing.isEmpty()) {
      md.append(
              "\nNot measured in this case (failed, or not selected by the profile: see"
                  + " benchmarks/README.md): ")
          .append(String.join(", ", missing))
          .append('\n');
    }
    md.append('\n');
  }

  /** The parameters that set a dataset's size; a scaling case is labelled without them. */
  private static final Set<String> SIZE_PARAMS = Set.of("markets", "series", "ticksPerSeries");

  /**
   * W1 and W3 at each dataset size the run measured (full profile: W1 at 1M and 10M markets, W3 at
   * 1.2M and 12M ticks): per case and implementation the score at each size, the growth from the
   * smallest size to the largest and the ratio to raw lmdbjava at each size. Implementations not
   * run at some size, and those that cannot run the workload, are listed rather than left out.
   */
  private void scaling(StringBuilder md) {
    md.append("## Scaling: W1/W3 at 1M vs 10M\n\n");
    md.append(
        "How the cost grows with the dataset: W1 by the number of markets, W3 by the total number"
            + " of ticks (series x ticks per series). \"growth\" is the score at the"
            + " largest size divided by the score at the smallest (1.00: flat); the cache-hot"
            + " dataset has its own section. DESIGN.md's target: W1 at 10M within 1.5x of"
            + " 1M.\n\n");
    for (Workload w : List.of(Workload.W1, Workload.W3)) {
      md.append("### ")
          .append(w)
          .append(": ")
          .append(w.title())
          .append(w == Workload.W1 ? " (size = markets)" : " (size = ticks)")
          .append("\n\n");
      List<JmhResult> rows = mainRows(results, w.name());
      TreeSet<Long> sizes =
          rows.stream().map(ReportGenerator::size).collect(Collectors.toCollection(TreeSet::new));
      if (rows.isEmpty()) {
        md.append("Not measured in this run.\n\n");
      } else if (sizes.size() < 2) {
        md.append("Measured at one size only (")
            .append(human(sizes.first()))
            .append(") in this run.\n\n");
      } else {
        scalingTable(md, w, rows, sizes);
      }
      List<String> unsupported = new ArrayList<>();
      for (Impl impl : Impl.values()) {
        if (!impl.supports(w)) {
          unsupported.add("`" + impl.id() + "`: " + impl.unsupportedReason(w));
        }
      }
      if (!unsupported.isEmpty()) {
        md.append("Cannot run ").append(w).append(":\n\n");
        unsupported.forEach(u -> md.append("- ").append(u).append('\n'));
        md.append('\n');
      }
    }
  }

  private void scalingTable(
      StringBuilder md, Workload w, List<JmhResult> rows, TreeSet<Long> sizes) {
    // case (method + non-size parameters) -> impl -> size -> result
    Map<String, Map<String, TreeMap<Long, JmhResult>>> byCase = new LinkedHashMap<>();
    // impl -> every size it was measured at, in any case
    Map<String, Set<Long>> implSizes = new TreeMap<>(ReportGenerator::implOrder);
    for (JmhResult r : rows) {
      byCase
          .computeIfAbsent(scalingLabel(r), k -> new TreeMap<>(ReportGenerator::implOrder))
          .computeIfAbsent(r.impl(), k -> new TreeMap<>())
          .put(size(r), r);
      implSizes.computeIfAbsent(r.impl(), k -> new TreeSet<>()).add(size(r));
    }
    for (Impl impl : Impl.values()) {
      if (impl.supports(w)) {
        implSizes.putIfAbsent(impl.id(), Set.of()); // not measured at all: listed below
      }
    }
    long smallest = sizes.first();
    long largest = sizes.last();
    md.append("| case | impl |");
    sizes.forEach(size -> md.append(' ').append(human(size)).append(" |"));
    md.append(" unit | growth | vs raw at ")
        .append(human(smallest))
        .append(" | vs raw at ")
        .append(human(largest))
        .append(" |\n|---|---|");
    sizes.forEach(size -> md.append("---:|"));
    md.append("---|---:|---:|---:|\n");
    List<String> oneSizeCases = new ArrayList<>();
    for (Map.Entry<String, Map<String, TreeMap<Long, JmhResult>>> c : byCase.entrySet()) {
      TreeMap<Long, JmhResult> raw = c.getValue().get(BASELINE);
      boolean anyRow = false;
      for (Map.Entry<String, TreeMap<Long, JmhResult>> e : c.getValue().entrySet()) {
        String impl = e.getKey();
        TreeMap<Long, JmhResult> bySize = e.getValue();
        if (bySize.size() < 2) {
          continue; // listed below the table
        }
        anyRow = true;
        md.append("| ")
            .append(c.getKey())
            .append(" | ")
            .append(impl.equals(BASELINE) ? "**" + impl + "**" : impl)
            .append(" |");
        for (long size : sizes) {
          JmhResult r = bySize.get(size);
          md.append(' ').append(r == null ? "not run" : fmt(r.score(), 1)).append(" |");
        }
        JmhResult small = bySize.get(smallest);
        JmhResult large = bySize.get(largest);
        String growth = small == null || large == null ? "" : fmt(ratio(large, small), 2);
        if (!growth.isEmpty() && impl.equals(LODESTORE_FB) && ratio(large, small) > 1.5) {
          growth = "**" + growth + "**";
        }
        md.append(' ')
            .append(bySize.firstEntry().getValue().unit())
            .append(" | ")
            .append(growth)
            .append(" | ")
            .append(vsRaw(small, raw == null ? null : raw.get(smallest)))
            .append(" | ")
            .append(vsRaw(large, raw == null ? null : raw.get(largest)))
            .append(" |\n");
      }
      if (!anyRow) {
        oneSizeCases.add(c.getKey());
      }
    }
    md.append('\n');
    if (!oneSizeCases.isEmpty()) {
      md.append("Cases measured at one size only (see the workload's section): ")
          .append(String.join(", ", oneSizeCases))
          .append(".\n\n");
    }
    for (long size : sizes) {
      List<String> notRun =
          implSizes.entrySet().stream()
              .filter(e -> !e.getValue().contains(size))
              .map(e -> "`" + e.getKey() + "`")
              .toList();
      if (!notRun.isEmpty()) {
        md.append("Not run at ")
            .append(human(size))
            .append(" (not selected by the profile, or failed: see benchmarks/README.md): ")
            .append(String.join(", ", notRun))
            .append(".\n\n");
      }
    }
  }

  private static String vsRaw(JmhResult r, JmhResult raw) {
    return r == null || raw == null ? "" : fmt(ratio(r, raw), 2);
  }

  /** The method and every parameter except {@code impl} and the dataset size. */
  private static String scalingLabel(JmhResult r) {
    StringBuilder b = new StringBuilder(r.method());
    r.params()
        .forEach(
            (k, v) -> {
              if (!k.equals("impl") && !SIZE_PARAMS.contains(k)) {
                b.append(' ').append(k).append('=').append(v);
              }
            });
    return b.toString();
  }

  /** Implementations in {@link Impl} order (the baseline and Lodestore first), unknown ids last. */
  static int implOrder(String a, String b) {
    return Integer.compare(implIndex(a), implIndex(b)) != 0
        ? Integer.compare(implIndex(a), implIndex(b))
        : a.compareTo(b);
  }

  private static int implIndex(String id) {
    for (Impl impl : Impl.values()) {
      if (impl.id().equals(id)) {
        return impl.ordinal();
      }
    }
    return Integer.MAX_VALUE;
  }

  /** 10,000 -> 10k, 1,200,000 -> 1.2M, 12,000,000 -> 12M. */
  static String human(long n) {
    if (n >= 1_000_000 && n % 100_000 == 0) {
      return new DecimalFormat("0.#", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(n / 1e6)
          + "M";
    }
    if (n >= 1_000 && n % 100 == 0) {
      return new DecimalFormat("0.#", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(n / 1e3)
          + "k";
    }
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String bytes(long n) {
    return n >= 1L << 30
        ? fmt(n / (double) (1L << 30), 2) + " GiB"
        : fmt(n / (double) (1L << 20), 1) + " MiB";
  }

  /** The dataset size of a row: markets (W1, W5) or total ticks (W3, W4). */
  private static long size(JmhResult r) {
    if (r.params().containsKey("markets")) {
      return Long.parseLong(r.params().get("markets"));
    }
    return Long.parseLong(r.params().getOrDefault("series", "0"))
        * Long.parseLong(r.params().getOrDefault("ticksPerSeries", "0"));
  }

  /**
   * How long each store took to load ({@code loads.tsv} next to the JSON, appended by {@code
   * StoreFixture} when run.sh sets {@code LODESTORE_LOAD_LOG}).
   */
  private void loads(StringBuilder md) throws IOException {
    Path tsv = dir.resolve("loads.tsv");
    if (!Files.exists(tsv)) {
      return;
    }
    md.append("## Store loading\n\n");
    md.append(
        "Set-up, outside the measured time: each store is loaded once per run (batched"
            + " transactions, no fsync per commit) and closed; every trial that reads it reopens it"
            + " at its default durability. W2 stores are created empty per iteration and are not"
            + " listed.\n\n");
    md.append("| impl | markets | ticks | load time | on disk |\n|---|---:|---:|---:|---:|\n");
    for (String line : Files.readAllLines(tsv)) {
      String[] f = line.split("\t");
      if (f.length < 5) {
        continue;
      }
      md.append("| ")
          .append(f[0])
          .append(" | ")
          .append(human(Long.parseLong(f[1])))
          .append(" | ")
          .append(human(Long.parseLong(f[2])))
          .append(" | ")
          .append(f[3])
          .append(" s | ")
          .append(bytes(Long.parseLong(f[4])))
          .append(" |\n");
    }
    md.append('\n');
  }

  /**
   * Bars of each implementation's ratio to raw lmdbjava per case, on a log axis around 1.0, with
   * the target line of {@code w} (none for {@code null}: a chart of several workloads).
   */
  private boolean chart(Workload w, String title, List<JmhResult> rows, Path png)
      throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    Map<String, List<JmhResult>> cases = cases(rows);
    Set<String> constant = constantParams(rows);
    for (Map.Entry<String, List<JmhResult>> c : cases.entrySet()) {
      JmhResult raw = find(c.getValue(), BASELINE);
      if (raw == null) {
        continue;
      }
      String label = shortLabel(c.getValue().get(0), constant);
      for (JmhResult r : c.getValue()) {
        data.addValue(ratio(r, raw), r.impl(), label);
      }
    }
    if (data.getColumnCount() == 0) {
      return false;
    }
    LogAxis axis = new LogAxis("time relative to lmdbjava-raw (log scale, lower is better)");
    axis.setSmallestValue(0.01);
    axis.setNumberFormatOverride(new DecimalFormat("0.##'x'"));
    BarRenderer renderer = new BarRenderer();
    renderer.setBase(1.0);
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setItemMargin(0.02);
    for (int i = 0; i < data.getRowCount(); i++) {
      renderer.setSeriesPaint(i, color(String.valueOf(data.getRowKey(i))));
    }
    CategoryAxis categories = new CategoryAxis();
    categories.setCategoryLabelPositions(
        data.getColumnCount() > 4 ? CategoryLabelPositions.UP_45 : CategoryLabelPositions.STANDARD);
    CategoryPlot plot = new CategoryPlot(data, categories, axis, renderer);
    plot.setOrientation(PlotOrientation.VERTICAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ValueMarker one = new ValueMarker(1.0, Color.BLACK, new BasicStroke(1.5f));
    plot.addRangeMarker(one);
    if (w != null) {
      double limit = caseLimit(w.name());
      ValueMarker goal =
          new ValueMarker(
              limit,
              Color.RED,
              new BasicStroke(
                  1.0f,
                  BasicStroke.CAP_BUTT,
                  BasicStroke.JOIN_MITER,
                  10f,
                  new float[] {6f, 4f},
                  0f));
      double target = target(w.name());
      goal.setLabel(
          target == limit
              ? "Lodestore target " + target + "x"
              : "Lodestore target " + target + "x overall, " + limit + "x per case");
      goal.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      goal.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      goal.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
      plot.addRangeMarker(goal);
    }
    JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    int width = Math.max(900, 90 * data.getColumnCount() * Math.max(1, data.getRowCount()) / 3);
    try (OutputStream out = Files.newOutputStream(png)) {
      ChartUtils.writeChartAsPNG(out, chart, Math.min(width, 2400), 560);
    }
    return true;
  }

  /** A fixed colour per implementation, so charts of different workloads read alike. */
  static Color color(String impl) {
    return switch (impl) {
      case "lodestore-fb" -> new Color(0xD62728);
      case "lodestore-cbor" -> new Color(0xFF9896);
      case BASELINE -> new Color(0x333333);
      case "sqlite" -> new Color(0x1F77B4);
      case "h2-mvstore" -> new Color(0x2CA02C);
      case "rocksdb" -> new Color(0xFF7F0E);
      case "xodus" -> new Color(0x9467BD);
      case "mapdb" -> new Color(0x8C564B);
      case "chronicle" -> new Color(0x17BECF);
      default -> Color.GRAY;
    };
  }

  /** Rows grouped by case, in first-seen order. */
  static Map<String, List<JmhResult>> cases(List<JmhResult> rows) {
    Map<String, List<JmhResult>> out = new LinkedHashMap<>();
    for (JmhResult r : rows) {
      out.computeIfAbsent(r.caseLabel(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  /** Parameters other than {@code impl} with one value across {@code rows}. */
  private static Set<String> constantParams(List<JmhResult> rows) {
    Map<String, Set<String>> values = new LinkedHashMap<>();
    for (JmhResult r : rows) {
      r.params().forEach((k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v));
    }
    return values.entrySet().stream()
        .filter(e -> e.getValue().size() == 1)
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  private static String shortLabel(JmhResult r, Set<String> constant) {
    StringBuilder b = new StringBuilder(r.method().substring(r.method().indexOf('_') + 1));
    r.params()
        .forEach(
            (k, v) -> {
              if (!k.equals("impl") && !constant.contains(k)) {
                b.append(' ').append(k).append('=').append(v);
              }
            });
    return b.toString();
  }

  static JmhResult find(List<JmhResult> rows, String impl) {
    for (JmhResult r : rows) {
      if (r.impl().equals(impl)) {
        return r;
      }
    }
    return null;
  }

  /** How many times slower {@code r} is than {@code base} (time units: score ratio). */
  static double ratio(JmhResult r, JmhResult base) {
    return r.throughput() ? base.score() / r.score() : r.score() / base.score();
  }

  /**
   * DESIGN.md's (issue 12's) ratio target for lodestore-fb against raw lmdbjava: overall, for W1,
   * W3, W4 (see {@link #caseLimit}).
   */
  static double target(String workload) {
    return switch (workload) {
      case "W2" -> 1.3;
      case "W5" -> 1.1;
      default -> 1.0;
    };
  }

  /** The ratio no single case may exceed: 1.1 for W1, W3, W4 (1.0 overall), else the target. */
  static double caseLimit(String workload) {
    return switch (workload) {
      case "W1", "W3", "W4" -> 1.1;
      default -> target(workload);
    };
  }

  static String fmt(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }
}
