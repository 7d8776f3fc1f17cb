package org.lodestore.benchmarks;

import java.util.List;
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
 * W5: lookup through an index, in one read transaction.
 *
 * <ul>
 *   <li>{@code W5_uniqueLookup}: unique name index to the market row, decoded.
 *   <li>{@code W5_uuidSetLookup}: UUID-set index from an exchange to its {@value
 *       Dataset#MARKETS_PER_EXCHANGE} markets, each decoded.
 * </ul>
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
public class W5IndexLookupBenchmark {
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
    "mapdb"
  })
  public String impl;

  /** Number of markets in the store. */
  @Param("1000000")
  public int markets;

  private StoreFixture fixture;
  private final String[] names = new String[KEYS];
  private final UUID[] exchanges = new UUID[KEYS];
  private int next;

  /** Builds the store and draws the keys. */
  @Setup(Level.Trial)
  public void setUp() {
    Dataset data = new Dataset(Dataset.DEFAULT_SEED, markets, 0, 0);
    fixture = StoreFixture.loaded(impl, Workload.W5, data, false);
    SplittableRandom r = new SplittableRandom(5);
    for (int k = 0; k < KEYS; k++) {
      names[k] = Dataset.marketName(r.nextInt(markets));
      exchanges[k] = data.exchangeOid(r.nextInt(data.exchanges()));
    }
  }

  /** Closes and deletes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    fixture.close();
  }

  /** Unique index: name to market. */
  @Benchmark
  public Market W5_uniqueLookup() {
    return fixture.store().getByName(names[next++ & (KEYS - 1)]);
  }

  /** UUID-set index: exchange to its markets. */
  @Benchmark
  public List<Market> W5_uuidSetLookup() {
    return fixture.store().getByExchange(exchanges[next++ & (KEYS - 1)]);
  }
}
