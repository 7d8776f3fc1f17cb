package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.benchmarks.data.TickCodec;
import org.lodestore.benchmarks.fbs.TickFb;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.mapdb.serializer.SerializerArrayTuple;

/**
 * MapDB 3 with {@code BTreeMap}s, memory-mapped files where supported and transactions enabled
 * (write-ahead log; {@code db.commit()} per batch). Keys use MapDB's own serializers, the way a
 * MapDB user writes them: {@code UUID} for markets, {@code (UUID, long)} tuples for ticks (time
 * order within a series), {@code (exchange UUID, oid UUID)} tuples for the UUID-set index, {@code
 * String} for the unique name index. Values are the same FlatBuffers bytes as raw lmdbjava; the
 * ~150-byte market values are stored outside the B-tree nodes ({@code valuesOutsideNodesEnable},
 * MapDB's documented setting for large values), otherwise every get deserializes a whole leaf of
 * values. MapDB reads need no transaction (they see the single global transaction's state).
 *
 * <p>Durability: {@link SyncMode#SYNC} is MapDB's default with transactions (commit syncs the log);
 * {@link SyncMode#NO_SYNC} adds {@code fileSyncDisable()}. MapDB has no level between, so {@link
 * Impl} refuses {@link SyncMode#META_NO_SYNC}.
 *
 * <p>{@link #forThread()} shares the database and its maps (MapDB's maps are thread-safe for
 * reads); each handle has its own codecs. Its one transaction per database cannot isolate
 * concurrent writers, so it does not take part in W6 ({@link Impl}).
 */
final class MapDbAdapter implements StoreAdapter {
  private final StoreOptions options;

  /** Whether this adapter opened its store (and closes it): not a {@link #forThread} handle. */
  private final boolean owner;

  private final DB db;
  private final BTreeMap<UUID, byte[]> markets;
  private final BTreeMap<String, UUID> byName;
  private final BTreeMap<Object[], Boolean> byExchange;
  private final BTreeMap<Object[], byte[]> ticks;
  private final MarketCodec marketCodec = new MarketCodec();
  private final TickCodec tickCodec = new TickCodec();

  MapDbAdapter(Path dir, StoreOptions options) {
    this.options = options;
    owner = true;
    DBMaker.Maker maker =
        DBMaker.fileDB(dir.resolve("mapdb.db").toFile())
            .fileMmapEnableIfSupported()
            .transactionEnable();
    if (options.sync() == SyncMode.NO_SYNC) {
      maker = maker.fileSyncDisable();
    }
    db = maker.make();
    markets =
        db.treeMap("market", Serializer.UUID, Serializer.BYTE_ARRAY)
            .valuesOutsideNodesEnable()
            .createOrOpen();
    byName = db.treeMap("market_by_name", Serializer.STRING, Serializer.UUID).createOrOpen();
    byExchange =
        db.treeMap(
                "markets_by_exchange",
                new SerializerArrayTuple(Serializer.UUID, Serializer.UUID),
                Serializer.BOOLEAN)
            .createOrOpen();
    ticks =
        db.treeMap(
                "tick",
                new SerializerArrayTuple(Serializer.UUID, Serializer.LONG),
                Serializer.BYTE_ARRAY)
            .createOrOpen();
    db.commit();
  }

  private MapDbAdapter(MapDbAdapter shared) {
    options = shared.options;
    owner = false;
    db = shared.db;
    markets = shared.markets;
    byName = shared.byName;
    byExchange = shared.byExchange;
    ticks = shared.ticks;
  }

  @Override
  public StoreAdapter forThread() {
    return new MapDbAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.MAPDB;
  }

  @Override
  public Market get(UUID oid) {
    byte[] v = markets.get(oid);
    return v == null ? null : marketCodec.decode(v);
  }

  @Override
  public double price(UUID oid) {
    byte[] v = markets.get(oid);
    return v == null ? Double.NaN : marketCodec.price(v);
  }

  @Override
  public void insert(List<Market> batch) {
    boolean committed = false;
    try {
      for (Market m : batch) {
        if (markets.putIfAbsent(m.oid(), marketCodec.encode(m)) != null) {
          throw new IllegalStateException("market exists: " + m.oid());
        }
        if (options.indexes() >= 1 && byName.putIfAbsent(m.name(), m.oid()) != null) {
          throw new IllegalStateException("market name exists: " + m.name());
        }
        if (options.indexes() >= 2) {
          byExchange.put(new Object[] {m.exchangeOid(), m.oid()}, Boolean.TRUE);
        }
      }
      db.commit();
      committed = true;
    } finally {
      if (!committed) {
        db.rollback();
      }
    }
  }

  @Override
  public void loadTicks(Dataset data) {
    int inTxn = 0;
    for (int s = 0; s < data.series(); s++) {
      UUID series = data.seriesOid(s);
      for (int j = 0; j < data.ticksPerSeries(); j++) {
        ticks.put(
            new Object[] {series, Dataset.tickTime(j)},
            tickCodec.encode(data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j)));
        if (++inTxn == LOAD_BATCH * 10) {
          db.commit();
          inTxn = 0;
        }
      }
    }
    db.commit();
  }

  @Override
  public long scan(UUID series, long fromNanos, long toNanos) {
    long acc = Rows.EMPTY;
    for (Map.Entry<Object[], byte[]> e :
        ticks
            .subMap(new Object[] {series, fromNanos}, true, new Object[] {series, toNanos}, false)
            .entrySet()) {
      TickFb t = tickCodec.wrap(e.getValue());
      acc = Rows.fold(acc, (Long) e.getKey()[1], t.price(), t.size());
    }
    return acc;
  }

  @Override
  public long latest(UUID series, int n) {
    long acc = Rows.EMPTY;
    int i = 0;
    for (Map.Entry<Object[], byte[]> e :
        ticks.prefixSubMap(new Object[] {series}).descendingMap().entrySet()) {
      if (i++ == n) {
        break;
      }
      TickFb t = tickCodec.wrap(e.getValue());
      acc = Rows.fold(acc, (Long) e.getKey()[1], t.price(), t.size());
    }
    return acc;
  }

  @Override
  public Market getByName(String name) {
    UUID oid = byName.get(name);
    return oid == null ? null : get(oid);
  }

  @Override
  public List<Market> getByExchange(UUID exchange) {
    List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
    for (Object[] pair : byExchange.prefixSubMap(new Object[] {exchange}).keySet()) {
      Market m = get((UUID) pair[1]);
      if (m != null) {
        out.add(m);
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (owner && !db.isClosed()) {
      db.close();
    }
  }
}
