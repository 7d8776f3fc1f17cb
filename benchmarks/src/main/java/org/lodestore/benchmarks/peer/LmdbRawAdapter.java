package org.lodestore.benchmarks.peer;

import static java.nio.ByteBuffer.allocateDirect;
import static org.lmdbjava.DbiFlags.MDB_CREATE;
import static org.lmdbjava.DbiFlags.MDB_DUPFIXED;
import static org.lmdbjava.DbiFlags.MDB_DUPSORT;
import static org.lmdbjava.GetOp.MDB_SET_KEY;
import static org.lmdbjava.GetOp.MDB_SET_RANGE;
import static org.lmdbjava.PutFlags.MDB_NOOVERWRITE;
import static org.lmdbjava.SeekOp.MDB_NEXT_DUP;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Keys;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.benchmarks.data.TickCodec;
import org.lodestore.benchmarks.fbs.TickFb;

/**
 * The baseline: what an engineer would hand-write with lmdbjava 0.9.3 for the same data, with
 * Lodestore's storage layout. One named database per table and per index (as Lodestore lays them
 * out), keys per {@link Keys}, FlatBuffers values read in place from the memory map through reused
 * flyweights, reused direct key buffers, one read transaction per operation, {@code MDB_NOTLS}.
 *
 * <pre>
 * market               oid (16)            -> MarketFb bytes
 * market_by_name       name (UTF-8)        -> oid (16)          unique: MDB_NOOVERWRITE
 * markets_by_exchange  exchange oid (16)   -> oid (16) ...      MDB_DUPSORT | MDB_DUPFIXED
 * tick                 series (16) time(8) -> TickFb bytes
 * </pre>
 *
 * <p>Durability: {@link SyncMode#SYNC} is LMDB's default (fsync on commit: data pages, then the
 * meta page); {@link SyncMode#META_NO_SYNC} opens with {@code MDB_NOMETASYNC} (the data pages
 * only); {@link SyncMode#NO_SYNC} with {@code MDB_NOSYNC}.
 *
 * <p>{@link #forThread()} shares the environment and its databases ({@code MDB_NOTLS} lets any
 * thread begin read transactions); each handle has its own buffers and flyweights and begins its
 * own transactions. Write transactions from several threads are serialised by LMDB's writer lock,
 * one commit each, as a user of lmdbjava writes them.
 */
final class LmdbRawAdapter implements StoreAdapter {
  private static final long MAP_SIZE = 64L << 30;
  private static final byte[] MAX_TIME = {-1, -1, -1, -1, -1, -1, -1, -1};

  private final StoreOptions options;

  /** Whether this adapter opened its store (and closes it): not a {@link #forThread} handle. */
  private final boolean owner;

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> markets;
  private final Dbi<ByteBuffer> byName;
  private final Dbi<ByteBuffer> byExchange;
  private final Dbi<ByteBuffer> ticks;
  private final ByteBuffer key = allocateDirect(511);
  private final ByteBuffer key2 = allocateDirect(511);
  private final ByteBuffer val = allocateDirect(4096);
  private final MarketCodec marketCodec = new MarketCodec();
  private final TickCodec tickCodec = new TickCodec();

  LmdbRawAdapter(Path dir, StoreOptions options) {
    this.options = options;
    owner = true;
    EnvFlags[] flags =
        switch (options.sync()) {
          case SYNC -> new EnvFlags[] {EnvFlags.MDB_NOTLS};
          case META_NO_SYNC -> new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOMETASYNC};
          case NO_SYNC -> new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC};
        };
    env =
        Env.create().setMapSize(MAP_SIZE).setMaxDbs(8).setMaxReaders(126).open(dir.toFile(), flags);
    markets = env.openDbi("market", MDB_CREATE);
    byName = env.openDbi("market_by_name", MDB_CREATE);
    byExchange = env.openDbi("markets_by_exchange", MDB_CREATE, MDB_DUPSORT, MDB_DUPFIXED);
    ticks = env.openDbi("tick", MDB_CREATE);
  }

  private LmdbRawAdapter(LmdbRawAdapter shared) {
    options = shared.options;
    owner = false;
    env = shared.env;
    markets = shared.markets;
    byName = shared.byName;
    byExchange = shared.byExchange;
    ticks = shared.ticks;
  }

  @Override
  public StoreAdapter forThread() {
    return new LmdbRawAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.LMDBJAVA_RAW;
  }

  @Override
  public Market get(UUID oid) {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer v = markets.get(txn, Keys.uuid(oid, key));
      return v == null ? null : marketCodec.decode(v);
    }
  }

  @Override
  public double price(UUID oid) {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer v = markets.get(txn, Keys.uuid(oid, key));
      return v == null ? Double.NaN : marketCodec.price(v);
    }
  }

  @Override
  public void insert(List<Market> batch) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      for (Market m : batch) {
        Keys.uuid(m.oid(), key);
        if (!markets.put(txn, key, marketCodec.encode(m, val), MDB_NOOVERWRITE)) {
          throw new IllegalStateException("market exists: " + m.oid());
        }
        if (options.indexes() >= 1) {
          nameKey(m.name());
          if (!byName.put(txn, key2, key, MDB_NOOVERWRITE)) {
            throw new IllegalStateException("market name exists: " + m.name());
          }
        }
        if (options.indexes() >= 2) {
          byExchange.put(txn, Keys.uuid(m.exchangeOid(), key2), key);
        }
      }
      txn.commit();
    }
  }

  @Override
  public void loadTicks(Dataset data) {
    Txn<ByteBuffer> txn = env.txnWrite();
    try {
      int inTxn = 0;
      for (int s = 0; s < data.series(); s++) {
        UUID series = data.seriesOid(s);
        for (int j = 0; j < data.ticksPerSeries(); j++) {
          Keys.tick(series, Dataset.tickTime(j), key);
          val.clear();
          val.put(
                  tickCodec.encode(
                      data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j)))
              .flip();
          ticks.put(txn, key, val);
          if (++inTxn == LOAD_BATCH * 10) {
            txn.commit();
            txn.close();
            txn = env.txnWrite();
            inTxn = 0;
          }
        }
      }
      txn.commit();
    } finally {
      txn.close();
    }
  }

  @Override
  public long scan(UUID series, long fromNanos, long toNanos) {
    long msb = series.getMostSignificantBits();
    long lsb = series.getLeastSignificantBits();
    long acc = Rows.EMPTY;
    try (Txn<ByteBuffer> txn = env.txnRead();
        Cursor<ByteBuffer> c = ticks.openCursor(txn)) {
      if (!c.get(Keys.tick(series, fromNanos, key), MDB_SET_RANGE)) {
        return acc;
      }
      do {
        ByteBuffer k = c.key().order(ByteOrder.BIG_ENDIAN);
        long time = k.getLong(16) ^ Long.MIN_VALUE;
        if (k.getLong(0) != msb || k.getLong(8) != lsb || time >= toNanos) {
          break;
        }
        TickFb t = tickCodec.wrap(c.val());
        acc = Rows.fold(acc, time, t.price(), t.size());
      } while (c.next());
    }
    return acc;
  }

  @Override
  public long latest(UUID series, int n) {
    long msb = series.getMostSignificantBits();
    long lsb = series.getLeastSignificantBits();
    long acc = Rows.EMPTY;
    try (Txn<ByteBuffer> txn = env.txnRead();
        Cursor<ByteBuffer> c = ticks.openCursor(txn)) {
      key.clear();
      key.putLong(msb).putLong(lsb).put(MAX_TIME).flip();
      boolean positioned = c.get(key, MDB_SET_RANGE) ? c.prev() : c.last();
      for (int i = 0; positioned && i < n; i++) {
        ByteBuffer k = c.key().order(ByteOrder.BIG_ENDIAN);
        if (k.getLong(0) != msb || k.getLong(8) != lsb) {
          break;
        }
        TickFb t = tickCodec.wrap(c.val());
        acc = Rows.fold(acc, k.getLong(16) ^ Long.MIN_VALUE, t.price(), t.size());
        positioned = c.prev();
      }
    }
    return acc;
  }

  @Override
  public Market getByName(String name) {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer oid = byName.get(txn, nameKey(name));
      if (oid == null) {
        return null;
      }
      key.clear();
      key.put(oid).flip();
      ByteBuffer v = markets.get(txn, key);
      return v == null ? null : marketCodec.decode(v);
    }
  }

  @Override
  public List<Market> getByExchange(UUID exchange) {
    List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
    try (Txn<ByteBuffer> txn = env.txnRead();
        Cursor<ByteBuffer> c = byExchange.openCursor(txn)) {
      if (!c.get(Keys.uuid(exchange, key2), MDB_SET_KEY)) {
        return out;
      }
      do {
        key.clear();
        key.put(c.val()).flip();
        ByteBuffer v = markets.get(txn, key);
        if (v != null) {
          out.add(marketCodec.decode(v));
        }
      } while (c.seek(MDB_NEXT_DUP));
    }
    return out;
  }

  private ByteBuffer nameKey(String name) {
    key2.clear();
    key2.put(name.getBytes(StandardCharsets.UTF_8)).flip();
    return key2;
  }

  @Override
  public void close() {
    if (owner) {
      env.close();
    }
  }
}
