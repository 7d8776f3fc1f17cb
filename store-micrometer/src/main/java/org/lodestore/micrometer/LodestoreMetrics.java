package org.lodestore.micrometer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseListener;
import org.lodestore.core.LodestoreException;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;

/**
 * A database's metrics in Micrometer: a {@link DatabaseListener} that feeds timers, counters and a
 * distribution summary, and a {@link MeterBinder} that registers them, with gauges of the map, the
 * readers and the rows of each declared table, in any number of registries.
 *
 * <pre>{@code
 * LodestoreMetrics metrics = new LodestoreMetrics("orders");      // tag db=orders
 * metrics.bindTo(registry);                                       // before the database opens
 * try (Database db = Database.open(dir, DatabaseOptions.builder().listener(metrics).build())) {
 *   OrderSchema s = db.attach(new OrderSchema());
 *   metrics.watch(s);                                             // map, readers, rows per table
 *   ...
 * }
 * }</pre>
 *
 * <h2>Meters</h2>
 *
 * Every meter has the tag {@code db} (the name given here) and the extra tags given here.
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #READ}</td><td>timer</td><td></td><td>read transactions, begin to end; one in
 *       {@link DatabaseListener#readTimingInterval()} (16) of them, chosen at random</td></tr>
 *   <tr><td>{@value #READS}</td><td>counter</td><td></td><td>every read transaction</td></tr>
 *   <tr><td>{@value #WRITE}</td><td>timer</td><td></td><td>write transactions, begin to end,
 *       committed or not</td></tr>
 *   <tr><td>{@value #WRITE_WAIT}</td><td>timer</td><td></td><td>the wait for the write
 *       transaction, from the call to its begin</td></tr>
 *   <tr><td>{@value #COMMIT}</td><td>timer</td><td></td><td>LMDB's commit of a write transaction
 *       (its fsyncs)</td></tr>
 *   <tr><td>{@value #COMMITS}</td><td>counter</td><td></td><td>committed write
 *       transactions</td></tr>
 *   <tr><td>{@value #ABORTS}</td><td>counter</td><td></td><td>write transactions ended without
 *       commit, and group-commit callers whose function threw</td></tr>
 *   <tr><td>{@value #RETRIES}</td><td>counter</td><td></td><td>{@code db.write} functions run
 *       again (after a map growth)</td></tr>
 *   <tr><td>{@value #GROUP_WRITES}</td><td>summary</td><td></td><td>callers per group
 *       commit</td></tr>
 *   <tr><td>{@value #GROWTHS}</td><td>counter</td><td></td><td>map growths</td></tr>
 *   <tr><td>{@value #REFUSALS}</td><td>counter</td><td>{@code table}, {@code reason} ({@code
 *       unique}, {@code constraint})</td><td>writes a schema refused</td></tr>
 *   <tr><td>{@value #CORRUPT}</td><td>counter</td><td>{@code table}</td><td>values that failed to
 *       decode or their checksum</td></tr>
 *   <tr><td>{@value #MAP_SIZE}</td><td>gauge</td><td></td><td>the map's size, bytes</td></tr>
 *   <tr><td>{@value #MAP_USED}</td><td>gauge</td><td></td><td>the map's bytes in use</td></tr>
 *   <tr><td>{@value #READERS}</td><td>gauge</td><td></td><td>reader slots in use (every
 *       process)</td></tr>
 *   <tr><td>{@value #ROWS}</td><td>gauge</td><td>{@code table}</td><td>rows of a declared
 *       table</td></tr>
 * </table>
 *
 * <p>Counters count from the moment this object exists, whether or not a registry is bound yet;
 * timers and the summary record into the registries bound at the time of the event. Gauges are
 * computed when a registry reads them, each in O(1): {@link Database#mapSize()}, {@link
 * Database#usedBytes()}, {@link Database#readersInUse()} (proportional to the readers), and a
 * table's row count from LMDB's statistics in a read transaction of its own, which is not counted
 * in {@value #READS} or {@value #READ}. After the database closed they read NaN.
 *
 * <h2>Threads and cost</h2>
 *
 * Thread-safe. The listener methods run on the database's threads (see {@link DatabaseListener});
 * each is one or two adder increments and, for timed events, one timer record per bound registry.
 * Use it as the listener of one database only: the {@code db} tag names it.
 */
public final class LodestoreMetrics implements DatabaseListener, MeterBinder {

  /** Timer: read transactions (sampled). */
  public static final String READ = "lodestore.txn.read";

  /** Counter: read transactions. */
  public static final String READS = "lodestore.txn.reads";

  /** Timer: write transactions. */
  public static final String WRITE = "lodestore.txn.write";

  /** Timer: the wait for the write transaction. */
  public static final String WRITE_WAIT = "lodestore.txn.write.wait";

  /** Timer: LMDB's commit. */
  public static final String COMMIT = "lodestore.txn.commit";

  /** Counter: commits. */
  public static final String COMMITS = "lodestore.txn.commits";

  /** Counter: write transactions ended without commit. */
  public static final String ABORTS = "lodestore.txn.aborts";

  /** Counter: {@code db.write} functions run again. */
  public static final String RETRIES = "lodestore.txn.retries";

  /** Distribution summary: callers per group commit. */
  public static final String GROUP_WRITES = "lodestore.txn.group.writes";

  /** Counter: map growths. */
  public static final String GROWTHS = "lodestore.map.growths";

  /** Counter: refused writes, by table and reason. */
  public static final String REFUSALS = "lodestore.write.refusals";

  /** Counter: corrupt values met, by table. */
  public static final String CORRUPT = "lodestore.corrupt.values";

  /** Gauge: the map's size in bytes. */
  public static final String MAP_SIZE = "lodestore.map.size";

  /** Gauge: the map's bytes in use. */
  public static final String MAP_USED = "lodestore.map.used";

  /** Gauge: reader slots in use. */
  public static final String READERS = "lodestore.readers.active";

  /** Gauge: rows of a declared table. */
  public static final String ROWS = "lodestore.table.rows";

  /** The value of the {@code table} tag when an exception names no table. */
  static final String NO_TABLE = "unknown";

  private final String name;
  private final Tags tags;
  private final int readTimingInterval;

  private final LongAdder reads = new LongAdder();
  private final LongAdder commits = new LongAdder();
  private final LongAdder aborts = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder growths = new LongAdder();

  /** Refused writes by "reason table"; corrupt values by table. Entries are never removed. */
  private final Map<List<String>, LongAdder> refusals = new ConcurrentHashMap<>();

  private final Map<String, LongAdder> corrupt = new ConcurrentHashMap<>();

  /** The meters of each bound registry that events record into. Replaced whole under lock. */
  private volatile Recorders[] bound = new Recorders[0];

  /** What to register in every registry bound, now and later (guarded by lock). */
  private final List<Consumer<MeterRegistry>> registrations = new ArrayList<>();

  private final List<MeterRegistry> registries = new ArrayList<>(); // guarded by lock
  private final Object lock = new Object();

  /** The watched database, or null (guarded by lock). */
  private Database database;

  /** The thread reading a row gauge now, whose read transaction is not counted; or null. */
  private volatile Thread gaugeReader;

  /**
   * Metrics of the database named {@code db} (the {@code db} tag), reads timed one in {@value
   * DatabaseListener#DEFAULT_READ_TIMING_INTERVAL}.
   *
   * @param db the database's name in the metrics, e.g. {@code "orders"}
   */
  public LodestoreMetrics(final String db) {
    this(db, Tags.empty(), DEFAULT_READ_TIMING_INTERVAL);
  }

  /**
   * Metrics of the database named {@code db}, with extra tags on every meter.
   *
   * @param db the database's name in the metrics
   * @param tags more tags for every meter
   * @param readTimingInterval one read transaction in how many is timed (see {@link
   *     DatabaseListener#readTimingInterval()}): 1 times all, at some tens of nanoseconds each
   * @throws IllegalArgumentException if {@code db} is empty or {@code readTimingInterval} below 1
   */
  public LodestoreMetrics(final String db, final Iterable<Tag> tags, final int readTimingInterval) {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(tags, "tags");
    if (db.isEmpty()) {
      throw new IllegalArgumentException("db must not be empty");
    }
    if (readTimingInterval < 1) {
      throw new IllegalArgumentException(
          "readTimingInterval must be at least 1: " + readTimingInterval);
    }
    this.name = db;
    this.tags = Tags.of(tags).and("db", db);
    this.readTimingInterval = readTimingInterval;
  }

  /**
   * The name given as the {@code db} tag.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  // ------------------------------------------------------------ binding

  /**
   * Registers every meter in {@code registry}: the timers, counters and summary, and the gauges of
   * what is watched now or later. May be called for several registries.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(final MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (lock) {
      if (registries.contains(registry)) {
        return;
      }
      registries.add(registry);
      registerFixed(registry);
      for (final Consumer<MeterRegistry> registration : registrations) {
        registration.accept(registry);
      }
      final Recorders[] next = Arrays.copyOf(bound, bound.length + 1);
      next[bound.length] = new Recorders(registry, tags);
      bound = next;
    }
  }

  /**
   * Adds the gauges of {@code db}: {@value #MAP_SIZE}, {@value #MAP_USED}, {@value #READERS}.
   *
   * @param db the database this object listens to
   * @return this
   * @throws IllegalArgumentException if {@code db} was not opened with this object as its listener
   *     ({@link org.lodestore.core.DatabaseOptions.Builder#listener}), or another database is
   *     watched already
   */
  public LodestoreMetrics watch(final Database db) {
    Objects.requireNonNull(db, "db");
    if (db.options().listener().orElse(null) != this) {
      throw new IllegalArgumentException(
          "database "
              + db.path()
              + " was not opened with these metrics as its listener: open it with "
              + "DatabaseOptions.builder().listener(metrics)");
    }
    synchronized (lock) {
      if (database == db) {
        return this;
      }
      if (database != null) {
        throw new IllegalArgumentException(
            "these metrics (db=" + name + ") already watch " + database.path() + ", not " + db);
      }
      database = db;
      register(r -> gauge(r, MAP_SIZE, db, Database::mapSize, BaseUnits.BYTES, "map size"));
      register(
          r ->
              gauge(
                  r, MAP_USED, db, Database::usedBytes, BaseUnits.BYTES, "bytes of the map used"));
      register(
          r ->
              gauge(
                  r,
                  READERS,
                  db,
                  Database::readersInUse,
                  "readers",
                  "reader slots in use, by every process"));
    }
    return this;
  }

  /**
   * Adds a {@value #ROWS} gauge for every table {@code schema} declares ({@link Schema#tables()},
   * tagged with its declared name), and the gauges of its database ({@link #watch(Database)}).
   *
   * @param schema a schema attached to the database this object listens to
   * @return this
   * @throws IllegalStateException if {@code schema} is not attached
   * @throws IllegalArgumentException as {@link #watch(Database)}
   */
  public LodestoreMetrics watch(final Schema schema) {
    Objects.requireNonNull(schema, "schema");
    final Database db = schema.database();
    if (db == null) {
      throw new IllegalStateException("attach the schema before watching it: db.attach(schema)");
    }
    watch(db);
    synchronized (lock) {
      for (final SchemaTable<?, ?> table : schema.tables()) {
        final Tags tableTags = Tags.of("table", table.name());
        register(
            r ->
                Gauge.builder(ROWS, table, t -> rows(db, t))
                    .tags(tags)
                    .tags(tableTags)
                    .baseUnit("rows")
                    .description("rows of the table (LMDB's entry count)")
                    .register(r));
      }
    }
    return this;
  }

  /** Adds {@code registration} to those run for every registry, and runs it for the bound ones. */
  private void register(final Consumer<MeterRegistry> registration) {
    registrations.add(registration);
    for (final MeterRegistry registry : registries) {
      registration.accept(registry);
    }
  }

  private void registerFixed(final MeterRegistry r) {
    counter(r, READS, reads, Tags.empty(), "read transactions");
    counter(r, COMMITS, commits, Tags.empty(), "committed write transactions");
    counter(r, ABORTS, aborts, Tags.empty(), "write transactions ended without commit");
    counter(r, RETRIES, retries, Tags.empty(), "db.write functions run again after a growth");
    counter(r, GROWTHS, growths, Tags.empty(), "map growths");
  }

  private void counter(
      final MeterRegistry r,
      final String meter,
      final LongAdder count,
      final Tags more,
      final String description) {
    FunctionCounter.builder(meter, count, LongAdder::doubleValue)
        .tags(tags)
        .tags(more)
        .description(description)
        .register(r);
  }

  private <T> void gauge(
      final MeterRegistry r,
      final String meter,
      final T source,
      final ToLongFunction<T> value,
      final String unit,
      final String description) {
    Gauge.builder(meter, source, s -> readGauge(value, s))
        .tags(tags)
        .baseUnit(unit)
        .description(description)
        .register(r);
  }

  /** A gauge's value: {@code value} of {@code source}, NaN once the database is closed. */
  private static <T> double readGauge(final ToLongFunction<T> value, final T source) {
    try {
      return value.applyAsLong(source);
    } catch (LodestoreException | IllegalStateException e) {
      return Double.NaN; // closed
    }
  }

  /** Rows of {@code table}, in a read transaction of its own that the metrics do not count. */
  private double rows(final Database db, final SchemaTable<?, ?> table) {
    synchronized (this) { // one gauge read at a time: gaugeReader names its thread
      gaugeReader = Thread.currentThread();
      try {
        final long rows = db.readAndGet(table::count);
        return rows;
      } catch (LodestoreException | IllegalStateException e) {
        return Double.NaN; // closed
      } finally {
        gaugeReader = null;
      }
    }
  }

  /** A counter of {@code counts} under {@code key}, created (and registered) at first use. */
  private <K> LongAdder dynamic(
      final Map<K, LongAdder> counts,
      final K key,
      final String meter,
      final Tags more,
      final String description) {
    final LongAdder existing = counts.get(key);
    if (existing != null) {
      return existing;
    }
    synchronized (lock) {
      final LongAdder again = counts.get(key);
      if (again != null) {
        return again;
      }
      final LongAdder count = new LongAdder();
      counts.put(key, count);
      register(
          r ->
              FunctionCounter.builder(meter, count, LongAdder::doubleValue)
                  .tags(tags)
                  .tags(more)
                  .description(description)
                  .register(r));
      return count;
    }
  }

  // ------------------------------------------------------------ the listener

  @Override
  public int readTimingInterval() {
    return readTimingInterval;
  }

  @Override
  public void readEnded(final long nanos) {
    if (Thread.currentThread() == gaugeReader) {
      return; // a row gauge's own read
    }
    reads.increment();
    if (nanos != UNTIMED) {
      for (final Recorders r : bound) {
        r.read.record(nanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  @Override
  public void writeBegun(final long waitNanos) {
    for (final Recorders r : bound) {
      r.writeWait.record(waitNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void writeCommitted(final long nanos, final long commitNanos) {
    commits.increment();
    for (final Recorders r : bound) {
      r.write.record(nanos, TimeUnit.NANOSECONDS);
      r.commit.record(commitNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void writeAborted(final long nanos) {
    aborts.increment();
    for (final Recorders r : bound) {
      r.write.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void writeRetried() {
    retries.increment();
  }

  @Override
  public void mapGrown(final long fromBytes, final long toBytes) {
    growths.increment();
  }

  @Override
  public void groupCommitted(final int writes) {
    for (final Recorders r : bound) {
      r.groupWrites.record(writes);
    }
  }

  @Override
  public void writeRefused(final Refusal reason, final LodestoreException error) {
    final String table = tableOf(error);
    final String why = reason.name().toLowerCase(Locale.ROOT);
    dynamic(
            refusals,
            List.of(why, table),
            REFUSALS,
            Tags.of("table", table, "reason", why),
            "writes refused by a unique index or another constraint")
        .increment();
  }

  @Override
  public void corruptValue(final CorruptValueException error) {
    final String table = tableOf(error);
    dynamic(
            corrupt,
            table,
            CORRUPT,
            Tags.of("table", table),
            "stored values that failed to decode or their checksum")
        .increment();
  }

  private static String tableOf(final LodestoreException error) {
    final String table = error.table();
    return table == null || table.isEmpty() ? NO_TABLE : table;
  }

  @Override
  public String toString() {
    return "LodestoreMetrics[db=" + name + "]";
  }

  /** The meters of one registry that events record into. */
  private static final class Recorders {
    final Timer read;
    final Timer write;
    final Timer writeWait;
    final Timer commit;
    final DistributionSummary groupWrites;

    Recorders(final MeterRegistry r, final Tags tags) {
      read =
          Timer.builder(READ)
              .tags(tags)
              .description("read transactions, begin to end (a random sample)")
              .register(r);
      write =
          Timer.builder(WRITE)
              .tags(tags)
              .description("write transactions, begin to end, committed or not")
              .register(r);
      writeWait =
          Timer.builder(WRITE_WAIT)
              .tags(tags)
              .description("waits for the write transaction")
              .register(r);
      commit =
          Timer.builder(COMMIT)
              .tags(tags)
              .description("LMDB's commits of write transactions")
              .register(r);
      groupWrites =
          DistributionSummary.builder(GROUP_WRITES)
              .tags(tags)
              .baseUnit("writes")
              .description("db.write callers whose writes one group commit carried")
              .register(r);
    }
  }
}
