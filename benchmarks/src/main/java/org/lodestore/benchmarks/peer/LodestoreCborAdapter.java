package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.schema.UniqueViolationException;
import org.lodestore.serializers.CborCodec;

/**
 * Lodestore through its public API with CBOR values ({@link CborCodec} over Jackson): the {@link
 * Market} record itself is the stored type, so a get decodes straight into the typed result, and a
 * one-field read decodes the whole value (CBOR has no random access). The schema is the one of
 * {@link LodestoreFbAdapter} with {@link CborCodec} values (keys {@code UUID} and {@code (UUID,
 * timestamp)}); its indexes read their keys from the record.
 */
final class LodestoreCborAdapter implements StoreAdapter {
  /** The CBOR value of a tick; its time is in the key. */
  public record TickValue(double price, double size, long sequence) {}

  /** The markets with their indexes, and the ticks. */
  static final class MarketSchema extends Schema {
    final SchemaTable<UUID, Market> markets;
    final SchemaTable<Tuple2<UUID, Instant>, TickValue> ticks;

    /** Unique name index; null with {@code indexes == 0}. */
    final UniqueIndex<String, UUID, Market> byName;

    /** Exchange -> markets non-unique index; null with {@code indexes < 2}. */
    final MultiIndex<UUID, UUID, Market> byExchange;

    MarketSchema(int indexes) {
      markets =
          table(Lodestores.MARKET_TABLE_OID, "market", KeyCodecs.UUID, CborCodec.of(Market.class));
      ticks =
          table(
              Lodestores.TICK_TABLE_OID,
              "tick",
              Lodestores.TICK_KEY,
              CborCodec.of(TickValue.class));
      byName =
          indexes >= 1
              ? uniqueIndex(markets, Lodestores.BY_NAME, KeyCodecs.STRING, Market::name)
              : null;
      byExchange =
          indexes >= 2
              ? index(markets, Lodestores.BY_EXCHANGE, KeyCodecs.UUID, Market::exchangeOid)
              : null;
    }
  }

  /** Whether this adapter opened its store (and closes it): not a {@link #forThread} handle. */
  private final boolean owner;

  private final Database db;
  private final MarketSchema schema;

  LodestoreCborAdapter(Path dir, StoreOptions options) {
    owner = true;
    db = Lodestores.open(dir, options);
    try {
      schema = db.attach(new MarketSchema(options.indexes()));
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  private LodestoreCborAdapter(LodestoreCborAdapter shared) {
    owner = false;
    db = shared.db;
    schema = shared.schema;
  }

  /** A handle sharing the database and its schema (this adapter keeps no per-thread state). */
  @Override
  public StoreAdapter forThread() {
    return new LodestoreCborAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.LODESTORE_CBOR;
  }

  @Override
  public void loadTicks(Dataset data) {
    Lodestores.inBatches(
        db,
        data.ticks(),
        (txn, i) -> {
          int s = (int) (i / data.ticksPerSeries());
          long j = i % data.ticksPerSeries();
          schema.ticks.put(
              txn,
              Tuple2.of(data.seriesOid(s), Lodestores.instant(Dataset.tickTime(j))),
              new TickValue(data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j)));
        });
  }

  @Override
  public Market get(UUID oid) {
    try (Txn txn = db.beginRead()) {
      return schema.markets.get(txn, oid);
    }
  }

  @Override
  public double price(UUID oid) {
    try (Txn txn = db.beginRead()) {
      Market m = schema.markets.get(txn, oid);
      return m == null ? Double.NaN : m.price();
    }
  }

  /**
   * {@code SchemaTable.insert} of each row, which checks and maintains the declared indexes; a
   * present oid ({@code insert} returns false) or name ({@link UniqueViolationException}) aborts
   * the transaction.
   */
  @Override
  public void insert(List<Market> batch) {
    try {
      db.write(
          txn -> {
            for (int i = 0, n = batch.size(); i < n; i++) {
              Market m = batch.get(i);
              if (!schema.markets.insert(txn, m.oid(), m)) {
                throw new IllegalStateException("market exists: " + m.oid());
              }
            }
          });
    } catch (UniqueViolationException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
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
    return fold(KeyRange.prefix(Lodestores.TICK_KEY, series).reversed().limit(n));
  }

  private long fold(KeyRange<Tuple2<UUID, Instant>> range) {
    long acc = Rows.EMPTY;
    try (Txn txn = db.beginRead();
        Cursor<Tuple2<UUID, Instant>, TickValue> c = schema.ticks.select(txn, range)) {
      while (c.next()) {
        TickValue t = c.value();
        acc = Rows.fold(acc, KeyCodecs.timestampNanos(c.keyView(), 16), t.price(), t.size());
      }
    }
    return acc;
  }

  /** {@code UniqueIndex.get}: index key to primary key to the decoded row. */
  @Override
  public Market getByName(String name) {
    UniqueIndex<String, UUID, Market> byName = Lodestores.required(schema.byName, "name");
    try (Txn txn = db.beginRead()) {
      return byName.get(txn, name);
    }
  }

  /**
   * {@code MultiIndex.select} (a cursor over the exchange's market oids), then {@code get} each.
   */
  @Override
  public List<Market> getByExchange(UUID exchange) {
    MultiIndex<UUID, UUID, Market> byExchange = Lodestores.required(schema.byExchange, "exchange");
    List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
    try (Txn txn = db.beginRead();
        Cursor<UUID, UUID> c = byExchange.select(txn, exchange)) {
      while (c.next()) {
        Market m = schema.markets.get(txn, c.value());
        if (m != null) {
          out.add(m);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (owner) {
      db.close();
    }
  }
}
