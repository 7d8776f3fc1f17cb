package org.lodestore.benchmarks.peer;

import com.google.flatbuffers.FlatBufferBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.ToIntFunction;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.benchmarks.fbs.MarketFb;
import org.lodestore.benchmarks.fbs.TickFb;
import org.lodestore.benchmarks.fbs.UuidFb;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.micrometer.LodestoreMetrics;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.schema.UniqueViolationException;
import org.lodestore.serializers.FlatBuffersCodec;

/**
 * Lodestore through its public API with FlatBuffers values ({@link FlatBuffersCodec}): the same
 * bytes as raw lmdbjava, read in place. A store-schema {@link Schema} declares the market table
 * with its indexes (unique {@code by_name}, non-unique {@code by_exchange}, as many as {@link
 * StoreOptions#indexes()} asks for), which every insert maintains in its transaction, and the tick
 * table.
 *
 * <p>Zero-copy reads everywhere the API offers them: point gets and index lookups re-point one
 * reused {@code MarketFb} view ({@code getInto}); scans re-point one reused {@code TickFb} ({@code
 * Cursor.valueInto}); inserts build into one reused {@code MarketFb} ({@code
 * FlatBuffersCodec.build(writer, reuse)}). What still allocates per row is in the README.
 *
 * <p>Both tables are declared without value checksums (FlatBuffers' default), or with {@code
 * ValueChecksum.CRC32C} when {@link StoreOptions#valueChecksums()} asks (then every get and every
 * scanned row is checked with one CRC pass before its view is handed out).
 *
 * <p>With {@link StoreOptions#metrics()} the database has store-micrometer's {@link
 * LodestoreMetrics} as its listener (its defaults: reads timed one in 16), bound to a {@link
 * SimpleMeterRegistry} and watching the schema, as a service would run it.
 *
 * <p>With {@link StoreOptions#feed()} other than {@link FeedMode#OFF} the database keeps a change
 * feed; with {@link FeedMode#ON} a {@link FeedAcknowledger} reads and acknowledges it as a shipper
 * would, and is closed before the database.
 */
final class LodestoreFbAdapter implements StoreAdapter {

  /** The markets with their indexes, and the ticks. */
  static final class MarketSchema extends Schema {
    final SchemaTable<UUID, MarketFb> markets;
    final SchemaTable<Tuple2<UUID, Instant>, TickFb> ticks;

    /** Unique name index; null with {@code indexes == 0}. */
    final UniqueIndex<String, UUID, MarketFb> byName;

    /** Exchange -> markets non-unique index; null with {@code indexes < 2}. */
    final MultiIndex<UUID, UUID, MarketFb> byExchange;

    MarketSchema(
        FlatBuffersCodec<MarketFb> marketValues,
        FlatBuffersCodec<TickFb> tickValues,
        int indexes,
        ValueChecksum checksum) {
      markets =
          table(Lodestores.MARKET_TABLE_OID, "market", KeyCodecs.UUID, marketValues)
              .valueChecksum(checksum);
      ticks =
          table(Lodestores.TICK_TABLE_OID, "tick", Lodestores.TICK_KEY, tickValues)
              .valueChecksum(checksum);
      byName =
          indexes >= 1
              ? uniqueIndex(markets, Lodestores.BY_NAME, KeyCodecs.STRING, MarketFb::name)
              : null;
      byExchange =
          indexes >= 2
              ? index(markets, Lodestores.BY_EXCHANGE, KeyCodecs.UUID, MarketSchema::exchange)
              : null;
    }

    private static UUID exchange(MarketFb m) {
      UuidFb x = m.exchangeOid();
      return new UUID(x.msb(), x.lsb());
    }
  }

  /** Whether this adapter opened its store (and closes it): not a {@link #forThread} handle. */
  private final boolean owner;

  private final Database db;
  private final MarketSchema schema;

  /** The metrics' registry with {@link StoreOptions#metrics()}, else null. */
  private final MeterRegistry registry;

  /** The feed's reader with {@link FeedMode#ON}, else null; closed by the owner. */
  private final FeedAcknowledger acknowledger;

  /** The schema's value codecs: thread-safe (a builder per thread), shared with every handle. */
  private final FlatBuffersCodec<MarketFb> marketValues;

  private final FlatBuffersCodec<TickFb> tickValues;
  private final MarketCodec marketCodec = new MarketCodec();

  /** The market {@link #writeMarket} writes (a field, so the writer lambda captures nothing). */
  private Market writing;

  private final ToIntFunction<FlatBufferBuilder> writeMarket = b -> MarketCodec.write(b, writing);
  private final MarketFb built = new MarketFb();
  private MarketFb market;
  private TickFb tick;

  LodestoreFbAdapter(Path dir, StoreOptions options) {
    owner = true;
    marketValues = FlatBuffersCodec.of(MarketFb::getRootAsMarketFb, MarketFb::new);
    tickValues = FlatBuffersCodec.of(TickFb::getRootAsTickFb, TickFb::new);
    LodestoreMetrics metrics = null;
    if (options.metrics()) {
      metrics = new LodestoreMetrics("bench");
      registry = new SimpleMeterRegistry();
      metrics.bindTo(registry);
    } else {
      registry = null;
    }
    db = Lodestores.open(dir, options, metrics, options.feed() != FeedMode.OFF);
    try {
      schema =
          db.attach(
              new MarketSchema(
                  marketValues,
                  tickValues,
                  options.indexes(),
                  options.valueChecksums() ? ValueChecksum.CRC32C : ValueChecksum.NONE));
      if (metrics != null) {
        metrics.watch(schema);
      }
      acknowledger = options.feed() == FeedMode.ON ? new FeedAcknowledger(db) : null;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  private LodestoreFbAdapter(LodestoreFbAdapter shared) {
    owner = false;
    db = shared.db;
    schema = shared.schema;
    registry = shared.registry;
    acknowledger = shared.acknowledger;
    marketValues = shared.marketValues;
    tickValues = shared.tickValues;
  }

  /**
   * A handle sharing the database and its schema, with its own reused views and record codec; its
   * inserts are {@code db.write} calls from its own thread, which the database may commit together
   * with other threads' (group commit).
   */
  @Override
  public StoreAdapter forThread() {
    return new LodestoreFbAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.LODESTORE_FB;
  }

  /** The registry the database's metrics go to; null without {@link StoreOptions#metrics()}. */
  MeterRegistry registry() {
    return registry;
  }

  /** The database (for tests: its change feed). */
  Database database() {
    return db;
  }

  /** The feed's reader; null unless {@link FeedMode#ON}. */
  FeedAcknowledger acknowledger() {
    return acknowledger;
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
              tickValues.build(
                  b ->
                      TickFb.createTickFb(
                          b, data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j))));
        });
  }

  @Override
  public Market get(UUID oid) {
    try (Txn txn = db.beginRead()) {
      MarketFb v = schema.markets.getInto(txn, oid, market);
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
      MarketFb v = schema.markets.getInto(txn, oid, market);
      if (v == null) {
        return Double.NaN;
      }
      market = v;
      return v.price();
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
              writing = m;
              MarketFb value = marketValues.build(writeMarket, built);
              if (!schema.markets.insert(txn, m.oid(), value)) {
                throw new IllegalStateException("market exists: " + m.oid());
              }
            }
          });
    } catch (UniqueViolationException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      writing = null;
    }
  }

  /**
   * Reads the time from the key bytes with {@link Cursor#keyView()} and {@link
   * KeyCodecs#timestampNanos} (as raw lmdbjava does; {@code Cursor.key()} would decode the whole
   * (uuid, instant) tuple), price and size from the reused view.
   */
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
    TickFb t = tick;
    try (Txn txn = db.beginRead();
        Cursor<Tuple2<UUID, Instant>, TickFb> c = schema.ticks.select(txn, range)) {
      while (c.next()) {
        t = c.valueInto(t);
        acc = Rows.fold(acc, KeyCodecs.timestampNanos(c.keyView(), 16), t.price(), t.size());
      }
    }
    tick = t;
    return acc;
  }

  /** {@code UniqueIndex.key}, then {@code getInto} the reused view (zero-copy). */
  @Override
  public Market getByName(String name) {
    UniqueIndex<String, UUID, MarketFb> byName = Lodestores.required(schema.byName, "name");
    try (Txn txn = db.beginRead()) {
      UUID oid = byName.key(txn, name);
      if (oid == null) {
        return null;
      }
      MarketFb v = schema.markets.getInto(txn, oid, market);
      if (v == null) {
        return null;
      }
      market = v;
      return marketCodec.toRecord(v);
    }
  }

  /**
   * {@code MultiIndex.select} (a cursor over the exchange's market oids), then {@code getInto}
   * each.
   */
  @Override
  public List<Market> getByExchange(UUID exchange) {
    MultiIndex<UUID, UUID, MarketFb> byExchange =
        Lodestores.required(schema.byExchange, "exchange");
    List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
    MarketFb v = market;
    try (Txn txn = db.beginRead();
        Cursor<UUID, UUID> c = byExchange.select(txn, exchange)) {
      while (c.next()) {
        MarketFb row = schema.markets.getInto(txn, c.value(), v);
        if (row != null) {
          v = row;
          out.add(marketCodec.toRecord(row));
        }
      }
    }
    market = v;
    return out;
  }

  @Override
  public void close() {
    if (owner) {
      try {
        if (acknowledger != null) {
          acknowledger.close();
        }
      } finally {
        db.close();
      }
    }
  }
}
