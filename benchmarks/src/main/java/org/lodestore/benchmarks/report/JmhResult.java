package org.lodestore.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One row of a JMH JSON result file ({@code -rf json}): a benchmark method with one combination of
 * parameters.
 *
 * @param benchmark fully qualified benchmark method
 * @param params every JMH parameter, in file order ({@code impl} among them)
 * @param score primary score
 * @param error half-width of the 99.9% confidence interval; {@code NaN} with too few iterations
 * @param unit unit of the score, e.g. {@code ns/op}
 * @param allocBytesPerOp {@code gc.alloc.rate.norm} when run with {@code -prof gc}, else {@code
 *     NaN}
 * @param threads JMH threads of the trial ({@code -t}): 1 except for the concurrent workloads
 * @param run the run's settings shared by every row of one JMH invocation (JDK, JVM arguments,
 *     iterations)
 */
record JmhResult(
    String benchmark,
    Map<String, String> params,
    double score,
    double error,
    String unit,
    double allocBytesPerOp,
    int threads,
    RunInfo run) {

  /** The workloads whose rows differ by thread count (JMH {@code -t}): W6 and W7. */
  static final Set<String> CONCURRENT = Set.of("W6", "W7");

  /** Markets in the cache-hot dataset (W1, W5; the quick profile's). */
  static final long CACHE_HOT_MARKETS = 10_000;

  /** Series x ticks per series in the cache-hot dataset (W3, W4; the quick profile's). */
  static final long CACHE_HOT_SERIES = 10;

  static final long CACHE_HOT_TICKS_PER_SERIES = 10_000;

  /** The run's settings, as JMH records them on every row. */
  record RunInfo(
      String jdkVersion,
      String vmName,
      String vmVersion,
      List<String> jvmArgs,
      int forks,
      int warmupIterations,
      String warmupTime,
      int measurementIterations,
      String measurementTime) {}

  /** The benchmark method's simple name, e.g. {@code W1_getMarket}. */
  String method() {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  /** The workload id the method name starts with ({@code W1} .. {@code W5}), or the name. */
  String workload() {
    String m = method();
    int underscore = m.indexOf('_');
    return underscore > 0 ? m.substring(0, underscore) : m;
  }

  /** The implementation id ({@code impl} parameter), or {@code "?"}. */
  String impl() {
    return params.getOrDefault("impl", "?");
  }

  /**
   * The method, every parameter except {@code impl} and, for the concurrent workloads, the thread
   * count: rows with equal cases are compared.
   */
  String caseLabel() {
    return concurrent() ? seriesLabel() + " threads=" + threads : seriesLabel();
  }

  /** The method and every parameter except {@code impl} (without the thread count). */
  String seriesLabel() {
    StringBuilder b = new StringBuilder(method());
    params.forEach(
        (k, v) -> {
          if (!k.equals("impl")) {
            b.append(' ').append(k).append('=').append(v);
          }
        });
    return b.toString();
  }

  /** Whether this row is of a concurrent workload (W6, W7), whose cases differ by threads. */
  boolean concurrent() {
    return CONCURRENT.contains(workload());
  }

  /** Whether the score is a throughput (higher is better) rather than a time. */
  boolean throughput() {
    return unit.startsWith("ops/");
  }

  /** Whether this row reads the cache-hot dataset (10,000 markets; 10 x 10,000 ticks). */
  boolean cacheHot() {
    if (params.containsKey("markets")) {
      return Long.parseLong(params.get("markets")) == CACHE_HOT_MARKETS;
    }
    return params.containsKey("series")
        && Long.parseLong(params.get("series")) == CACHE_HOT_SERIES
        && Long.parseLong(params.getOrDefault("ticksPerSeries", "0")) == CACHE_HOT_TICKS_PER_SERIES;
  }

  /** The {@code durability} parameter (W2, W6), or {@code null}. */
  String durability() {
    return params.get("durability");
  }

  /** Reads every row of a JMH JSON file. */
  static List<JmhResult> read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    List<JmhResult> out = new ArrayList<>();
    for (JsonNode n : root) {
      Map<String, String> params = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : n.path("params").properties()) {
        params.put(e.getKey(), e.getValue().asText());
      }
      JsonNode primary = n.path("primaryMetric");
      JsonNode alloc = n.path("secondaryMetrics").path("gc.alloc.rate.norm");
      List<String> jvmArgs = new ArrayList<>();
      n.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
      out.add(
          new JmhResult(
              n.path("benchmark").asText(),
              Collections.unmodifiableMap(params),
              primary.path("score").asDouble(Double.NaN),
              number(primary.path("scoreError")),
              primary.path("scoreUnit").asText(),
              alloc.isMissingNode() ? Double.NaN : alloc.path("score").asDouble(Double.NaN),
              n.path("threads").asInt(1),
              new RunInfo(
                  n.path("jdkVersion").asText(),
                  n.path("vmName").asText(),
                  n.path("vmVersion").asText(),
                  List.copyOf(jvmArgs),
                  n.path("forks").asInt(),
                  n.path("warmupIterations").asInt(),
                  n.path("warmupTime").asText(),
                  n.path("measurementIterations").asInt(),
                  n.path("measurementTime").asText())));
    }
    return out;
  }

  /** JMH writes {@code "NaN"} as a string when the error is undefined. */
  private static double number(JsonNode n) {
    if (n.isNumber()) {
      return n.asDouble();
    }
    try {
      return Double.parseDouble(n.asText());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
