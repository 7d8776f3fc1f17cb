package org.lodestore.benchmarks.peer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.StoreConfig;
import jetbrains.exodus.env.Transaction;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Keys;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.benchmarks.data.TickCodec;
import org.lodestore.benchmarks.fbs.TickFb;

/**
 * JetBrains Xodus environments: one store per table and index (Patricia-tree stores, the layout
 * Xodus's own entity store uses), the same keys and FlatBuffers values as raw lmdbjava, and the
 * UUID-set index as a store with sorted duplicates ({@code exchange -> oid, oid, ...}). Reads run
 * in a read-only transaction per operation, writes in one exclusive transaction per batch; {@code
 * Store.add} gives insert semantics (fails if the key exists).
 *
 * <p>Durability: {@link SyncMode#SYNC} sets {@code EnvironmentConfig.setLogDurableWrite(true)}
 * (fsync on commit); {@link SyncMode#NO_SYNC} keeps Xodus's default (not durable on commit: the log
 * is written to the file at commit and fsync'ed periodically). {@link SyncMode#META_NO_SYNC} is
 * that default too: it is Xodus's closest setting (a commit survives a process crash), so at that
 * level it runs what it runs at {@code nosync}.
 *
 * <p>{@link #forThread()} shares the environment and its stores (Xodus is thread-safe); each handle
 * has its own codecs. Exclusive write transactions from several threads run one at a time, each
 * with its own commit.
 */
final class XodusAdapter implements StoreAdapter {
  private static final byte[] MAX_TIME = {-1, -1, -1, -1, -1, -1, -1, -1};

  private final StoreOptions options;

  /** Whether this adapter opened its store (and closes it): not a {@link #forThread} handle. */
  private final boolean owner;

  private final Environment env;
  private final Store markets;
  private final Store byName;
  private final Store byExchange;
  private final Store ticks;
  private final MarketCodec marketCodec = new MarketCodec();
  private final TickCodec tickCodec = new TickCodec();

  XodusAdapter(Path dir, StoreOptions options) {
    this.options = options;
    owner = true;
    env =
        Environments.newInstance(
            dir.toFile(),
            new EnvironmentConfig().setLogDurableWrite(options.sync() == SyncMode.SYNC));
    Transaction txn = env.beginExclusiveTransaction();
    StoreConfig unique = StoreConfig.WITHOUT_DUPLICATES_WITH_PREFIXING;
    markets = env.openStore("market", unique, txn);
    byName = env.openStore("market_by_name", unique, txn);
    byExchange =
        env.openStore("markets_by_exchange", StoreConfig.WITH_DUPLICATES_WITH_PREFIXING, txn);
    ticks = env.openStore("tick", unique, txn);
    txn.commit();
  }

  private XodusAdapter(XodusAdapter shared) {
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
    return new XodusAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.XODUS;
  }

  @Override
  public Market get(UUID oid) {
    Transaction txn = env.beginReadonlyTransaction();
    try {
      ByteIterable v = markets.get(txn, new ArrayByteIterable(Keys.uuid(oid)));
      return v == null ? null : marketCodec.decode(buffer(v));
    } finally {
      txn.abort();
    }
  }

  @Override
  public double price(UUID oid) {
    Transaction txn = env.beginReadonlyTransaction();
    try {
      ByteIterable v = markets.get(txn, new ArrayByteIterable(Keys.uuid(oid)));
      return v == null ? Double.NaN : marketCodec.price(buffer(v));
    } finally {
      txn.abort();
    }
  }

  @Override
  public void insert(List<Market> batch) {
    Transaction txn = env.beginExclusiveTransaction();
    boolean committed = false;
    try {
      for (Market m : batch) {
        ArrayByteIterable oid = new ArrayByteIterable(Keys.uuid(m.oid()));
        if (!markets.add(txn, oid, new ArrayByteIterable(marketCodec.encode(m)))) {
          throw new IllegalStateException("market exists: " + m.oid());
        }
        if (options.indexes() >= 1
            && !byName.add(
                txn, new ArrayByteIterable(m.name().getBytes(StandardCharsets.UTF_8)), oid)) {
          throw new IllegalStateException("market name exists: " + m.name());
        }
        if (options.indexes() >= 2) {
          byExchange.put(txn, new ArrayByteIterable(Keys.uuid(m.exchangeOid())), oid);
        }
      }
      committed = txn.commit();
      if (!committed) {
        throw new IllegalStateException("exclusive transaction failed to commit");
      }
    } finally {
      if (!committed) {
        txn.abort();
      }
    }
  }

  @Override
  public void loadTicks(Dataset data) {
    Transaction txn = env.beginExclusiveTransaction();
    try {
      int inTxn = 0;
      for (int s = 0; s < data.series(); s++) {
        UUID series = data.seriesOid(s);
        for (int j = 0; j < data.ticksPerSeries(); j++) {
          ticks.put(
              txn,
              new ArrayByteIterable(Keys.tick(series, Dataset.tickTime(j))),
              new ArrayByteIterable(
                  tickCodec.encode(
                      data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j))));
          if (++inTxn == LOAD_BATCH * 10) {
            txn.commit();
            txn = env.beginExclusiveTransaction();
            inTxn = 0;
          }
        }
      }
      txn.commit();
    } finally {
      if (!txn.isFinished()) {
        txn.abort();
      }
    }
  }

  @Override
  public long scan(UUID series, long fromNanos, long toNanos) {
    long msb = series.getMostSignificantBits();
    long lsb = series.getLeastSignificantBits();
    long acc = Rows.EMPTY;
    Transaction txn = env.beginReadonlyTransaction();
    try (Cursor c = ticks.openCursor(txn)) {
      if (c.getSearchKeyRange(new ArrayByteIterable(Keys.tick(series, fromNanos))) == null) {
        return acc;
      }
      do {
        byte[] k = c.getKey().getBytesUnsafe();
        long time = Keys.tickTime(k, 0);
        if (Keys.getLong(k, 0) != msb || Keys.getLong(k, 8) != lsb || time >= toNanos) {
          break;
        }
        TickFb t = tickCodec.wrap(buffer(c.getValue()));
        acc = Rows.fold(acc, time, t.price(), t.size());
      } while (c.getNext());
    } finally {
      txn.abort();
    }
    return acc;
  }

  @Override
  public long latest(UUID series, int n) {
    long msb = series.getMostSignificantBits();
    long lsb = series.getLeastSignificantBits();
    long acc = Rows.EMPTY;
    byte[] end = new byte[Keys.TICK_KEY_BYTES];
    Keys.uuid(series, end);
    System.arraycopy(MAX_TIME, 0, end, Keys.UUID_BYTES, MAX_TIME.length);
    Transaction txn = env.beginReadonlyTransaction();
    try (Cursor c = ticks.openCursor(txn)) {
      boolean positioned =
          c.getSearchKeyRange(new ArrayByteIterable(end)) != null ? c.getPrev() : c.getLast();
      for (int i = 0; positioned && i < n; i++) {
        byte[] k = c.getKey().getBytesUnsafe();
        if (Keys.getLong(k, 0) != msb || Keys.getLong(k, 8) != lsb) {
          break;
        }
        TickFb t = tickCodec.wrap(buffer(c.getValue()));
        acc = Rows.fold(acc, Keys.tickTime(k, 0), t.price(), t.size());
        positioned = c.getPrev();
      }
    } finally {
      txn.abort();
    }
    return acc;
  }

  @Override
  public Market getByName(String name) {
    Transaction txn = env.beginReadonlyTransaction();
    try {
      ByteIterable oid =
          byName.get(txn, new ArrayByteIterable(name.getBytes(StandardCharsets.UTF_8)));
      if (oid == null) {
        return null;
      }
      ByteIterable v = markets.get(txn, oid);
      return v == null ? null : marketCodec.decode(buffer(v));
    } finally {
      txn.abort();
    }
  }

  @Override
  public List<Market> getByExchange(UUID exchange) {
    List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
    Transaction txn = env.beginReadonlyTransaction();
    try (Cursor c = byExchange.openCursor(txn)) {
      ByteIterable oid = c.getSearchKey(new ArrayByteIterable(Keys.uuid(exchange)));
      while (oid != null) {
        ByteIterable v = markets.get(txn, oid);
        if (v != null) {
          out.add(marketCodec.decode(buffer(v)));
        }
        oid = c.getNextDup() ? c.getValue() : null;
      }
    } finally {
      txn.abort();
    }
    return out;
  }

  private static ByteBuffer buffer(ByteIterable v) {
    return ByteBuffer.wrap(v.getBytesUnsafe(), 0, v.getLength());
  }

  @Override
  public void close() {
    if (owner && env.isOpen()) {
      env.close();
    }
  }
}
