package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * {@link ChangeFeed#setCommitWaiter}: the hook a semi-sync shipper uses to hold each {@code
 * db.write} until its entry is shipped, called on the writer's thread after the commit.
 */
class ChangeFeedCommitWaiterTest {

  @TempDir Path dir;

  private Database open() {
    return Database.open(
        dir,
        DatabaseOptions.builder()
            .durability(Durability.NO_SYNC)
            .changeFeed(FeedOptions.defaults())
            .build());
  }

  @Test
  void eachWriteCallWaitsOnItsOwnThreadAfterItsCommitWithItsEntrysSeq() {
    try (Database db = open()) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      final List<String> calls = new CopyOnWriteArrayList<>();
      final LongConsumer waiter =
          seq -> {
            // the commit is done: another transaction sees it
            final String seen = db.readAndGet(txn -> t.get(txn, "k" + seq));
            calls.add(seq + "@" + Thread.currentThread().getName() + "=" + seen);
          };
      db.feed().setCommitWaiter(waiter);
      final long first = db.feed().write(txn -> t.put(txn, "k" + (db.feed().lastSeq() + 1), "a"));
      final String second =
          db.writeAndGet(
              txn -> {
                t.put(txn, "k" + (db.feed().lastSeq() + 1), "b");
                return "done";
              });
      db.write(txn -> t.get(txn, "nothing")); // changed nothing: no entry, no wait
      try (Txn txn = db.beginWrite()) { // explicit transactions are not waited for
        t.put(txn, "explicit", "c");
        txn.commit();
      }
      final String me = Thread.currentThread().getName();
      assertThat(second).isEqualTo("done");
      assertThat(calls).containsExactly(first + "@" + me + "=a", (first + 1) + "@" + me + "=b");
      assertThat(db.feed().clearCommitWaiter(waiter)).isTrue();
      db.write(txn -> t.put(txn, "after", "d"));
      assertThat(calls).hasSize(2);
    }
  }

  @Test
  void whatTheWaiterThrowsReachesTheCallerAndTheWriteStaysCommitted() {
    try (Database db = open()) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.feed()
          .setCommitWaiter(
              seq -> {
                throw new LodestoreException("not confirmed: seq " + seq);
              });
      assertThatThrownBy(() -> db.write(txn -> t.put(txn, "a", "1")))
          .isInstanceOf(LodestoreException.class)
          .hasMessageContaining("not confirmed: seq " + db.feed().lastSeq());
      assertThat((Object) db.readAndGet(txn -> t.get(txn, "a"))).isEqualTo("1");
      assertThatThrownBy(() -> db.feed().setCommitWaiter(seq -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("commit waiter");
    }
  }

  @Test
  void theCallersOfAGroupCommitEachWaitForTheSharedEntry() throws Exception {
    try (Database db = open()) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      final Map<String, Long> waited = new ConcurrentHashMap<>();
      db.feed().setCommitWaiter(seq -> waited.put(Thread.currentThread().getName(), seq));
      final int threads = 8;
      final CountDownLatch go = new CountDownLatch(1);
      final ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        final List<Future<Long>> seqs = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          final String k = "k" + i;
          seqs.add(
              pool.submit(
                  () -> {
                    go.await();
                    final long seq = db.feed().write(txn -> t.put(txn, k, "v"));
                    assertThat(waited.get(Thread.currentThread().getName())).isEqualTo(seq);
                    return seq;
                  }));
        }
        go.countDown();
        for (final Future<Long> f : seqs) {
          assertThat(f.get()).isPositive();
        }
      } finally {
        pool.shutdown();
      }
      assertThat(waited).hasSize(threads);
      assertThat(waited.values()).allMatch(seq -> seq <= db.feed().lastSeq());
    }
  }
}
