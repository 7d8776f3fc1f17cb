package org.lodestore.benchmarks;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.peer.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W1: point get by UUID of a random existing market, in its own read transaction.
 *
 * <ul>
 *   <li>{@code W1_getMarket}: decodes the whole row into a {@link Market} record.
 *   <li>{@code W1_getPrice}: reads one field (zero-copy where the store allows it).
 * </ul>
 *
 * <p>Keys are drawn uniformly from the dataset up front ({@value #KEYS} of them, cycled), so the
 * measured loop does no random-number generation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      BenchJvm.OPEN_NIO,
      BenchJvm.OPEN_NIO_CH,
      BenchJvm.EXPORT_MISC,
      BenchJvm.CM_EXPORT_REF,
      BenchJvm.CM_EXPORT_NIO_CH,
      BenchJvm.CM_EXPORT_SUN_MISC,
      BenchJvm.CM_EXPORT_JAVAC_FILE,
      BenchJvm.CM_OPEN_JAVAC,
      BenchJvm.CM_OPEN_LANG,
      BenchJvm.CM_OPEN_REFLECT,
      BenchJvm.CM_OPEN_IO,
      BenchJvm.CM_OPEN_UTIL,
      BenchJvm.CM_NO_ANALYTICS,
      BenchJvm.CM_NO_BANNER,
      BenchJvm.XMS,
      BenchJvm.XMX
    })
@State(Scope.Benchmark)
public class W1PointGetBenchmark {
  static final int KEYS = 1 << 16;

  /** Implementation id; see {@link org.lodestore.benchmarks.peer.Impl}. */
  @Param({
    "lodestore-fb",
    "lodestore-cbor",
    "lmdbjava-raw",
    "sqlite",
    "h2-mvstore",
    "rocksdb",
    "xodus",
    "mapdb",
    "chronicle"
  })
  public String impl;

  /** Number of markets in the store. */
  @Param("1000000")
  public int markets;

  private StoreFixture fixture;
  private final UUID[] keys = new UUID[KEYS];
  private int next;

  /** Builds the store and draws the keys. */
  @Setup(Level.Trial)
  public void setUp() {
    Dataset data = new Dataset(Dataset.DEFAULT_SEED, markets, 0, 0);
    fixture = StoreFixture.loaded(impl, Workload.W1, data, false);
    SplittableRandom r = new SplittableRandom(1);
    for (int k = 0; k < KEYS; k++) {
      keys[k] = data.marketOid(r.nextInt(markets));
    }
  }

  /** Closes and deletes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    fixture.close();
  }

  private UUID nextKey() {
    return keys[next++ & (KEYS - 1)];
  }

  /** Gets one market and decodes it. */
  @Benchmark
  public Market W1_getMarket() {
    return fixture.store().get(nextKey());
  }

  /** Gets one market's price only. */
  @Benchmark
  public double W1_getPrice() {
    return fixture.store().price(nextKey());
  }
}
