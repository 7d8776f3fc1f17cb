package org.lodestore.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;

/**
 * The table handles of one database: LMDB's {@code MDB_dbi}s by name, opened once and shared.
 *
 * <p>A handle opened inside a transaction is private to it until it commits ({@link Txn#opened},
 * then {@link #publish}); LMDB closes it if the transaction aborts. Each published handle gets a
 * sequence number ({@link TableHandle#seq}), so that a transaction begun before a handle was
 * published, which LMDB did not give that handle, refuses it clearly. A drop removes the handle and
 * invalidates every {@link Table} on it.
 */
final class TableRegistry {

  /** Open table handles by name; a handle opened in an uncommitted transaction is not here yet. */
  private final Map<String, TableHandle> handles = new ConcurrentHashMap<>();

  private final Object handleLock = new Object();

  /** Counts published table handles; see {@link TableHandle#seq}. */
  private final AtomicLong handleSeq = new AtomicLong();

  private final Database db;
  private final Env<ByteBuffer> env;
  private final DatabaseOptions options;

  TableRegistry(final Database db, final Env<ByteBuffer> env, final DatabaseOptions options) {
    this.db = db;
    this.env = env;
    this.options = options;
  }

  /** The newest published handle's sequence number. */
  long handleSeq() {
    return handleSeq.get();
  }

  /** Invalidates every handle: the environment was released. */
  void invalidateAll() {
    for (final TableHandle handle : handles.values()) {
      handle.invalidate();
    }
  }

  /** The handle of the existing table or set table {@code name}, opened if need be. */
  TableHandle any(final String name) {
    final TableHandle handle = handles.get(name);
    return handle != null ? handle : openOwn(name, false, false);
  }

  TableHandle handle(final Txn txn, final String name, final boolean dupSort) {
    return handle(txn, name, dupSort, false).checkKind(dupSort);
  }

  TableHandle handle(
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

  /**
   * The handle of {@code name} for a replica's write transaction {@code txn}: the published one, or
   * opened (created, with the given flags, if missing) in {@code txn}; its kind unchecked.
   */
  TableHandle internal(
      final Txn txn, final String name, final boolean dupSort, final boolean dupFixed) {
    final TableHandle cached = handles.get(name);
    if (cached != null && cached.usableIn(txn)) {
      return cached;
    }
    return openHandle(txn, name, dupSort, dupFixed);
  }

  /** Opens a handle in a short transaction of its own, without checking its kind. */
  private TableHandle openOwn(final String name, final boolean dupSort, final boolean dupFixed) {
    if (db.holdsWrite(Thread.currentThread())) {
      throw new InvalidStateException(
          "table '"
              + name
              + "' is not open yet and this thread holds the write transaction; "
              + "open it with table(txn, ...) or before beginning the transaction");
    }
    synchronized (handleLock) {
      final TableHandle again = handles.get(name);
      if (again != null) {
        return again;
      }
      try (Txn own = db.writableByCaller() ? db.beginWrite() : db.beginInternalRead()) {
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
   * {@link Database#table(Txn, String, KeyCodec, ValueCodec)} does, without its lock: openOwn holds
   * that lock while it waits for the write transaction this caller may hold).
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
      // a table this write transaction creates is recorded in the change feed
      final boolean creates =
          !txn.isReadOnly()
              && db.feedLog() != null
              && !name.startsWith(FeedLog.PREFIX)
              && !existsIn(txn, name);
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
      final TableHandle handle = new TableHandle(db, name, dbi, storedDupSort);
      txn.opened(handle);
      if (creates) {
        txn.recorder(handle).create(name, dupSort, dupFixed);
      }
      return handle;
    } finally {
      if (!entered) {
        txn.exit();
      }
    }
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
      final FeedRecorder feed = txn.recorder(handle);
      if (feed != null) {
        feed.drop(handle.name);
      }
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

  static void validateName(final String name) {
    Objects.requireNonNull(name, "table name");
    final int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > Database.MAX_KEY_BYTES || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "table name must be 1.."
              + Database.MAX_KEY_BYTES
              + " UTF-8 bytes without NUL: '"
              + name
              + "'");
    }
  }

  public List<String> tableNames() {
    final Dbi<ByteBuffer> main = mainDbi();
    final List<String> names = new ArrayList<>();
    try (Txn txn = db.beginInternalRead()) {
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
          try (Txn txn = db.beginInternalRead()) {
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
}
