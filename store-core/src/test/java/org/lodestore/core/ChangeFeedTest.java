package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildJvm;
import org.lodestore.testsupport.TestSeed;

/**
 * The change feed captured in store-core: exactly one entry per committed write transaction, in the
 * same LMDB transaction, whose byte-level changes rebuild every table exactly.
 */
class ChangeFeedTest {

  @TempDir Path dir;

  private static DatabaseOptions withFeed(final FeedOptions feed) {
    return DatabaseOptions.builder().durability(Durability.NO_SYNC).changeFeed(feed).build();
  }

  private Database open() {
    return Database.open(dir, withFeed(FeedOptions.defaults()));
  }

  // ------------------------------------------------------------------ capture

  @Test
  void eachCommittedWriteAddsOneEntryAndAbortsAndEmptyWritesAddNone() {
    try (Database db = open()) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      final long start = db.feed().lastSeq(); // the table's creation
      db.write(txn -> t.put(txn, "a", "1"));
      try (Txn txn = db.beginWrite()) {
        t.put(txn, "b", "2");
        txn.abort();
      }
      assertThatThrownBy(
              () ->
                  db.write(
                      txn -> {
                        t.put(txn, "c", "3");
                        throw new IllegalStateException("no");
                      }))
          .hasMessage("no");
      db.write(txn -> t.get(txn, "a")); // reads only
      db.write(txn -> t.delete(txn, "nothing")); // finds nothing to delete
      db.write(
          txn -> {
            t.put(txn, "d", "4");
            t.delete(txn, "a");
          });
      final List<FeedEntry> entries = db.feed().read(1, 100);
      assertThat(entries).extracting(FeedEntry::seq).containsExactly(1L, 2L, 3L);
      assertThat(start).isEqualTo(1);
      assertThat(entries.get(0).changes())
          .containsExactly(new FeedChange(FeedChange.Op.CREATE, "t", null, new byte[] {0}));
      assertThat(entries.get(1).changes())
          .containsExactly(new FeedChange(FeedChange.Op.PUT, "t", utf8("a"), utf8("1")));
      assertThat(entries.get(2).changes())
          .containsExactly(
              new FeedChange(FeedChange.Op.PUT, "t", utf8("d"), utf8("4")),
              new FeedChange(FeedChange.Op.DELETE, "t", utf8("a"), null));
      assertThat(db.feed().lastSeq()).isEqualTo(3);
    }
  }

  @Test
  void entriesAreChainedAndSurviveReopenWithTheSameGeneration() {
    final UUID generation;
    try (Database db = open()) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "a", "1"));
      generation = db.feed().generation();
    }
    try (Database db = open()) {
      assertThat(db.feed().generation()).isEqualTo(generation);
      assertThat(db.feed().lastSeq()).isEqualTo(2);
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "b", "2"));
      final List<FeedEntry> entries = db.feed().read(1, 10);
      assertThat(entries).extracting(FeedEntry::seq).containsExactly(1L, 2L, 3L);
      assertThat(entries.get(0).previousHash()).containsOnly(0);
      for (int i = 1; i < entries.size(); i++) {
        assertThat(entries.get(i).follows(entries.get(i - 1))).isTrue();
        assertThat(entries.get(i).generation()).isEqualTo(generation);
      }
      assertThat(entries.get(2).follows(entries.get(0))).isFalse();
      // the stored form decodes back to the same entry; a flipped byte is refused
      final byte[] bytes = entries.get(2).bytes();
      assertThat(FeedEntry.decode(bytes).changes()).isEqualTo(entries.get(2).changes());
      bytes[FeedEntry.HEADER + 3] ^= 1;
      assertThatThrownBy(() -> FeedEntry.decode(bytes))
          .isInstanceOf(CorruptValueException.class)
          .hasMessageContaining("hash");
    }
  }

  @Test
  void writesWithoutTheFeedStartANewGeneration() {
    final UUID first;
    try (Database db = open()) {
      db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      first = db.feed().generation();
    }
    try (Database db = Database.open(dir)) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "unseen", "x"));
    }
    try (Database db = open()) {
      assertThat(db.feed().generation()).isNotEqualTo(first);
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "seen", "y"));
      final FeedEntry last = db.feed().read(db.feed().lastSeq(), 1).get(0);
      assertThat(last.generation()).isEqualTo(db.feed().generation());
      assertThat(last.previousHash()).containsOnly(0); // a new chain
    }
  }

  /** The tables of {@link #writesThatChangeNothingKeepTheGenerationWhileOpenAndAcrossReopen}. */
  private record NoOpTables(
      Table<Long, byte[]> plain, SetTable<Long, UUID> sets, SetTable<Long, byte[]> fixed) {
    static NoOpTables of(final Database db) {
      return new NoOpTables(
          db.table("plain", KeyCodecs.LONG, ValueCodecs.BYTES),
          db.setTable("sets", KeyCodecs.LONG, KeyCodecs.UUID),
          db.setTable("fixed", KeyCodecs.LONG, KeyCodecs.fixedBytes(4)));
    }
  }

  @Test
  void writesThatChangeNothingKeepTheGenerationWhileOpenAndAcrossReopen() {
    final Map<String, java.util.function.BiConsumer<NoOpTables, Txn>> noOps =
        new java.util.LinkedHashMap<>();
    noOps.put("delete of a missing key", (t, txn) -> t.plain.delete(txn, 9L));
    noOps.put("insert of a present key", (t, txn) -> t.plain.insert(txn, 1L, new byte[] {2}));
    noOps.put("replace of a missing key", (t, txn) -> t.plain.replace(txn, 9L, new byte[] {2}));
    noOps.put(
        "range delete of nothing", (t, txn) -> t.plain.deleteRange(txn, KeyRange.closed(5L, 8L)));
    noOps.put("add of a member (of two) present", (t, txn) -> t.sets.add(txn, 1L, new UUID(0, 2)));
    noOps.put("add of the only member present", (t, txn) -> t.sets.add(txn, 2L, new UUID(0, 1)));
    noOps.put(
        "add of a fixed member present", (t, txn) -> t.fixed.add(txn, 1L, new byte[] {1, 2, 3, 4}));
    noOps.put("remove of a missing member", (t, txn) -> t.sets.remove(txn, 1L, new UUID(0, 7)));
    noOps.put("remove of a missing set", (t, txn) -> t.sets.removeAll(txn, 9L));
    final UUID generation;
    try (Database db = open()) {
      final NoOpTables t = NoOpTables.of(db);
      db.write(
          txn -> {
            t.plain.put(txn, 1L, new byte[] {1});
            t.sets.add(txn, 1L, new UUID(0, 1));
            t.sets.add(txn, 1L, new UUID(0, 2));
            t.sets.add(txn, 2L, new UUID(0, 1));
            t.fixed.add(txn, 1L, new byte[] {1, 2, 3, 4});
          });
      generation = db.feed().generation();
      for (final var op : noOps.entrySet()) {
        final long seq = db.feed().lastSeq();
        db.write(txn -> op.getValue().accept(t, txn));
        assertThat(db.feed().lastSeq()).as(op.getKey()).isEqualTo(seq);
        db.write(txn -> t.plain.put(txn, 2L, new byte[] {(byte) seq}));
        assertThat(db.feed().generation()).as(op.getKey()).isEqualTo(generation);
      }
    }
    // each as the last transaction before a close
    for (final var op : noOps.entrySet()) {
      try (Database db = open()) {
        assertThat(db.feed().generation()).as(op.getKey()).isEqualTo(generation);
        final NoOpTables t = NoOpTables.of(db);
        db.write(txn -> op.getValue().accept(t, txn));
      }
    }
    try (Database db = open()) {
      assertThat(db.feed().generation()).isEqualTo(generation);
    }
  }

  @Test
  void randomWritesReplayedFromTheFeedRebuildEveryTableByteForByte() {
    final Random random = new Random(TestSeed.seed("ChangeFeedTest.replay"));
    try (Database db = open()) {
      final Table<Long, byte[]> plain = db.table("plain", KeyCodecs.LONG, ValueCodecs.BYTES);
      final Table<Long, byte[]> checked =
          db.table("checked", KeyCodecs.LONG, ValueCodecs.BYTES)
              .withValueChecksum(ValueChecksum.CRC32C);
      final SetTable<Long, UUID> sets = db.setTable("sets", KeyCodecs.LONG, KeyCodecs.UUID);
      for (int round = 0; round < 200; round++) {
        db.write(
            txn -> {
              for (int op = random.nextInt(20); op >= 0; op--) {
                final long k = random.nextInt(50);
                switch (random.nextInt(12)) {
                  case 0, 1, 2 -> plain.put(txn, k, bytes(random));
                  case 3 -> plain.delete(txn, k);
                  case 4 -> checked.put(txn, k, bytes(random));
                  case 5 -> checked.insert(txn, k, bytes(random));
                  case 6 -> sets.add(txn, k, new UUID(0, random.nextInt(5)));
                  case 7 -> sets.remove(txn, k, new UUID(0, random.nextInt(5)));
                  case 8 -> sets.removeAll(txn, k);
                  case 9 -> plain.deleteRange(txn, KeyRange.closed(k, k + 5));
                  case 10 -> {
                    if (random.nextInt(30) == 0) {
                      plain.truncate(txn);
                    }
                  }
                  default -> checked.replace(txn, k, bytes(random));
                }
              }
            });
      }
      final Replica replica = new Replica();
      for (final FeedEntry e : db.feed().read(1, Integer.MAX_VALUE)) {
        replica.apply(e);
      }
      assertThat(replica.tables()).isEqualTo(actual(db, List.of("plain", "checked")));
      assertThat(replica.sets()).isEqualTo(actualSets(db, "sets"));
    }
  }

  @Test
  void aWriteRunAgainAfterMapGrowthAddsOneEntry() {
    final DatabaseOptions small =
        DatabaseOptions.builder()
            .initialMapSize(1 << 20)
            .durability(Durability.NO_SYNC)
            .changeFeed(FeedOptions.defaults())
            .build();
    try (Database db = Database.open(dir, small)) {
      final Table<Long, byte[]> t = db.table("t", KeyCodecs.LONG, ValueCodecs.BYTES);
      final long before = db.feed().lastSeq();
      final int[] runs = {0};
      db.write(
          txn -> {
            runs[0]++;
            for (long i = 0; i < 3_000; i++) {
              t.put(txn, i, new byte[1_000]);
            }
          });
      assertThat(runs[0]).isGreaterThan(1); // the map grew and the function ran again
      assertThat(db.feed().lastSeq()).isEqualTo(before + 1);
      final FeedEntry entry = db.feed().read(before + 1, 1).get(0);
      assertThat(entry.changes()).hasSize(3_000);
    }
  }

  @Test
  void groupedWritersShareOneEntryEachAndAFailingCallerLeavesNothing() throws Exception {
    try (Database db = open()) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      final int threads = 8;
      final int perThread = 200;
      final ExecutorService pool = Executors.newFixedThreadPool(threads);
      final CountDownLatch go = new CountDownLatch(1);
      final List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        final int writer = w;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perThread; i++) {
                    final String key = writer + "/" + i;
                    if (i % 10 == 3) {
                      try {
                        db.write(
                            txn -> {
                              t.put(txn, "failed " + key, "x");
                              throw new IllegalStateException("on purpose");
                            });
                      } catch (IllegalStateException expected) {
                        // its change is not in any entry
                      }
                    } else {
                      db.write(txn -> t.put(txn, key, "v"));
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (final Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      final List<FeedEntry> entries = db.feed().read(2, Integer.MAX_VALUE);
      final List<String> keys = new ArrayList<>();
      long seq = 1;
      for (final FeedEntry e : entries) {
        assertThat(e.seq()).isEqualTo(++seq);
        for (final FeedChange c : e.changes()) {
          keys.add(new String(c.key(), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      assertThat(keys).doesNotHaveDuplicates().noneMatch(k -> k.startsWith("failed"));
      assertThat(keys).hasSize(threads * (perThread - perThread / 10));
      assertThat(db.stats().groupCommits()).as("some writes were grouped").isPositive();
      assertThat(entries.size()).isLessThan(keys.size());
    }
  }

  // ------------------------------------------------------------------ backlog and trimming

  @Test
  void aFullBacklogRefusesTheCommitUntilEntriesAreAcknowledged() {
    try (Database db = Database.open(dir, withFeed(FeedOptions.defaults().maxBacklogEntries(3)))) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "a", "1"));
      db.write(txn -> t.put(txn, "b", "2"));
      assertThatThrownBy(() -> db.write(txn -> t.put(txn, "c", "3")))
          .isInstanceOf(FeedBacklogException.class)
          .hasMessageContaining("3 entries")
          .hasMessageContaining(dir.getFileName().toString());
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "c"))).isNull();
      assertThat(db.feed().lastSeq()).isEqualTo(3);

      db.feed().acknowledge(2);
      db.write(txn -> t.put(txn, "c", "3"));
      assertThat(db.feed().firstRetainedSeq()).isEqualTo(3);
      assertThat(db.feed().read(1, 10)).extracting(FeedEntry::seq).containsExactly(3L, 4L);
      assertThatThrownBy(() -> db.feed().acknowledge(9))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void dropOldestMakesRoomByDroppingUnacknowledgedEntries() {
    final FeedOptions feed =
        FeedOptions.defaults()
            .maxBacklogEntries(3)
            .onBacklogFull(FeedOptions.BacklogPolicy.DROP_OLDEST);
    try (Database db = Database.open(dir, withFeed(feed))) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      for (int i = 0; i < 6; i++) {
        final String k = "k" + i;
        db.write(txn -> t.put(txn, k, "v"));
      }
      assertThat(db.feed().read(1, 10)).extracting(FeedEntry::seq).containsExactly(5L, 6L, 7L);
      assertThat((long) db.readAndGet(txn -> t.count(txn))).isEqualTo(6);
    }
  }

  // ------------------------------------------------------------------ subscriptions

  @Test
  void aSubscriptionIsToldOfEveryCommitInOrderAndHoldsBackTrimming() throws Exception {
    try (Database db = open()) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      final List<Long> seen = new CopyOnWriteArrayList<>();
      final CountDownLatch release = new CountDownLatch(1);
      try (ChangeFeed.Subscription s =
          db.feed()
              .subscribe(
                  1,
                  e -> {
                    seen.add(e.seq());
                    if (e.seq() == 3) {
                      await(release); // a slow listener
                    }
                  })) {
        for (int i = 0; i < 5; i++) {
          final String k = "k" + i;
          db.write(txn -> t.put(txn, k, "v"));
        }
        db.feed().acknowledge(6);
        db.write(txn -> t.put(txn, "more", "v"));
        // the subscription has not read past 3: entries from 3 on are kept
        assertThat(db.feed().firstRetainedSeq()).isLessThanOrEqualTo(3);
        release.countDown();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.size() < 7 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(s.isOpen()).isTrue();
      }
      // entries 1 and 2 are trimmed now: a subscription that needs them ends, saying so
      db.write(txn -> t.put(txn, "last", "v"));
      try (ChangeFeed.Subscription late = db.feed().subscribe(1, e -> {})) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (late.isOpen() && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(late.failure()).get().asString().contains("was trimmed");
      }
    }
  }

  @Test
  void aSubscriptionWhoseListenerThrowsEndsWithThatFailure() throws Exception {
    try (Database db = open()) {
      final ChangeFeed.Subscription s =
          db.feed()
              .subscribe(
                  1,
                  e -> {
                    throw new IllegalStateException("listener broke");
                  });
      db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (s.isOpen() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(s.isOpen()).isFalse();
      assertThat(s.failure()).get().extracting(Throwable::getMessage).isEqualTo("listener broke");
    }
  }

  @Test
  void aDatabaseWithoutFeedSaysSo() {
    try (Database db = Database.open(dir)) {
      assertThatThrownBy(db::feed)
          .isInstanceOf(InvalidStateException.class)
          .hasMessageContaining("no change feed");
    }
  }

  // ------------------------------------------------------------------ kill -9

  /** {@code -Dlodestore.reliability.long=true} (the reliability profile) runs the long form. */
  private static boolean longForm() {
    return Boolean.getBoolean("lodestore.reliability.long");
  }

  @Test
  void afterKill9TheFeedAndTheDataAgree() throws Exception {
    final int kills = longForm() ? 20 : 3;
    final Random random = new Random(TestSeed.seed("feedCapture"));
    long lost = 0;
    long duplicated = 0;
    long mismatches = 0;
    long entries = 0;
    for (int run = 0; run < kills; run++) {
      final Path work = Files.createDirectories(dir.resolve("child" + run));
      final ChildJvm.Result result =
          ChildJvm.run(
              ChildJvm.LMDB_FLAGS,
              FeedCrashChild.class,
              work,
              // the first runs longer (the child's JVM starts cold), then at random moments
              Duration.ofMillis(run < 3 ? 2_000 + 700L * run : 1_500 + random.nextInt(2_500)),
              dir.resolve("db").toString());
      assertThat(result.crashLogs()).as(result.describe()).isEmpty();
      assertThat(result.timedOut()).as(result.describe()).isTrue(); // killed while writing
      // after each kill: the feed replayed from its start rebuilds exactly the data
      try (Database db = Database.open(dir.resolve("db"), withFeed(FeedOptions.defaults()))) {
        final Replica replica = new Replica();
        long seq = 0;
        for (final FeedEntry e : db.feed().read(1, Integer.MAX_VALUE)) {
          if (e.seq() <= seq) {
            duplicated++;
          } else if (e.seq() > seq + 1) {
            lost += e.seq() - seq - 1;
          }
          seq = e.seq();
          replica.apply(e);
        }
        if (!replica.tables().equals(actual(db, List.of("ticks")))) {
          mismatches++;
        }
        assertThat(seq).as("run " + run + " committed").isGreaterThan(entries);
        entries = seq;
      }
    }
    System.out.println(
        "RELIABILITY feedCapture kills="
            + kills
            + " entries="
            + entries
            + " lost="
            + lost
            + " duplicated="
            + duplicated
            + " mismatches="
            + mismatches);
    assertThat(lost + duplicated + mismatches).isZero();
  }

  @Test
  void twoProcessesWritingOneDatabaseKeepItsFeedDenseAndChained() throws Exception {
    final Path db = dir.resolve("shared");
    final Path started = dir.resolve("child-started");
    final long parentKeys;
    try (Database parent = Database.open(db, withFeed(FeedOptions.defaults()))) {
      final Table<Long, byte[]> t = parent.table("ticks", KeyCodecs.LONG, ValueCodecs.BYTES);
      final Path work = Files.createDirectories(dir.resolve("child"));
      final ExecutorService runner = Executors.newSingleThreadExecutor();
      final Future<ChildJvm.Result> child =
          runner.submit(
              () ->
                  ChildJvm.run(
                      ChildJvm.LMDB_FLAGS,
                      FeedWriterChild.class,
                      work,
                      Duration.ofSeconds(60),
                      db.toString(),
                      started.toString()));
      final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(started) && System.nanoTime() < deadline && !child.isDone()) {
        Thread.sleep(5);
      }
      // both processes write at once until the child is done (it writes for 2 s)
      final Random random = new Random(1);
      long k = 0;
      while (!child.isDone() && System.nanoTime() < deadline) {
        final long key = k++;
        parent.write(txn -> t.put(txn, key, bytes(random)));
      }
      parentKeys = k;
      final ChildJvm.Result result = child.get(90, TimeUnit.SECONDS);
      runner.shutdown();
      assertThat(result.exitCode()).as(result.describe()).isZero();
      assertThat(result.crashLogs()).as(result.describe()).isEmpty();
    }
    try (Database reopened = Database.open(db, withFeed(FeedOptions.defaults()))) {
      final List<FeedEntry> entries = reopened.feed().read(1, Integer.MAX_VALUE);
      final Replica replica = new Replica();
      int switches = 0;
      Boolean lastByChild = null;
      for (int i = 0; i < entries.size(); i++) {
        final FeedEntry e = entries.get(i);
        assertThat(e.seq()).isEqualTo(i + 1L);
        if (i > 0) {
          assertThat(e.follows(entries.get(i - 1))).as("entry " + (i + 1)).isTrue();
        }
        final FeedChange c = e.changes().get(0);
        if (c.op() == FeedChange.Op.PUT) {
          // int64 keys are stored big-endian with the sign bit flipped
          final boolean byChild = (ByteBuffer.wrap(c.key()).getLong() ^ Long.MIN_VALUE) >= 1L << 62;
          switches += lastByChild != null && lastByChild != byChild ? 1 : 0;
          lastByChild = byChild;
        }
        replica.apply(e);
      }
      assertThat(replica.tables()).isEqualTo(actual(reopened, List.of("ticks")));
      assertThat(switches).as("the two processes' commits interleaved").isGreaterThan(10);
      System.out.println(
          "ChangeFeedTest.twoProcesses entries="
              + entries.size()
              + " parentWrites="
              + parentKeys
              + " switches="
              + switches);
    }
  }

  @Test
  void aWriteByAnotherProcessWithoutTheFeedStartsANewGenerationAtTheNextCommit() throws Exception {
    final Path db = dir.resolve("shared");
    try (Database leader = Database.open(db, withFeed(FeedOptions.defaults()))) {
      final Table<String, String> t = leader.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      leader.write(txn -> t.put(txn, "before", "1"));
      final UUID first = leader.feed().generation();
      // another process (a tool, an older build in a rolling deploy) writes without the feed
      runChild(BypassWriterChild.class, db, "plain", "unseen");
      leader.write(txn -> t.put(txn, "seen", "2"));
      // the feed cannot hold "unseen": its next entry must tell followers to bootstrap again
      final FeedEntry last = leader.feed().read(leader.feed().lastSeq(), 1).get(0);
      assertThat(last.changes())
          .containsExactly(new FeedChange(FeedChange.Op.PUT, "t", utf8("seen"), utf8("2")));
      assertThat(last.generation()).isNotEqualTo(first);
      assertThat(last.previousHash()).containsOnly(0); // a new chain
      assertThat(leader.feed().generation()).isEqualTo(last.generation());
    }
    try (Database reopened = Database.open(db, withFeed(FeedOptions.defaults()))) {
      final FeedEntry last = reopened.feed().read(reopened.feed().lastSeq(), 1).get(0);
      assertThat(reopened.feed().generation()).isEqualTo(last.generation());
    }
  }

  @Test
  void aGenerationAnotherProcessStartedIsTheOneThisProcessAppendsTo() throws Exception {
    final Path db = dir.resolve("shared");
    try (Database leader = Database.open(db, withFeed(FeedOptions.defaults()))) {
      final Table<String, String> t = leader.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      leader.write(txn -> t.put(txn, "before", "1"));
      final UUID first = leader.feed().generation();
      runChild(BypassWriterChild.class, db, "plain", "unseen");
      // a process with the feed opens next: it sees the bypass and starts a generation
      runChild(BypassWriterChild.class, db, "feed", "child");
      final List<FeedEntry> all = leader.feed().read(1, Integer.MAX_VALUE);
      final long childSeq = all.get(all.size() - 1).seq(); // lastSeq() knows this process's only
      leader.write(txn -> t.put(txn, "after", "2"));
      final List<FeedEntry> tail = leader.feed().read(childSeq, 2);
      assertThat(tail).hasSize(2);
      final FeedEntry child = tail.get(0);
      final FeedEntry mine = tail.get(1);
      assertThat(child.changes())
          .containsExactly(new FeedChange(FeedChange.Op.PUT, "t", utf8("child"), utf8("x")));
      assertThat(child.generation()).isNotEqualTo(first);
      assertThat(mine.seq()).isEqualTo(child.seq() + 1);
      assertThat(mine.generation()).isEqualTo(child.generation());
      assertThat(mine.follows(child)).isTrue();
      assertThat(leader.feed().generation()).isEqualTo(child.generation());
    }
  }

  @Test
  void backupsPlainAndCompactedKeepTheGeneration() {
    for (final boolean compact : new boolean[] {false, true}) {
      final Path source = dir.resolve("source-" + compact);
      final Path copy = dir.resolve("copy-" + compact);
      final UUID generation;
      try (Database db = Database.open(source, withFeed(FeedOptions.defaults()))) {
        final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
        for (int i = 0; i < 20; i++) {
          final String k = "k" + i;
          db.write(txn -> t.put(txn, k, "v"));
        }
        db.write(txn -> t.delete(txn, "k3"));
        generation = db.feed().generation();
        db.backupTo(copy, compact);
      }
      try (Database db = Database.open(copy, withFeed(FeedOptions.defaults()))) {
        assertThat(db.feed().generation()).as("compact=" + compact).isEqualTo(generation);
        assertThat(db.feed().lastSeq()).isEqualTo(22);
        final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
        db.write(txn -> t.put(txn, "after", "v"));
        assertThat(db.feed().generation()).as("compact=" + compact).isEqualTo(generation);
      }
      assertThat(copy.resolve("data.mdb")).exists();
      assertThat(copy.toFile().list()).as("compact=" + compact).contains("data.mdb");
    }
  }

  @Test
  void aCompactedCopyOfADatabaseWrittenWithoutTheFeedStartsANewGeneration() throws Exception {
    final Path source = dir.resolve("source");
    try (Database db = Database.open(source, withFeed(FeedOptions.defaults()))) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "a", "1"));
      final UUID generation = db.feed().generation();
      runChild(BypassWriterChild.class, source, "plain", "unseen");
      db.backupTo(dir.resolve("copy"), true);
      try (Database copy = Database.open(dir.resolve("copy"), withFeed(FeedOptions.defaults()))) {
        assertThat(copy.feed().generation()).isNotEqualTo(generation);
      }
    }
  }

  private void runChild(final Class<?> main, final Path db, final String... args) throws Exception {
    final Path work = Files.createDirectories(dir.resolve("child-" + UUID.randomUUID()));
    final String[] all = new String[args.length + 1];
    all[0] = db.toString();
    System.arraycopy(args, 0, all, 1, args.length);
    final ChildJvm.Result result =
        ChildJvm.run(ChildJvm.LMDB_FLAGS, main, work, Duration.ofSeconds(60), all);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.crashLogs()).as(result.describe()).isEmpty();
  }

  /**
   * Opens {@code args[0]} with the change feed ({@code args[1]} = "feed") or without ("plain") and
   * puts key {@code args[2]} = "x" into table {@code t}.
   */
  public static final class BypassWriterChild {
    public static void main(final String[] args) {
      final DatabaseOptions.Builder options =
          DatabaseOptions.builder().durability(Durability.NO_SYNC);
      if (args[1].equals("feed")) {
        options.changeFeed(FeedOptions.defaults());
      }
      try (Database db = Database.open(Path.of(args[0]), options.build())) {
        final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
        db.write(txn -> t.put(txn, args[2], "x"));
      }
    }
  }

  /**
   * Signals {@code args[1]} once it has the database open, then writes single-row transactions into
   * {@code ticks} of {@code args[0]} for 2 s, keys from 2^62 on.
   */
  public static final class FeedWriterChild {
    public static void main(final String[] args) throws Exception {
      try (Database db =
          Database.open(
              Path.of(args[0]),
              DatabaseOptions.builder()
                  .durability(Durability.NO_SYNC)
                  .changeFeed(FeedOptions.defaults())
                  .build())) {
        final Table<Long, byte[]> t = db.table("ticks", KeyCodecs.LONG, ValueCodecs.BYTES);
        Files.createFile(Path.of(args[1]));
        final Random random = new Random(2);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (long i = 0; System.nanoTime() < end; i++) {
          final long k = (1L << 62) + i;
          db.write(txn -> t.put(txn, k, bytes(random)));
        }
      }
    }
  }

  /** Writes batches into {@code ticks} until it is killed. */
  public static final class FeedCrashChild {
    public static void main(final String[] args) {
      try (Database db =
          Database.open(
              Path.of(args[0]),
              DatabaseOptions.builder().changeFeed(FeedOptions.defaults()).build())) {
        final Table<Long, byte[]> t = db.table("ticks", KeyCodecs.LONG, ValueCodecs.BYTES);
        final Random random = new Random();
        for (long i = 0; ; i++) {
          final long base = i;
          db.write(
              txn -> {
                for (int j = 0; j < 50; j++) {
                  t.put(txn, base * 7 + j, bytes(random));
                }
                t.delete(txn, base * 3);
              });
        }
      }
    }
  }

  // ------------------------------------------------------------------ the replica model

  /** Tables rebuilt from feed changes alone, as hex strings. */
  static final class Replica {
    private final Map<String, Map<String, String>> tables = new HashMap<>();
    private final Map<String, Map<String, TreeSet<String>>> sets = new HashMap<>();

    void apply(final FeedEntry entry) {
      for (final FeedChange c : entry.changes()) {
        final String k = c.key() == null ? null : hex(c.key());
        switch (c.op()) {
          case CREATE -> {
            if ((c.value()[0] & FeedChange.DUP_SORT) != 0) {
              sets.computeIfAbsent(c.table(), x -> new TreeMap<>());
            } else {
              tables.computeIfAbsent(c.table(), x -> new TreeMap<>());
            }
          }
          case PUT ->
              tables.computeIfAbsent(c.table(), x -> new TreeMap<>()).put(k, hex(c.value()));
          case DELETE -> {
            if (sets.containsKey(c.table())) {
              sets.get(c.table()).remove(k);
            } else {
              tables.get(c.table()).remove(k);
            }
          }
          case TRUNCATE -> {
            if (sets.containsKey(c.table())) {
              sets.get(c.table()).clear();
            } else {
              tables.get(c.table()).clear();
            }
          }
          case DROP -> {
            tables.remove(c.table());
            sets.remove(c.table());
          }
          case SET_ADD ->
              sets.computeIfAbsent(c.table(), x -> new TreeMap<>())
                  .computeIfAbsent(k, x -> new TreeSet<>())
                  .add(hex(c.value()));
          case SET_REMOVE -> {
            final TreeSet<String> members = sets.get(c.table()).get(k);
            members.remove(hex(c.value()));
            if (members.isEmpty()) {
              sets.get(c.table()).remove(k);
            }
          }
        }
      }
    }

    Map<String, Map<String, String>> tables() {
      return tables;
    }

    Map<String, Map<String, TreeSet<String>>> sets() {
      return sets;
    }
  }

  private static Map<String, Map<String, String>> actual(
      final Database db, final List<String> names) {
    final OwnerAccess access = access(db);
    final Map<String, Map<String, String>> out = new HashMap<>();
    try (Txn txn = db.beginRead()) {
      for (final String name : names) {
        final Map<String, String> rows = new TreeMap<>();
        final Table<byte[], byte[]> raw =
            access.table(txn, name, KeyCodecs.BYTES, ValueCodecs.BYTES);
        try (Cursor<byte[], byte[]> c = raw.select(txn, KeyRange.all())) {
          while (c.next()) {
            rows.put(hex(c.key()), hex(c.value()));
          }
        }
        out.put(name, rows);
      }
    }
    return out;
  }

  private static Map<String, Map<String, TreeSet<String>>> actualSets(
      final Database db, final String name) {
    final OwnerAccess access = access(db);
    final Map<String, TreeSet<String>> rows = new TreeMap<>();
    try (Txn txn = db.beginRead()) {
      final SetTable<byte[], byte[]> raw =
          access.setTable(txn, name, KeyCodecs.BYTES, KeyCodecs.BYTES);
      try (Cursor<byte[], byte[]> c = raw.select(txn, KeyRange.<byte[]>all())) {
        while (c.next()) {
          rows.computeIfAbsent(hex(c.key()), x -> new TreeSet<>()).add(hex(c.value()));
        }
      }
    }
    return Map.of(name, rows);
  }

  private static OwnerAccess access(final Database db) {
    final OwnerAccess[] access = new OwnerAccess[1];
    db.attach((Attachable) (d, a) -> access[0] = a);
    return access[0];
  }

  private static byte[] bytes(final Random random) {
    final byte[] b = new byte[1 + random.nextInt(40)];
    random.nextBytes(b);
    return b;
  }

  private static byte[] utf8(final String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String hex(final byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static void await(final CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
