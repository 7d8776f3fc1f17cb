package org.lodestore.benchmarks.report;

import static org.lodestore.benchmarks.report.ReportGenerator.BASELINE;
import static org.lodestore.benchmarks.report.ReportGenerator.LODESTORE_FB;
import static org.lodestore.benchmarks.report.ReportGenerator.find;
import static org.lodestore.benchmarks.report.ReportGenerator.fmt;
import static org.lodestore.benchmarks.report.ReportGenerator.ratio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The performance targets of issue 12 (DESIGN.md, "Performance targets") checked against the rows
 * of one run: per target the cases it covers, each met or missed and by how much, and a summary.
 *
 * <p>How each target is read:
 *
 * <ul>
 *   <li>W1, W3, W4 at or below raw lmdbjava: the geometric mean of {@code lodestore-fb}'s ratios
 *       over a workload's cases at most 1.0, and no single case above 1.1.
 *   <li>"Faster than every ordered peer at the same durability": per W1-W5 case of the main
 *       datasets, {@code lodestore-fb}'s score better than each of {@link #ORDERED_PEERS} measured
 *       in it. A W2 case of 1 or 100 rows per commit that is lost only to peers doing fewer
 *       synchronous disk writes per commit (see {@link ReportGenerator#SYNCS_PER_COMMIT}) is marked
 *       "physics" rather than missed: the issue asks to win it with W6 instead.
 *   <li>Cache-hot: faster than every other implementation measured in the case (raw lmdbjava and
 *       Chronicle Map included).
 *   <li>0 B/op: JMH's {@code gc.alloc.rate.norm} below 1 byte per operation (an allocation-free
 *       path measures a few hundredths of a byte, JMH's own noise).
 * </ul>
 */
final class Targets {
  /** The peers of the "faster than every ordered peer" target. */
  static final Set<String> ORDERED_PEERS =
      Set.of("sqlite", "h2-mvstore", "rocksdb", "xodus", "mapdb");

  /** Below this many bytes per operation an allocation rate counts as zero. */
  static final double ZERO_ALLOCATION = 1.0;

  /** How one case stands against its target. */
  enum Status {
    MET("met"),
    ALLOWED("met (within the 1.1x single-case allowance)"),
    PHYSICS("physics"),
    MISSED("**missed**"),
    NOT_MEASURED("not measured");

    final String text;

    Status(String text) {
      this.text = text;
    }
  }

  /**
   * One case of a target: what was measured, whether it meets the target and, if missed, by how
   * much ({@code by}: the fraction of the target by which it is missed; 0 if met).
   */
  record Check(String caseLabel, String measured, Status status, String note, double by) {
    Check(String caseLabel, String measured, Status status, String note) {
      this(caseLabel, measured, status, note, 0);
    }
  }

  /** One target with its cases. */
  record Target(String title, List<Check> checks) {
    /** The worst case: missed before physics before allowed before met. */
    Status status() {
      if (checks.stream().allMatch(c -> c.status() == Status.NOT_MEASURED)) {
        return Status.NOT_MEASURED;
      }
      boolean physics = false;
      boolean allowed = false;
      for (Check c : checks) {
        if (c.status() == Status.MISSED) {
          return Status.MISSED;
        }
        physics |= c.status() == Status.PHYSICS;
        allowed |= c.status() == Status.ALLOWED;
      }
      return physics ? Status.PHYSICS : allowed ? Status.ALLOWED : Status.MET;
    }
  }

  private final List<JmhResult> results;

  Targets(List<JmhResult> results) {
    this.results = results;
  }

  /** Every target of the issue, in its order. */
  List<Target> evaluate() {
    List<Target> out = new ArrayList<>();
    out.add(atOrBelowRaw());
    out.add(ratioTarget("W5", 1.1, "W5: lodestore-fb <= 1.1x lmdbjava-raw"));
    out.add(ratioTarget("W2", 1.3, "W2: lodestore-fb <= 1.3x lmdbjava-raw (every case)"));
    out.add(zeroAllocation());
    out.add(fasterThanOrderedPeers());
    out.add(cacheHot());
    out.add(concurrentWriters());
    out.add(concurrentReaders());
    out.add(logScaling());
    return out;
  }

  /** Writes the summary table and the per-case table. */
  void render(StringBuilder md) {
    List<Target> targets = evaluate();
    md.append("## Targets\n\n");
    md.append(
        "Issue 12's targets (DESIGN.md, \"Performance targets\") for `lodestore-fb`, checked"
            + " case by case against this run (`lodestore-cbor` has none). W1/W3/W4: the"
            + " geometric mean of a workload's ratios to raw at most 1.0, and no case above 1.1."
            + " \"physics\": a W2 commit of 1 or 100 rows lost only to stores that do fewer"
            + " synchronous disk writes per commit (counts in the W2 section); W6 is where those"
            + " are to be won. Ratios are of times (throughputs inverted): below 1 is faster.\n\n");
    md.append("| target | cases | result |\n|---|---:|---|\n");
    for (Target t : targets) {
      md.append("| ")
          .append(t.title())
          .append(" | ")
          .append(t.checks().size())
          .append(" | ")
          .append(summary(t))
          .append(" |\n");
    }
    md.append('\n');
    for (Target t : targets) {
      md.append("### Target: ").append(t.title()).append("\n\n");
      if (t.checks().isEmpty()) {
        md.append("Not measured in this run.\n\n");
        continue;
      }
      md.append("| case | lodestore-fb | status | note |\n|---|---:|---|---|\n");
      for (Check c : t.checks()) {
        md.append("| ")
            .append(c.caseLabel())
            .append(" | ")
            .append(c.measured())
            .append(" | ")
            .append(c.status().text)
            .append(" | ")
            .append(c.note())
            .append(" |\n");
      }
      md.append('\n');
    }
  }

  /** "met", or how many cases missed and the worst of them. */
  static String summary(Target t) {
    if (t.status() == Status.NOT_MEASURED) {
      return "not measured in this run";
    }
    long missed = t.checks().stream().filter(c -> c.status() == Status.MISSED).count();
    long physics = t.checks().stream().filter(c -> c.status() == Status.PHYSICS).count();
    StringBuilder b = new StringBuilder();
    if (missed == 0) {
      b.append(t.status() == Status.ALLOWED ? "met (some cases within the allowance)" : "met");
    } else {
      b.append("**missed** in ").append(missed).append(" of ").append(t.checks().size());
      Check worst =
          t.checks().stream()
              .filter(c -> c.status() == Status.MISSED)
              .max((x, y) -> Double.compare(x.by(), y.by()))
              .orElseThrow();
      b.append("; worst: ").append(worst.caseLabel()).append(" (").append(worst.note()).append(')');
    }
    if (physics > 0) {
      b.append("; ").append(physics).append(" lost to physics (fewer syncs per commit: see W2)");
    }
    return b.toString();
  }

  // ---- the targets ---------------------------------------------------------------------------

  private Target atOrBelowRaw() {
    List<Check> checks = new ArrayList<>();
    for (String w : List.of("W1", "W3", "W4")) {
      List<Double> ratios = new ArrayList<>();
      for (Map.Entry<String, List<JmhResult>> c : cases(ReportGenerator.mainRows(results, w))) {
        JmhResult fb = find(c.getValue(), LODESTORE_FB);
        JmhResult raw = find(c.getValue(), BASELINE);
        if (fb == null || raw == null) {
          continue;
        }
        double r = ratio(fb, raw);
        ratios.add(r);
        Status s = r <= 1.0 ? Status.MET : r <= 1.1 ? Status.ALLOWED : Status.MISSED;
        checks.add(missedBy(c.getKey(), fmt(r, 2) + "x", s, "above 1.1x by ", r / 1.1 - 1));
      }
      if (!ratios.isEmpty()) {
        double g = Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(0));
        checks.add(
            missedBy(
                w + " geometric mean of " + ratios.size() + " cases",
                fmt(g, 2) + "x",
                g <= 1.0 ? Status.MET : Status.MISSED,
                "above 1.0x by ",
                g - 1));
      }
    }
    return new Target("W1/W3/W4: lodestore-fb <= 1.0x lmdbjava-raw (<= 1.1x in any case)", checks);
  }

  private Target ratioTarget(String w, double limit, String title) {
    List<Check> checks = new ArrayList<>();
    for (Map.Entry<String, List<JmhResult>> c : cases(ReportGenerator.mainRows(results, w))) {
      JmhResult fb = find(c.getValue(), LODESTORE_FB);
      JmhResult raw = find(c.getValue(), BASELINE);
      if (fb == null || raw == null) {
        continue;
      }
      double r = ratio(fb, raw);
      checks.add(
          missedBy(
              c.getKey(),
              fmt(r, 2) + "x",
              r <= limit ? Status.MET : Status.MISSED,
              "above " + fmt(limit, 1) + "x by ",
              r / limit - 1));
    }
    return new Target(title, checks);
  }

  private Target zeroAllocation() {
    List<Check> checks = new ArrayList<>();
    for (JmhResult r : results) {
      boolean covered =
          r.method().equals("W1_getPrice")
              || r.workload().equals("W3")
              || r.workload().equals("W4");
      if (!covered || !r.impl().equals(LODESTORE_FB)) {
        continue;
      }
      double b = r.allocBytesPerOp();
      if (Double.isNaN(b)) {
        checks.add(new Check(r.caseLabel(), "", Status.NOT_MEASURED, "run without -prof gc"));
      } else {
        boolean met = b < ZERO_ALLOCATION;
        checks.add(
            new Check(
                r.caseLabel(),
                fmt(b, b < 10 ? 2 : 0) + " B/op",
                met ? Status.MET : Status.MISSED,
                met ? "" : "allocates " + fmt(b, 0) + " B per operation",
                met ? 0 : b));
      }
    }
    return new Target("0 B/op: lodestore-fb W1 getPrice, W3, W4", checks);
  }

  private Target fasterThanOrderedPeers() {
    List<Check> checks = new ArrayList<>();
    for (String w : List.of("W1", "W2", "W3", "W4", "W5")) {
      for (Map.Entry<String, List<JmhResult>> c : cases(ReportGenerator.mainRows(results, w))) {
        JmhResult fb = find(c.getValue(), LODESTORE_FB);
        if (fb == null) {
          continue;
        }
        List<JmhResult> peers =
            c.getValue().stream().filter(p -> ORDERED_PEERS.contains(p.impl())).toList();
        if (peers.isEmpty()) {
          continue;
        }
        checks.add(fasterThan(c.getKey(), fb, peers, w.equals("W2")));
      }
    }
    return new Target(
        "W1-W5: lodestore-fb faster than every ordered peer at the same durability", checks);
  }

  private Target cacheHot() {
    List<Check> checks = new ArrayList<>();
    for (String w : List.of("W1", "W3", "W4", "W5")) {
      List<JmhResult> hot =
          results.stream().filter(r -> r.workload().equals(w) && r.cacheHot()).toList();
      for (Map.Entry<String, List<JmhResult>> c : cases(hot)) {
        JmhResult fb = find(c.getValue(), LODESTORE_FB);
        if (fb == null) {
          continue;
        }
        List<JmhResult> others =
            c.getValue().stream().filter(p -> !p.impl().startsWith("lodestore-")).toList();
        if (!others.isEmpty()) {
          checks.add(fasterThan(c.getKey(), fb, others, false));
        }
      }
    }
    return new Target(
        "Cache-hot (10k markets; 10 x 10k ticks), W1/W3/W4/W5: lodestore-fb faster than every"
            + " other implementation",
        checks);
  }

  /** {@code fb} against each of {@code peers} in one case. */
  private static Check fasterThan(
      String label, JmhResult fb, List<JmhResult> peers, boolean commits) {
    List<JmhResult> faster = peers.stream().filter(p -> ratio(p, fb) < 1).toList();
    String measured =
        "slowest peer at "
            + fmt(peers.stream().mapToDouble(p -> ratio(p, fb)).max().orElse(Double.NaN), 2)
            + "x";
    if (faster.isEmpty()) {
      return new Check(label, measured, Status.MET, "");
    }
    String who =
        faster.stream()
            .sorted((a, b) -> Double.compare(ratio(a, fb), ratio(b, fb)))
            .map(p -> String.format(Locale.ROOT, "%s (%.2fx)", p.impl(), ratio(p, fb)))
            .collect(Collectors.joining(", "));
    JmhResult fastest =
        faster.stream().min((a, b) -> Double.compare(ratio(a, fb), ratio(b, fb))).orElseThrow();
    String slower =
        "lodestore-fb takes " + fmt(1 / ratio(fastest, fb), 2) + "x the time of " + fastest.impl();
    double by = 1 / ratio(fastest, fb) - 1;
    if (commits && physics(fb, faster)) {
      String theirs = faster.stream().map(Targets::syncs).collect(Collectors.joining(", "));
      return new Check(
          label,
          "faster: " + who,
          Status.PHYSICS,
          slower + "; syncs per commit: " + syncs(fb) + ", " + theirs,
          by);
    }
    return new Check(label, "faster: " + who, Status.MISSED, slower, by);
  }

  /**
   * Whether a W2 case lost to {@code faster} is physics: 1 or 100 rows per commit, and every faster
   * store makes fewer synchronous disk writes per commit than {@code fb}.
   */
  private static boolean physics(JmhResult fb, List<JmhResult> faster) {
    int batch = Integer.parseInt(fb.params().getOrDefault("batch", "0"));
    if (batch <= 0 || batch > 100) {
      return false;
    }
    double ours = ReportGenerator.syncsPerCommit(fb.impl(), fb.durability());
    for (JmhResult p : faster) {
      double theirs = ReportGenerator.syncsPerCommit(p.impl(), p.durability());
      if (Double.isNaN(ours) || Double.isNaN(theirs) || theirs >= ours) {
        return false;
      }
    }
    return true;
  }

  private static String syncs(JmhResult r) {
    return r.impl() + " " + fmt(ReportGenerator.syncsPerCommit(r.impl(), r.durability()), 0);
  }

  private Target concurrentWriters() {
    List<Check> checks = new ArrayList<>();
    List<JmhResult> w6 =
        results.stream().filter(r -> r.workload().equals("W6") && r.threads() == 16).toList();
    for (Map.Entry<String, List<JmhResult>> c : cases(w6)) {
      JmhResult fb = find(c.getValue(), LODESTORE_FB);
      if (fb == null) {
        continue;
      }
      for (Map.Entry<String, Double> goal :
          Map.of("sqlite", 3.0, "rocksdb", 1.5, BASELINE, 1.5).entrySet().stream()
              .sorted(Map.Entry.comparingByKey())
              .toList()) {
        JmhResult peer = find(c.getValue(), goal.getKey());
        String label =
            c.getKey() + ", vs " + goal.getKey() + " (>= " + fmt(goal.getValue(), 1) + "x)";
        if (peer == null) {
          checks.add(new Check(label, "", Status.NOT_MEASURED, goal.getKey() + " not measured"));
          continue;
        }
        double x = fb.score() / peer.score();
        checks.add(
            missedBy(
                label,
                fmt(x, 2) + "x " + goal.getKey(),
                x >= goal.getValue() ? Status.MET : Status.MISSED,
                "below " + fmt(goal.getValue(), 1) + "x by ",
                1 - x / goal.getValue()));
      }
    }
    return new Target(
        "W6 at 16 threads: lodestore-fb >= 3x sqlite, >= 1.5x rocksdb and lmdbjava-raw", checks);
  }

  private Target concurrentReaders() {
    List<Check> checks = new ArrayList<>();
    // series label -> impl -> threads -> row
    Map<String, Map<String, TreeMap<Integer, JmhResult>>> bySeries = new LinkedHashMap<>();
    for (JmhResult r : results) {
      if (r.workload().equals("W7")) {
        bySeries
            .computeIfAbsent(r.seriesLabel(), k -> new LinkedHashMap<>())
            .computeIfAbsent(r.impl(), k -> new TreeMap<>())
            .put(r.threads(), r);
      }
    }
    for (Map.Entry<String, Map<String, TreeMap<Integer, JmhResult>>> s : bySeries.entrySet()) {
      TreeMap<Integer, JmhResult> fb = s.getValue().get(LODESTORE_FB);
      if (fb == null || !fb.containsKey(1) || !fb.containsKey(2)) {
        if (fb != null) {
          String has = "needs 1 and 2 threads, has " + fb.keySet();
          checks.add(new Check(s.getKey(), "", Status.NOT_MEASURED, has));
        }
        continue;
      }
      double x = fb.get(2).score() / fb.get(1).score();
      TreeMap<Integer, JmhResult> raw = s.getValue().get(BASELINE);
      String rawNote =
          raw != null && raw.containsKey(1) && raw.containsKey(2)
              ? "lmdbjava-raw " + fmt(raw.get(2).score() / raw.get(1).score(), 2) + "x"
              : "";
      boolean met = x >= 1.8;
      String note =
          met
              ? rawNote
              : "below 1.8x by " + percent(1 - x / 1.8) + (rawNote.isEmpty() ? "" : "; " + rawNote);
      checks.add(
          new Check(
              s.getKey(),
              fmt(x, 2) + "x",
              met ? Status.MET : Status.MISSED,
              note,
              met ? 0 : 1 - x / 1.8));
    }
    return new Target("W7: 2-thread throughput >= 1.8x 1-thread (lodestore-fb)", checks);
  }

  private Target logScaling() {
    List<Check> checks = new ArrayList<>();
    Map<String, Map<Long, JmhResult>> byMethod = new TreeMap<>();
    for (JmhResult r : results) {
      if (r.workload().equals("W1")
          && r.impl().equals(LODESTORE_FB)
          && r.params().containsKey("markets")) {
        byMethod
            .computeIfAbsent(r.method(), k -> new TreeMap<>())
            .put(Long.parseLong(r.params().get("markets")), r);
      }
    }
    for (Map.Entry<String, Map<Long, JmhResult>> m : byMethod.entrySet()) {
      JmhResult small = m.getValue().get(1_000_000L);
      JmhResult large = m.getValue().get(10_000_000L);
      if (small == null || large == null) {
        continue;
      }
      double g = ratio(large, small);
      checks.add(
          missedBy(
              m.getKey() + " 10M vs 1M markets",
              fmt(g, 2) + "x",
              g <= 1.5 ? Status.MET : Status.MISSED,
              "above 1.5x by ",
              g / 1.5 - 1));
    }
    return new Target("W1 at 10M markets within 1.5x of W1 at 1M (lodestore-fb)", checks);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static List<Map.Entry<String, List<JmhResult>>> cases(List<JmhResult> rows) {
    return new ArrayList<>(ReportGenerator.cases(rows).entrySet());
  }

  /** A check whose note, if it is missed, says by how much ({@code fraction} of the target). */
  private static Check missedBy(
      String label, String measured, Status status, String missedText, double fraction) {
    boolean missed = status == Status.MISSED;
    String note = missed ? missedText + percent(fraction) : "";
    return new Check(label, measured, status, note, missed ? fraction : 0);
  }

  /** 0.234 -> "23%" (at least 1%: a miss is never shown as 0%). */
  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%d%%", Math.max(1, Math.round(fraction * 100)));
  }
}
