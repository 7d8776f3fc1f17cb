package org.lodestore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.CopyFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Stat;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LMDB environment: a directory holding {@code data.mdb} and {@code lock.mdb}, with its tables.
 *
 * <pre>{@code
 * try (Database db = Database.open(Path.of("orders.db"))) {
 *   Table<UUID, String> names = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
 *   db.write(txn -> names.put(txn, id, "Ada"));
 *   String name = db.readAndGet(txn -> names.get(txn, id));
 * }
 * }</pre>
 *
 * <h2>Transactions</h2>
 *
 * Work happens in transactions: {@link #beginRead()} and {@link #beginWrite()} return {@link Txn}s
 * to use with try-with-resources (closing without commit aborts), or {@link #read}/{@link
 * #readAndGet} and {@link #write}/{@link #writeAndGet} run a function in one and commit or abort
 * for you (the {@code ...AndGet} forms return the function's result). A read transaction sees
 * committed data only, so one begun inside a write does not see that write's changes: read through
 * the write's own transaction for those. One write transaction exists at a time per database (a
 * second {@code beginWrite()} on another thread waits, {@link #beginWrite(Duration)} and {@link
 * DatabaseOptions#writeTimeout()} at most so long); read transactions run concurrently with it and
 * with each other, each on a consistent snapshot. Concurrent {@link #write} calls share commits
 * (group commit, see {@link #write} and {@link DatabaseOptions.Builder#groupCommit(boolean)}), each
 * isolated in a nested transaction.
 *
 * <h2>Map size</h2>
 *
 * LMDB stores everything in one memory map of fixed size. When a write inside {@link #write} finds
 * the map full, the database waits for open transactions to finish, grows the map (doubling up to 1
 * GiB, then by 1 GiB, never past {@link DatabaseOptions#maxMapSize()}), and runs the function
 * again; the function must therefore have no effects outside the transaction. An explicit write
 * transaction gets {@link MapFullException} instead.
 *
 * <h2>Thread safety and lifetime</h2>
 *
 * A database is thread-safe. One environment exists per database per process: a second {@code open}
 * of the same files fails until the first is closed, whatever path reaches them (the files are
 * identified by device and inode, so a symbolic link, a hard link or a bind mount is the same
 * database). Write transactions may be begun from virtual threads (JDK 21+): LMDB's write lock is
 * then taken and released on a platform thread of the database. A write transaction whose thread
 * ended without closing it is discarded (a WARN log names the thread) when the next writer waits
 * for it or the database closes. {@link #close()} is idempotent and safe with transactions still
 * open: they are aborted (a write transaction owned by another thread is aborted when that thread
 * closes it, and the environment is released then), and every later use of them, their cursors or
 * their zero-copy views fails with {@link InvalidStateException} or {@link
 * IndexOutOfBoundsException} instead of reading unmapped memory.
 */
public final class Database implements AutoCloseable {

  // The facade over the parts, each package-private with its design note: TxnGate (admission of
  // transactions, map growth, close), TableRegistry (table handles), WriteLock (one writer of the
  // process, virtual threads), GroupCommit (concurrent db.write calls sharing a commit).

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** LMDB's limit on key length (and on the length of members of set tables). */
  public static final int MAX_KEY_BYTES = 511;

  /** Names of Lodestore's own tables start with it; {@link #table} and the like refuse them. */
  private static final String RESERVED_PREFIX = "__";

  /**
   * Open databases by the identities of their files (see {@link #identities}): a directory reached
   * through a bind mount, or files reached through hard links, are the same database. Opens are
   * serialised on this map.
   */
  private static final Map<Object, Database> OPEN = new ConcurrentHashMap<>();

  final Env<ByteBuffer> env;

  /** Where keys and values LMDB returns may lie; checked before Java reads them. */
  final StoredBounds bounds;

  private final Path path;
  private final DatabaseOptions options;

  /** The open table handles; see {@link TableRegistry}. */
  private final TableRegistry registry;

  /** The change feed's storage, or null without a feed; set once, right after the constructor. */
  private volatile FeedLog feedLog;

  private volatile ChangeFeed feed;

  /** Admits transactions, grows the map, releases the environment; see {@link TxnGate}. */
  final TxnGate gate;

  /** The options' listener, guarded; null without one (the one check of every event site). */
  final GuardedListener listener;

  private volatile Txn writer;

  /** Admits one write transaction of this process at a time; see {@link WriteLock}. */
  final WriteLock writeLock;

  /** Groups concurrent {@link #write} calls into shared commits; null when turned off. */
  private final GroupCommit group;

  /** Write transactions begun since the last reader check; touched only by the permit holder. */
  private int writesSinceReaderCheck;

  private long lastReaderCheck = System.nanoTime();
  private final java.util.concurrent.atomic.AtomicLong staleReadersCleared =
      new java.util.concurrent.atomic.AtomicLong();

  private Database(final Path path, final Env<ByteBuffer> env, final DatabaseOptions options) {
    this.path = path;
    this.env = env;
    this.options = options;
    this.listener = GuardedListener.of(options.listener().orElse(null));
    this.writeLock = new WriteLock(path.toString());
    this.gate = new TxnGate(this, env, options);
    this.registry = new TableRegistry(this, env, options);
    this.bounds = new StoredBounds(env, gate.lock, gate::envClosed, path, env.stat().pageSize);
    this.group = options.groupCommit() && !options.readOnly() ? new GroupCommit(this) : null;
  }

  /**
   * Opens (creating if missing) the database in directory {@code dir} with default options.
   *
   * @param dir the directory
   * @return the open database
   * @throws LodestoreException if the directory cannot be opened, is already open in this process,
   *     or the JVM lacks the flags lmdbjava needs (the message names them)
   * @throws CorruptDatabaseException if {@code data.mdb} is truncated, not an LMDB file, or damaged
   *     where the check at open looks (meta pages, the tables' records and root pages)
   * @throws StorageFullException if a new database finds no room on the disk
   */
  public static Database open(final Path dir) {
    return open(dir, DatabaseOptions.defaults());
  }

  /**
   * Opens (creating if missing, unless read-only) the database in directory {@code dir}.
   *
   * @param dir the directory
   * @param options how to open it
   * @return the open database
   * @throws LodestoreException if the directory cannot be opened, is already open in this process,
   *     or the JVM lacks the flags lmdbjava needs (the message names them)
   * @throws CorruptDatabaseException if {@code data.mdb} is truncated, not an LMDB file, or damaged
   *     where the check at open looks (meta pages, the tables' records and root pages)
   * @throws StorageFullException if a new database finds no room on the disk
   */
  public static Database open(final Path dir, final DatabaseOptions options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    JvmAccess.check();
    final Path canonical;
    try {
      if (!options.readOnly()) {
        Files.createDirectories(dir);
      }
      canonical = dir.toRealPath();
    } catch (IOException e) {
      throw DataFiles.ioFailure("cannot open database directory " + dir, dir, e);
    }
    final Database db;
    synchronized (OPEN) {
      // Checked before LMDB opens anything: a second environment on the same lock.mdb would, when
      // closed, drop this process's POSIX locks on it (they belong to the process and the file, not
      // to a descriptor), and another process would then reset the reader table under our readers.
      for (final Object identity : identities(canonical)) {
        final Database existing = OPEN.get(identity);
        if (existing != null) {
          throw alreadyOpen(canonical, existing);
        }
      }
      preflight(canonical, options); // after the identity check: it may create lock.mdb
      db = new Database(canonical, openEnv(canonical, options), options);
      for (final Object identity : identities(canonical)) {
        OPEN.put(identity, db);
      }
    }
    if (options.changeFeed().isPresent()) {
      try {
        final FeedLog log = FeedLog.open(db, options.changeFeed().get());
        db.feed = new ChangeFeed(db, log);
        db.feedLog = log;
      } catch (RuntimeException | Error e) {
        db.close();
        throw e;
      }
    }
    db.checkReaders(); // slots of processes that died since the last open
    LOG.debug("opened {} with {}", canonical, options);
    return db;
  }

  private static LodestoreException alreadyOpen(final Path path, final Database existing) {
    final String same =
        existing.path.equals(path) ? "" : " (as " + existing.path + ": the same files)";
    return new LodestoreException(
        existing.isClosed()
            ? "database "
                + path
                + same
                + " is closing: transactions of other threads are still "
                + "open; close them first"
            : "database "
                + path
                + " is already open in this process"
                + same
                + "; share that "
                + "Database (one environment per database per process)");
  }

  /**
   * What identifies a database directory's files whatever path reaches them: the file keys (device
   * and inode on Unix) of the directory, {@code data.mdb} and {@code lock.mdb}, those that exist;
   * the canonical path where the file system has no file keys.
   */
  private static List<Object> identities(final Path dir) {
    final List<Object> ids = new ArrayList<>(3);
    ids.add(dir);
    for (final Path file : List.of(dir, dir.resolve("data.mdb"), dir.resolve("lock.mdb"))) {
      try {
        final Object key =
            Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        if (key != null) {
          ids.add(key);
        }
      } catch (IOException e) {
        // not there yet (a new database): the directory's own key covers it
      }
    }
    return ids;
  }

  /**
   * What Lodestore checks and prepares before LMDB maps the files, so that a damaged or full disk
   * is an exception rather than a SIGBUS (see {@link DataFiles}).
   */
  private static void preflight(final Path dir, final DatabaseOptions options) {
    DataFiles.checkDataFile(dir, options.readOnly());
    DataFiles.reserveLockFile(dir, options);
  }

  private static Env<ByteBuffer> openEnv(final Path dir, final DatabaseOptions options) {
    OpenCheck.run(dir);
    final EnumSet<EnvFlags> flags = EnumSet.of(EnvFlags.MDB_NOTLS);
    if (options.readOnly()) {
      flags.add(EnvFlags.MDB_RDONLY_ENV);
    }
    switch (options.durability()) {
      case NO_META_SYNC:
        flags.add(EnvFlags.MDB_NOMETASYNC);
        break;
      case NO_SYNC:
        flags.add(EnvFlags.MDB_NOSYNC);
        break;
      default:
        break;
    }
    try {
      return Env.create(ByteBufferProxy.PROXY_OPTIMAL)
          .setMapSize(options.initialMapSize())
          .setMaxDbs(options.maxTables())
          .setMaxReaders(options.maxReaders())
          .open(dir.toFile(), flags.toArray(new EnvFlags[0]));
    } catch (LmdbException e) {
      final RuntimeException error = Lmdb.translateOpen(e, dir);
      if (error instanceof StorageFullException) {
        DataFiles.resetUnfinished(dir);
      }
      throw error;
    }
  }

  /**
   * The directory this database lives in.
   *
   * @return its canonical path
   */
  public Path path() {
    return path;
  }

  /**
   * The options it was opened with.
   *
   * @return the options
   */
  public DatabaseOptions options() {
    return options;
  }

  /**
   * Whether {@link #close()} has been called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return gate.isClosed();
  }

  // ---------------------------------------------------------------- transactions

  /**
   * Begins a read transaction: a consistent snapshot, usable from any thread (one thread at a
   * time). Many may be open at once, on one thread or many, up to {@link
   * DatabaseOptions#maxReaders()}.
   *
   * @return the transaction; close it (try-with-resources)
   * @throws InvalidStateException if the database is closed
   */
  public Txn beginRead() {
    return gate.begin(true, false);
  }

  /**
   * Begins a read transaction for Lodestore's own bookkeeping (an ownership lookup, the list of
   * tables, statistics): as {@link #beginRead()}, but not reported to the listener, whose read
   * metrics are of the application's reads.
   */
  Txn beginInternalRead() {
    return gate.begin(true, false, WriteLock.NO_DEADLINE, false);
  }

  /**
   * Begins the write transaction, waiting while another thread holds one, however long. It belongs
   * to the calling thread; it sees its own writes; {@link Txn#commit()} publishes them and closing
   * without commit discards them. A read transaction begun while it is open does not see its
   * changes until it commits (see {@link #read}).
   *
   * @return the transaction; close it (try-with-resources)
   * @throws InvalidStateException if the database is closed or read-only, or this thread already
   *     holds the write transaction
   * @throws LodestoreException if the thread is interrupted while it waits
   */
  public Txn beginWrite() {
    refuseReplicaWrite();
    return beginWrite(System.nanoTime(), null);
  }

  /** A replica is written by its follower only ({@link FeedReplica#write}). */
  private void refuseReplicaWrite() {
    if (options.replica() && !FeedReplica.writing()) {
      throw new InvalidStateException(
          "database " + path + " is a replica: only its follower writes it; read it");
    }
  }

  /** Whether the calling thread may begin a write transaction here (not read-only, no replica). */
  boolean writableByCaller() {
    return !options.readOnly() && (!options.replica() || FeedReplica.writing());
  }

  /**
   * Begins the write transaction as {@link #beginWrite()} does, waiting at most {@code timeout} for
   * it: for another thread of this process that holds it, and for another process that holds LMDB's
   * write lock (in {@code lock.mdb}).
   *
   * <p>The wait for another process happens inside LMDB, which cannot be interrupted, so with a
   * timeout the transaction is begun, committed and aborted on a platform thread of the database
   * (as for virtual threads: a thread hand-off at begin and at the end, some microseconds). When
   * the caller gives up, that thread goes on waiting in LMDB, and aborts the transaction as soon as
   * LMDB grants it, when the other process commits, aborts or dies. Until then this process's other
   * writers wait (each within its own timeout), the map cannot grow (a growth waits for it, up to
   * {@link DatabaseOptions#growTimeout()}), and {@link #close()} releases the environment only
   * after it. A timed-out wait for another thread of this process leaves nothing behind.
   *
   * @param timeout the longest wait; zero takes the transaction only if it is free now
   * @return the transaction; close it (try-with-resources)
   * @throws WriteTimeoutException if the write transaction stayed taken for {@code timeout}; the
   *     message names the database and who holds it, where known
   * @throws InvalidStateException if the database is closed or read-only, or this thread already
   *     holds the write transaction
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws LodestoreException if the thread is interrupted while it waits
   */
  public Txn beginWrite(final Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    refuseReplicaWrite();
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    return beginWrite(System.nanoTime(), timeout);
  }

  /**
   * Begins the write transaction for a caller that began waiting at {@code start} ({@link
   * System#nanoTime()}), waiting until {@code timeout} after it; forever if null.
   */
  Txn beginWrite(final long start, final Duration timeout) {
    final long deadline = deadline(start, timeout);
    if (options.readOnly()) {
      throw new InvalidStateException("database " + path + " is open read-only");
    }
    if (holdsWrite(Thread.currentThread())) {
      throw new InvalidStateException(
          "this thread already holds the write transaction of "
              + path
              + "; LMDB allows one per database, and a second would wait for itself forever");
    }
    if (gate.isClosed()) {
      throw closedError();
    }
    final boolean acquired =
        writeLock.acquire(
            () -> {
              reapDeadWriter();
              if (gate.isClosed()) {
                throw closedError();
              }
            },
            deadline);
    if (!acquired) {
      throw writeTimeout(start, timeout, false);
    }
    final Txn txn;
    try {
      final boolean timed = deadline != WriteLock.NO_DEADLINE;
      txn = gate.begin(false, timed || WriteLock.isVirtual(Thread.currentThread()), deadline);
    } catch (RuntimeException | Error e) {
      writeLock.release();
      throw e;
    }
    if (txn == null) {
      // the begin waits on in LMDB, abandoned: it keeps the permit until it ended there
      if (Thread.currentThread().isInterrupted()) {
        throw new LodestoreException(
            "interrupted while waiting for the write transaction of " + path);
      }
      throw writeTimeout(start, timeout, true);
    }
    writer = txn;
    if (++writesSinceReaderCheck >= READER_CHECK_WRITES
        || System.nanoTime() - lastReaderCheck >= READER_CHECK_NANOS) {
      writesSinceReaderCheck = 0;
      lastReaderCheck = System.nanoTime();
      gate.pruneDeadThreads();
      checkReaders();
    }
    if (listener != null) {
      final long now = System.nanoTime();
      txn.begunAt = now; // its duration starts when its user has it
      listener.writeBegun(Math.max(0, now - start));
    }
    return txn;
  }

  /** The deadline ({@link System#nanoTime()}) {@code timeout} after {@code start}; null: none. */
  static long deadline(final long start, final Duration timeout) {
    if (timeout == null) {
      return WriteLock.NO_DEADLINE;
    }
    final long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      return WriteLock.NO_DEADLINE; // beyond 292 years: forever
    }
    final long deadline = start + nanos;
    return nanos > Long.MAX_VALUE / 4 || deadline == WriteLock.NO_DEADLINE
        ? WriteLock.NO_DEADLINE
        : deadline;
  }

  /**
   * The exception for a writer that began waiting at {@code start} and gave up after {@code
   * timeout}; {@code inLmdb}: while LMDB waited for its write lock (another process holds it).
   */
  WriteTimeoutException writeTimeout(
      final long start, final Duration timeout, final boolean inLmdb) {
    final Duration waited = Duration.ofNanos(System.nanoTime() - start);
    final String heldBy =
        inLmdb ? "another process (LMDB's write lock in lock.mdb)" : writeHolder();
    return new WriteTimeoutException(
        "gave up waiting for the write transaction of "
            + path
            + " after "
            + waited.toMillis()
            + " ms (timeout "
            + timeout.toMillis()
            + " ms): "
            + (heldBy == null ? "another writer holds it" : "it is held by " + heldBy)
            + (inLmdb
                ? "; a write of this process waits for that process to commit, abort or exit"
                : "")
            + "; retry later, or find what keeps it open",
        path,
        waited,
        heldBy);
  }

  /** Who holds the write transaction of this process, for a message; null if unknown. */
  private String writeHolder() {
    final Txn current = writer;
    if (current != null) {
      return "thread '" + current.owner.getName() + "' of this process";
    }
    if (writeLock.abandonedBeginPending()) {
      return "another process (LMDB's write lock in lock.mdb), which a write of this process that "
          + "timed out earlier is still waiting for";
    }
    final Thread beginning = writeLock.holder();
    if (beginning != null) {
      return "thread '"
          + beginning.getName()
          + "' of this process, which is beginning it (waiting "
          + "for LMDB's write lock in lock.mdb if another process holds that)";
    }
    return null;
  }

  /** How many write transactions, or how much time, between two checks for dead readers. */
  private static final int READER_CHECK_WRITES = 64;

  private static final long READER_CHECK_NANOS = 1_000_000_000L;

  /**
   * Frees the reader slots of processes that died with a read transaction open (LMDB's {@code
   * mdb_reader_check}): their snapshots would otherwise pin old pages forever, and their slots
   * count against {@link DatabaseOptions#maxReaders()}.
   *
   * @return how many slots were freed; 0 when {@link DatabaseOptions#clearStaleReaders()} is off
   */
  int checkReaders() {
    return options.clearStaleReaders() ? freeStaleReaders() : 0;
  }

  /** Frees dead processes' reader slots now; see {@link #checkReaders()}. */
  private int freeStaleReaders() {
    final int cleared;
    try {
      cleared = env.readerCheck();
    } catch (LmdbException | IllegalStateException e) {
      LOG.debug("reader check of {} failed: {}", path, e.toString());
      return 0;
    }
    if (cleared > 0) {
      staleReadersCleared.addAndGet(cleared);
      LOG.info("freed {} reader slot(s) of dead processes in {}", cleared, path);
    }
    return cleared;
  }

  /**
   * Discards the write transaction of a thread that ended without closing it, so that its lock
   * passes on instead of stopping every writer (see {@link WriteLock}). Its changes are lost, as
   * those of any transaction that was never committed.
   */
  void reapDeadWriter() {
    final Txn orphan = writer;
    if (orphan != null && !orphan.owner.isAlive() && orphan.abortOrphan()) {
      LOG.warn(
          "thread '{}' ended holding the write transaction of {} without closing it; its changes "
              + "were discarded",
          orphan.owner.getName(),
          path);
    }
  }

  /**
   * Begins a transaction nested in the open write transaction {@code parent}, for one caller of a
   * group commit ({@link GroupCommit}), owned by the calling thread, and registers it as any
   * transaction: growth and close wait for it. It does not wait for a growth: that waits for {@code
   * parent} anyway. While it is open it is the write transaction this thread holds (so a {@code
   * beginWrite} or {@code db.table(name)} inside it fails instead of waiting for itself).
   *
   * @throws InvalidStateException if the database is closed or {@code parent} ended
   */
  Txn beginChild(final Txn parent) {
    final Txn child = gate.beginChild(parent);
    writer = child;
    return child;
  }

  /** Called by a transaction after it ended; see {@link TxnGate#ended}. */
  void ended(final Txn txn, final LmdbReader reader, final boolean freed) {
    if (writer == txn) {
      writer = null;
    }
    gate.ended(txn, reader, freed);
    if (!txn.isReadOnly()) {
      writeLock.release();
    }
  }

  /** The newest published table handle's sequence number; see {@link TableHandle#seq}. */
  long handleSeq() {
    return registry.handleSeq();
  }

  /** Called once the environment is released: handles invalid, write lock shut, path free. */
  void released() {
    registry.invalidateAll();
    writeLock.shutdown();
    OPEN.values().removeIf(open -> open == this);
    LOG.debug("closed {}", path);
  }

  /**
   * Called by a nested transaction ({@link #beginChild}) after it ended: the write transaction is
   * its parent's again, and LMDB's write lock stays with the parent.
   */
  void endedChild(final Txn child) {
    if (writer == child) {
      writer = child.parent;
    }
    gate.endedChild(child);
  }

  /** Whether {@code thread} holds the write transaction (top-level or nested). */
  boolean holdsWrite(final Thread thread) {
    final Txn current = writer;
    return current != null && current.owner == thread;
  }

  /** How many times this process grew the map; with {@link #growAfterGroup}. */
  int growthCount() {
    return gate.growths();
  }

  /**
   * Grows the map for a {@link #write} caller whose transaction found it full, as {@link #write}
   * does, unless it grew since the caller saw {@code growthsSeen} growths: the callers of one group
   * commit that found the map full grow it once between them, not once each.
   *
   * @throws MapFullException if the map cannot grow
   * @throws InvalidStateException if closed, or if this thread holds an open transaction
   */
  void growAfterGroup(final int growthsSeen, final MapFullException full) {
    gate.growUnlessGrown(growthsSeen, full);
    retried(); // the caller runs its function again
  }

  /**
   * Runs {@code fn} in a read transaction, for reads that return nothing (use {@link #readAndGet}
   * for a result), as {@link #write(Consumer)} is to {@link #writeAndGet}.
   *
   * <p>A read transaction sees the last committed state. Called inside a {@link #write} function
   * (or while this thread holds a {@link #beginWrite()} transaction) it therefore does not see that
   * write's own changes: LMDB keeps uncommitted changes in the write transaction alone, and a read
   * transaction is a snapshot of committed data. Read through the write's {@code txn} to see them.
   * While such a read transaction is open the map cannot grow (see {@link #write}).
   *
   * @param fn the work; it must not keep zero-copy views beyond its return
   * @throws InvalidStateException if the database is closed
   */
  public void read(final Consumer<Txn> fn) {
    try (Txn txn = beginRead()) {
      fn.accept(txn);
    }
  }

  /**
   * Runs {@code fn} in a read transaction and returns its result. Sees what {@link #read(Consumer)}
   * sees: committed data only, also inside a write.
   *
   * @param fn the work; it must not keep zero-copy views beyond its return, so return copies
   * @param <R> the result type
   * @return what {@code fn} returned
   * @throws InvalidStateException if the database is closed
   */
  public <R> R readAndGet(final Function<Txn, R> fn) {
    try (Txn txn = beginRead()) {
      return fn.apply(txn);
    }
  }

  /**
   * Runs {@code fn} in a write transaction and commits; if {@code fn} throws, aborts and rethrows.
   * If the map fills up, grows it and runs {@code fn} again, so {@code fn} must not have effects
   * outside the transaction.
   *
   * <p>Growing needs every transaction of this process closed, so a thread that holds a read
   * transaction of its own while it calls {@code write} cannot have the map grown for it: when the
   * map is full, that call fails with {@link InvalidStateException} naming the open transaction
   * (close it first, or do those reads inside {@code fn}). From a virtual thread this works as from
   * any other; the transaction's LMDB lock is taken and released on a platform thread of the
   * database.
   *
   * <p><b>Group commit</b> ({@link DatabaseOptions#groupCommit()}, on by default): calls from
   * several threads that arrive while another write is running or committing wait, then share one
   * write transaction and one commit (with {@link Durability#SYNC}, one pair of fsyncs for all of
   * them). Each {@code fn} runs on its caller's thread, in arrival order, in an LMDB nested
   * transaction of its own ({@code txn} belongs to the calling thread, as always): it sees the
   * writes of the callers before it and its own; if it throws, only its changes are discarded and
   * its caller gets that exception while the others commit. Every call returns only after the
   * shared commit made its writes durable, as {@link DatabaseOptions#durability()} says; if that
   * commit fails, every caller whose writes it carried gets the failure, and nothing of them was
   * written. A call with no other writer to share with runs in a plain write transaction. When the
   * map fills up, in a caller's {@code fn} or at the shared commit, the callers concerned grow it
   * and run {@code fn} again, as above.
   *
   * <p><b>Timeout</b> ({@link DatabaseOptions#writeTimeout()}, none by default): a call that waits
   * that long for the write transaction (held by another thread of this process, by another
   * process, or by the group commits queued before it) gives up with {@link WriteTimeoutException}
   * before {@code fn} runs; see {@link #beginWrite(Duration)} for the wait on another process. Each
   * run of {@code fn} (after a growth, again) has the whole timeout for its wait; the time {@code
   * fn}, a growth and the commit take does not count, nor, once grouped, the functions of the
   * callers before it in its group.
   *
   * @param fn the work
   * @throws WriteTimeoutException if {@link DatabaseOptions#writeTimeout()} is set and ran out
   *     before the write transaction could be had; nothing of {@code fn} was written
   * @throws MapFullException only when the map cannot grow (maximum size reached, or open
   *     transactions did not finish within {@link DatabaseOptions#growTimeout()})
   * @throws InvalidStateException if the database is closed (also while the call waits or runs) or
   *     read-only, if this thread holds the write transaction, or if the map must grow while this
   *     thread holds an open transaction
   * @throws LodestoreException if the thread is interrupted while it waits to begin, or what the
   *     change feed's commit waiter threw ({@link ChangeFeed#setCommitWaiter}): then the write was
   *     committed
   */
  public void write(final Consumer<Txn> fn) {
    writeAndGet(
        txn -> {
          fn.accept(txn);
          return null;
        });
  }

  /**
   * Like {@link #write(Consumer)}, returning what {@code fn} returns. A returned zero-copy view is
   * already detached: return copies.
   *
   * @param fn the work
   * @param <R> the result type
   * @return what {@code fn} returned
   * @throws WriteTimeoutException if {@link DatabaseOptions#writeTimeout()} is set and ran out
   *     before the write transaction could be had (see {@link #write(Consumer)})
   * @throws MapFullException only when the map cannot grow
   * @throws InvalidStateException if the database is closed or read-only, if this thread holds the
   *     write transaction, or if the map must grow while this thread holds an open transaction (see
   *     {@link #write(Consumer)}, also for group commit)
   * @throws LodestoreException if the thread is interrupted while it waits to begin, or what the
   *     change feed's commit waiter threw ({@link ChangeFeed#setCommitWaiter}): then the write was
   *     committed
   */
  public <R> R writeAndGet(final Function<Txn, R> fn) {
    final ChangeFeed f = feed;
    if (f == null || !f.hasCommitWaiter()) {
      return writeAndGetUnwaited(fn);
    }
    final Txn[] ran = new Txn[1];
    final R result =
        writeAndGetUnwaited(
            txn -> {
              ran[0] = txn; // the last run is the one that committed
              return fn.apply(txn);
            });
    f.afterCommit(ran[0].committedSeq());
    return result;
  }

  /** {@link #writeAndGet} without the change feed's commit waiter. */
  private <R> R writeAndGetUnwaited(final Function<Txn, R> fn) {
    refuseReplicaWrite();
    final Duration timeout = options.writeTimeout().orElse(null);
    if (group != null && !holdsWrite(Thread.currentThread())) {
      return group.write(fn, timeout);
    }
    while (true) {
      final Txn txn = beginWrite(System.nanoTime(), timeout);
      MapFullException full = null;
      try {
        final R result = fn.apply(txn);
        txn.commit();
        return result;
      } catch (MapFullException e) {
        if (!options.autoGrow()) {
          throw e;
        }
        full = e;
      } catch (RuntimeException | Error e) {
        if (!txn.sawMapFull() || !options.autoGrow()) {
          throw e;
        }
        // fn turned the map-full failure into another exception: still a full map, so grow
      } finally {
        txn.close();
      }
      gate.resize(false, full);
      retried();
    }
  }

  /** Tells the listener that a {@link #write} runs its function again. */
  void retried() {
    if (listener != null) {
      listener.writeRetried();
    }
  }

  /** Tells the listener of a corrupt value; returns it for throwing. */
  CorruptValueException corrupt(final CorruptValueException error) {
    if (listener != null) {
      listener.corruptValue(error);
    }
    return error;
  }

  // ---------------------------------------------------------------- map growth

  /**
   * Grows the map now, as {@link #write} does when it fills up: waits (up to {@link
   * DatabaseOptions#growTimeout()}) until no transaction is open, then enlarges the map.
   *
   * @throws MapFullException if the maximum size is reached, or other threads' transactions stayed
   *     open past the timeout
   * @throws InvalidStateException if this thread holds an open transaction (LMDB can resize the map
   *     only while no transaction of this process is open, and this one would wait for itself)
   * @throws LodestoreException if LMDB cannot map the larger map (no address space left): the
   *     database is then closed, its files intact, and can be reopened
   */
  public void growMap() {
    gate.resize(false, null);
  }

  // ---------------------------------------------------------------- tables

  /**
   * Attaches a schema (or anything {@link Attachable}): its tables and indexes are created or
   * validated, and it is returned ready to use.
   *
   * <pre>{@code
   * MarketSchema s = db.attach(new MarketSchema());
   * }</pre>
   *
   * @param schema the schema
   * @param <S> its type
   * @return {@code schema}, attached
   */
  public <S extends Attachable> S attach(final S schema) {
    Objects.requireNonNull(schema, "schema").attachTo(this, new OwnerAccess(this));
    return schema;
  }

  /**
   * Opens the table {@code name}, creating it if missing, in a transaction of its own.
   *
   * @param name the table's name on disk: 1..511 UTF-8 bytes, not starting with {@code "__"}
   *     (reserved for Lodestore), never derived from a Java class name
   * @param keyCodec how keys are encoded
   * @param valueCodec how values are encoded
   * @param <K> the key type
   * @param <V> the value type
   * @return the table; if a schema owns it (see {@link OwnerAccess#claim}), its writes throw {@link
   *     SchemaMismatchException} (they would bypass the schema's indexes) and reads work
   * @throws SchemaMismatchException if {@code name} is a set table
   * @throws IllegalArgumentException if {@code name} is not a valid name or is reserved
   * @throws InvalidStateException if this thread holds the write transaction (use {@link
   *     #table(Txn, String, KeyCodec, ValueCodec)})
   */
  public <K, V> Table<K, V> table(
      final String name, final KeyCodec<K> keyCodec, final ValueCodec<V> valueCodec) {
    validateUserName(name);
    return new Table<>(registry.handle(null, name, false), keyCodec, valueCodec, false);
  }

  /**
   * Opens the table {@code name} inside {@code txn}, creating it if missing (in a write
   * transaction). If {@code txn} aborts, a table it created is gone and the returned object is
   * invalid.
   *
   * @param txn the transaction to open it in
   * @param name the table's name, as for {@link #table(String, KeyCodec, ValueCodec)}
   * @param keyCodec how keys are encoded
   * @param valueCodec how values are encoded
   * @param <K> the key type
   * @param <V> the value type
   * @return the table; writes to a table a schema owns throw {@link SchemaMismatchException}
   * @throws SchemaMismatchException if {@code name} is a set table
   * @throws IllegalArgumentException if {@code name} is not a valid name or is reserved
   */
  public <K, V> Table<K, V> table(
      final Txn txn,
      final String name,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec) {
    Objects.requireNonNull(txn, "txn");
    validateUserName(name);
    return new Table<>(registry.handle(txn, name, false), keyCodec, valueCodec, false);
  }

  /** A table for its owner: {@link OwnerAccess#table}. */
  <K, V> Table<K, V> ownedTable(
      final Txn txn,
      final String name,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec) {
    return new Table<>(registry.handle(txn, name, false), keyCodec, valueCodec, true);
  }

  /**
   * Opens the set table {@code name} (each key maps to an ordered set of members), creating it if
   * missing, in a transaction of its own.
   *
   * @param name the table's name, as for {@link #table(String, KeyCodec, ValueCodec)}
   * @param keyCodec how keys are encoded
   * @param memberCodec how members are encoded; members order by it and are at most 511 bytes
   * @param <K> the key type
   * @param <M> the member type
   * @return the set table; writes to a set table a schema owns throw {@link
   *     SchemaMismatchException}
   * @throws SchemaMismatchException if {@code name} is a plain table
   * @throws IllegalArgumentException if {@code name} is not a valid name or is reserved
   */
  public <K, M> SetTable<K, M> setTable(
      final String name, final KeyCodec<K> keyCodec, final KeyCodec<M> memberCodec) {
    validateUserName(name);
    return new SetTable<>(
        registry.handle(null, name, true, memberCodec.fixedLength() > 0),
        keyCodec,
        memberCodec,
        false);
  }

  /**
   * Opens the set table {@code name} inside {@code txn}, creating it if missing.
   *
   * @param txn the transaction to open it in
   * @param name the table's name
   * @param keyCodec how keys are encoded
   * @param memberCodec how members are encoded
   * @param <K> the key type
   * @param <M> the member type
   * @return the set table; writes to a set table a schema owns throw {@link
   *     SchemaMismatchException}
   * @throws SchemaMismatchException if {@code name} is a plain table
   * @throws IllegalArgumentException if {@code name} is not a valid name or is reserved
   */
  public <K, M> SetTable<K, M> setTable(
      final Txn txn, final String name, final KeyCodec<K> keyCodec, final KeyCodec<M> memberCodec) {
    Objects.requireNonNull(txn, "txn");
    validateUserName(name);
    return new SetTable<>(
        registry.handle(txn, name, true, memberCodec.fixedLength() > 0),
        keyCodec,
        memberCodec,
        false);
  }

  /** A set table for its owner: {@link OwnerAccess#setTable}. */
  <K, M> SetTable<K, M> ownedSetTable(
      final Txn txn, final String name, final KeyCodec<K> keyCodec, final KeyCodec<M> memberCodec) {
    return new SetTable<>(
        registry.handle(txn, name, true, memberCodec.fixedLength() > 0),
        keyCodec,
        memberCodec,
        true);
  }

  /**
   * Deletes the table (or set table) {@code name} and everything in it, inside {@code txn}. Table
   * objects of that name become invalid. Does nothing if it does not exist.
   *
   * @param txn a write transaction
   * @param name the table's name
   * @return true if it existed
   * @throws SchemaMismatchException if a schema owns the table (drop its index with {@code
   *     Schema.dropIndex}); nothing is dropped
   * @throws IllegalArgumentException if {@code name} is not a valid name or is reserved
   */
  public boolean dropTable(final Txn txn, final String name) {
    validateUserName(name);
    return drop(txn, name, false);
  }

  /** Drops {@code name}; {@code byOwner}: for its owner ({@link OwnerAccess#dropTable}). */
  boolean drop(final Txn txn, final String name, final boolean byOwner) {
    return registry.drop(txn, name, byOwner);
  }

  /** Publishes handles opened in a transaction that committed. */
  void publish(final List<TableHandle> opened) {
    registry.publish(opened);
  }

  /** See {@link TableRegistry#openIn}. */
  TableHandle openIn(final Txn txn, final String name) {
    return registry.openIn(txn, name);
  }

  /** Whether a table {@code name} exists as seen by {@code txn}. */
  boolean exists(final Txn txn, final String name) {
    return registry.exists(txn, name);
  }

  /** As {@link #exists}, in a transaction the caller has entered. */
  boolean existsIn(final Txn txn, final String name) {
    return registry.existsIn(txn, name);
  }

  /** The handle of {@code name} published by a committed transaction, or null. */
  TableHandle publishedHandle(final String name) {
    return registry.publishedHandle(name);
  }

  /**
   * As {@link TableRegistry#validateName}, and refuses the names reserved for Lodestore's own
   * tables.
   */
  private static void validateUserName(final String name) {
    TableRegistry.validateName(name);
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new IllegalArgumentException(
          "table names starting with \""
              + RESERVED_PREFIX
              + "\" are reserved for Lodestore's own "
              + "tables (such as a schema's catalog): '"
              + name
              + "'");
    }
  }

  /**
   * Whether the database holds a change feed, whether or not this process opened it with one
   * ({@link DatabaseOptions.Builder#changeFeed}). A process that writes such a database without the
   * feed makes the feed start a new generation, and its followers bootstrap again: tools that write
   * a database open it with the feed if it has one.
   *
   * @return true if a process opened it writable with a change feed once
   * @throws InvalidStateException if the database is closed
   */
  public boolean hasChangeFeed() {
    final List<String> names = tableNames();
    return names.contains(FeedLog.ENTRIES) && names.contains(FeedLog.META);
  }

  /**
   * The names of all tables in the database, including ones not opened by this process.
   *
   * @return the names, in byte order
   */
  public List<String> tableNames() {
    return registry.tableNames();
  }

  // ---------------------------------------------------------------- stats, backup, close

  /**
   * The number of transactions of this database open right now, on every thread (read and write; a
   * nested or grouped write counts with its parent). For tests that check nothing was left open,
   * such as store-testing's extension; a moment's answer under concurrency.
   *
   * @return the count
   */
  public int openTransactions() {
    return gate.activeCount();
  }

  /**
   * The current size of the memory map, in O(1) and without a transaction (for gauges; {@link
   * #stats()} has it too).
   *
   * @return bytes
   * @throws InvalidStateException if the database is closed
   */
  public long mapSize() {
    if (gate.isClosed()) {
      throw closedError();
    }
    return gate.mapSize();
  }

  /**
   * The bytes of the map in use (the last used page + 1, times the page size), in O(1) and without
   * a transaction, as {@link DatabaseStats#usedBytes()}.
   *
   * @return bytes
   * @throws InvalidStateException if the database is closed
   */
  public long usedBytes() {
    return gate.inspect(() -> (env.info().lastPageNumber + 1) * bounds.pageSize());
  }

  /**
   * The reader slots in use now, by open read transactions of any process, as {@link
   * DatabaseStats#readersInUse()}; without a transaction, in time proportional to the readers.
   *
   * @return the count
   * @throws InvalidStateException if the database is closed
   */
  public int readersInUse() {
    return gate.inspect(
        () -> {
          final int n = ReaderTable.inUse(env);
          return n >= 0 ? n : env.info().numReaders;
        });
  }

  /**
   * Sizes and per-table statistics, from a read transaction. Also frees the reader slots kept by
   * pooled read transactions of threads that ended (see {@link DatabaseOptions#readerPooling()}).
   *
   * @return the statistics
   */
  public DatabaseStats stats() {
    gate.pruneDeadThreads(); // the kept read transactions of ended threads are not in use
    final List<String> names = tableNames();
    final Map<String, TableStats> tables = new LinkedHashMap<>();
    for (final String name : names) {
      final TableHandle handle = registry.any(name);
      try (Txn txn = beginInternalRead()) {
        tables.put(name, handle.stats(txn));
      }
    }
    final EnvInfo info = env.info();
    final Stat stat = env.stat();
    final long used = (info.lastPageNumber + 1) * stat.pageSize;
    final long size = gate.mapSize();
    final int resizes = gate.growths();
    final int readers = ReaderTable.inUse(env);
    return new DatabaseStats(
        size,
        used,
        stat.pageSize,
        info.maxReaders,
        readers >= 0 ? readers : info.numReaders,
        staleReadersCleared.get(),
        resizes,
        group == null ? 0 : group.groupCommits(),
        group == null ? 0 : group.groupedWrites(),
        tables);
  }

  /**
   * The slots of LMDB's reader table in use now, by every process that has the database open: one
   * per read transaction holding a snapshot, and one per read transaction a thread keeps between
   * reads (see {@link DatabaseOptions#readerPooling()}). A slot whose process is gone is stale
   * ({@link ReaderSlot#stale()}); the database frees those by itself (unless {@link
   * DatabaseOptions#clearStaleReaders()} is off) and {@link #clearStaleReaders()} frees them now.
   *
   * @return the slots in use, in the table's order; empty where LMDB's reader list cannot be read
   * @throws InvalidStateException if the database is closed
   */
  public List<ReaderSlot> readers() {
    final List<ReaderSlot> slots = new ArrayList<>();
    gate.withEnvironment(() -> slots.addAll(ReaderTable.list(env)));
    return slots;
  }

  /**
   * Frees the reader slots of processes that died with a read transaction open (LMDB's {@code
   * mdb_reader_check}, which asks the lock file whether each slot's process still has the database
   * open), whatever {@link DatabaseOptions#clearStaleReaders()} says.
   *
   * @return how many slots were freed
   * @throws InvalidStateException if the database is closed
   */
  public int clearStaleReaders() {
    final int[] cleared = new int[1];
    gate.withEnvironment(() -> cleared[0] = freeStaleReaders());
    return cleared[0];
  }

  /**
   * Writes a compacted copy of the database (free pages omitted) to directory {@code target}, which
   * must not exist or be empty. Runs in a read transaction: writers continue meanwhile.
   *
   * <p>All or nothing: the copy goes to a temporary directory inside {@code target} and is synced
   * and renamed to {@code target/data.mdb} only when complete, so a {@code data.mdb} there is
   * always a whole backup, even if this process is killed or the disk fills up. A failed backup
   * leaves nothing; the temporary directory of a killed one is deleted by the next backup into the
   * same target.
   *
   * @param target the directory to write {@code data.mdb} into
   * @throws StorageFullException if the target's disk is full (nothing is left in the target)
   * @throws LodestoreException if the copy fails or the target holds other files
   * @throws InvalidStateException if the database is closed
   */
  public void backupTo(final Path target) {
    backupTo(target, true);
  }

  /**
   * Writes a copy of the database to directory {@code target} as {@link #backupTo(Path)} does (all
   * or nothing, writers continue meanwhile), compacted or not. A compacted copy omits the free
   * pages and renumbers the rest (smaller, and its file holds only what is used); an uncompacted
   * one copies every page of the file as it is (faster on a file with little free space).
   *
   * <p>A copy of a database with a {@linkplain ChangeFeed change feed}, opened with the feed, goes
   * on in the feed's generation: an uncompacted copy always, a compacted one if this process has
   * the feed open and nothing committed while it copied (a compacted copy numbers LMDB's
   * transactions anew, so its feed head is re-stamped before it is published); otherwise its feed
   * starts a new generation, as after writes without the feed.
   *
   * @param target the directory to write {@code data.mdb} into
   * @param compact whether to omit free pages
   * @throws StorageFullException if the target's disk is full (nothing is left in the target)
   * @throws LodestoreException if the copy fails or the target holds other files
   * @throws InvalidStateException if the database is closed
   */
  public void backupTo(final Path target, final boolean compact) {
    Objects.requireNonNull(target, "target");
    if (gate.isClosed()) {
      throw closedError();
    }
    final Path temp = DataFiles.prepareBackup(target);
    boolean published = false;
    try {
      gate.withEnvironment(
          () -> {
            try {
              if (compact) {
                final FeedLog log = feedLog;
                final long before = log == null ? -1 : log.consistentTxnId();
                env.copy(temp.toFile(), CopyFlags.MDB_CP_COMPACT);
                if (before >= 0 && log.consistentTxnId() == before) {
                  // nothing committed during the copy: it is of snapshot `before`
                  FeedLog.adoptCopy(temp, gate.mapSize(), before);
                }
              } else {
                env.copy(temp.toFile());
              }
            } catch (LmdbException e) {
              throw Lmdb.translate(e, null, null, target);
            }
          });
      DataFiles.publishBackup(temp, target);
      published = true;
    } finally {
      if (!published) {
        DataFiles.discardBackup(temp);
      }
    }
  }

  /**
   * Closes the database. Idempotent, and every call (also a repeated one) aborts the calling
   * thread's transactions at once (their cursors closed, their zero-copy views detached).
   * Transactions of other threads fail at their next operation with {@link InvalidStateException}
   * and end when their users close them, on their own threads, so a view another thread is reading
   * is never pulled from under it; the environment is released when the last of them ends. Until
   * then the same path cannot be opened again.
   */
  @Override
  public void close() {
    final FeedLog log = feedLog;
    if (log != null) {
      for (final ChangeFeed.Subscription s : log.subscriptions()) {
        s.close();
      }
    }
    reapDeadWriter();
    gate.close();
  }

  /**
   * The change feed: one entry per committed write transaction (see {@link ChangeFeed}).
   *
   * @return the feed
   * @throws InvalidStateException if the database was opened without {@link
   *     DatabaseOptions.Builder#changeFeed(FeedOptions)}
   */
  public ChangeFeed feed() {
    final ChangeFeed f = feed;
    if (f == null) {
      throw new InvalidStateException(
          "database " + path + " has no change feed: open it with DatabaseOptions.changeFeed");
    }
    return f;
  }

  /** The change feed's storage, or null. */
  FeedLog feedLog() {
    return feedLog;
  }

  /** The handle of {@code name} in write transaction {@code txn}, opened (created) as needed. */
  TableHandle internalHandle(
      final Txn txn, final String name, final boolean dupSort, final boolean dupFixed) {
    return registry.internal(txn, name, dupSort, dupFixed);
  }

  /** Drops {@code name} in write transaction {@code txn} whoever owns it; false if missing. */
  boolean dropInternal(final Txn txn, final String name) {
    return registry.drop(txn, name, true);
  }

  InvalidStateException closedError() {
    return new InvalidStateException("database " + path + " is closed");
  }

  @Override
  public String toString() {
    return "Database[" + path + (gate.isClosed() ? ", closed]" : "]");
  }
}
