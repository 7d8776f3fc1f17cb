/**
 * The JMH benchmarks of issue 6, one class per workload ({@code W1PointGetBenchmark} ..
 * {@code W5IndexLookupBenchmark}), each comparing the implementations of {@link
 * org.lodestore.benchmarks.peer.Impl} through the one {@link
 * org.lodestore.benchmarks.peer.StoreAdapter} interface. Method names start with the workload id.
 * {@code ValueChecksumBenchmark} measures one implementation against itself instead: W1 and W3 of
 * {@code lodestore-fb} with and without value checksums.
 *
 * <p>Each trial gets its store from {@code StoreFixture}: a loaded store for the read workloads
 * (built once per implementation and dataset and reused across trials when {@code run.sh} provides
 * a store cache), a fresh empty one per iteration for W2. Benchmarks are single-threaded and
 * return their results so the JIT cannot drop the work. Run them with {@code benchmarks/run.sh
 * quick|full}; see benchmarks/README.md.
 */
package org.lodestore.benchmarks;
