/**
 * The JMH benchmarks of issue 6, one class per workload ({@code W1PointGetBenchmark} ..
 * {@code W5IndexLookupBenchmark}), each comparing the implementations of {@link
 * org.lodestore.benchmarks.peer.Impl} through the one {@link
 * org.lodestore.benchmarks.peer.StoreAdapter} interface. Method names start with the workload id.
 *
 * <p>Each trial builds its store in a fresh directory ({@code StoreFixture}); benchmarks are
 * single-threaded and return their results so the JIT cannot drop the work. Run them with {@code
 * benchmarks/run.sh quick|full}; see benchmarks/README.md.
 */
package org.lodestore.benchmarks;
