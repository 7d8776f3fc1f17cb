package org.lodestore.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
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
 * java.io.tmpdir}); it should be on a real disk, not tmpfs, since W2 measures fsync. Read workloads
 * load their dataset (without fsync per commit: see {@link #loadOptions}), close the store and open
 * it again at its default durability, so every implementation is measured from its at-rest state
 * rather than from whatever its loader left in memory.
 *
 * <p>Loaded stores are cached when {@code $LODESTORE_STORE_CACHE} names a directory ({@code run.sh}
 * sets it to a fresh directory per run and deletes it afterwards): whoever first needs
 * implementation X with dataset D (run.sh's {@link LoadStores} step, else the first trial) loads it
 * there, closes it and marks it complete; every later trial, fork or JMH invocation of the same run
 * that needs (X, D) only opens it. The read workloads (W1, W3, W4, W5) never write, so they share
 * one store per (X, D): W1 and W5 the markets store, W3 and W4 the ticks store. W2 never uses the
 * cache: each of its iterations writes into a fresh empty store. A store whose load did not finish
 * (no marker) is deleted and loaded again. Without the variable every trial loads and deletes its
 * own store.
 */
final class StoreFixture implements AutoCloseable {
  /** Environment variable naming the directory stores are created in. */
  static final String DIR_ENV = "LODESTORE_BENCH_DIR";

  /** Environment variable naming the directory loaded read-only stores are cached in. */
  static final String CACHE_ENV = "LODESTORE_STORE_CACHE";

  /** Environment variable naming a file each load appends its time to (tab-separated). */
  static final String LOAD_LOG_ENV = "LODESTORE_LOAD_LOG";

  /** The file marking a cached store as completely loaded and closed. */
  static final String COMPLETE = "LOADED";

  private final Impl impl;
  private final Path dir;
  private final boolean cached;
  private final boolean checksums;
  private StoreAdapter store;

  private StoreFixture(Impl impl, StoreOptions options, Path dir, boolean cached) {
    this.impl = impl;
    this.dir = dir;
    this.cached = cached;
    this.checksums = options.valueChecksums();
    store = impl.open(dir, options);
  }

  /** An empty store of {@code implId} for {@code workload}, in a fresh directory. */
  static StoreFixture empty(String implId, Workload workload, StoreOptions options) {
    return new StoreFixture(supporting(implId, workload), options, freshDir(implId), false);
  }

  /**
   * A store of {@code implId} for {@code workload} holding the markets (with both indexes) and, if
   * {@code ticks}, the ticks of {@code data}, reopened after loading; from the cache if {@value
   * #CACHE_ENV} is set and it holds this store.
   */
  static StoreFixture loaded(String implId, Workload workload, Dataset data, boolean ticks) {
    return loaded(implId, workload, data, ticks, false);
  }

  /**
   * As {@link #loaded(String, Workload, Dataset, boolean)}, with the tables of {@code lodestore-fb}
   * declared with value checksums if {@code checksums} (a store of its own, also in the cache).
   */
  static StoreFixture loaded(
      String implId, Workload workload, Dataset data, boolean ticks, boolean checksums) {
    return loaded(implId, workload, data, ticks, checksums, false);
  }

  /**
   * As {@link #loaded(String, Workload, Dataset, boolean, boolean)}, the store opened for reading
   * with {@code lodestore-fb}'s metrics on if {@code metrics} (see {@link StoreOptions#metrics()}).
   * Metrics change how the store is opened, not what it holds: the cached store is the same.
   */
  static StoreFixture loaded(
      String implId,
      Workload workload,
      Dataset data,
      boolean ticks,
      boolean checksums,
      boolean metrics) {
    Impl impl = supporting(implId, workload);
    String cache = System.getenv(CACHE_ENV);
    if (cache == null || cache.isEmpty()) {
      StoreFixture f =
          new StoreFixture(impl, loadOptions(data, checksums), freshDir(implId), false);
      f.load(data, ticks, metrics);
      return f;
    }
    Path dir = Paths.get(cache).resolve(cacheKey(impl, data, ticks) + (checksums ? "-crc32c" : ""));
    if (Files.exists(dir.resolve(COMPLETE))) {
      System.out.printf("%n# %s: reusing the loaded store %s%n", implId, dir);
      return new StoreFixture(impl, readOptions(data, checksums, metrics), dir, true);
    }
    try {
      if (Files.exists(dir)) {
        deleteTree(dir); // an interrupted load
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StoreFixture f = new StoreFixture(impl, loadOptions(data, checksums), dir, true);
    f.load(data, ticks, metrics);
    try {
      Files.writeString(dir.resolve(COMPLETE), "loaded\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }

  /** The cache directory name of (impl, dataset): everything the loaded content depends on. */
  static String cacheKey(Impl impl, Dataset data, boolean ticks) {
    return String.format(
        Locale.ROOT,
        "%s-seed%x-m%d-%s",
        impl.id(),
        data.seed(),
        data.markets(),
        ticks ? "s" + data.series() + "x" + data.ticksPerSeries() : "noticks");
  }

  /**
   * How a store is opened to be loaded: without fsync per commit. Loading is set-up, outside the
   * measured time; the store is closed (each store flushes on close) and reopened with {@link
   * #readOptions} before anything is measured, so the durability of the load changes how long the
   * set-up takes (half, for a 10M-market LMDB store), not what is measured.
   */
  private static StoreOptions loadOptions(Dataset data, boolean checksums) {
    return new StoreOptions(SyncMode.NO_SYNC, 2, data.markets(), checksums);
  }

  /**
   * How a loaded store is opened for the read workloads: default durability, both indexes, the
   * metrics as asked.
   */
  private static StoreOptions readOptions(Dataset data, boolean checksums, boolean metrics) {
    return new StoreOptions(SyncMode.SYNC, 2, data.markets(), checksums, metrics);
  }

  /**
   * Loads {@code data} into the (empty) store, closes it and opens it again with {@link
   * #readOptions}.
   */
  private void load(Dataset data, boolean ticks, boolean readMetrics) {
    long start = System.nanoTime();
    if (data.markets() > 0) {
      store.loadMarkets(data);
    }
    if (ticks) {
      store.loadTicks(data);
    }
    store.close();
    store = impl.open(dir, readOptions(data, checksums, readMetrics));
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes = diskBytes();
    long tickCount = ticks ? data.ticks() : 0;
    System.out.printf(
        "%n# %s: loaded %,d markets and %,d ticks in %.1f s, %,d bytes on disk%n",
        impl.id(), data.markets(), tickCount, seconds, bytes);
    String log = System.getenv(LOAD_LOG_ENV);
    if (log != null && !log.isEmpty()) {
      String line =
          String.format(
              Locale.ROOT,
              "%s\t%d\t%d\t%.1f\t%d%n",
              impl.id(),
              data.markets(),
              tickCount,
              seconds,
              bytes);
      try {
        Files.writeString(
            Paths.get(log),
            line,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        System.err.println("# cannot append to " + log + ": " + e);
      }
    }
  }

  /** A fresh directory for a store of {@code implId} under {@value #DIR_ENV}. */
  static Path freshDir(String implId) {
    try {
      String base = System.getenv(DIR_ENV);
      Path parent = Paths.get(base != null ? base : System.getProperty("java.io.tmpdir"));
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, "lodestore-bench-" + implId + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  long diskBytes() {
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

  /** Deletes {@code dir} and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Closes the store and deletes its directory, unless it is a cached store (kept for reuse). */
  @Override
  public void close() {
    try {
      store.close();
    } finally {
      if (!cached) {
        try {
          deleteTree(dir);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
