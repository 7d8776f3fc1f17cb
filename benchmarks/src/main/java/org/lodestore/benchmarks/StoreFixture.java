package org.lodestore.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.peer.Impl;
import org.lodestore.benchmarks.peer.StoreAdapter;
import org.lodestore.benchmarks.peer.StoreOptions;
import org.lodestore.benchmarks.peer.SyncMode;
import org.lodestore.benchmarks.peer.UnsupportedWorkloadException;
import org.lodestore.benchmarks.peer.Workload;

/**
 * Creates, loads and deletes one implementation's store for a benchmark trial or iteration.
 *
 * <p>Stores live in a fresh directory under {@code $LODESTORE_BENCH_DIR} (default: {@code
 * java.io.tmpdir}); it should be on a real disk, not tmpfs, since W2 measures fsync. Read
 * workloads load their dataset, close the store and open it again, so every implementation is
 * measured from its at-rest state rather than from whatever its loader left in memory.
 */
final class StoreFixture implements AutoCloseable {
  /** Environment variable naming the directory stores are created in. */
  static final String DIR_ENV = "LODESTORE_BENCH_DIR";

  private final Impl impl;
  private final StoreOptions options;
  private final Path dir;
  private StoreAdapter store;

  private StoreFixture(Impl impl, StoreOptions options) {
    this.impl = impl;
    this.options = options;
    try {
      String base = System.getenv(DIR_ENV);
      Path parent = Paths.get(base != null ? base : System.getProperty("java.io.tmpdir"));
      Files.createDirectories(parent);
      dir = Files.createTempDirectory(parent, "lodestore-bench-" + impl.id() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    store = impl.open(dir, options);
  }

  /** An empty store of {@code implId} for {@code workload}. */
  static StoreFixture empty(String implId, Workload workload, StoreOptions options) {
    return new StoreFixture(supporting(implId, workload), options);
  }

  /**
   * A store of {@code implId} for {@code workload} holding the markets (with both indexes) and, if
   * {@code ticks}, the ticks of {@code data}, reopened after loading.
   */
  static StoreFixture loaded(String implId, Workload workload, Dataset data, boolean ticks) {
    StoreFixture f =
        new StoreFixture(
            supporting(implId, workload), new StoreOptions(SyncMode.SYNC, 2, data.markets()));
    long start = System.nanoTime();
    if (data.markets() > 0) {
      f.store.loadMarkets(data);
    }
    if (ticks) {
      f.store.loadTicks(data);
    }
    f.store.close();
    f.store = f.impl.open(f.dir, f.options);
    System.out.printf(
        "%n# %s: loaded %,d markets and %,d ticks in %.1f s, %,d bytes on disk%n",
        implId,
        data.markets(),
        ticks ? data.ticks() : 0,
        (System.nanoTime() - start) / 1e9,
        f.diskBytes());
    return f;
  }

  private static Impl supporting(String implId, Workload workload) {
    Impl impl = Impl.of(implId);
    if (!impl.supports(workload)) {
      throw new UnsupportedWorkloadException(impl, workload);
    }
    return impl;
  }

  /** The open store. */
  StoreAdapter store() {
    return store;
  }

  private long diskBytes() {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Closes the store and deletes its directory. */
  @Override
  public void close() {
    try {
      store.close();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
