/**
 * Lodestore's store: {@link org.lodestore.core.Database}, {@link org.lodestore.core.Txn}, typed
 * {@link org.lodestore.core.Table}s and {@link org.lodestore.core.SetTable}s over LMDB, scanned
 * with {@link org.lodestore.core.KeyRange} and {@link org.lodestore.core.Cursor}.
 *
 * <h2>Priorities</h2>
 *
 * Correctness first (no lost commit, no JVM crash, typed errors that name the table and key), then
 * read speed: point gets and range scans of zero-copy values are the latency-critical paths and
 * allocate nothing per row when used through the reuse methods ({@code getInto}, {@code
 * valueInto}).
 *
 * <h2>Vocabulary</h2>
 *
 * Database (one LMDB environment), Txn (a transaction), Table (typed keys to typed values),
 * SetTable (typed keys to ordered sets of members), KeyRange (which keys a scan visits), Cursor (a
 * scan in progress), Codec (how keys and values become bytes: {@link org.lodestore.core.key} and
 * {@link org.lodestore.core.codec}).
 *
 * <h2>Owned and reserved tables</h2>
 *
 * Table names starting with {@code "__"} are Lodestore's own (a schema's catalog): plain {@link
 * org.lodestore.core.Database#table} access refuses them. A table that something attached (a
 * schema) claims through its {@link org.lodestore.core.OwnerAccess} refuses writes and drops
 * through plain table objects, in every process, with {@link
 * org.lodestore.core.SchemaMismatchException}; reads stay allowed.
 *
 * <h2>Threads</h2>
 *
 * Database, Table and SetTable are thread-safe. A read transaction is used by one thread at a time,
 * any thread; the write transaction only by the thread that began it; a cursor by its transaction's
 * user. Concurrent {@code Database.write} calls may share one commit (group commit): each function
 * still runs on its caller's thread, in a nested transaction that thread owns.
 *
 * <p>A {@link org.lodestore.core.DatabaseListener} (for metrics) is called synchronously on the
 * thread where each event happens, from many threads at once: it must be thread-safe and fast, and
 * what it throws is logged and ignored.
 *
 * <h2>Lifetime</h2>
 *
 * Zero-copy values live until their transaction ends (a write transaction: until its next write);
 * after that they are detached and reads throw {@link java.lang.IndexOutOfBoundsException}. Use of
 * a transaction, cursor or table after its transaction or database closed throws {@link
 * org.lodestore.core.InvalidStateException}. Nothing reads unmapped memory, whatever the order of
 * closing.
 *
 * <h2>Exceptions</h2>
 *
 * All unchecked: {@link org.lodestore.core.LodestoreException} and its subclasses for what callers
 * act on, {@link org.lodestore.core.InvalidStateException} for misuse of lifetimes, and the JDK's
 * exceptions for plain bad arguments (null keys, negative limits). Not-found is null, false or an
 * empty Optional. A damaged file is {@link org.lodestore.core.CorruptDatabaseException} where
 * Lodestore can see it; {@link org.lodestore.core.Verify} checks a whole file in a child JVM.
 */
package org.lodestore.core;
