package org.lodestore.benchmarks.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.core.ChangeFeed;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidStateException;

/**
 * {@code lodestore-fb} as {@code FeedBenchmark} runs it: without a feed, with a feed a shipper-less
 * subscription reads and acknowledges (so the feed is trimmed), and with a feed nothing reads.
 */
class LodestoreFbFeedTest {
  private static final Dataset DATA = new Dataset(Dataset.DEFAULT_SEED, 0, 0, 0);

  @TempDir Path dir;

  private static StoreOptions options(FeedMode feed) {
    return new StoreOptions(SyncMode.NO_SYNC, 2, 0, false, false, feed);
  }

  @Test
  void feedOff_opensTheDatabaseWithoutAFeed() {
    try (LodestoreFbAdapter store =
        (LodestoreFbAdapter) Impl.LODESTORE_FB.open(dir, options(FeedMode.OFF))) {
      store.insert(List.of(DATA.market(0)));
      assertThat(store.acknowledger()).isNull();
      assertThatThrownBy(() -> store.database().feed()).isInstanceOf(InvalidStateException.class);
    }
  }

  @Test
  void feedOn_everyCommitHasAnEntry_andTheAcknowledgerLetsTheFeedBeTrimmed() throws Exception {
    try (LodestoreFbAdapter store =
        (LodestoreFbAdapter) Impl.LODESTORE_FB.open(dir, options(FeedMode.ON))) {
      ChangeFeed feed = store.database().feed();
      long before = feed.lastSeq();
      long row = 0;
      long deadline = System.nanoTime() + 60_000_000_000L;
      // commits spread over more than one acknowledgement interval (10 ms), bounded in time
      while ((store.acknowledger().acknowledgements() < 3 || row < 50)
          && System.nanoTime() < deadline) {
        store.insert(List.of(DATA.market(row++), DATA.market(1_000_000 + row)));
        Thread.sleep(1);
      }
      while (store.acknowledger().given() < feed.lastSeq() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(store.acknowledger().given()).as("given every entry").isEqualTo(feed.lastSeq());
      store.acknowledger().close(); // waits for an acknowledgement in progress: the feed is still
      assertThat(store.acknowledger().failure()).isNull();
      assertThat(store.acknowledger().acknowledgements()).isGreaterThanOrEqualTo(3);
      assertThat(feed.lastSeq()).as("one entry per insert").isEqualTo(before + row);
      assertThat(feed.acknowledgedSeq()).isPositive().isLessThanOrEqualTo(feed.lastSeq());
      // trimmed up to the acknowledged seq, but for the entry the acknowledgement was made in the
      // listener of: the subscription has not moved past it yet (the next commit trims it)
      assertThat(feed.firstRetainedSeq())
          .as("acknowledged entries are trimmed")
          .isGreaterThan(1)
          .isBetween(feed.acknowledgedSeq(), feed.acknowledgedSeq() + 1);
      assertThat(store.get(DATA.market(0).oid())).isEqualTo(DATA.market(0));
    }
  }

  @Test
  void feedCapture_recordsEveryCommit_andNothingAcknowledgesOrTrimsIt() {
    try (LodestoreFbAdapter store =
        (LodestoreFbAdapter) Impl.LODESTORE_FB.open(dir, options(FeedMode.CAPTURE))) {
      Database db = store.database();
      long before = db.feed().lastSeq();
      for (int i = 0; i < 20; i++) {
        store.insert(List.of(DATA.market(i)));
      }
      assertThat(store.acknowledger()).isNull();
      assertThat(db.feed().lastSeq()).isEqualTo(before + 20);
      assertThat(db.feed().acknowledgedSeq()).isZero();
      assertThat(db.feed().firstRetainedSeq()).isEqualTo(1);
      assertThat(db.feed().read(before + 1, 100)).hasSize(20);
    }
  }

  @Test
  void feedMode_parsesTheJmhValues_andRefusesOthers() {
    assertThat(FeedMode.of("off")).isEqualTo(FeedMode.OFF);
    assertThat(FeedMode.of("on")).isEqualTo(FeedMode.ON);
    assertThat(FeedMode.of("capture")).isEqualTo(FeedMode.CAPTURE);
    assertThatThrownBy(() -> FeedMode.of("yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("off, on or capture");
  }
}
