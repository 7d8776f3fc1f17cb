package org.lodestore.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReportGenerator} on JMH JSON written by the test (scores chosen so that each target is met
 * or missed by a known margin) and on the committed full run of 2026-11-21: the sections, the
 * targets' verdicts and margins, the W2 durability table, the cache-hot section, the W6/W7
 * throughput-against-threads tables and charts.
 */
class ReportGeneratorTest {
  private static final String PKG = "org.lodestore.benchmarks.";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** JMH rows, built one at a time. */
  private final ArrayNode rows = JSON.createArrayNode();

  private ReportGeneratorTest row(
      String benchmark, int threads, double score, String unit, double alloc, String... params) {
    ObjectNode r = rows.addObject();
    r.put("benchmark", PKG + benchmark);
    r.put("mode", unit.startsWith("ops/") ? "thrpt" : "avgt");
    r.put("threads", threads);
    r.put("forks", 1);
    r.put("jdkVersion", "17.0.15");
    r.put("vmName", "OpenJDK 64-Bit Server VM");
    r.put("vmVersion", "17.0.15+6");
    r.putArray("jvmArgs").add("-Xmx4g");
    r.put("warmupIterations", 2);
    r.put("warmupTime", "1 s");
    r.put("measurementIterations", 5);
    r.put("measurementTime", "1 s");
    ObjectNode p = r.putObject("params");
    for (int i = 0; i < params.length; i += 2) {
      p.put(params[i], params[i + 1]);
    }
    ObjectNode primary = r.putObject("primaryMetric");
    primary.put("score", score);
    primary.put("scoreError", score / 100);
    primary.put("scoreUnit", unit);
    if (!Double.isNaN(alloc)) {
      r.putObject("secondaryMetrics").putObject("gc.alloc.rate.norm").put("score", alloc);
    }
    return this;
  }

  private ReportGeneratorTest time(String benchmark, String impl, double ns, String... params) {
    return timeAlloc(benchmark, impl, ns, 0.01, params);
  }

  private ReportGeneratorTest timeAlloc(
      String benchmark, String impl, double ns, double alloc, String... params) {
    return row(benchmark, 1, ns, "ns/op", alloc, withImpl(impl, params));
  }

  /** A W2 row: microseconds per commit. */
  private ReportGeneratorTest insert(String impl, double us, String... params) {
    return row("W2InsertBenchmark.W2_insert", 1, us, "us/op", 200, withImpl(impl, params));
  }

  private ReportGeneratorTest ops(
      String benchmark, String impl, int threads, double opsPerSecond, String... params) {
    return row(benchmark, threads, opsPerSecond, "ops/s", 100, withImpl(impl, params));
  }

  private static String[] withImpl(String impl, String... params) {
    String[] all = new String[params.length + 2];
    all[0] = "impl";
    all[1] = impl;
    System.arraycopy(params, 0, all, 2, params.length);
    return all;
  }

  private String report() throws IOException {
    Path json = dir.resolve("jmh.json");
    JSON.writeValue(json.toFile(), rows);
    Path md = new ReportGenerator(JmhResult.read(json), dir, "full").write();
    return Files.readString(md);
  }

  /** The line of the summary table of the target whose title starts with {@code title}. */
  private static String summaryLine(String report, String title) {
    return report
        .lines()
        .filter(l -> l.startsWith("| " + title))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no summary line for " + title));
  }

  /** The rows of the per-case table of the target whose title starts with {@code title}. */
  private static List<String> caseLines(String report, String title) {
    int start = report.indexOf("### Target: " + title);
    assertThat(start).as("section of target %s", title).isNotNegative();
    int end = report.indexOf("\n### ", start + 1);
    return report
        .substring(start, end < 0 ? report.length() : end)
        .lines()
        .filter(l -> l.startsWith("| ") && !l.startsWith("| case "))
        .toList();
  }

  private static String line(List<String> lines, String startsWith) {
    return lines.stream()
        .filter(l -> l.startsWith("| " + startsWith))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + startsWith + " in " + lines));
  }

  @Test
  void targets_readRatiosToRaw_metWithinAllowanceOrMissedByTheirMargin() throws IOException {
    String m = "markets";
    time("W1PointGetBenchmark.W1_getPrice", "lodestore-fb", 950, m, "1000000");
    time("W1PointGetBenchmark.W1_getPrice", "lmdbjava-raw", 1000, m, "1000000");
    time("W1PointGetBenchmark.W1_getMarket", "lodestore-fb", 1050, m, "1000000");
    time("W1PointGetBenchmark.W1_getMarket", "lmdbjava-raw", 1000, m, "1000000");
    String[] t = {"n", "1", "series", "1000", "ticksPerSeries", "12000"};
    time("W4LatestBenchmark.W4_latestN", "lodestore-fb", 2200, t);
    time("W4LatestBenchmark.W4_latestN", "lmdbjava-raw", 1000, t);
    time("W4LatestBenchmark.W4_latestN", "h2-mvstore", 500, t);
    time("W5IndexLookupBenchmark.W5_uniqueLookup", "lodestore-fb", 1210, m, "1000000");
    time("W5IndexLookupBenchmark.W5_uniqueLookup", "lmdbjava-raw", 1000, m, "1000000");

    String md = report();

    List<String> raw = caseLines(md, "W1/W3/W4");
    assertThat(line(raw, "W1_getPrice markets=1000000")).contains("0.95x").contains("| met |");
    assertThat(line(raw, "W1_getMarket markets=1000000"))
        .contains("1.05x")
        .contains("within the 1.1x single-case allowance");
    assertThat(line(raw, "W4_latestN n=1")).contains("2.20x").contains("above 1.1x by 100%");
    assertThat(line(raw, "W1 geometric mean of 2 cases")).contains("1.00x").contains("| met |");
    assertThat(summaryLine(md, "W1/W3/W4")).contains("**missed** in 2 of 5");
    assertThat(line(caseLines(md, "W5"), "W5_uniqueLookup")).contains("above 1.1x by 10%");
    assertThat(line(caseLines(md, "W1-W5"), "W4_latestN n=1"))
        .contains("h2-mvstore (0.23x)")
        .contains("lodestore-fb takes 4.40x the time of h2-mvstore");
    assertThat(summaryLine(md, "W6 at 16 threads")).contains("not measured in this run");
  }

  @Test
  void targets_w2SmallSyncedCommitLostToAWalStore_isPhysicsWithTheSyncCounts() throws IOException {
    String[] sync = {"batch", "1", "durability", "sync", "indexes", "2"};
    insert("lodestore-fb", 300, sync);
    insert("lmdbjava-raw", 310, sync);
    insert("sqlite", 165, sync);
    String[] nosync = {"batch", "1", "durability", "nosync", "indexes", "2"};
    insert("lodestore-fb", 8.7, nosync);
    insert("lmdbjava-raw", 8.2, nosync);
    insert("rocksdb", 7.0, nosync);
    String[] meta = {"batch", "1", "durability", "meta-nosync", "indexes", "2"};
    insert("lodestore-fb", 150, meta);
    insert("lmdbjava-raw", 100, meta);
    insert("sqlite", 20, meta);

    String md = report();

    List<String> peers = caseLines(md, "W1-W5");
    assertThat(line(peers, "W2_insert batch=1 durability=sync"))
        .contains("| physics |")
        .contains("syncs per commit: lodestore-fb 2, sqlite 1");
    assertThat(line(peers, "W2_insert batch=1 durability=nosync"))
        .contains("| **missed** |")
        .contains("rocksdb (0.80x)");
    assertThat(line(peers, "W2_insert batch=1 durability=meta-nosync"))
        .contains("| physics |")
        .contains("lodestore-fb 1, sqlite 0");
    assertThat(line(caseLines(md, "W2"), "W2_insert batch=1 durability=meta-nosync"))
        .contains("1.50x")
        .contains("above 1.3x by 15%");
    assertThat(md)
        .contains("### W2 by durability")
        .contains("| case | impl | sync | meta-nosync | nosync |")
        .contains(
            "| batch=1 indexes=2 | lodestore-fb | 300.00 us/row (2) | 150.00 us/row (1) |"
                + " 8.70 us/row (0) |")
        .contains("`mapdb` has no `meta-nosync` level")
        .contains("`rocksdb` at `meta-nosync` runs its `nosync` setting")
        .contains("`xodus` at `meta-nosync` runs its `nosync` setting");
  }

  @Test
  void targets_zeroAllocation_belowOneBytePerOperationIsMet() throws IOException {
    timeAlloc("W1PointGetBenchmark.W1_getPrice", "lodestore-fb", 900, 0.02, "markets", "1000000");
    timeAlloc("W1PointGetBenchmark.W1_getMarket", "lodestore-fb", 900, 400, "markets", "1000000");
    String[] scan = {"n", "100", "series", "1000", "ticksPerSeries", "12000"};
    timeAlloc("W3RangeScanBenchmark.W3_rangeScan", "lodestore-fb", 5000, 1644, scan);

    List<String> zero = caseLines(report(), "0 B/op");

    assertThat(zero).hasSize(2); // getMarket is not covered
    assertThat(line(zero, "W1_getPrice")).contains("0.02 B/op").contains("| met |");
    assertThat(line(zero, "W3_rangeScan n=100"))
        .contains("1,644 B/op")
        .contains("allocates 1,644 B per operation");
  }

  @Test
  void concurrentWorkloads_tablesOfThroughputAgainstThreads_chartsAndTargets() throws IOException {
    String[] w6 = {"durability", "sync"};
    Map<String, double[]> writers = new LinkedHashMap<>();
    writers.put("lodestore-fb", new double[] {2_000, 5_000, 9_000});
    writers.put("lmdbjava-raw", new double[] {2_500, 2_600, 3_000});
    writers.put("sqlite", new double[] {3_000, 3_000, 3_000});
    writers.put("rocksdb", new double[] {4_000, 6_000, 7_500});
    int[] threads = {1, 4, 16};
    writers.forEach(
        (impl, scores) -> {
          for (int i = 0; i < threads.length; i++) {
            ops("W6ConcurrentInsertBenchmark.W6_insert", impl, threads[i], scores[i], w6);
          }
        });
    String get = "W7ConcurrentReadBenchmark.W7_getPrice";
    String scan = "W7ConcurrentReadBenchmark.W7_rangeScan";
    String[] n100 = {"n", "100", "series", "1000", "ticksPerSeries", "12000"};
    for (int t : new int[] {1, 2, 4}) {
      ops(get, "lodestore-fb", t, 1e6 * Math.min(t, 1.9), "markets", "1000000");
      ops(get, "lmdbjava-raw", t, 8e5 * Math.min(t, 2), "markets", "1000000");
      ops(scan, "lodestore-fb", t, 1e5 * Math.min(t, 1.5), n100);
    }

    String md = report();

    assertThat(dir.resolve("W6.png")).isNotEmptyFile();
    assertThat(dir.resolve("W7.png")).isNotEmptyFile();
    assertThat(Files.readAllBytes(dir.resolve("W6.png"))).startsWith(0x89, 'P', 'N', 'G');
    assertThat(md)
        .contains("![W6 throughput against threads](W6.png)")
        .contains("| impl | 1 thread | 4 threads | 16 threads | 4 / 1 | 16 / 1 |")
        .contains("| lodestore-fb | 2,000 ± 20 | 5,000 ± 50 | 9,000 ± 90 | 2.50 | 4.50 | 1.00x")
        .contains("| sqlite | 3,000 ± 30 | 3,000 ± 30 | 3,000 ± 30 | 1.00 | 1.00 | 3.00x |")
        .contains("Throughput in rows/s")
        .contains("| 1 thread | 2 threads | 4 threads | 2 / 1 | 4 / 1 |")
        .contains("Cannot run W6:\n\n- `mapdb`");
    List<String> w6Checks = caseLines(md, "W6 at 16 threads");
    assertThat(line(w6Checks, "W6_insert durability=sync threads=16, vs sqlite"))
        .contains("3.00x sqlite")
        .contains("| met |");
    assertThat(line(w6Checks, "W6_insert durability=sync threads=16, vs rocksdb"))
        .contains("1.20x rocksdb")
        .contains("below 1.5x by 20%");
    assertThat(line(w6Checks, "W6_insert durability=sync threads=16, vs lmdbjava-raw"))
        .contains("3.00x lmdbjava-raw")
        .contains("| met |");
    List<String> w7Checks = caseLines(md, "W7");
    assertThat(line(w7Checks, "W7_getPrice markets=1000000"))
        .contains("1.90x")
        .contains("| met |")
        .contains("lmdbjava-raw 2.00x");
    assertThat(line(w7Checks, "W7_rangeScan n=100"))
        .contains("1.50x")
        .contains("below 1.8x by 17%");
  }

  @Test
  void cacheHotDataset_getsItsOwnSectionAndTarget_andStaysOutOfTheScalingTable()
      throws IOException {
    for (String markets : new String[] {"10000", "1000000", "10000000"}) {
      time("W1PointGetBenchmark.W1_getPrice", "lodestore-fb", 900, "markets", markets);
      time("W1PointGetBenchmark.W1_getPrice", "lmdbjava-raw", 1000, "markets", markets);
    }
    time("W1PointGetBenchmark.W1_getPrice", "h2-mvstore", 800, "markets", "10000");
    time("W1PointGetBenchmark.W1_getPrice", "chronicle", 950, "markets", "10000");

    String md = report();

    String w1 = md.substring(md.indexOf("## W1: point get"), md.indexOf("## W2:"));
    assertThat(w1).contains("### W1_getPrice markets=1000000").doesNotContain("markets=10000\n");
    String hot = md.substring(md.indexOf("## Cache-hot dataset"), md.indexOf("## W6:"));
    assertThat(hot).contains("### W1_getPrice markets=10000\n").contains("(cache-hot.png)");
    assertThat(dir.resolve("cache-hot.png")).isNotEmptyFile();
    assertThat(line(caseLines(md, "Cache-hot"), "W1_getPrice markets=10000"))
        .contains("faster: h2-mvstore (0.89x)")
        .contains("| **missed** |");
    String scaling = md.substring(md.indexOf("## Scaling"));
    assertThat(scaling).contains("| 1M | 10M |").doesNotContain("| 10k |");
    assertThat(line(caseLines(md, "W1 at 10M"), "W1_getPrice 10M vs 1M"))
        .contains("1.00x")
        .contains("| met |");
  }

  @Test
  void quickProfile_cacheHotDataIsTheOnlyDataset_andStaysInTheWorkloadSections()
      throws IOException {
    time("W1PointGetBenchmark.W1_getPrice", "lodestore-fb", 900, "markets", "10000");
    time("W1PointGetBenchmark.W1_getPrice", "lmdbjava-raw", 1000, "markets", "10000");

    String md = report();

    String w1 = md.substring(md.indexOf("## W1: point get"), md.indexOf("## W2:"));
    assertThat(w1).contains("### W1_getPrice markets=10000").contains("this run's only dataset");
    assertThat(md).contains("This run's only dataset is the cache-hot one");
    assertThat(line(caseLines(md, "Cache-hot"), "W1_getPrice markets=10000")).contains("| met |");
    assertThat(line(caseLines(md, "W1/W3/W4"), "W1_getPrice markets=10000")).contains("0.90x");
  }

  @Test
  void jmhResult_readsTheThreadCount_intoTheCaseOfConcurrentWorkloadsOnly() throws IOException {
    ops("W7ConcurrentReadBenchmark.W7_getPrice", "lodestore-fb", 2, 1e6, "markets", "1000000");
    time("W1PointGetBenchmark.W1_getPrice", "lodestore-fb", 900, "markets", "1000000");
    Path json = dir.resolve("jmh.json");
    JSON.writeValue(json.toFile(), rows);

    List<JmhResult> read = JmhResult.read(json);

    assertThat(read.get(0).threads()).isEqualTo(2);
    assertThat(read.get(0).caseLabel()).isEqualTo("W7_getPrice markets=1000000 threads=2");
    assertThat(read.get(0).seriesLabel()).isEqualTo("W7_getPrice markets=1000000");
    assertThat(read.get(0).throughput()).isTrue();
    assertThat(read.get(1).caseLabel()).isEqualTo("W1_getPrice markets=1000000");
    assertThat(read.get(1).cacheHot()).isFalse();
  }

  /** The committed full run of issue 6 still makes a report with every one of its sections. */
  @Test
  void committedFullRun_20261121_keepsItsSectionsAndGetsTheNewTargets() throws IOException {
    Path committed = Paths.get("results/2026-11-21/jmh.json");
    Files.copy(committed, dir.resolve("jmh.json"));
    Path out = new ReportGenerator(JmhResult.read(dir.resolve("jmh.json")), dir, "full").write();
    String md = Files.readString(out);

    for (String section :
        List.of(
            "## Targets",
            "## W1: point get by UUID",
            "## W2: insert with maintained indexes",
            "## W3: time-series range scan",
            "## W4: latest-N reverse scan",
            "## W5: lookup through an index",
            "## Cache-hot dataset",
            "## W6:",
            "## W7:",
            "## Scaling: W1/W3 at 1M vs 10M")) {
      assertThat(md).contains(section);
    }
    for (String png : List.of("W1.png", "W2.png", "W3.png", "W4.png", "W5.png")) {
      assertThat(dir.resolve(png)).isNotEmptyFile();
    }
    assertThat(line(caseLines(md, "W1/W3/W4"), "W1_getPrice markets=1000000"))
        .contains("1.23x")
        .contains("above 1.1x by 12%");
    assertThat(line(caseLines(md, "W1 at 10M"), "W1_getPrice 10M vs 1M")).contains("| met |");
    assertThat(md).contains("| 1M | 10M |");
  }
}
