package org.lodestore.benchmarks.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.Rows;

/**
 * Runs every implementation through every workload on a small dataset and checks that each returns
 * exactly what the dataset model says: the "same typed result" guarantee of the benchmarks. A
 * workload an implementation declares unsupported must throw {@link UnsupportedWorkloadException}.
 */
class StoreAdapterTest {
  private static final Dataset DATA = new Dataset(Dataset.DEFAULT_SEED, 2_000, 4, 500);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Impl.class)
  void workloads_returnTheModelsResults(Impl impl) {
    try (StoreAdapter store =
        impl.open(dir, new StoreOptions(SyncMode.NO_SYNC, 2, DATA.markets()))) {
      store.loadMarkets(DATA);
      if (impl.supports(Workload.W3)) {
        store.loadTicks(DATA);
      }
      checkReads(impl, store);
    }
    try (StoreAdapter reopened =
        impl.open(dir, new StoreOptions(SyncMode.SYNC, 2, DATA.markets()))) {
      checkReads(impl, reopened);
    }
  }

  /** {@code lodestore-fb} as {@code ValueChecksumBenchmark} runs it: tables with checksums. */
  @org.junit.jupiter.api.Test
  void lodestoreFb_withValueChecksums_returnsTheModelsResults() {
    Impl impl = Impl.LODESTORE_FB;
    try (StoreAdapter store =
        impl.open(dir, new StoreOptions(SyncMode.NO_SYNC, 2, DATA.markets(), true))) {
      store.loadMarkets(DATA);
      store.loadTicks(DATA);
      checkReads(impl, store);
    }
    try (StoreAdapter reopened =
        impl.open(dir, new StoreOptions(SyncMode.SYNC, 2, DATA.markets(), true))) {
      checkReads(impl, reopened);
    }
  }

  /**
   * {@code lodestore-fb} as {@code MetricsBenchmark} runs it with {@code metrics=on}: the same
   * results, and the metrics listener really records (reads, commits, the row gauge).
   */
  @org.junit.jupiter.api.Test
  void lodestoreFb_withMetrics_returnsTheModelsResults_andRecordsThem() {
    Impl impl = Impl.LODESTORE_FB;
    try (StoreAdapter store =
        impl.open(dir, new StoreOptions(SyncMode.NO_SYNC, 2, DATA.markets(), false, true))) {
      MeterRegistry registry = ((LodestoreFbAdapter) store).registry();
      assertThat(registry).isNotNull();
      store.loadMarkets(DATA);
      store.loadTicks(DATA);
      double commits = registry.get("lodestore.txn.commits").functionCounter().count();
      assertThat(commits).as("the loads' commits").isPositive();
      double reads = registry.get("lodestore.txn.reads").functionCounter().count();
      checkReads(impl, store);
      assertThat(registry.get("lodestore.txn.reads").functionCounter().count() - reads)
          .as("a read transaction per get")
          .isGreaterThanOrEqualTo(402);
      store.insert(List.of(DATA.market(DATA.markets())));
      assertThat(registry.get("lodestore.txn.commits").functionCounter().count())
          .isEqualTo(commits + 1);
      assertThat(registry.get("lodestore.table.rows").tag("table", "market").gauge().value())
          .isEqualTo(DATA.markets() + 1);
    }
    try (StoreAdapter plain = impl.open(dir, new StoreOptions(SyncMode.SYNC, 2, DATA.markets()))) {
      assertThat(((LodestoreFbAdapter) plain).registry()).as("metrics off").isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(Impl.class)
  void insert_duplicateName_writesNothingFromTheBatch(Impl impl) {
    if (!impl.supports(Workload.W2)) {
      try (StoreAdapter store = impl.open(dir, new StoreOptions(SyncMode.SYNC, 2, 100))) {
        assertThatThrownBy(() -> store.insert(List.of(DATA.market(0))))
            .isInstanceOf(UnsupportedWorkloadException.class);
      }
      return;
    }
    try (StoreAdapter store = impl.open(dir, new StoreOptions(SyncMode.SYNC, 2, 100))) {
      store.insert(List.of(DATA.market(0), DATA.market(1)));
      Market fresh = DATA.market(2);
      Market clash =
          new Market(
              DATA.marketOid(3),
              fresh.exchangeOid(),
              DATA.market(0).name(),
              "X",
              1,
              1,
              1,
              (byte) 0,
              "n");
      assertThatThrownBy(() -> store.insert(List.of(fresh, clash)))
          .isInstanceOf(IllegalStateException.class);
      assertThat(store.get(fresh.oid())).isNull();
      assertThat(store.getByExchange(fresh.exchangeOid())).doesNotContain(fresh);
      store.insert(List.of(fresh));
      assertThat(store.get(fresh.oid())).isEqualTo(fresh);
      assertThatThrownBy(() -> store.insert(List.of(fresh)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  static Stream<Arguments> insertCases() {
    return Stream.of(Impl.values())
        .filter(impl -> impl.supports(Workload.W2))
        .flatMap(impl -> Stream.of(Arguments.of(impl, 1), Arguments.of(impl, 2)));
  }

  /**
   * W2 as the benchmark drives it (batches of 100 and of 1, with 1 or 2 indexes): the rows and
   * their index entries are there afterwards, and a batch refused for a duplicate name or oid,
   * against the store or within the batch itself, leaves none of its rows and none of their index
   * entries.
   */
  @ParameterizedTest(name = "{0}, indexes={1}")
  @MethodSource("insertCases")
  void insert_maintainsTheConfiguredIndexes_andRefusedBatchesLeaveNothing(Impl impl, int indexes) {
    try (StoreAdapter store = impl.open(dir, new StoreOptions(SyncMode.NO_SYNC, indexes, 300))) {
      List<Market> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(DATA.market(i));
      }
      store.insert(batch);
      for (int i = 100; i < 110; i++) {
        store.insert(List.of(DATA.market(i)));
      }
      for (int i : new int[] {0, 57, 99, 100, 109}) {
        Market m = DATA.market(i);
        assertThat(store.get(m.oid())).isEqualTo(m);
        assertThat(store.getByName(m.name())).isEqualTo(m);
        if (indexes == 2) {
          List<Market> listed =
              IntStream.range(0, 110)
                  .mapToObj(DATA::market)
                  .filter(x -> x.exchangeOid().equals(m.exchangeOid()))
                  .collect(Collectors.toList());
          assertThat(store.getByExchange(m.exchangeOid()))
              .containsExactlyInAnyOrderElementsOf(listed);
        }
      }

      Market a = DATA.market(200);
      Market b = DATA.market(201);
      Market sameNameAsA =
          new Market(b.oid(), b.exchangeOid(), a.name(), b.symbol(), 1, 1, 1, (byte) 0, "n");
      assertThatThrownBy(() -> store.insert(List.of(a, sameNameAsA)))
          .as("duplicate name within the batch")
          .isInstanceOf(IllegalStateException.class);
      Market c = DATA.market(202);
      Market sameOidAs0 =
          new Market(DATA.marketOid(0), c.exchangeOid(), "fresh-name", "X", 1, 1, 1, (byte) 0, "n");
      assertThatThrownBy(() -> store.insert(List.of(c, sameOidAs0)))
          .as("existing oid")
          .isInstanceOf(IllegalStateException.class);
      Market d = DATA.market(203);
      Market sameOidAsD =
          new Market(d.oid(), d.exchangeOid(), "other-name", "X", 1, 1, 1, (byte) 0, "n");
      assertThatThrownBy(() -> store.insert(List.of(d, sameOidAsD)))
          .as("duplicate oid within the batch")
          .isInstanceOf(IllegalStateException.class);
      assertThat(store.getByName("other-name")).isNull();
      for (Market gone : List.of(a, b, c, d)) {
        assertThat(store.get(gone.oid())).isNull();
        assertThat(store.getByName(gone.name())).isNull();
        if (indexes == 2) {
          assertThat(store.getByExchange(gone.exchangeOid())).doesNotContain(gone);
        }
      }
      assertThat(store.getByName("fresh-name")).isNull();
      assertThat(store.get(DATA.marketOid(0))).isEqualTo(DATA.market(0));
      store.insert(List.of(a, b, c, d));
      assertThat(store.getByName(b.name())).isEqualTo(b);
      assertThat(store.getByName(d.name())).isEqualTo(d);
    }
  }

  static Stream<Impl> transactional() {
    return Stream.of(Impl.values()).filter(impl -> impl.supports(Workload.W2));
  }

  /**
   * W2 at {@code meta-nosync}: each store with such a level opens with it, inserts and reads back
   * (also after reopening at the default durability); MapDB, which has none, refuses it.
   */
  @ParameterizedTest
  @MethodSource("transactional")
  void metaNoSync_insertsAndReadsBack_orIsRefusedWithTheReason(Impl impl) {
    StoreOptions meta = new StoreOptions(SyncMode.META_NO_SYNC, 2, 100);
    if (!impl.supports(SyncMode.META_NO_SYNC)) {
      assertThatThrownBy(() -> impl.open(dir, meta))
          .isInstanceOf(UnsupportedWorkloadException.class)
          .hasMessageContaining("meta-nosync")
          .hasMessageContaining(impl.unsupportedReason(SyncMode.META_NO_SYNC));
      return;
    }
    try (StoreAdapter store = impl.open(dir, meta)) {
      store.insert(List.of(DATA.market(0), DATA.market(1)));
      store.insert(List.of(DATA.market(2)));
      assertThat(store.get(DATA.marketOid(1))).isEqualTo(DATA.market(1));
      assertThat(store.getByName(DATA.market(2).name())).isEqualTo(DATA.market(2));
    }
    try (StoreAdapter reopened = impl.open(dir, new StoreOptions(SyncMode.SYNC, 2, 100))) {
      for (int i = 0; i < 3; i++) {
        assertThat(reopened.get(DATA.marketOid(i))).isEqualTo(DATA.market(i));
      }
    }
  }

  /**
   * The W7 path: four threads, each with its own {@link StoreAdapter#forThread()} handle, read the
   * same store at once and every read returns the model's result; closing the handles leaves the
   * store open.
   */
  @ParameterizedTest
  @EnumSource(Impl.class)
  void forThread_concurrentReaders_returnTheModelsResults(Impl impl) throws Exception {
    try (StoreAdapter store =
        impl.open(dir, new StoreOptions(SyncMode.NO_SYNC, 2, DATA.markets()))) {
      store.loadMarkets(DATA);
      if (impl.supports(Workload.W3)) {
        store.loadTicks(DATA);
      }
      runThreads(
          4,
          t -> {
            try (StoreAdapter handle = store.forThread()) {
              SplittableRandom r = new SplittableRandom(t);
              for (int k = 0; k < 300; k++) {
                Market expected = DATA.market(r.nextInt(DATA.markets()));
                assertThat(handle.get(expected.oid())).isEqualTo(expected);
                assertThat(handle.price(expected.oid())).isEqualTo(expected.price());
                if (impl.supports(Workload.W3)) {
                  int s = r.nextInt(DATA.series());
                  int start = r.nextInt(DATA.ticksPerSeries() - 100 + 1);
                  long from = Dataset.tickTime(start);
                  assertThat(
                          handle.scan(
                              DATA.seriesOid(s), from, from + 100 * Dataset.TICK_STEP_NANOS))
                      .isEqualTo(model(s, start, 100, false));
                }
              }
            }
          });
      Market m = DATA.market(7);
      assertThat(store.get(m.oid())).as("the store after its handles closed").isEqualTo(m);
    }
  }

  static Stream<Impl> concurrentWriters() {
    return Stream.of(Impl.values()).filter(impl -> impl.supports(Workload.W6));
  }

  /**
   * The W6 path: four threads, each with its own handle, insert single-row transactions (both
   * indexes, {@code sync}) at once; afterwards every row and its index entries are there, and a
   * duplicate name from another thread is still refused.
   */
  @ParameterizedTest
  @MethodSource("concurrentWriters")
  void forThread_concurrentSingleRowWriters_writeEveryRowAndIndexEntry(Impl impl) throws Exception {
    int perThread = 25;
    try (StoreAdapter store = impl.open(dir, new StoreOptions(SyncMode.SYNC, 2, 0))) {
      runThreads(
          4,
          t -> {
            try (StoreAdapter handle = store.forThread()) {
              for (int i = 0; i < perThread; i++) {
                handle.insert(List.of(DATA.market(t * perThread + i)));
              }
            }
          });
      for (int i = 0; i < 4 * perThread; i++) {
        Market m = DATA.market(i);
        assertThat(store.get(m.oid())).isEqualTo(m);
        assertThat(store.getByName(m.name())).isEqualTo(m);
      }
      Market first = DATA.market(0);
      List<Market> listed =
          IntStream.range(0, 4 * perThread)
              .mapToObj(DATA::market)
              .filter(x -> x.exchangeOid().equals(first.exchangeOid()))
              .collect(Collectors.toList());
      assertThat(store.getByExchange(first.exchangeOid()))
          .containsExactlyInAnyOrderElementsOf(listed);
      Market clash =
          new Market(
              DATA.marketOid(999), first.exchangeOid(), first.name(), "X", 1, 1, 1, (byte) 0, "n");
      try (StoreAdapter other = store.forThread()) {
        assertThatThrownBy(() -> other.insert(List.of(clash)))
            .isInstanceOf(IllegalStateException.class);
      }
      assertThat(store.get(clash.oid())).isNull();
    }
  }

  /** The body of one test thread. */
  @FunctionalInterface
  interface ThreadBody {
    void run(int thread) throws Exception;
  }

  /** Runs {@code body} on {@code n} threads started together; rethrows the first failure. */
  private static void runThreads(int n, ThreadBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(thread);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        try {
          f.get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Exception x) {
            throw x;
          }
          throw new AssertionError(e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void checkReads(Impl impl, StoreAdapter store) {
    SplittableRandom r = new SplittableRandom(42);
    for (int k = 0; k < 200; k++) {
      int i = r.nextInt(DATA.markets());
      Market expected = DATA.market(i);
      assertThat(store.get(expected.oid())).isEqualTo(expected);
      assertThat(store.price(expected.oid())).isEqualTo(expected.price());
    }
    UUID absent = DATA.marketOid(DATA.markets() + 7);
    assertThat(store.get(absent)).isNull();
    assertThat(store.price(absent)).isNaN();

    if (impl.supports(Workload.W5)) {
      for (int k = 0; k < 50; k++) {
        int i = r.nextInt(DATA.markets());
        assertThat(store.getByName(Dataset.marketName(i))).isEqualTo(DATA.market(i));
        int x = r.nextInt(DATA.exchanges());
        List<Market> expected =
            IntStream.range(0, DATA.markets())
                .filter(m -> DATA.exchangeOf(m) == x)
                .mapToObj(DATA::market)
                .collect(Collectors.toList());
        assertThat(store.getByExchange(DATA.exchangeOid(x)))
            .containsExactlyInAnyOrderElementsOf(expected);
      }
      assertThat(store.getByName("no such market")).isNull();
      assertThat(store.getByExchange(absent)).isEmpty();
    } else {
      assertThatThrownBy(() -> store.getByName("market-1"))
          .isInstanceOf(UnsupportedWorkloadException.class);
    }

    if (impl.supports(Workload.W3)) {
      for (int n : new int[] {1, 10, 100, DATA.ticksPerSeries()}) {
        int s = r.nextInt(DATA.series());
        int start = r.nextInt(DATA.ticksPerSeries() - n + 1);
        long from = Dataset.tickTime(start);
        assertThat(store.scan(DATA.seriesOid(s), from, from + n * Dataset.TICK_STEP_NANOS))
            .as("scan of %d from %d", n, start)
            .isEqualTo(model(s, start, n, false));
        assertThat(store.latest(DATA.seriesOid(s), n))
            .as("latest %d", n)
            .isEqualTo(model(s, 0, n, true));
      }
      int last = DATA.series() - 1;
      assertThat(store.latest(DATA.seriesOid(last), DATA.ticksPerSeries() + 5))
          .isEqualTo(model(last, 0, DATA.ticksPerSeries(), true));
      assertThat(store.scan(UUID.randomUUID(), 0, Long.MAX_VALUE)).isEqualTo(Rows.EMPTY);
      assertThat(store.latest(UUID.randomUUID(), 10)).isEqualTo(Rows.EMPTY);
    } else {
      assertThatThrownBy(() -> store.scan(DATA.seriesOid(0), 0, 1))
          .isInstanceOf(UnsupportedWorkloadException.class);
      assertThatThrownBy(() -> store.latest(DATA.seriesOid(0), 1))
          .isInstanceOf(UnsupportedWorkloadException.class);
    }
  }

  /** The checksum of {@code n} ticks of series {@code s} from {@code start}, or the latest n. */
  private static long model(int s, int start, int n, boolean latest) {
    List<Integer> js = new ArrayList<>();
    if (latest) {
      for (int j = DATA.ticksPerSeries() - 1; j >= Math.max(0, DATA.ticksPerSeries() - n); j--) {
        js.add(j);
      }
    } else {
      for (int j = start; j < start + n; j++) {
        js.add(j);
      }
    }
    long acc = Rows.EMPTY;
    for (int j : js) {
      acc = Rows.fold(acc, Dataset.tickTime(j), DATA.tickPrice(s, j), DATA.tickSize(s, j));
    }
    return acc;
  }
}
