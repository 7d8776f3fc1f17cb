package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Keys;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.Rows;

/**
 * SQLite through xerial sqlite-jdbc, used the way its documentation recommends for this shape: WAL
 * journal, {@code WITHOUT ROWID} tables keyed by the 16-byte UUID blob, SQL indexes for the unique
 * name and the exchange, prepared statements, one connection for writes (explicit transactions) and
 * one for reads (autocommit: one implicit read transaction per statement).
 *
 * <p>The market is stored as columns (what an SQLite user would do) and read back into the same
 * {@link Market} record the key-value peers decode. Durability: {@link SyncMode#SYNC} is {@code
 * synchronous=FULL} (WAL fsync on every commit), {@link SyncMode#META_NO_SYNC} is {@code
 * synchronous=NORMAL} (the WAL is fsync'ed at checkpoints, not per commit), {@link
 * SyncMode#NO_SYNC} is {@code synchronous=OFF}.
 *
 * <p>Threads ({@link #forThread()}): the one writer connection is shared under a lock, each write
 * transaction (bind, execute, commit) holding it, as users of SQLite share a writer; each handle
 * opens its own read connection (WAL readers do not block the writer or each other).
 */
final class SqliteAdapter implements StoreAdapter {
  private static final String MARKET_COLUMNS =
      "oid, exchange_oid, name, symbol, price, quantity, created_nanos, side, note";

  /** Whether this adapter opened the writer connection (and closes it), or is a handle. */
  private final boolean owner;

  private final String url;
  private final Connection writer;

  /** Held for each write transaction on {@link #writer}, by every handle. */
  private final ReentrantLock writeLock;

  private final PreparedStatement insertMarket;
  private final Reads reads;

  /** A read connection and its prepared statements, one per handle. */
  private static final class Reads {
    final Connection reader;
    final PreparedStatement selectMarket;
    final PreparedStatement selectPrice;
    final PreparedStatement selectByName;
    final PreparedStatement selectByExchange;
    final PreparedStatement scanTicks;
    final PreparedStatement latestTicks;

    Reads(String url) throws SQLException {
      reader = DriverManager.getConnection(url);
      selectMarket =
          reader.prepareStatement("SELECT " + MARKET_COLUMNS + " FROM market WHERE oid = ?");
      selectPrice = reader.prepareStatement("SELECT price FROM market WHERE oid = ?");
      selectByName =
          reader.prepareStatement("SELECT " + MARKET_COLUMNS + " FROM market WHERE name = ?");
      selectByExchange =
          reader.prepareStatement(
              "SELECT " + MARKET_COLUMNS + " FROM market WHERE exchange_oid = ?");
      scanTicks =
          reader.prepareStatement(
              "SELECT time_nanos, price, size FROM tick"
                  + " WHERE series = ? AND time_nanos >= ? AND time_nanos < ?"
                  + " ORDER BY time_nanos");
      latestTicks =
          reader.prepareStatement(
              "SELECT time_nanos, price, size FROM tick"
                  + " WHERE series = ? ORDER BY time_nanos DESC LIMIT ?");
    }
  }

  SqliteAdapter(Path dir, StoreOptions options) throws SQLException {
    owner = true;
    url = "jdbc:sqlite:" + dir.resolve("sqlite.db");
    writer = DriverManager.getConnection(url);
    writeLock = new ReentrantLock();
    String synchronous =
        switch (options.sync()) {
          case SYNC -> "FULL";
          case META_NO_SYNC -> "NORMAL";
          case NO_SYNC -> "OFF";
        };
    try (Statement s = writer.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=" + synchronous);
      s.execute(
          "CREATE TABLE IF NOT EXISTS market (oid BLOB PRIMARY KEY, exchange_oid BLOB NOT NULL,"
              + " name TEXT NOT NULL, symbol TEXT NOT NULL, price REAL NOT NULL,"
              + " quantity INTEGER NOT NULL, created_nanos INTEGER NOT NULL,"
              + " side INTEGER NOT NULL, note TEXT NOT NULL) WITHOUT ROWID");
      if (options.indexes() >= 1) {
        s.execute("CREATE UNIQUE INDEX IF NOT EXISTS market_by_name ON market (name)");
      }
      if (options.indexes() >= 2) {
        s.execute("CREATE INDEX IF NOT EXISTS markets_by_exchange ON market (exchange_oid)");
      }
      s.execute(
          "CREATE TABLE IF NOT EXISTS tick (series BLOB NOT NULL, time_nanos INTEGER NOT NULL,"
              + " price REAL NOT NULL, size REAL NOT NULL, sequence INTEGER NOT NULL,"
              + " PRIMARY KEY (series, time_nanos)) WITHOUT ROWID");
    }
    writer.setAutoCommit(false);
    insertMarket =
        writer.prepareStatement(
            "INSERT INTO market (" + MARKET_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    reads = new Reads(url);
  }

  private SqliteAdapter(SqliteAdapter shared) throws SQLException {
    owner = false;
    url = shared.url;
    writer = shared.writer;
    writeLock = shared.writeLock;
    insertMarket = shared.insertMarket;
    reads = new Reads(url);
  }

  @Override
  public StoreAdapter forThread() {
    try {
      return new SqliteAdapter(this);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Impl impl() {
    return Impl.SQLITE;
  }

  @Override
  public Market get(UUID oid) {
    try {
      reads.selectMarket.setBytes(1, Keys.uuid(oid));
      try (ResultSet rs = reads.selectMarket.executeQuery()) {
        return rs.next() ? market(rs) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public double price(UUID oid) {
    try {
      reads.selectPrice.setBytes(1, Keys.uuid(oid));
      try (ResultSet rs = reads.selectPrice.executeQuery()) {
        return rs.next() ? rs.getDouble(1) : Double.NaN;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void insert(List<Market> batch) {
    writeLock.lock();
    try {
      try {
        for (Market m : batch) {
          insertMarket.setBytes(1, Keys.uuid(m.oid()));
          insertMarket.setBytes(2, Keys.uuid(m.exchangeOid()));
          insertMarket.setString(3, m.name());
          insertMarket.setString(4, m.symbol());
          insertMarket.setDouble(5, m.price());
          insertMarket.setLong(6, m.quantity());
          insertMarket.setLong(7, m.createdNanos());
          insertMarket.setInt(8, m.side());
          insertMarket.setString(9, m.note());
          insertMarket.executeUpdate();
        }
        writer.commit();
      } catch (SQLException e) {
        writer.rollback();
        throw new IllegalStateException("insert failed", e);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void loadTicks(Dataset data) {
    writeLock.lock();
    try (PreparedStatement ps =
        writer.prepareStatement(
            "INSERT INTO tick (series, time_nanos, price, size, sequence) VALUES (?, ?, ?, ?, ?)")) {
      int inTxn = 0;
      for (int s = 0; s < data.series(); s++) {
        byte[] series = Keys.uuid(data.seriesOid(s));
        for (int j = 0; j < data.ticksPerSeries(); j++) {
          ps.setBytes(1, series);
          ps.setLong(2, Dataset.tickTime(j));
          ps.setDouble(3, data.tickPrice(s, j));
          ps.setDouble(4, data.tickSize(s, j));
          ps.setLong(5, Dataset.tickSequence(j));
          ps.executeUpdate();
          if (++inTxn == LOAD_BATCH * 10) {
            writer.commit();
            inTxn = 0;
          }
        }
      }
      writer.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public long scan(UUID series, long fromNanos, long toNanos) {
    try {
      reads.scanTicks.setBytes(1, Keys.uuid(series));
      reads.scanTicks.setLong(2, fromNanos);
      reads.scanTicks.setLong(3, toNanos);
      return fold(reads.scanTicks);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long latest(UUID series, int n) {
    try {
      reads.latestTicks.setBytes(1, Keys.uuid(series));
      reads.latestTicks.setInt(2, n);
      return fold(reads.latestTicks);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long fold(PreparedStatement query) throws SQLException {
    long acc = Rows.EMPTY;
    try (ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        acc = Rows.fold(acc, rs.getLong(1), rs.getDouble(2), rs.getDouble(3));
      }
    }
    return acc;
  }

  @Override
  public Market getByName(String name) {
    try {
      reads.selectByName.setString(1, name);
      try (ResultSet rs = reads.selectByName.executeQuery()) {
        return rs.next() ? market(rs) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<Market> getByExchange(UUID exchange) {
    List<Market> out = new ArrayList<>(Dataset.MARKETS_PER_EXCHANGE);
    try {
      reads.selectByExchange.setBytes(1, Keys.uuid(exchange));
      try (ResultSet rs = reads.selectByExchange.executeQuery()) {
        while (rs.next()) {
          out.add(market(rs));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static Market market(ResultSet rs) throws SQLException {
    return new Market(
        Keys.uuid(rs.getBytes(1), 0),
        Keys.uuid(rs.getBytes(2), 0),
        rs.getString(3),
        rs.getString(4),
        rs.getDouble(5),
        rs.getLong(6),
        rs.getLong(7),
        (byte) rs.getInt(8),
        rs.getString(9));
  }

  @Override
  public void close() {
    try {
      reads.reader.close();
      if (owner) {
        writer.close();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
