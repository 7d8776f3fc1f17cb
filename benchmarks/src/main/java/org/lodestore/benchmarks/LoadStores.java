package org.lodestore.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.peer.Impl;
import org.lodestore.benchmarks.peer.Workload;

/**
 * Loads the benchmark datasets, one implementation at a time, outside JMH, and times each load.
 * run.sh calls it before each step with {@code $LODESTORE_STORE_CACHE} set, so the stores are in
 * the cache before JMH starts and every measured trial is a fresh fork opening an at-rest store
 * (not the JVM that just loaded it). Without the variable each store is loaded into a fresh
 * directory and deleted after timing: the input of the full profile's time estimate (see
 * benchmarks/README.md). Implementations that cannot run the dataset's workloads are skipped.
 *
 * <p>Usage ({@code impls} comma-separated, {@code all} for every one that can hold the dataset):
 *
 * <pre>
 * java [BenchJvm flags] -cp benchmarks.jar org.lodestore.benchmarks.LoadStores \
 *     markets|ticks impls size [ticksPerSeries]
 * </pre>
 *
 * {@code markets}: {@code size} markets with both indexes (the W1/W5 store); {@code ticks}: {@code
 * size} series of {@code ticksPerSeries} (default 12,000) ticks (the W3/W4 store).
 */
public final class LoadStores {
  private LoadStores() {}

  /** Loads and times each store; see the class comment for the arguments. */
  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: LoadStores markets|ticks impls size [ticksPerSeries]");
      System.exit(2);
    }
    boolean ticks =
        switch (args[0]) {
          case "markets" -> false;
          case "ticks" -> true;
          default -> throw new IllegalArgumentException("markets or ticks: " + args[0]);
        };
    Workload workload = ticks ? Workload.W3 : Workload.W1;
    List<Impl> impls = new ArrayList<>();
    for (String id : args[1].split(",")) {
      if (id.equals("all")) {
        for (Impl impl : Impl.values()) {
          if (impl.supports(workload)) {
            impls.add(impl);
          }
        }
      } else if (Impl.of(id).supports(workload)) {
        impls.add(Impl.of(id));
      } else {
        System.out.println("# skipped " + id + ": " + Impl.of(id).unsupportedReason(workload));
      }
    }
    int size = Integer.parseInt(args[2]);
    int perSeries = args.length > 3 ? Integer.parseInt(args[3]) : 12_000;
    Dataset data =
        ticks
            ? new Dataset(Dataset.DEFAULT_SEED, 0, size, perSeries)
            : new Dataset(Dataset.DEFAULT_SEED, size, 0, 0);
    for (Impl impl : impls) {
      long start = System.nanoTime();
      long bytes;
      try (StoreFixture f = StoreFixture.loaded(impl.id(), workload, data, ticks)) {
        bytes = f.diskBytes();
      }
      System.out.printf(
          Locale.ROOT,
          "LOAD\t%s\t%s\t%d\t%.1f s\t%.2f GiB%n",
          impl.id(),
          args[0],
          ticks ? data.ticks() : data.markets(),
          (System.nanoTime() - start) / 1e9,
          bytes / (double) (1L << 30));
    }
  }
}
