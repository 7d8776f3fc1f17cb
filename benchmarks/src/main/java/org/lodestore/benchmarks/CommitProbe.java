package org.lodestore.benchmarks;

import java.util.List;
import java.util.Locale;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.peer.Impl;
import org.lodestore.benchmarks.peer.StoreOptions;
import org.lodestore.benchmarks.peer.SyncMode;
import org.lodestore.benchmarks.peer.Workload;

/**
 * Makes {@code commits} single-row W2 inserts (both indexes) into an empty store of one
 * implementation at one durability, then closes and deletes the store: the program {@code
 * scripts/count-fsyncs.sh} runs under {@code strace -c} to count the fsync-family system calls of
 * one commit (the difference between a run with commits and one without, divided by the commits).
 * The counts are the "fsyncs per commit" of REPORT.md's W2 section.
 *
 * <p>Usage: {@code java [BenchJvm flags] -cp benchmarks.jar org.lodestore.benchmarks.CommitProbe
 * impl sync|meta-nosync|nosync commits}
 */
public final class CommitProbe {
  private CommitProbe() {}

  /** Runs the commits; see the class comment for the arguments. */
  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: CommitProbe impl sync|meta-nosync|nosync commits");
      System.exit(2);
    }
    String impl = Impl.of(args[0]).id();
    SyncMode sync = SyncMode.of(args[1]);
    int commits = Integer.parseInt(args[2]);
    Dataset data = new Dataset(Dataset.DEFAULT_SEED, 0, 0, 0);
    long start = System.nanoTime();
    try (StoreFixture f = StoreFixture.empty(impl, Workload.W2, new StoreOptions(sync, 2, 0))) {
      for (int i = 0; i < commits; i++) {
        Market m = data.market(i);
        f.store().insert(List.of(m));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "PROBE\t%s\t%s\t%d commits\t%.1f ms%n",
        impl,
        sync.id(),
        commits,
        (System.nanoTime() - start) / 1e6);
  }
}
