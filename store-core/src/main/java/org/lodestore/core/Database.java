package org.lodestore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.CopyFlags;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
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
 *   String name = db.read(txn -> names.get(txn, id));
 * }
 * }</pre>
 *
 * <h2>Transactions</h2>
 *
 * Work happens in transactions: {@link #beginRead()} and {@link #beginWrite()} return {@link Txn}s
 * to use with try-with-resources (closing without commit aborts), or {@link #read} and {@link
 * #write} run a function in one and commit or abort for you. One write transaction exists at a time
 * per database (a second {@code beginWrite()} on another thread waits); read transactions run
 * concurrently with it and with each other, each on a consistent snapshot. Concurrent {@link
 * #write} calls share commits (group commit, see {@link #write} and {@link
 * DatabaseOptions.Builder#groupCommit(boolean)}), each isolated in a nested transaction.
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
 * A database is thread-safe. One environment exists per database per process: a second {@code
 * open} of the same files fails until the first is closed, whatever path reaches them (the files
 * are identified by device and inode, so a symbolic link, a hard link or a bind mount is the same
 * database). Write transactions may be begun from virtual threads (JDK 21+): LMDB's write lock is
 * then taken and released on a platform thread of the database. A write transaction whose thread
 * ended without closing it is discarded (a WARN log names the thread) when the next writer waits
 * for it or the database closes. {@link #close()} is
 * idempotent and safe with transactions still open: they are aborted (a write transaction owned by
 * another thread is aborted when that thread closes it, and the environment is released then), and
 * every later use of them, their cursors or their zero-copy views fails with {@link
 * InvalidStateException} or {@link IndexOutOfBoundsException} instead of reading unmapped memory.
 */
public final class Database implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** LMDB's limit on key length (and on the length of members of set tables). */
  public static final int MAX_KEY_BYTES = 511;

  /** Names of Lodestore's own tables start with it; {@link #table} and the like refuse them. */
  private static final String RESERVED_PREFIX = "__";

  private static final long GIB = 1L << 30;
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

  /** Guards the fields below; transactions begin and end under it and growth waits on it. */
  private final Object gate = new Object();

  private final Set<Txn> openTxns = Collections.newSetFromMap(new IdentityHashMap<>());
  private int beginning;
  private boolean growing;

  /** Threads waiting on the gate in {@link #awaitGate}. Guarded by the gate. */
  private int waiting;
  private boolean envClosed;
  private long mapSize;
  private int growths;

  private volatile boolean closed;
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

  /** Open table handles by name; a handle opened in an uncommitted transaction is not here yet. */
  private final Map<String, TableHandle> handles = new ConcurrentHashMap<>();

  private final Object handleLock = new Object();

  /** Counts published table handles; see {@link TableHandle#seq}. */
  private final java.util.concurrent.atomic.AtomicLong handleSeq =
      new java.util.concurrent.atomic.AtomicLong();

  private Database(final Path path, final Env<ByteBuffer> env, final DatabaseOptions options) {
    this.path = path;
    this.env = env;
    this.options = options;
    this.mapSize = env.info().mapSize;
    this.writeLock = new WriteLock(path.toString());
    this.bounds = new StoredBounds(env, gate, () -> envClosed, path, env.stat().pageSize);
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
    db.checkReaders(); // slots of processes that died since the last open
    LOG.debug("opened {} with {}", canonical, options);
    return db;
  }

  private static LodestoreException alreadyOpen(final Path path, final Database existing) {
    final String same =
        existing.path.equals(path) ? "" : " (as " + existing.path + ": the same files)";
    return new LodestoreException(
        existing.closed
            ? "database " + path + same + " is closing: transactions of other threads are still "
                + "open; close them first"
            : "database " + path + " is already open in this process" + same + "; share that "
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
    return closed;
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
    return begin(true);
  }

  /**
   * Begins the write transaction, waiting while another thread holds one. It belongs to the calling
   * thread; it sees its own writes; {@link Txn#commit()} publishes them and closing without commit
   * discards them.
   *
   * @return the transaction; close it (try-with-resources)
   * @throws InvalidStateException if the database is closed or read-only, or this thread already
   *     holds the write transaction
   */
  public Txn beginWrite() {
    if (options.readOnly()) {
      throw new InvalidStateException("database " + path + " is open read-only");
    }
    final Txn current = writer;
    if (current != null && current.owner == Thread.currentThread()) {
      throw new InvalidStateException(
          "this thread already holds the write transaction of " + path
              + "; LMDB allows one per database, and a second would wait for itself forever");
    }
    if (closed) {
      throw closedError();
    }
    writeLock.acquire(
        () -> {
          reapDeadWriter();
          if (closed) {
            throw closedError();
          }
        });
    final Txn txn;
    try {
      txn = begin(false);
    } catch (RuntimeException | Error e) {
      writeLock.release();
      throw e;
    }
    if (++writesSinceReaderCheck >= READER_CHECK_WRITES
        || System.nanoTime() - lastReaderCheck >= READER_CHECK_NANOS) {
      writesSinceReaderCheck = 0;
      lastReaderCheck = System.nanoTime();
      checkReaders();
    }
    return txn;
  }

  /** How many write transactions, or how much time, between two checks for dead readers. */
  private static final int READER_CHECK_WRITES = 64;

  private static final long READER_CHECK_NANOS = 1_000_000_000L;

  /**
   * Frees the reader slots of processes that died with a read transaction open (LMDB's {@code
   * mdb_reader_check}): their snapshots would otherwise pin old pages forever, and their slots
   * count against {@link DatabaseOptions#maxReaders()}.
   *
   * @return how many slots were freed
   */
  private int checkReaders() {
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

  private Txn begin(final boolean readOnly) {
    while (true) {
      synchronized (gate) {
        // A thread that already holds a transaction must not wait for the growth, which waits for
        // that very transaction: it nests (say, a read inside a read), and growth goes on once its
        // transactions end.
        while (growing && !holdsTxn(Thread.currentThread())) {
          awaitGate(0);
        }
        if (closed) {
          throw closedError();
        }
        beginning++;
      }
      // read before LMDB copies its table handles into the new transaction: a handle opened in
      // between is then refused clearly rather than by LMDB's EINVAL
      final long handlesBefore = handleSeq.get();
      final boolean onLockThread = !readOnly && WriteLock.isVirtual(Thread.currentThread());
      org.lmdbjava.Txn<ByteBuffer> lmdb = null;
      try {
        if (readOnly) {
          lmdb = beginReadLmdb();
        } else {
          lmdb = onLockThread ? writeLock.onLockThread(env::txnWrite) : env.txnWrite();
        }
      } catch (Dbi.MapResizedException e) {
        // another process grew the map: adopt its size once no transaction of ours is open
        endBegin(null);
        adoptMapSize();
        continue;
      } catch (LmdbException e) {
        endBegin(null);
        throw Lmdb.translate(e, null, null);
      } catch (RuntimeException | Error e) {
        endBegin(null);
        throw e;
      }
      final Txn txn = new Txn(this, lmdb, readOnly, handlesBefore, onLockThread);
      if (!endBegin(txn)) {
        throw closedError();
      }
      if (!readOnly) {
        writer = txn;
      }
      return txn;
    }
  }

  /**
   * Begins a transaction nested in the open write transaction {@code parent}, for one caller of a
   * group commit ({@link GroupCommit}), owned by the calling thread, and registers it as any
   * transaction: growth and close wait for it. It does not wait for a growth: that waits for
   * {@code parent} anyway. While it is open it is the write transaction this thread holds (so a
   * {@code beginWrite} or {@code db.table(name)} inside it fails instead of waiting for itself).
   *
   * @throws InvalidStateException if the database is closed or {@code parent} ended
   */
  Txn beginChild(final Txn parent) {
    synchronized (gate) {
      if (closed) {
        throw closedError();
      }
      beginning++;
    }
    final Txn child;
    try {
      child = Txn.nested(parent);
    } catch (LmdbException e) {
      endBegin(null);
      throw Lmdb.translate(e, null, null);
    } catch (RuntimeException | Error e) {
      endBegin(null);
      throw e;
    }
    if (!endBegin(child)) {
      throw closedError();
    }
    writer = child;
    return child;
  }

  /** Begins LMDB's read transaction; when the reader table is full, frees dead readers' slots once. */
  private org.lmdbjava.Txn<ByteBuffer> beginReadLmdb() {
    try {
      return env.txnRead();
    } catch (Env.ReadersFullException e) {
      if (checkReaders() == 0) {
        throw e;
      }
      return env.txnRead();
    }
  }

  /** Describes the open transactions {@code thread} began, for an error message. Holds the gate. */
  private String heldBy(final Thread thread) {
    final StringBuilder held = new StringBuilder();
    for (final Txn txn : openTxns) {
      if (txn.owner == thread) {
        held.append(held.length() == 0 ? "" : ", ").append(txn.isReadOnly() ? "a read" : "the write")
            .append(" transaction");
      }
    }
    return held.toString();
  }

  /** Whether {@code thread} began a transaction that is still open. Holds the gate. */
  private boolean holdsTxn(final Thread thread) {
    for (final Txn txn : openTxns) {
      if (txn.owner == thread) {
        return true;
      }
    }
    return false;
  }

  /** Registers a begun transaction; false if the database closed meanwhile. */
  private boolean endBegin(final Txn txn) {
    synchronized (gate) {
      beginning--;
      wakeWaiters();
      if (txn == null) {
        closeEnvIfDone();
        return true;
      }
      if (closed) {
        // closed while LMDB was beginning it: end it before the environment can be released
        txn.closeLmdb();
        closeEnvIfDone();
        return false;
      }
      openTxns.add(txn);
      return true;
    }
  }

  /** Called by a transaction after it ended (committed or aborted its LMDB transaction). */
  void ended(final Txn txn) {
    if (writer == txn) {
      writer = null;
    }
    synchronized (gate) {
      openTxns.remove(txn);
      wakeWaiters();
      closeEnvIfDone();
    }
    if (!txn.isReadOnly()) {
      writeLock.release();
    }
  }

  /**
   * Called by a nested transaction ({@link #beginChild}) after it ended: the write transaction is
   * its parent's again, and LMDB's write lock stays with the parent.
   */
  void endedChild(final Txn child) {
    if (writer == child) {
      writer = child.parent;
    }
    synchronized (gate) {
      openTxns.remove(child);
      wakeWaiters();
      closeEnvIfDone();
    }
  }

  /** Whether {@code thread} holds the write transaction (top-level or nested). */
  boolean holdsWrite(final Thread thread) {
    final Txn current = writer;
    return current != null && current.owner == thread;
  }

  /** How many times this process grew the map; with {@link #growAfterGroup}. */
  int growthCount() {
    synchronized (gate) {
      return growths;
    }
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
    synchronized (gate) {
      if (growths != growthsSeen) {
        return;
      }
      resize(false, full); // under the same monitor: no other growth slips in between
    }
  }

  /**
   * Runs {@code fn} in a read transaction and returns its result.
   *
   * @param fn the work; it must not keep zero-copy views beyond its return
   * @param <R> the result type
   * @return what {@code fn} returned
   */
  public <R> R read(final Function<Txn, R> fn) {
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
   * @param fn the work
   * @throws MapFullException only when the map cannot grow (maximum size reached, or open
   *     transactions did not finish within {@link DatabaseOptions#growTimeout()})
   * @throws InvalidStateException if the database is closed (also while the call waits or runs)
   *     or read-only, if this thread holds the write transaction, or if the map must grow while
   *     this thread holds an open transaction
   * @throws LodestoreException if the thread is interrupted while it waits to begin
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
   * @throws MapFullException only when the map cannot grow
   * @throws InvalidStateException if the database is closed or read-only, if this thread holds
   *     the write transaction, or if the map must grow while this thread holds an open transaction
   *     (see {@link #write(Consumer)}, also for group commit)
   * @throws LodestoreException if the thread is interrupted while it waits to begin
   */
  public <R> R writeAndGet(final Function<Txn, R> fn) {
    if (group != null && !holdsWrite(Thread.currentThread())) {
      return group.write(fn);
    }
    while (true) {
      final Txn txn = beginWrite();
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
      resize(false, full);
    }
  }

  // ---------------------------------------------------------------- map growth

  /**
   * Grows the map now, as {@link #write} does when it fills up: waits (up to {@link
   * DatabaseOptions#growTimeout()}) until no transaction is open, then enlarges the map.
   *
   * @throws MapFullException if the maximum size is reached, or other threads' transactions
   *     stayed open past the timeout
   * @throws InvalidStateException if this thread holds an open transaction (LMDB can resize the
   *     map only while no transaction of this process is open, and this one would wait for itself)
   * @throws LodestoreException if LMDB cannot map the larger map (no address space left): the
   *     database is then closed, its files intact, and can be reopened
   */
  public void growMap() {
    resize(false, null);
  }

  private void adoptMapSize() {
    resize(true, null);
  }

  private void resize(final boolean adoptOnly, final MapFullException full) {
    synchronized (gate) {
      if (closed) {
        throw closedError();
      }
      if (holdsTxn(Thread.currentThread())) {
        // checked first: waiting for another thread's growth would wait for ourselves
        final InvalidStateException refusal =
            new InvalidStateException(
                "the map of " + path + " is full and cannot grow while this thread holds an open "
                    + "transaction (" + heldBy(Thread.currentThread()) + "): LMDB resizes only "
                    + "when no transaction of the process is open; close it before db.write, or "
                    + "do those reads inside the write transaction");
        if (full != null) {
          refusal.initCause(full);
        }
        throw refusal;
      }
      if (growing) {
        // another thread is growing the map: wait for it, then the caller retries
        while (growing) {
          awaitGate(0);
        }
        return;
      }
      final long next = adoptOnly ? 0 : nextMapSize(mapSize);
      if (!adoptOnly && next <= mapSize) {
        throw new MapFullException(
            "the map reached its maximum size " + options.maxMapSize() + " bytes", null, null, null);
      }
      growing = true;
      try {
        final long deadline = System.nanoTime() + options.growTimeout().toNanos();
        while (!openTxns.isEmpty() || beginning > 0) {
          final long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new MapFullException(
                "the map is full and growing it waited " + options.growTimeout() + " for "
                    + openTxns.size() + " open transaction(s) to finish",
                null,
                null,
                null);
          }
          awaitGate(Math.max(1, left / 1_000_000));
        }
        // LMDB unmaps the old map and maps a larger one (adoptOnly: of the size in the meta page)
        try {
          UnmappedGuard.retire(env, mapEpoch, true, () -> env.setMapSize(next));
        } catch (RuntimeException e) {
          throw abandon(e, next);
        }
        mapEpoch = new MapEpoch();
        bounds.refresh(); // the map moved: views of a write transaction check it (Txn#place)
        final long before = mapSize;
        mapSize = env.info().mapSize;
        growths++;
        LOG.info("map of {} grown from {} to {} bytes", path, before, mapSize);
      } finally {
        growing = false;
        gate.notifyAll();
      }
    }
  }

  /**
   * Gives the environment up after LMDB failed to map it anew: {@code mdb_env_set_mapsize} unmaps
   * the old map before mapping the new one, and when that fails (ENOMEM: no address space left)
   * LMDB has no map, so any transaction would read its meta pages from unmapped memory. The
   * database closes instead; the files are untouched (no transaction was open) and it can be
   * reopened. Holds the gate; no transaction is open.
   */
  private LodestoreException abandon(final RuntimeException cause, final long size) {
    closed = true;
    envClosed = true;
    for (final TableHandle handle : handles.values()) {
      handle.invalidate();
    }
    try {
      env.close(); // frees what LMDB holds; it unmaps nothing, having no map
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    writeLock.shutdown();
    OPEN.values().removeIf(open -> open == this);
    LOG.error("map of {} could not be grown to {} bytes; the database was closed", path, size, cause);
    final String reason =
        cause instanceof LmdbException ? cause.getMessage() : cause.toString();
    return new LodestoreException(
        "the map of " + path + " could not be grown to " + size + " bytes (" + reason + "): the "
            + "database was closed, its files are intact; reopen it (with a smaller maxMapSize "
            + "if the address space is exhausted)",
        cause);
  }

  /**
   * The current map, for the transactions that begin now (see {@link UnmappedGuard}). Replaced
   * under the gate when no transaction is open or beginning, so a transaction reads it once, while
   * it begins.
   */
  private volatile MapEpoch mapEpoch = new MapEpoch();

  MapEpoch mapEpoch() {
    return mapEpoch;
  }

  private long nextMapSize(final long size) {
    final long wanted = size < GIB ? size * 2 : size + GIB;
    return Math.min(options.maxMapSize(), wanted);
  }

  private void awaitGate(final long millis) {
    waiting++;
    try {
      gate.wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LodestoreException("interrupted while waiting for map growth", e);
    } finally {
      waiting--;
    }
  }

  /** Wakes the threads in {@link #awaitGate}, if any: most begins and ends have none to wake. */
  private void wakeWaiters() {
    if (waiting > 0) {
      gate.notifyAll();
    }
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
   * @return the table; if a schema owns it (see {@link OwnerAccess#claim}), its writes throw
   *     {@link SchemaMismatchException} (they would bypass the schema's indexes) and reads work
   * @throws SchemaMismatchException if {@code name} is a set table
   * @throws IllegalArgumentException if {@code name} is not a valid name or is reserved
   * @throws InvalidStateException if this thread holds the write transaction (use {@link
   *     #table(Txn, String, KeyCodec, ValueCodec)})
   */
  public <K, V> Table<K, V> table(
      final String name, final KeyCodec<K> keyCodec, final ValueCodec<V> valueCodec) {
    validateUserName(name);
    return new Table<>(handle(null, name, false), keyCodec, valueCodec, false);
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
    return new Table<>(handle(txn, name, false), keyCodec, valueCodec, false);
  }

  /** A table for its owner: {@link OwnerAccess#table}. */
  <K, V> Table<K, V> ownedTable(
      final Txn txn,
      final String name,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec) {
    return new Table<>(handle(txn, name, false), keyCodec, valueCodec, true);
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
        handle(null, name, true, memberCodec.fixedLength() > 0), keyCodec, memberCodec, false);
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
        handle(txn, name, true, memberCodec.fixedLength() > 0), keyCodec, memberCodec, false);
  }

  /** A set table for its owner: {@link OwnerAccess#setTable}. */
  <K, M> SetTable<K, M> ownedSetTable(
      final Txn txn, final String name, final KeyCodec<K> keyCodec, final KeyCodec<M> memberCodec) {
    return new SetTable<>(
        handle(txn, name, true, memberCodec.fixedLength() > 0), keyCodec, memberCodec, true);
  }

  private TableHandle handle(final Txn txn, final String name, final boolean dupSort) {
    return handle(txn, name, dupSort, false).checkKind(dupSort);
  }

  private TableHandle handle(
      final Txn txn, final String name, final boolean dupSort, final boolean dupFixed) {
    validateName(name);
    final TableHandle cached = handles.get(name);
    if (cached != null) {
      return cached.checkKind(dupSort);
    }
    if (txn != null) {
      return openHandle(txn, name, dupSort, dupFixed).checkKind(dupSort);
    }
    return openOwn(name, dupSort, dupFixed).checkKind(dupSort);
  }

  /** Opens a handle in a short transaction of its own, without checking its kind. */
  private TableHandle openOwn(final String name, final boolean dupSort, final boolean dupFixed) {
    final Txn current = writer;
    if (current != null && current.owner == Thread.currentThread()) {
      throw new InvalidStateException(
          "table '" + name + "' is not open yet and this thread holds the write transaction; "
              + "open it with table(txn, ...) or before beginning the transaction");
    }
    synchronized (handleLock) {
      final TableHandle again = handles.get(name);
      if (again != null) {
        return again;
      }
      try (Txn own = options.readOnly() ? beginRead() : beginWrite()) {
        final TableHandle handle = openHandle(own, name, dupSort, dupFixed);
        own.commit();
        return handle;
      }
    }
  }

  private TableHandle openHandle(
      final Txn txn, final String name, final boolean dupSort, final boolean dupFixed) {
    return openHandle(txn, name, dupSort, dupFixed, false);
  }

  /**
   * Opens the existing table {@code name} inside {@code txn}, which the caller has entered (as
   * {@link #table(Txn, String, KeyCodec, ValueCodec)} does, without its lock: openOwn holds that
   * lock while it waits for the write transaction this caller may hold).
   */
  TableHandle openIn(final Txn txn, final String name) {
    return openHandle(txn, name, false, false, true);
  }

  private TableHandle openHandle(
      final Txn txn,
      final String name,
      final boolean dupSort,
      final boolean dupFixed,
      final boolean entered) {
    final List<DbiFlags> flags = new ArrayList<>();
    if (!txn.isReadOnly()) {
      flags.add(DbiFlags.MDB_CREATE);
    }
    if (dupSort) {
      flags.add(DbiFlags.MDB_DUPSORT);
      if (dupFixed) {
        flags.add(DbiFlags.MDB_DUPFIXED);
      }
    }
    if (!entered) {
      txn.enter();
    }
    try {
      final Dbi<ByteBuffer> dbi;
      final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      try {
        // LMDB reads the name as a C string: pass the terminating NUL explicitly
        dbi =
            env.openDbi(
                txn.lmdb,
                Arrays.copyOf(utf8, utf8.length + 1),
                null,
                false,
                flags.toArray(new DbiFlags[0]));
      } catch (Dbi.KeyNotFoundException e) {
        throw new LodestoreException(
            "table does not exist and cannot be created in a read-only transaction", name, null, e);
      } catch (LmdbException e) {
        throw Lmdb.translate(e, name, null);
      }
      final boolean storedDupSort = dbi.listFlags(txn.lmdb).contains(DbiFlags.MDB_DUPSORT);
      final TableHandle handle = new TableHandle(this, name, dbi, storedDupSort);
      txn.opened(handle);
      return handle;
    } finally {
      if (!entered) {
        txn.exit();
      }
    }
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
    validateName(name);
    if (!exists(txn, name)) {
      return false;
    }
    TableHandle handle = handles.get(name);
    if (handle == null) {
      handle = openHandle(txn, name, false, false);
    }
    txn.enterWrite();
    try {
      handle.checkWrite(txn, byOwner);
      txn.beforeMutation();
      handle.dbi.drop(txn.lmdb, true);
      handles.remove(name, handle);
      handle.invalidate();
      return true;
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, name, null));
    } finally {
      txn.exit();
    }
  }

  /** Publishes handles opened in a transaction that committed. */
  void publish(final List<TableHandle> opened) {
    for (final TableHandle handle : opened) {
      final TableHandle existing = handles.putIfAbsent(handle.name, handle);
      // the same LMDB handle opened twice (racing opens): share the first publication's order
      handle.seq = existing == null ? handleSeq.incrementAndGet() : existing.seq;
    }
  }

  /** As {@link #validateName}, and refuses the names reserved for Lodestore's own tables. */
  private static void validateUserName(final String name) {
    validateName(name);
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new IllegalArgumentException(
          "table names starting with \"" + RESERVED_PREFIX + "\" are reserved for Lodestore's own "
              + "tables (such as a schema's catalog): '" + name + "'");
    }
  }

  private static void validateName(final String name) {
    Objects.requireNonNull(name, "table name");
    final int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_KEY_BYTES || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "table name must be 1.." + MAX_KEY_BYTES + " UTF-8 bytes without NUL: '" + name + "'");
    }
  }

  /**
   * The names of all tables in the database, including ones not opened by this process.
   *
   * @return the names, in byte order
   */
  public List<String> tableNames() {
    final Dbi<ByteBuffer> main = mainDbi();
    final List<String> names = new ArrayList<>();
    try (Txn txn = beginRead()) {
      txn.enter();
      try (Cursor<ByteBuffer> cursor = main.openCursor(txn.lmdb)) {
        for (boolean more = cursor.first(); more; more = cursor.next()) {
          names.add(StandardCharsets.UTF_8.decode(cursor.key()).toString());
        }
      } finally {
        txn.exit();
      }
    }
    return names;
  }

  /** Whether a table {@code name} exists as seen by {@code txn}. */
  boolean exists(final Txn txn, final String name) {
    txn.enter();
    try {
      return existsIn(txn, name);
    } finally {
      txn.exit();
    }
  }

  /** As {@link #exists}, in a transaction the caller has entered. */
  boolean existsIn(final Txn txn, final String name) {
    final Dbi<ByteBuffer> dbi = mainDbi();
    try {
      final ByteBuffer key = Encoding.keyBuffer().clear();
      key.put(name.getBytes(StandardCharsets.UTF_8)).flip();
      return dbi.get(txn.lmdb, key) != null;
    } catch (LmdbException e) {
      throw Lmdb.translate(e, name, null);
    }
  }

  /** The handle of {@code name} published by a committed transaction, or null. */
  TableHandle publishedHandle(final String name) {
    return handles.get(name);
  }

  private volatile Dbi<ByteBuffer> main;

  private Dbi<ByteBuffer> mainDbi() {
    Dbi<ByteBuffer> dbi = main;
    if (dbi == null) {
      synchronized (handleLock) {
        dbi = main;
        if (dbi == null) {
          try (Txn txn = beginRead()) {
            txn.enter();
            try {
              dbi = env.openDbi(txn.lmdb, null, null, false);
            } finally {
              txn.exit();
            }
            txn.commit();
          }
          main = dbi;
        }
      }
    }
    return dbi;
  }

  // ---------------------------------------------------------------- stats, backup, close

  /**
   * Sizes and per-table statistics, from a read transaction.
   *
   * @return the statistics
   */
  public DatabaseStats stats() {
    final List<String> names = tableNames();
    final Map<String, TableStats> tables = new LinkedHashMap<>();
    for (final String name : names) {
      TableHandle handle = handles.get(name);
      if (handle == null) {
        handle = openOwn(name, false, false);
      }
      try (Txn txn = beginRead()) {
        tables.put(name, handle.stats(txn));
      }
    }
    final EnvInfo info = env.info();
    final Stat stat = env.stat();
    final long used = (info.lastPageNumber + 1) * stat.pageSize;
    final long size;
    final int resizes;
    synchronized (gate) {
      size = mapSize;
      resizes = growths;
    }
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
   * Writes a compacted copy of the database (free pages omitted) to directory {@code target},
   * which must not exist or be empty. Runs in a read transaction: writers continue meanwhile.
   *
   * <p>All or nothing: the copy goes to a temporary directory inside {@code target} and is synced
   * and renamed to {@code target/data.mdb} only when complete, so a {@code data.mdb} there is
   * always a whole backup, even if this process is killed or the disk fills up. A failed backup
   * leaves nothing; the temporary directory of a killed one is deleted by the next backup into
   * the same target.
   *
   * @param target the directory to write {@code data.mdb} into
   * @throws StorageFullException if the target's disk is full (nothing is left in the target)
   * @throws LodestoreException if the copy fails or the target holds other files
   * @throws InvalidStateException if the database is closed
   */
  public void backupTo(final Path target) {
    Objects.requireNonNull(target, "target");
    if (closed) {
      throw closedError();
    }
    final Path temp = DataFiles.prepareBackup(target);
    boolean published = false;
    try {
      synchronized (gate) {
        if (closed) {
          throw closedError();
        }
        beginning++;
      }
      try {
        env.copy(temp.toFile(), CopyFlags.MDB_CP_COMPACT);
      } catch (LmdbException e) {
        throw Lmdb.translate(e, null, null, target);
      } finally {
        endBegin(null);
      }
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
   * thread's transactions at once (their cursors closed, their zero-copy views detached). Transactions of other threads fail at their
   * next operation with {@link InvalidStateException} and end when their users close them, on their
   * own threads, so a view another thread is reading is never pulled from under it; the environment
   * is released when the last of them ends. Until then the same path cannot be opened again.
   */
  @Override
  public void close() {
    reapDeadWriter();
    final List<Txn> toAbort;
    synchronized (gate) {
      // a repeated close still ends the calling thread's transactions (begun on this thread, they
      // were left alone by a close from another thread)
      closed = true;
      toAbort = new ArrayList<>(openTxns);
      gate.notifyAll();
    }
    for (final Txn txn : toAbort) {
      txn.abortFromClose();
    }
    synchronized (gate) {
      closeEnvIfDone();
    }
  }

  /** Releases the environment once closed and no transaction can touch it. Holds the gate. */
  private void closeEnvIfDone() {
    if (closed && !envClosed && openTxns.isEmpty() && beginning == 0) {
      envClosed = true;
      for (final TableHandle handle : handles.values()) {
        handle.invalidate();
      }
      UnmappedGuard.retire(env, mapEpoch, false, env::close);
      writeLock.shutdown();
      mapEpoch = new MapEpoch(); // backs no map: a closed Database keeps no guarded range alive
      OPEN.values().removeIf(open -> open == this);
      LOG.debug("closed {}", path);
    }
  }

  InvalidStateException closedError() {
    return new InvalidStateException("database " + path + " is closed");
  }

  @Override
  public String toString() {
    return "Database[" + path + (closed ? ", closed]" : "]");
  }
}
