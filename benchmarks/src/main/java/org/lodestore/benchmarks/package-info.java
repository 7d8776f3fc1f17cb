/**
 * The JMH benchmarks of issues 6 and 12, one class per workload ({@code W1PointGetBenchmark} ..
 * {@code W7ConcurrentReadBenchmark}), each comparing the implementations of {@link
 * org.lodestore.benchmarks.peer.Impl} through the one {@link
 * org.lodestore.benchmarks.peer.StoreAdapter} interface. Method names start with the workload id.
 * {@code ValueChecksumBenchmark} measures one implementation against itself instead: W1 and W3 of
 * {@code lodestore-fb} with and without value checksums.
 *
 * <p>Each trial gets its store from {@code StoreFixture}: a loaded store for the read workloads
 * (built once per implementation and dataset and reused across trials when {@code run.sh} provides
 * a store cache), a fresh empty one per iteration for W2 and per trial for W6. W1-W5 are
 * single-threaded; W6 (concurrent writers) and W7 (concurrent readers) run on as many JMH threads
 * as {@code -t} asks, each through its own {@code StoreAdapter.forThread()} handle. Every benchmark
 * returns its result so the JIT cannot drop the work. {@code CommitProbe} and {@code LoadStores}
 * are command-line helpers (sync counts per commit; load times). Run the benchmarks with {@code
 * benchmarks/run.sh quick|full}; see benchmarks/README.md.
 */
package org.lodestore.benchmarks;
