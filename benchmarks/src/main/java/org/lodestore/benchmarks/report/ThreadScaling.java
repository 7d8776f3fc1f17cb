package org.lodestore.benchmarks.report;

import static org.lodestore.benchmarks.report.ReportGenerator.BASELINE;
import static org.lodestore.benchmarks.report.ReportGenerator.LODESTORE_FB;
import static org.lodestore.benchmarks.report.ReportGenerator.fmt;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.lodestore.benchmarks.peer.Impl;
import org.lodestore.benchmarks.peer.Workload;

/**
 * The sections of the concurrent workloads (W6 writers, W7 readers): per case (method and
 * parameters), each implementation's throughput at every thread count the run measured, how it
 * scales from the fewest threads, and how {@code lodestore-fb} compares at the most; and a PNG of
 * throughput against threads (one panel per case, log scale).
 */
final class ThreadScaling {
  /** One shape per series position, the same in every panel. */
  private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();

  private final List<JmhResult> results;
  private final Path dir;

  ThreadScaling(List<JmhResult> results, Path dir) {
    this.results = results;
    this.dir = dir;
  }

  /** The unit a concurrent workload's throughput is shown in: W6 writes one row per operation. */
  static String unit(Workload w) {
    return w == Workload.W6 ? "rows/s" : "ops/s";
  }

  /** Writes the section of {@code w} (W6 or W7) and its chart {@code <w>.png}. */
  void section(StringBuilder md, Workload w) throws IOException {
    md.append("## ").append(w).append(": ").append(w.title()).append("\n\n");
    md.append(intro(w)).append("\n\n");
    List<JmhResult> rows = results.stream().filter(r -> r.workload().equals(w.name())).toList();
    if (rows.isEmpty()) {
      md.append("Not measured in this run.\n\n");
    } else {
      Map<String, Map<String, TreeMap<Integer, JmhResult>>> bySeries = bySeries(rows);
      String png = w.name() + ".png";
      chart(w, bySeries, dir.resolve(png));
      md.append("![").append(w).append(" throughput against threads](").append(png).append(")\n\n");
      for (Map.Entry<String, Map<String, TreeMap<Integer, JmhResult>>> s : bySeries.entrySet()) {
        table(md, w, s.getKey(), s.getValue());
      }
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

  private static String intro(Workload w) {
    return w == Workload.W6
        ? "Every JMH thread inserts one new market (both indexes) per write transaction, at the"
            + " durability of the case; the score is the rows per second of all threads"
            + " together (higher is better). Each store is written as a multi-threaded user"
            + " writes it (benchmarks/README.md): Lodestore calls `db.write` from every thread,"
            + " raw lmdbjava commits a write transaction per row on each thread (LMDB"
            + " serialises them), SQLite shares one writer connection under a lock. Issue 12's"
            + " target: at 16 threads `lodestore-fb` at least 3x `sqlite` and at least 1.5x"
            + " `rocksdb` and `lmdbjava-raw`."
        : "Every JMH thread runs W1's one-field point get or W3's range scan in its own read"
            + " transaction per operation, on one shared store; the score is the operations per"
            + " second of all threads together (higher is better). \"t / 1\" is throughput at t"
            + " threads over throughput at one: how reads scale with threads. Issue 12's target:"
            + " at 2 threads at least 1.8x one thread, for `lodestore-fb` as for raw lmdbjava.";
  }

  /** Rows by case without the thread count, then impl (in {@link Impl} order), then threads. */
  static Map<String, Map<String, TreeMap<Integer, JmhResult>>> bySeries(List<JmhResult> rows) {
    Map<String, Map<String, TreeMap<Integer, JmhResult>>> out = new LinkedHashMap<>();
    for (JmhResult r : rows) {
      out.computeIfAbsent(r.seriesLabel(), k -> new TreeMap<>(ReportGenerator::implOrder))
          .computeIfAbsent(r.impl(), k -> new TreeMap<>())
          .put(r.threads(), r);
    }
    return out;
  }

  private void table(
      StringBuilder md, Workload w, String label, Map<String, TreeMap<Integer, JmhResult>> impls) {
    md.append("### ").append(label).append("\n\n");
    TreeSet<Integer> threads = new TreeSet<>();
    impls.values().forEach(t -> threads.addAll(t.keySet()));
    int fewest = threads.first();
    int most = threads.last();
    TreeMap<Integer, JmhResult> fb = impls.get(LODESTORE_FB);
    md.append("| impl |");
    for (int t : threads) {
      md.append(' ').append(t).append(t == 1 ? " thread" : " threads").append(" |");
    }
    for (int t : threads.tailSet(fewest, false)) {
      md.append(' ').append(t).append(" / ").append(fewest).append(" |");
    }
    md.append(" lodestore-fb / impl at ")
        .append(most)
        .append(" | alloc B/op at ")
        .append(most)
        .append(" |\n|---|");
    threads.forEach(t -> md.append("---:|"));
    threads.tailSet(fewest, false).forEach(t -> md.append("---:|"));
    md.append("---:|---:|\n");
    for (Map.Entry<String, TreeMap<Integer, JmhResult>> e : impls.entrySet()) {
      String impl = e.getKey();
      TreeMap<Integer, JmhResult> byThreads = e.getValue();
      md.append("| ").append(impl.equals(BASELINE) ? "**" + impl + "**" : impl).append(" |");
      for (int t : threads) {
        JmhResult r = byThreads.get(t);
        md.append(' ');
        if (r == null) {
          md.append("not run");
        } else {
          md.append(fmt(r.score(), 0));
          if (!Double.isNaN(r.error())) {
            md.append(" ± ").append(fmt(r.error(), 0));
          }
        }
        md.append(" |");
      }
      JmhResult base = byThreads.get(fewest);
      for (int t : threads.tailSet(fewest, false)) {
        JmhResult r = byThreads.get(t);
        md.append(' ')
            .append(r == null || base == null ? "" : fmt(r.score() / base.score(), 2))
            .append(" |");
      }
      JmhResult top = byThreads.get(most);
      JmhResult fbTop = fb == null ? null : fb.get(most);
      md.append(' ')
          .append(top == null || fbTop == null ? "" : fmt(fbTop.score() / top.score(), 2) + "x")
          .append(" | ")
          .append(top == null ? "" : fmt(top.allocBytesPerOp(), 0))
          .append(" |\n");
    }
    md.append("\nThroughput in ").append(unit(w)).append(" (± JMH's 99.9% interval)");
    if (threads.size() > 1) {
      md.append("; \"t / ")
          .append(fewest)
          .append("\": throughput at t threads over throughput at ")
          .append(fewest);
    }
    md.append(".\n");
    Set<String> measured = impls.keySet();
    List<String> missing = new ArrayList<>();
    for (Impl impl : Impl.values()) {
      if (impl.supports(w) && !measured.contains(impl.id())) {
        missing.add(impl.id());
      }
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

  /** One panel per case: throughput (log scale) against the thread counts, a line per impl. */
  private static void chart(
      Workload w, Map<String, Map<String, TreeMap<Integer, JmhResult>>> bySeries, Path png)
      throws IOException {
    CategoryAxis threadAxis = new CategoryAxis("JMH threads");
    CombinedDomainCategoryPlot combined = new CombinedDomainCategoryPlot(threadAxis);
    combined.setGap(12);
    // Every panel has the same series in the same order (so the same colour and shape per impl)
    // and the same thread counts; only the first panel's series make the legend.
    TreeSet<String> impls = new TreeSet<>(ReportGenerator::implOrder);
    TreeSet<Integer> threads = new TreeSet<>();
    bySeries.values().forEach(m -> impls.addAll(m.keySet()));
    bySeries.values().forEach(m -> m.values().forEach(t -> threads.addAll(t.keySet())));
    boolean first = true;
    for (Map.Entry<String, Map<String, TreeMap<Integer, JmhResult>>> s : bySeries.entrySet()) {
      DefaultCategoryDataset data = new DefaultCategoryDataset();
      double min = Double.MAX_VALUE;
      for (String impl : impls) {
        TreeMap<Integer, JmhResult> byThreads = s.getValue().getOrDefault(impl, new TreeMap<>());
        for (int t : threads) {
          JmhResult r = byThreads.get(t);
          data.addValue(r == null ? null : r.score(), impl, Integer.valueOf(t));
          if (r != null && r.score() > 0) {
            min = Math.min(min, r.score());
          }
        }
      }
      LogAxis axis = new LogAxis(unit(w) + " (log), " + s.getKey());
      axis.setSmallestValue(Math.max(1e-3, min / 2));
      axis.setNumberFormatOverride(new Compact());
      axis.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      LineAndShapeRenderer renderer = new LineAndShapeRenderer(true, true);
      for (int i = 0; i < data.getRowCount(); i++) {
        String impl = String.valueOf(data.getRowKey(i));
        renderer.setSeriesShape(i, SHAPES[i % SHAPES.length]);
        renderer.setSeriesPaint(i, ReportGenerator.color(impl));
        renderer.setSeriesStroke(i, new BasicStroke(impl.equals(LODESTORE_FB) ? 3f : 1.5f));
      }
      renderer.setDefaultSeriesVisibleInLegend(first);
      first = false;
      CategoryPlot plot = new CategoryPlot(data, null, axis, renderer);
      plot.setBackgroundPaint(Color.WHITE);
      plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
      combined.add(plot, 1);
    }
    JFreeChart chart =
        new JFreeChart(
            w + ": " + w.title() + ", throughput against threads (higher is better)",
            new Font(Font.SANS_SERIF, Font.BOLD, 16),
            combined,
            true);
    chart.setBackgroundPaint(Color.WHITE);
    int height = Math.min(1800, 140 + 380 * bySeries.size());
    try (OutputStream out = Files.newOutputStream(png)) {
      ChartUtils.writeChartAsPNG(out, chart, 900, height);
    }
  }

  /** Axis numbers with two significant digits and a k / M suffix: 1,778,279 -> "1.8M". */
  static final class Compact extends NumberFormat {
    private static final long serialVersionUID = 1L;

    @Override
    public StringBuffer format(double v, StringBuffer out, FieldPosition pos) {
      double a = Math.abs(v);
      String suffix = a >= 1e6 ? "M" : a >= 1e3 ? "k" : "";
      double scaled = a >= 1e6 ? v / 1e6 : a >= 1e3 ? v / 1e3 : v;
      BigDecimal rounded = new BigDecimal(scaled).round(new MathContext(2));
      return out.append(rounded.stripTrailingZeros().toPlainString()).append(suffix);
    }

    @Override
    public StringBuffer format(long v, StringBuffer out, FieldPosition pos) {
      return format((double) v, out, pos);
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      throw new UnsupportedOperationException("format only");
    }
  }
}
