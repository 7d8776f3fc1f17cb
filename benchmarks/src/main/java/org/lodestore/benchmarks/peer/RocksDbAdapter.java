package org.lodestore.benchmarks.peer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Keys;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.data.Rows;
import org.lodestore.benchmarks.data.TickCodec;
import org.lodestore.benchmarks.fbs.TickFb;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB through rocksdbjni with its default options (block cache, compression, no bloom filter),
 * one column family per table and per index, the same keys and FlatBuffers values as raw lmdbjava,
 * and commits as one {@link WriteBatch}. RocksDB has no secondary indexes, so the adapter maintains
 * them by hand: {@code market_by_name} ({@code name -> oid}) and {@code markets_by_exchange}
 * ({@code exchange + oid -> empty}). Inserts check the primary key and the unique name with a get
 * before writing, which is what insert semantics cost without transactions; since those gets do not
 * see the pending {@code WriteBatch}, the oids and names of the batch so far are also kept in two
 * hash sets, so a duplicate within one batch fails it like one against the store.
 *
 * <p>Reads use the allocation-free {@code get(..., byte[] value)} and iterator {@code key(byte[])}
 * / {@code value(byte[])} calls into reused arrays: RocksDB's fastest public Java read path.
 *
 * <p>Durability: {@link SyncMode#SYNC} writes with {@code WriteOptions.setSync(true)} (WAL fsync
 * per commit); {@link SyncMode#NO_SYNC} with {@code setSync(false)} (WAL written, not fsync'ed).
 * {@link SyncMode#META_NO_SYNC} is {@code setSync(false)} too: RocksDB's WAL without sync is its
 * closest setting (a commit survives a process crash), so at that level it runs what it runs at
 * {@code nosync}.
 *
 * <p>{@link #forThread()} shares the database, its column families and its (read-only) read and
 * write options, which RocksDB lets threads share; each handle has its own buffers, codecs and
 * batch sets, and writes its own {@code WriteBatch}es (RocksDB groups concurrent synced writes into
 * one WAL write itself).
 */
final class RocksDbAdapter implements StoreAdapter {
  private static final byte[] MAX_TIME = {-1, -1, -1, -1, -1, -1, -1, -1};

  static {
    RocksDB.loadLibrary();
  }

  private final StoreOptions options;

  /** Whether this adapter opened its store (and closes it): not a {@link #forThread} handle. */
  private final boolean owner;

  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle markets;
  private final ColumnFamilyHandle byName;
  private final ColumnFamilyHandle byExchange;
  private final ColumnFamilyHandle ticks;
  private final ReadOptions readOptions;
  private final WriteOptions writeOptions;
  private final byte[] key = new byte[Keys.TICK_KEY_BYTES];
  private final byte[] rowKey = new byte[2 * Keys.UUID_BYTES];
  private final byte[] value = new byte[4096];
  private final ByteBuffer valueBuffer = ByteBuffer.wrap(value);
  private final MarketCodec marketCodec = new MarketCodec();
  private final TickCodec tickCodec = new TickCodec();

  /** The oids and names of the batch being inserted (the gets do not see the WriteBatch). */
  private final Set<UUID> batchOids = new HashSet<>();

  private final Set<String> batchNames = new HashSet<>();

  RocksDbAdapter(Path dir, StoreOptions options) throws RocksDBException {
    this.options = options;
    owner = true;
    handles = new ArrayList<>();
    readOptions = new ReadOptions();
    dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    cfOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
            new ColumnFamilyDescriptor(bytes("market_by_name"), cfOptions),
            new ColumnFamilyDescriptor(bytes("markets_by_exchange"), cfOptions),
            new ColumnFamilyDescriptor(bytes("tick"), cfOptions));
    db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    markets = handles.get(0);
    byName = handles.get(1);
    byExchange = handles.get(2);
    ticks = handles.get(3);
    writeOptions = new WriteOptions().setSync(options.sync() == SyncMode.SYNC);
  }

  private RocksDbAdapter(RocksDbAdapter shared) {
    options = shared.options;
    owner = false;
    dbOptions = shared.dbOptions;
    cfOptions = shared.cfOptions;
    db = shared.db;
    handles = shared.handles;
    markets = shared.markets;
    byName = shared.byName;
    byExchange = shared.byExchange;
    ticks = shared.ticks;
    readOptions = shared.readOptions;
    writeOptions = shared.writeOptions;
  }

  @Override
  public StoreAdapter forThread() {
    return new RocksDbAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.ROCKSDB;
  }

  @Override
  public Market get(UUID oid) {
    Keys.uuid(oid, key);
    int size = read(markets, key, Keys.UUID_BYTES);
    return size < 0 ? null : marketCodec.decode(valueBuffer.clear().limit(size));
  }

  @Override
  public double price(UUID oid) {
    Keys.uuid(oid, key);
    int size = read(markets, key, Keys.UUID_BYTES);
    return size < 0 ? Double.NaN : marketCodec.price(valueBuffer.clear().limit(size));
  }

  private int read(ColumnFamilyHandle cf, byte[] k, int length) {
    try {
      int size = db.get(cf, readOptions, k, 0, length, value, 0, value.length);
      if (size > value.length) {
        throw new IllegalStateException("value larger than buffer: " + size);
      }
      return size;
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void insert(List<Market> batch) {
    batchOids.clear();
    batchNames.clear();
    try (WriteBatch wb = new WriteBatch()) {
      for (Market m : batch) {
        byte[] oid = Keys.uuid(m.oid());
        if (db.get(markets, readOptions, oid) != null || !batchOids.add(m.oid())) {
          throw new IllegalStateException("market exists: " + m.oid());
        }
        wb.put(markets, oid, marketCodec.encode(m));
        if (options.indexes() >= 1) {
          byte[] name = bytes(m.name());
          if (db.get(byName, readOptions, name) != null || !batchNames.add(m.name())) {
            throw new IllegalStateException("market name exists: " + m.name());
          }
          wb.put(byName, name, oid);
        }
        if (options.indexes() >= 2) {
          byte[] pair = new byte[2 * Keys.UUID_BYTES];
          Keys.uuid(m.exchangeOid(), pair);
          System.arraycopy(oid, 0, pair, Keys.UUID_BYTES, Keys.UUID_BYTES);
          wb.put(byExchange, pair, new byte[0]);
        }
      }
      db.write(writeOptions, wb);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void loadTicks(Dataset data) {
    try {
      WriteBatch wb = new WriteBatch();
      try {
        for (int s = 0; s < data.series(); s++) {
          UUID series = data.seriesOid(s);
          for (int j = 0; j < data.ticksPerSeries(); j++) {
            wb.put(
                ticks,
                Keys.tick(series, Dataset.tickTime(j)),
                tickCodec.encode(
                    data.tickPrice(s, j), data.tickSize(s, j), Dataset.tickSequence(j)));
            if (wb.count() == LOAD_BATCH * 10) {
              db.write(writeOptions, wb);
              wb.clear();
            }
          }
        }
        db.write(writeOptions, wb);
      } finally {
        wb.close();
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long scan(UUID series, long fromNanos, long toNanos) {
    long msb = series.getMostSignificantBits();
    long lsb = series.getLeastSignificantBits();
    long acc = Rows.EMPTY;
    try (RocksIterator it = db.newIterator(ticks, readOptions)) {
      Keys.tick(series, fromNanos, key);
      for (it.seek(key); it.isValid(); it.next()) {
        it.key(key);
        long time = Keys.tickTime(key, 0);
        if (Keys.getLong(key, 0) != msb || Keys.getLong(key, 8) != lsb || time >= toNanos) {
          break;
        }
        int size = it.value(value);
        TickFb t = tickCodec.wrap(valueBuffer.clear().limit(size));
        acc = Rows.fold(acc, time, t.price(), t.size());
      }
    }
    return acc;
  }

  @Override
  public long latest(UUID series, int n) {
    long msb = series.getMostSignificantBits();
    long lsb = series.getLeastSignificantBits();
    long acc = Rows.EMPTY;
    try (RocksIterator it = db.newIterator(ticks, readOptions)) {
      Keys.uuid(series, key);
      System.arraycopy(MAX_TIME, 0, key, Keys.UUID_BYTES, MAX_TIME.length);
      it.seekForPrev(key);
      for (int i = 0; i < n && it.isValid(); i++, it.prev()) {
        it.key(key);
        if (Keys.getLong(key, 0) != msb || Keys.getLong(key, 8) != lsb) {
          break;
        }
        int size = it.value(value);
        TickFb t = tickCodec.wrap(valueBuffer.clear().limit(size));
        acc = Rows.fold(acc, Keys.tickTime(key, 0), t.price(), t.size());
      }
    }
    return acc;
  }

  @Override
  public Market getByName(String name) {
    byte[] n = bytes(name);
    int size = read(byName, n, n.length);
    if (size < 0) {
      return null;
    }
    System.arraycopy(value, 0, key, 0, Keys.UUID_BYTES);
    size = read(markets, key, Keys.UUID_BYTES);
    return size < 0 ? null : marketCodec.decode(valueBuffer.clear().limit(size));
  }

  @Override
  public List<Market> getByExchange(UUID exchange) {
    List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
    long msb = exchange.getMostSignificantBits();
    long lsb = exchange.getLeastSignificantBits();
    try (RocksIterator it = db.newIterator(byExchange, readOptions)) {
      for (it.seek(Keys.uuid(exchange)); it.isValid(); it.next()) {
        it.key(rowKey);
        if (Keys.getLong(rowKey, 0) != msb || Keys.getLong(rowKey, 8) != lsb) {
          break;
        }
        System.arraycopy(rowKey, Keys.UUID_BYTES, key, 0, Keys.UUID_BYTES);
        int size = read(markets, key, Keys.UUID_BYTES);
        if (size >= 0) {
          out.add(marketCodec.decode(valueBuffer.clear().limit(size)));
        }
      }
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (owner && db.isOwningHandle()) {
      for (ColumnFamilyHandle h : handles) {
        h.close();
      }
      db.close();
      readOptions.close();
      writeOptions.close();
      cfOptions.close();
      dbOptions.close();
    }
  }
}
