package org.lodestore.examples;

import java.time.Instant;
import java.util.UUID;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lodestore.core.Database;
import org.lodestore.core.Txn;
import org.lodestore.core.key.Tuple2;
import org.lodestore.examples.market.Exchange;
import org.lodestore.examples.market.MarketSchema;
import org.lodestore.examples.market.Side;
import org.lodestore.examples.market.Trade;

/**
 * Writes the demo's feed: reference data, then ticks and trades in batches of interleaved markets
 * (round {@code r} holds every market's {@code r}-th row, as a live feed delivers them), one write
 * transaction per batch. Each batch is a pure function of the feed and its position, because {@link
 * Database#writeAndGet} runs it again if the map had to grow; the progress bar moves only after the
 * commit.
 */
final class DemoIngest {

  /** What the ingest did. */
  record Stats(long tickNanos, long tradeNanos, int transactions) {}

  private final Database db;
  private final MarketSchema market;
  private final DemoSchema demo;
  private final Feed feed;
  private final int batch;
  private final boolean progress;
  private int transactions;

  DemoIngest(
      final Database db,
      final MarketSchema market,
      final DemoSchema demo,
      final Feed feed,
      final int batch,
      final boolean progress) {
    this.db = db;
    this.market = market;
    this.demo = demo;
    this.feed = feed;
    this.batch = batch;
    this.progress = progress;
  }

  Stats run() {
    db.write(this::writeReferenceData);
    transactions++;
    final long t0 = System.nanoTime();
    try (ProgressBar bar = bar("ticks   ", feed.ticks)) {
      writeInterleaved(feed.tickRounds(), feed::ticksOf, this::writeTick, bar);
    }
    final long t1 = System.nanoTime();
    try (ProgressBar bar = bar("trades  ", feed.trades)) {
      writeInterleaved(feed.tradeRounds(), feed::tradesOf, this::writeTrade, bar);
    }
    final long t2 = System.nanoTime();
    final Stats stats = new Stats(t1 - t0, t2 - t1, transactions + 1);
    db.write(
        txn ->
            demo.manifest.put(
                txn,
                DemoSchema.KEY,
                new Manifest(
                    feed.seed,
                    feed.exchanges,
                    feed.markets,
                    feed.ticks,
                    feed.trades,
                    Instant.now(),
                    stats.tickNanos(),
                    stats.tradeNanos(),
                    stats.transactions())));
    return stats;
  }

  private void writeReferenceData(final Txn txn) {
    for (int e = 0; e < feed.exchanges; e++) {
      market.exchanges.put(
          txn,
          feed.exchangeOid(e),
          new Exchange(feed.exchangeName(e), "EU", "https://example.com/" + e));
    }
    for (int p = 0; p < feed.pairs(); p++) {
      market.putPair(txn, feed.pairOid(p), feed.base(p), feed.quote(p));
    }
    for (int m = 0; m < feed.markets; m++) {
      market.putMarket(
          txn,
          feed.marketOid(m),
          feed.exchangeOid(feed.exchangeOf(m)),
          feed.pairOid(feed.pairOf(m)),
          feed.symbol(m),
          0.01,
          Feed.T0.minusSeconds(86_400L * (m + 1)));
    }
  }

  /** Writes row {@code n} of market {@code m} in {@code txn}. */
  private interface RowWriter {
    void write(Txn txn, UUID market, int m, int n);
  }

  /** The number of rows of market {@code m}. */
  private interface RowCount {
    int of(int m);
  }

  private void writeInterleaved(
      final int rounds, final RowCount count, final RowWriter writer, final ProgressBar bar) {
    final UUID[] oids = new UUID[feed.markets];
    for (int m = 0; m < oids.length; m++) {
      oids[m] = feed.marketOid(m);
    }
    int round = 0;
    int market = 0;
    while (round < rounds) {
      final int startRound = round;
      final int startMarket = market;
      // find where this batch ends, so that a retry writes exactly the same rows
      int rows = 0;
      int endRound = round;
      int endMarket = market;
      while (endRound < rounds && rows < batch) {
        if (endRound < count.of(endMarket)) {
          rows++;
        }
        if (++endMarket == feed.markets) {
          endMarket = 0;
          endRound++;
        }
      }
      final int stopRound = endRound;
      final int stopMarket = endMarket;
      db.write(
          txn -> {
            int r = startRound;
            int m = startMarket;
            while (r < stopRound || (r == stopRound && m < stopMarket)) {
              if (r < count.of(m)) {
                writer.write(txn, oids[m], m, r);
              }
              if (++m == feed.markets) {
                m = 0;
                r++;
              }
            }
          });
      transactions++;
      bar.stepBy(rows);
      round = endRound;
      market = endMarket;
    }
  }

  private void writeTick(final Txn txn, final UUID oid, final int m, final int i) {
    market.recordTick(
        txn,
        oid,
        feed.tickTime(m, i),
        feed.bid(m, i),
        feed.ask(m, i),
        feed.mid(m, i),
        feed.volume(m, i));
  }

  private void writeTrade(final Txn txn, final UUID oid, final int m, final int j) {
    market.trades.put(
        txn,
        Tuple2.of(oid, Feed.T0.plusNanos(feed.tradeNanos(m, j))),
        new Trade(
            feed.tradeId(m, j),
            feed.tradePrice(m, j),
            feed.tradeSize(m, j),
            feed.tradeIsBuy(m, j) ? Side.BUY : Side.SELL));
  }

  private ProgressBar bar(final String task, final long max) {
    final ProgressBarBuilder builder =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(max)
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(200)
            .setUnit(" rows", 1)
            .showSpeed(new java.text.DecimalFormat("#,##0"))
            .setMaxRenderedLength(100);
    if (!progress) {
      builder.setConsumer(new SilentConsumer());
    }
    return builder.build();
  }

  /** Renders nothing: for {@code --no-progress} and tests. */
  private static final class SilentConsumer implements me.tongfei.progressbar.ProgressBarConsumer {
    @Override
    public void accept(final String rendered) {}

    @Override
    public int getMaxRenderedLength() {
      return 80;
    }

    @Override
    public void close() {}
  }
}
