package org.lodestore.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed's storage: two reserved LMDB tables written inside the committing transaction, so
 * that the feed and the data can never disagree, whatever crashes when.
 *
 * <pre>
 *  __lodestore_feed        seq (int64 key) -> entry bytes (see {@link FeedEntry})
 *  __lodestore_feed_meta   "generation"    -> 16 bytes, the generation's UUID
 *                          "head"          -> seq u64 | hash 32B | LMDB txn id u64 | backlog bytes u64
 *                          "acked"         -> seq u64: entries up to it may be trimmed
 * </pre>
 *
 * <p>Design note. Every write transaction that changed something appends one entry at its commit
 * ({@link #append}, before LMDB's commit, in the same transaction): seq = head + 1, hash over the
 * previous hash and the entry, then the head. An abort drops entry and changes together; a {@code
 * db.write} run again after map growth appends only at the commit that succeeds. {@code head}
 * records the LMDB transaction id that wrote it, and an acknowledgement records its own: a database
 * opened with the feed whose last LMDB transaction is not the one {@code head} names was written by
 * a process without the feed (its changes are not in the feed), so the feed starts a new
 * generation, which tells followers to bootstrap again; an append that finds the same while this
 * process has the database open (another process wrote without the feed meanwhile) does too, and an
 * append that finds a generation another process started appends to it. Trimming deletes
 * acknowledged entries, at most {@value #TRIM_PER_COMMIT} per commit, never one an open
 * subscription has not read yet. The feed's own tables are not recorded in entries.
 */
final class FeedLog {

  private static final Logger LOG = LoggerFactory.getLogger(FeedLog.class);

  /** The prefix of the feed's reserved tables: their writes are not recorded. */
  static final String PREFIX = "__lodestore_feed";

  /** The entries table. */
  static final String ENTRIES = PREFIX;

  /** The meta table. */
  static final String META = PREFIX + "_meta";

  static final int TRIM_PER_COMMIT = 1024;

  private static final String GENERATION = "generation";
  private static final String HEAD = "head";
  private static final String ACKED = "acked";

  private final Database db;
  final FeedOptions options;
  private final Table<Long, ByteBuffer> entries;
  private final Table<String, byte[]> meta;
  private final List<ChangeFeed.Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final Object signal = new Object();
  private volatile UUID generation;
  private volatile long lastSeq;
  private volatile long acked;
  private volatile long backlogBytes;
  private long pendingSeq;
  private long pendingBytes;
  private UUID pendingGeneration;

  /** The head and acknowledgement as the last committed append left them (see append). */
  private record Cached(long txnId, Head head, long acked) {}

  private volatile Cached cached;
  private Cached pending;

  /** Every entry up to this seq is trimmed (as of the last committed append): no cursor needed. */
  private volatile long trimmedThrough;

  private long pendingTrimmed;

  /** The head as stored: the last entry's seq and hash, the txn id that wrote it, the backlog. */
  private record Head(long seq, byte[] hash, long txnId, long backlogBytes) {
    static final Head EMPTY = new Head(0, new byte[FeedEntry.HASH_LENGTH], -1, 0);

    static Head of(final byte[] b) {
      if (b == null) {
        return null;
      }
      final ByteBuffer in = ByteBuffer.wrap(b);
      final long seq = in.getLong();
      final byte[] hash = new byte[FeedEntry.HASH_LENGTH];
      in.get(hash);
      return new Head(seq, hash, in.getLong(), in.getLong());
    }

    byte[] bytes() {
      return ByteBuffer.allocate(8 + FeedEntry.HASH_LENGTH + 16)
          .putLong(seq)
          .put(hash)
          .putLong(txnId)
          .putLong(backlogBytes)
          .array();
    }
  }

  private FeedLog(
      final Database db,
      final FeedOptions options,
      final Table<Long, ByteBuffer> entries,
      final Table<String, byte[]> meta) {
    this.db = db;
    this.options = options;
    this.entries = entries;
    this.meta = meta;
  }

  /**
   * Opens (creating in a writable database) the feed of {@code db}; in a writable database, starts
   * a new generation if there was none or the data was written without the feed since.
   */
  static FeedLog open(final Database db, final FeedOptions options) {
    if (db.options().readOnly()) {
      if (!db.tableNames().contains(ENTRIES) || !db.tableNames().contains(META)) {
        throw new LodestoreException(
            "database "
                + db.path()
                + " has no change feed: open it writable with a change feed first");
      }
      try (Txn txn = db.beginRead()) {
        final FeedLog log =
            new FeedLog(
                db,
                options,
                db.ownedTable(txn, ENTRIES, KeyCodecs.LONG, ValueCodecs.VIEW),
                db.ownedTable(txn, META, KeyCodecs.STRING, ValueCodecs.BYTES));
        log.refresh(txn);
        txn.commit(); // keeps the handles
        return log;
      }
    }
    return db.writeAndGet(
        txn -> {
          final FeedLog log =
              new FeedLog(
                  db,
                  options,
                  db.ownedTable(txn, ENTRIES, KeyCodecs.LONG, ValueCodecs.VIEW),
                  db.ownedTable(txn, META, KeyCodecs.STRING, ValueCodecs.BYTES));
          log.startIn(txn);
          return log;
        });
  }

  /** At open: the generation to append to, new if none or if writes bypassed the feed. */
  private void startIn(final Txn txn) {
    final byte[] stored = meta.get(txn, GENERATION);
    final Head head = Head.of(meta.get(txn, HEAD));
    final long lastCommitted = txn.lmdb.getId() - 1;
    if (stored != null && head != null && head.txnId == lastCommitted) {
      generation = uuid(stored);
      refresh(txn);
      return;
    }
    final UUID fresh = UUID.randomUUID();
    if (stored != null) {
      LOG.warn(
          "{}: the database was written without its change feed (LMDB transaction {}, the feed's"
              + " last {}); its changes are not in the feed, so the feed starts generation {}:"
              + " followers must bootstrap again",
          db.path(),
          lastCommitted,
          head == null ? "none" : head.txnId,
          fresh);
    } else {
      LOG.info("{}: change feed started, generation {}", db.path(), fresh);
    }
    meta.put(txn, GENERATION, uuidBytes(fresh));
    final Head before = head == null ? Head.EMPTY : head;
    // the seq goes on; the chain starts anew: the first entry of a generation follows zeros
    meta.put(
        txn,
        HEAD,
        new Head(before.seq, Head.EMPTY.hash, txn.lmdb.getId(), before.backlogBytes).bytes());
    generation = fresh;
    refresh(txn);
  }

  /** Reloads the cached head, acknowledgement and backlog from {@code txn}. */
  private void refresh(final Txn txn) {
    final Head head = Head.of(meta.get(txn, HEAD));
    lastSeq = head == null ? 0 : head.seq;
    backlogBytes = head == null ? 0 : head.backlogBytes;
    final byte[] a = meta.get(txn, ACKED);
    acked = a == null ? 0 : ByteBuffer.wrap(a).getLong();
    if (generation == null) {
      final byte[] g = meta.get(txn, GENERATION);
      if (g != null) {
        generation = uuid(g);
      }
    }
  }

  private UUID storedGeneration(final Txn txn) {
    final byte[] g = meta.get(txn, GENERATION);
    return g == null ? generation : uuid(g);
  }

  private static UUID uuid(final byte[] b) {
    final ByteBuffer in = ByteBuffer.wrap(b);
    return new UUID(in.getLong(), in.getLong());
  }

  private static byte[] uuidBytes(final UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  UUID generation() {
    return generation;
  }

  long lastSeq() {
    return lastSeq;
  }

  long acknowledged() {
    return acked;
  }

  long backlogBytes() {
    return backlogBytes;
  }

  // ------------------------------------------------------------ the commit path

  /**
   * Appends {@code changes} as the next entry, inside write transaction {@code txn} before its LMDB
   * commit; trims what may be trimmed and checks the backlog. Returns the entry's seq, published by
   * {@link #committed} once LMDB's commit succeeded.
   *
   * @throws FeedBacklogException if the backlog is full and the policy refuses (nothing written)
   */
  long append(final Txn txn, final FeedRecorder changes) {
    // the head and acknowledgement this process's last append committed hold as long as no
    // other transaction (of any process) committed since: LMDB numbers them one by one
    final Cached cached = this.cached;
    final boolean fresh = cached != null && cached.txnId == txn.lmdb.getId() - 1;
    Head head = fresh ? cached.head : Head.of(meta.get(txn, HEAD));
    UUID appendTo = generation;
    if (!fresh && head != null) {
      if (head.txnId != txn.lmdb.getId() - 1) {
        // a transaction committed after the head without appending: another process wrote
        // without the feed while this one had it open, so the feed lacks those changes
        appendTo = UUID.randomUUID();
        LOG.warn(
            "{}: the database was written without its change feed (LMDB transaction {}, the"
                + " feed's last {}) while this process had it open; its changes are not in the"
                + " feed, so the feed starts generation {}: followers must bootstrap again",
            db.path(),
            txn.lmdb.getId() - 1,
            head.txnId,
            appendTo);
        meta.put(txn, GENERATION, uuidBytes(appendTo));
        head = new Head(head.seq, Head.EMPTY.hash, head.txnId, head.backlogBytes);
      } else {
        appendTo = storedGeneration(txn); // another process may have started one
      }
    }
    final Head last = head == null ? Head.EMPTY : head;
    final long seq = last.seq + 1;
    final long acknowledged = fresh ? cached.acked : acknowledgedIn(txn);
    long backlog = last.backlogBytes - trim(txn, acknowledged, TRIM_PER_COMMIT);
    final FeedEntry.Encoder entry =
        new FeedEntry.Encoder(seq, appendTo, nowMicros(), last.hash, changes);
    final int length = entry.length();
    backlog += length;
    final long waiting = seq - acknowledged; // every entry after the acknowledged one
    if (waiting > options.maxBacklogEntries() || backlog > options.maxBacklogBytes()) {
      if (options.backlogPolicy() == FeedOptions.BacklogPolicy.REFUSE) {
        throw new FeedBacklogException(
            "change feed of "
                + db.path()
                + " is full: "
                + (waiting - 1)
                + " entries ("
                + (backlog - length)
                + " bytes) committed and not acknowledged, the limit is "
                + options.maxBacklogEntries()
                + " entries or "
                + options.maxBacklogBytes()
                + " bytes; this commit was refused and wrote nothing. Is its shipper running?");
      }
      backlog -= dropOldest(txn, seq, backlog);
    }
    entry.writeTo(entries.reserve(txn, seq, length)); // one copy, into LMDB's memory
    final Head written = new Head(seq, entry.hash(), txn.lmdb.getId(), backlog);
    meta.put(txn, HEAD, written.bytes());
    pendingSeq = seq;
    pendingBytes = backlog;
    pendingGeneration = appendTo;
    pending =
        new Cached(
            written.txnId,
            written,
            options.backlogPolicy() == FeedOptions.BacklogPolicy.DROP_OLDEST
                ? acknowledgedIn(txn)
                : acknowledged);
    return seq;
  }

  /**
   * Names {@code txn} in the head, inside it before its LMDB commit: for a write transaction that
   * recorded nothing but is still a new LMDB transaction (LMDB touched pages for a write that
   * changed nothing), which would otherwise look like a write that bypassed the feed. If one
   * already did, the head is left as it is, for the next append to start a generation.
   */
  void stamp(final Txn txn) {
    final Head head = Head.of(meta.get(txn, HEAD));
    final long lastCommitted = txn.lmdb.getId() - 1;
    if (head != null && head.txnId == lastCommitted) {
      meta.put(
          txn, HEAD, new Head(head.seq, head.hash, txn.lmdb.getId(), head.backlogBytes).bytes());
    }
  }

  // ------------------------------------------------------------ copies

  /**
   * The LMDB transaction id of the newest snapshot if the head names it (the feed holds every
   * change up to it), else -1: asked before and after a compacted copy (see {@link #adoptCopy}).
   */
  long consistentTxnId() {
    try (Txn txn = db.beginRead()) {
      final Head head = Head.of(meta.get(txn, HEAD));
      final long id = txn.lmdb.getId();
      return head != null && head.txnId == id ? id : -1;
    }
  }

  /**
   * Makes the head of a compacted copy in {@code dir} name the copy's own last transaction. A
   * compacted copy numbers LMDB transactions anew, so opened with the feed it would look written
   * without it and start a new generation; the caller proved that the copy is of snapshot {@code
   * sourceTxnId} and that the head named it ({@link #consistentTxnId} the same before and after).
   * Runs on the copy alone, before it is published, without a lock file.
   */
  static void adoptCopy(final Path dir, final long mapSize, final long sourceTxnId) {
    try (Env<ByteBuffer> env =
        Env.create(ByteBufferProxy.PROXY_OPTIMAL)
            .setMapSize(mapSize)
            .setMaxDbs(2)
            .open(dir.toFile(), EnvFlags.MDB_NOLOCK, EnvFlags.MDB_NOTLS)) {
      final Dbi<ByteBuffer> dbi = env.openDbi(META);
      final ByteBuffer key = direct(HEAD.getBytes(StandardCharsets.UTF_8));
      try (org.lmdbjava.Txn<ByteBuffer> txn = env.txnWrite()) {
        final ByteBuffer stored = dbi.get(txn, key);
        if (stored == null) {
          return;
        }
        final byte[] bytes = new byte[stored.remaining()];
        stored.get(bytes);
        final Head head = Head.of(bytes);
        if (head.txnId != sourceTxnId) {
          return;
        }
        dbi.put(
            txn,
            key,
            direct(new Head(head.seq, head.hash, txn.getId(), head.backlogBytes).bytes()));
        txn.commit();
      }
    }
  }

  private static ByteBuffer direct(final byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  /** After the LMDB commit of the transaction {@link #append} wrote {@code seq} in. */
  void committed(final long seq) {
    if (seq == pendingSeq) {
      generation = pendingGeneration;
      backlogBytes = pendingBytes;
      cached = pending;
      trimmedThrough = pendingTrimmed;
    }
    lastSeq = seq;
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /** Removes entries up to {@code upTo} (and below every subscription), at most {@code max}. */
  private long trim(final Txn txn, final long upTo, final int max) {
    long limit = upTo;
    for (final ChangeFeed.Subscription s : subscriptions) {
      limit = Math.min(limit, s.position() - 1);
    }
    pendingTrimmed = trimmedThrough;
    if (limit <= 0 || limit <= trimmedThrough) {
      return 0; // nothing newly acknowledged (and read by every subscription) to trim
    }
    final List<Long> gone = new ArrayList<>();
    long bytes = 0;
    try (Cursor<Long, ByteBuffer> c = entries.select(txn, KeyRange.atMost(limit).limit(max))) {
      while (c.next()) {
        gone.add(c.key());
        bytes += c.value().remaining();
      }
    }
    for (final Long seq : gone) {
      entries.delete(txn, seq);
    }
    if (gone.size() < max) {
      pendingTrimmed = limit; // all up to the limit gone once this transaction commits
    }
    return bytes;
  }

  /** DROP_OLDEST: removes the oldest entries until one more fits; returns the bytes removed. */
  private long dropOldest(final Txn txn, final long seq, final long backlog) {
    long bytes = 0;
    long dropped = 0;
    long last = 0;
    try (Cursor<Long, ByteBuffer> c = entries.select(txn, KeyRange.all())) {
      while (c.next()) {
        final long waiting = seq - c.key() + 1; // kept if the oldest kept is this one
        if (waiting <= options.maxBacklogEntries()
            && backlog - bytes <= options.maxBacklogBytes()) {
          break;
        }
        last = c.key();
        bytes += c.value().remaining();
        dropped++;
      }
    }
    if (dropped > 0) {
      entries.deleteRange(txn, KeyRange.atMost(last));
      meta.put(txn, ACKED, ByteBuffer.allocate(8).putLong(Math.max(last, acked)).array());
      LOG.warn(
          "{}: change feed backlog full: dropped {} unacknowledged entries up to seq {}",
          db.path(),
          dropped,
          last);
    }
    return bytes;
  }

  private long acknowledgedIn(final Txn txn) {
    final byte[] a = meta.get(txn, ACKED);
    return a == null ? 0 : ByteBuffer.wrap(a).getLong();
  }

  private long firstSeq(final Txn txn) {
    return entries.first(txn).map(Row::key).orElse(Long.MAX_VALUE);
  }

  private static long nowMicros() {
    final java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  // ------------------------------------------------------------ readers

  /** Up to {@code max} entries from {@code fromSeq} on, in {@code txn}. */
  List<FeedEntry> read(final Txn txn, final long fromSeq, final int max) {
    final List<FeedEntry> out = new ArrayList<>();
    try (Cursor<Long, ByteBuffer> c = entries.select(txn, KeyRange.atLeast(fromSeq).limit(max))) {
      while (c.next()) {
        final ByteBuffer view = c.value();
        final byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        out.add(FeedEntry.decode(bytes));
      }
    }
    return out;
  }

  /** The oldest entry still stored, or {@code lastSeq + 1} if none. */
  long firstRetained(final Txn txn) {
    final long first = firstSeq(txn);
    return first == Long.MAX_VALUE ? lastSeqIn(txn) + 1 : first;
  }

  long lastSeqIn(final Txn txn) {
    final Head head = Head.of(meta.get(txn, HEAD));
    return head == null ? 0 : head.seq;
  }

  /** Records that entries up to {@code seq} were shipped; trims in the same transaction. */
  void acknowledge(final Txn txn, final long seq) {
    final long last = lastSeqIn(txn);
    if (seq > last) {
      throw new IllegalArgumentException(
          "cannot acknowledge seq " + seq + ": the feed's last entry is " + last);
    }
    final long before = acknowledgedIn(txn);
    if (seq <= before) {
      return;
    }
    meta.put(txn, ACKED, ByteBuffer.allocate(8).putLong(seq).array());
    final Head head = Head.of(meta.get(txn, HEAD));
    final long trimmed = trim(txn, seq, TRIM_PER_COMMIT);
    // this transaction is the feed's too: the head names it, so a reopen sees no bypass
    meta.put(
        txn,
        HEAD,
        new Head(head.seq, head.hash, txn.lmdb.getId(), head.backlogBytes - trimmed).bytes());
  }

  /** Reloads the cached figures after a transaction of its own (an acknowledgement) committed. */
  void refresh() {
    try (Txn txn = db.beginRead()) {
      refresh(txn);
    }
  }

  // ------------------------------------------------------------ subscriptions

  void add(final ChangeFeed.Subscription s) {
    subscriptions.add(s);
  }

  void remove(final ChangeFeed.Subscription s) {
    subscriptions.remove(s);
  }

  List<ChangeFeed.Subscription> subscriptions() {
    return subscriptions;
  }

  /** Waits until an entry after {@code seq} may be there, at most {@code millis}. */
  void awaitAfter(final long seq, final long millis) throws InterruptedException {
    synchronized (signal) {
      if (lastSeq <= seq) {
        signal.wait(millis);
      }
    }
  }

  void wakeAll() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }
}
