package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.serializers.CborCodec;

/**
 * Lodestore through its public API with CBOR values ({@link CborCodec} over Jackson): the {@link
 * Market} record itself is the stored type, so a get decodes straight into the typed result, and a
 * one-field read decodes the whole value (CBOR has no random access).
 *
 * <p>W2 and W5 need store-schema's maintained indexes and are not written yet ({@link Impl} lists
 * them as pending); the markets are loaded with plain {@code Table.put}.
 */
final class LodestoreCborAdapter implements StoreAdapter {
  /** The CBOR value of a tick; its time is in the key. */
  public record TickValue(double price, double size, long sequence) {}

  private final Database db;
  private final Table<UUID, Market> markets;
  private final Table<Tuple2<UUID, Instant>, TickValue> ticks;

  LodestoreCborAdapter(Path dir, StoreOptions options) {
    db = Lodestores.open(dir, options);
    markets = db.table("market", KeyCodecs.UUID, CborCodec.of(Market.class));
    ticks =
        db.table(
            "tick",
            KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
            CborCodec.of(TickValue.class));
  }

  @Override
  public Impl impl() {
    return Impl.LODESTORE_CBOR;
  }

  @Override
  public void loadMarkets(Dataset data) {
    Lodestores.inBatches(
        db,
        data.markets(),
        (txn, i) -> {
          Market m = data.market(i);
          markets.put(txn, m.oid(), m);
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
              new TickValue(data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j)));
        });
  }

  @Override
  public Market get(UUID oid) {
    try (Txn txn = db.beginRead()) {
      return markets.get(txn, oid);
    }
  }

  @Override
  public double price(UUID oid) {
    try (Txn txn = db.beginRead()) {
      Market m = markets.get(txn, oid);
      return m == null ? Double.NaN : m.price();
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
        Cursor<Tuple2<UUID, Instant>, TickValue> c = ticks.select(txn, range)) {
      while (c.next()) {
        TickValue t = c.value();
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
