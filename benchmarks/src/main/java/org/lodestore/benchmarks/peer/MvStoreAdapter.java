package org.lodestore.benchmarks.peer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.tx.Transaction;
import org.h2.mvstore.tx.TransactionMap;
import org.h2.mvstore.tx.TransactionStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Keys;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.benchmarks.data.TickCodec;
import org.lodestore.benchmarks.fbs.TickFb;

/**
 * H2's MVStore with a {@link TransactionStore}: every read and write runs in an MVStore
 * transaction. Maps are {@code byte[] -> byte[]} with {@link ByteArrayDataType} (unsigned
 * lexicographic order), holding the same keys and FlatBuffers values as raw lmdbjava; the UUID-set
 * index is a map keyed by {@code exchange (16) + oid (16)}. Per operation the adapter begins a
 * transaction and binds the already opened maps to it ({@code getInstance}), rather than looking
 * maps up by name.
 *
 * <p>Durability: {@link SyncMode#SYNC} follows each transaction commit with {@code
 * MVStore.commit()} and {@code sync()} (write the chunk, fsync); {@link SyncMode#META_NO_SYNC} with
 * {@code MVStore.commit()} only (the chunk is written to the file, not fsync'ed: a commit survives
 * a process crash); {@link SyncMode#NO_SYNC} leaves persistence to MVStore's background auto-commit
 * (H2's default, up to about a second of loss).
 *
 * <p>{@link #forThread()} shares the store, its transaction store and maps (MVStore is
 * thread-safe); each handle has its own codecs and begins its own transactions.
 */
final class MvStoreAdapter implements StoreAdapter {
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] MAX_UUID = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
  };

  private final StoreOptions options;

  /** Whether this adapter opened the store (and closes it), or is a {@link #forThread} handle. */
  private final boolean owner;

  private final MVStore store;
  private final TransactionStore transactions;
  private final TransactionMap<byte[], byte[]> markets;
  private final TransactionMap<byte[], byte[]> byName;
  private final TransactionMap<byte[], byte[]> byExchange;
  private final TransactionMap<byte[], byte[]> ticks;
  private final MarketCodec marketCodec = new MarketCodec();
  private final TickCodec tickCodec = new TickCodec();

  MvStoreAdapter(Path dir, StoreOptions options) {
    this.options = options;
    owner = true;
    store = new MVStore.Builder().fileName(dir.resolve("h2.mv.db").toString()).open();
    transactions = new TransactionStore(store);
    transactions.init();
    Transaction tx = transactions.begin();
    markets = tx.openMap("market", ByteArrayDataType.INSTANCE, ByteArrayDataType.INSTANCE);
    byName = tx.openMap("market_by_name", ByteArrayDataType.INSTANCE, ByteArrayDataType.INSTANCE);
    byExchange =
        tx.openMap("markets_by_exchange", ByteArrayDataType.INSTANCE, ByteArrayDataType.INSTANCE);
    ticks = tx.openMap("tick", ByteArrayDataType.INSTANCE, ByteArrayDataType.INSTANCE);
    tx.commit();
  }

  private MvStoreAdapter(MvStoreAdapter shared) {
    options = shared.options;
    owner = false;
    store = shared.store;
    transactions = shared.transactions;
    markets = shared.markets;
    byName = shared.byName;
    byExchange = shared.byExchange;
    ticks = shared.ticks;
  }

  @Override
  public StoreAdapter forThread() {
    return new MvStoreAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.H2_MVSTORE;
  }

  @Override
  public Market get(UUID oid) {
    Transaction tx = transactions.begin();
    try {
      byte[] v = markets.getInstance(tx).get(Keys.uuid(oid));
      return v == null ? null : marketCodec.decode(v);
    } finally {
      tx.commit();
    }
  }

  @Override
  public double price(UUID oid) {
    Transaction tx = transactions.begin();
    try {
      byte[] v = markets.getInstance(tx).get(Keys.uuid(oid));
      return v == null ? Double.NaN : marketCodec.price(v);
    } finally {
      tx.commit();
    }
  }

  @Override
  public void insert(List<Market> batch) {
    Transaction tx = transactions.begin();
    boolean committed = false;
    try {
      TransactionMap<byte[], byte[]> m = markets.getInstance(tx);
      TransactionMap<byte[], byte[]> n = byName.getInstance(tx);
      TransactionMap<byte[], byte[]> x = byExchange.getInstance(tx);
      for (Market market : batch) {
        byte[] oid = Keys.uuid(market.oid());
        if (m.putIfAbsent(oid, marketCodec.encode(market)) != null) {
          throw new IllegalStateException("market exists: " + market.oid());
        }
        if (options.indexes() >= 1 && n.putIfAbsent(utf8(market.name()), oid) != null) {
          throw new IllegalStateException("market name exists: " + market.name());
        }
        if (options.indexes() >= 2) {
          x.put(pair(market.exchangeOid(), oid), EMPTY);
        }
      }
      tx.commit();
      committed = true;
    } finally {
      if (!committed) {
        tx.rollback();
      }
    }
    durable();
  }

  private void durable() {
    switch (options.sync()) {
      case SYNC -> {
        store.commit();
        store.sync();
      }
      case META_NO_SYNC -> store.commit();
      case NO_SYNC -> {}
    }
  }

  @Override
  public void loadTicks(Dataset data) {
    Transaction tx = transactions.begin();
    TransactionMap<byte[], byte[]> t = ticks.getInstance(tx);
    int inTxn = 0;
    for (int s = 0; s < data.series(); s++) {
      UUID series = data.seriesOid(s);
      for (int j = 0; j < data.ticksPerSeries(); j++) {
        t.put(
            Keys.tick(series, Dataset.tickTime(j)),
            tickCodec.encode(data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j)));
        if (++inTxn == LOAD_BATCH) {
          tx.commit();
          tx = transactions.begin();
          t = ticks.getInstance(tx);
          inTxn = 0;
        }
      }
    }
    tx.commit();
    store.commit();
    store.sync();
  }

  @Override
  public long scan(UUID series, long fromNanos, long toNanos) {
    Transaction tx = transactions.begin();
    try {
      Iterator<Map.Entry<byte[], byte[]>> it =
          ticks
              .getInstance(tx)
              .entryIterator(Keys.tick(series, fromNanos), Keys.tick(series, toNanos), false);
      long acc = Rows.EMPTY;
      while (it.hasNext()) {
        Map.Entry<byte[], byte[]> e = it.next();
        long time = Keys.tickTime(e.getKey(), 0);
        if (time >= toNanos) {
          break;
        }
        TickFb t = tickCodec.wrap(e.getValue());
        acc = Rows.fold(acc, time, t.price(), t.size());
      }
      return acc;
    } finally {
      tx.commit();
    }
  }

  @Override
  public long latest(UUID series, int n) {
    Transaction tx = transactions.begin();
    try {
      Iterator<Map.Entry<byte[], byte[]>> it =
          ticks
              .getInstance(tx)
              .entryIterator(
                  Keys.tick(series, Long.MAX_VALUE), Keys.tick(series, Long.MIN_VALUE), true);
      long acc = Rows.EMPTY;
      for (int i = 0; i < n && it.hasNext(); i++) {
        Map.Entry<byte[], byte[]> e = it.next();
        TickFb t = tickCodec.wrap(e.getValue());
        acc = Rows.fold(acc, Keys.tickTime(e.getKey(), 0), t.price(), t.size());
      }
      return acc;
    } finally {
      tx.commit();
    }
  }

  @Override
  public Market getByName(String name) {
    Transaction tx = transactions.begin();
    try {
      byte[] oid = byName.getInstance(tx).get(utf8(name));
      if (oid == null) {
        return null;
      }
      byte[] v = markets.getInstance(tx).get(oid);
      return v == null ? null : marketCodec.decode(v);
    } finally {
      tx.commit();
    }
  }

  @Override
  public List<Market> getByExchange(UUID exchange) {
    Transaction tx = transactions.begin();
    try {
      byte[] from = pair(exchange, new byte[Keys.UUID_BYTES]);
      byte[] to = pair(exchange, MAX_UUID);
      Iterator<byte[]> it = byExchange.getInstance(tx).keyIterator(from, to, false);
      TransactionMap<byte[], byte[]> m = markets.getInstance(tx);
      List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
      while (it.hasNext()) {
        byte[] v = m.get(Arrays.copyOfRange(it.next(), Keys.UUID_BYTES, 2 * Keys.UUID_BYTES));
        if (v != null) {
          out.add(marketCodec.decode(v));
        }
      }
      return out;
    } finally {
      tx.commit();
    }
  }

  private static byte[] pair(UUID first, byte[] second) {
    byte[] out = new byte[2 * Keys.UUID_BYTES];
    Keys.uuid(first, out);
    System.arraycopy(second, 0, out, Keys.UUID_BYTES, Keys.UUID_BYTES);
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (owner && !store.isClosed()) {
      transactions.close();
      store.close();
    }
  }
}
