package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.benchmarks.fbs.MarketFb;
import org.lodestore.benchmarks.fbs.TickFb;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * Lodestore through its public API with FlatBuffers values ({@link FlatBuffersCodec}): the same
 * bytes as raw lmdbjava, read in place. Point gets re-point one reused {@code MarketFb} view
 * ({@code getInto}); scans re-point one reused {@code TickFb} ({@code Cursor.valueInto}).
 *
 * <p>W2 and W5 need store-schema's maintained indexes and are not written yet ({@link Impl} lists
 * them as pending); the markets are loaded with plain {@code Table.put}.
 */
final class LodestoreFbAdapter implements StoreAdapter {
  private final Database db;
  private final Table<UUID, MarketFb> markets;
  private final Table<Tuple2<UUID, Instant>, TickFb> ticks;
  private final FlatBuffersCodec<MarketFb> marketValues =
      FlatBuffersCodec.of(MarketFb::getRootAsMarketFb, MarketFb::new);
  private final FlatBuffersCodec<TickFb> tickValues =
      FlatBuffersCodec.of(TickFb::getRootAsTickFb, TickFb::new);
  private final MarketCodec marketCodec = new MarketCodec();
  private MarketFb market;
  private TickFb tick;

  LodestoreFbAdapter(Path dir, StoreOptions options) {
    db = Lodestores.open(dir, options);
    markets = db.table("market", KeyCodecs.UUID, marketValues);
    ticks = db.table("tick", KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP), tickValues);
  }

  @Override
  public Impl impl() {
    return Impl.LODESTORE_FB;
  }

  @Override
  public void loadMarkets(Dataset data) {
    Lodestores.inBatches(
        db,
        data.markets(),
        (txn, i) -> {
          Market m = data.market(i);
          markets.put(txn, m.oid(), marketValues.build(b -> MarketCodec.write(b, m)));
        });
  }

  @Override
  public void loadTicks(Dataset data) {
    Lodestores.inBatches(
        db,
        data.ticks(),
        (txn, i) -> {
          int s = (int) (i / data.ticksPerSeries());
          long j = i % data.ticksPerSeries();
          ticks.put(
              txn,
              Tuple2.of(data.seriesOid(s), Lodestores.instant(Dataset.tickTime(j))),
              tickValues.build(
                  b ->
                      TickFb.createTickFb(
                          b, data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j))));
        });
  }

  @Override
  public Market get(UUID oid) {
    try (Txn txn = db.beginRead()) {
      MarketFb v = markets.getInto(txn, oid, market);
      if (v == null) {
        return null;
      }
      market = v;
      return marketCodec.toRecord(v);
    }
  }

  @Override
  public double price(UUID oid) {
    try (Txn txn = db.beginRead()) {
      MarketFb v = markets.getInto(txn, oid, market);
      if (v == null) {
        return Double.NaN;
      }
      market = v;
      return v.price();
    }
  }

  @Override
  public void insert(List<Market> batch) {
    throw new UnsupportedWorkloadException(impl(), Workload.W2);
  }

  @Override
  public long scan(UUID series, long fromNanos, long toNanos) {
    return fold(
        KeyRange.closedOpen(
            Tuple2.of(series, Lodestores.instant(fromNanos)),
            Tuple2.of(series, Lodestores.instant(toNanos))));
  }

  @Override
  public long latest(UUID series, int n) {
    return fold(KeyRange.<Tuple2<UUID, Instant>>prefix(series).reversed().limit(n));
  }

  private long fold(KeyRange<Tuple2<UUID, Instant>> range) {
    long acc = Rows.EMPTY;
    try (Txn txn = db.beginRead();
        Cursor<Tuple2<UUID, Instant>, TickFb> c = ticks.select(txn, range)) {
      while (c.next()) {
        TickFb t = c.valueInto(tick);
        tick = t;
        acc = Rows.fold(acc, Lodestores.nanos(c.key().second()), t.price(), t.size());
      }
    }
    return acc;
  }

  @Override
  public void close() {
    db.close();
  }
}
