package org.lodestore.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Applies change-feed entries to a replica database: the byte-level changes of each entry, in one
 * of the replica's write transactions, together with the replica's position (the generation, seq
 * and hash of the last entry applied, and an opaque state of the caller's, such as a Kafka offset),
 * so that a crash at any point leaves entries and position in step.
 *
 * <pre>
 *  __lodestore_replica   "position" -> generation 16B | seq u64 | hash 32B | state length u32 | state
 *                                       | LMDB txn id u64 (the transaction that wrote it)
 * </pre>
 *
 * <p>The txn id tells whether anything but this class wrote the replica since: a transaction that
 * wrote it outside its feed (the directory opened as an ordinary database, say) leaves the position
 * naming an older transaction, and the next {@link #apply} refuses, since the replica's data may
 * then differ from the source's.
 *
 * <p>A replica is opened with {@link DatabaseOptions.Builder#replica(boolean)}: its users read, and
 * only {@link #write} (this class's way in) writes. Bootstrap a replica from a copy of the source
 * taken with {@link Database#backupTo} (a copy of a database with a change feed holds the feed's
 * head): {@link #startFromSnapshot} sets the position to it, and every entry after it then applies.
 *
 * <pre>{@code
 * Database replica = Database.open(dir, DatabaseOptions.builder().replica(true).build());
 * FeedReplica.write(replica, txn -> FeedReplica.startFromSnapshot(txn));
 * FeedReplica.write(replica, txn -> {
 *   for (FeedEntry e : batch) {
 *     FeedReplica.apply(txn, e, offsetBytes);
 *   }
 * });
 * }</pre>
 */
public final class FeedReplica {

  /** The reserved table holding the position. */
  static final String POSITION_TABLE = FeedLog.PREFIX.replace("feed", "replica");

  private static final String POSITION = "position";

  private static final ThreadLocal<Boolean> WRITING = new ThreadLocal<>();

  private FeedReplica() {}

  /**
   * What a replica has applied.
   *
   * @param generation the source feed's generation
   * @param seq the last entry applied
   * @param hash that entry's hash
   * @param state the caller's state recorded with it (e.g. the Kafka offset after it); empty if
   *     none
   */
  public record Position(UUID generation, long seq, byte[] hash, byte[] state) {

    /**
     * Copies the arrays.
     *
     * @param generation the source feed's generation
     * @param seq the last entry applied
     * @param hash that entry's hash
     * @param state the caller's state
     */
    public Position {
      Objects.requireNonNull(generation, "generation");
      hash = hash.clone();
      state = state == null ? new byte[0] : state.clone();
    }

    @Override
    public byte[] hash() {
      return hash.clone();
    }

    @Override
    public byte[] state() {
      return state.clone();
    }

    @Override
    public boolean equals(final Object o) {
      return o instanceof Position
          && ((Position) o).generation.equals(generation)
          && ((Position) o).seq == seq
          && Arrays.equals(((Position) o).hash, hash)
          && Arrays.equals(((Position) o).state, state);
    }

    @Override
    public int hashCode() {
      return Objects.hash(generation, seq, Arrays.hashCode(hash), Arrays.hashCode(state));
    }

    @Override
    public String toString() {
      return "Position[generation " + generation + ", seq " + seq + "]";
    }
  }

  /**
   * Runs {@code fn} in a write transaction of the replica {@code db}, which its users cannot write
   * (see {@link DatabaseOptions.Builder#replica(boolean)}); as {@link Database#write}, it grows the
   * map and runs {@code fn} again when the map fills up.
   *
   * @param db the replica (or any writable database)
   * @param fn the work: {@link #apply}, {@link #startFromSnapshot}, {@link #reset}
   */
  public static void write(final Database db, final java.util.function.Consumer<Txn> fn) {
    final Boolean before = WRITING.get();
    WRITING.set(Boolean.TRUE);
    try {
      db.write(fn);
    } finally {
      if (before == null) {
        WRITING.remove();
      }
    }
  }

  /** Whether the calling thread writes for a replica (inside {@link #write}). */
  static boolean writing() {
    return WRITING.get() != null;
  }

  /**
   * The replica's position as {@code txn} sees it.
   *
   * @param txn a transaction of the replica
   * @return the position, or empty before the first {@link #startFromSnapshot} or {@link #reset}
   */
  public static Optional<Position> position(final Txn txn) {
    final Database db = txn.database();
    if (!db.exists(txn, POSITION_TABLE)) {
      return Optional.empty();
    }
    final byte[] b =
        db.ownedTable(txn, POSITION_TABLE, KeyCodecs.STRING, ValueCodecs.BYTES).get(txn, POSITION);
    if (b == null) {
      return Optional.empty();
    }
    final ByteBuffer in = ByteBuffer.wrap(b);
    final UUID generation = new UUID(in.getLong(), in.getLong());
    final long seq = in.getLong();
    final byte[] hash = new byte[FeedEntry.HASH_LENGTH];
    in.get(hash);
    final byte[] state = new byte[in.getInt()];
    in.get(state);
    return Optional.of(new Position(generation, seq, hash, state));
  }

  /** The LMDB txn id that wrote the position in {@code txn}, or -1 if it records none. */
  private static long writtenBy(final Txn txn) {
    final byte[] b =
        txn.database()
            .ownedTable(txn, POSITION_TABLE, KeyCodecs.STRING, ValueCodecs.BYTES)
            .get(txn, POSITION);
    if (b == null || b.length < 16 + 8 + FeedEntry.HASH_LENGTH + 4) {
      return -1;
    }
    final int withoutId = 16 + 8 + FeedEntry.HASH_LENGTH + 4 + ByteBuffer.wrap(b).getInt(56);
    return b.length == withoutId + 8 ? ByteBuffer.wrap(b).getLong(withoutId) : -1;
  }

  /**
   * Sets the position without applying anything: for a replica bootstrapped some other way.
   *
   * @param txn a write transaction of the replica
   * @param position the position to record
   */
  public static void reset(final Txn txn, final Position position) {
    final ByteBuffer out =
        ByteBuffer.allocate(16 + 8 + FeedEntry.HASH_LENGTH + 4 + position.state.length + 8);
    out.putLong(position.generation.getMostSignificantBits())
        .putLong(position.generation.getLeastSignificantBits())
        .putLong(position.seq)
        .put(position.hash)
        .putInt(position.state.length)
        .put(position.state)
        .putLong(txn.lmdb.getId());
    txn.database()
        .ownedTable(txn, POSITION_TABLE, KeyCodecs.STRING, ValueCodecs.BYTES)
        .put(txn, POSITION, out.array());
  }

  /**
   * Sets the position to the change feed head recorded in this database, a copy ({@link
   * Database#backupTo}) of a database with a change feed, and removes the copied feed: its entries
   * are the source's to ship, and the replica's state is its position.
   *
   * @param txn a write transaction of the replica
   * @return the position set
   * @throws LodestoreException if the database holds no change feed
   */
  public static Position startFromSnapshot(final Txn txn) {
    final Database db = txn.database();
    if (!db.exists(txn, FeedLog.META)) {
      throw new LodestoreException(
          "database " + db.path() + " holds no change feed: it is not a copy of a feed's source");
    }
    final Table<String, byte[]> meta =
        db.ownedTable(txn, FeedLog.META, KeyCodecs.STRING, ValueCodecs.BYTES);
    final byte[] g = meta.get(txn, "generation");
    final byte[] h = meta.get(txn, "head");
    if (g == null || h == null) {
      throw new LodestoreException("the change feed of " + db.path() + " has no head");
    }
    final ByteBuffer gb = ByteBuffer.wrap(g);
    final ByteBuffer hb = ByteBuffer.wrap(h);
    final long seq = hb.getLong();
    final byte[] hash = new byte[FeedEntry.HASH_LENGTH];
    hb.get(hash);
    final Position position = new Position(new UUID(gb.getLong(), gb.getLong()), seq, hash, null);
    db.dropInternal(txn, FeedLog.ENTRIES);
    db.dropInternal(txn, FeedLog.META);
    reset(txn, position);
    return position;
  }

  /**
   * Applies {@code entry} if it is the next one: every change, then the new position with {@code
   * state}; an entry already applied (its seq at or below the position's) is skipped, unless it is
   * the position's own seq with another hash: then the source diverged (it was restored from an
   * older copy, say) and the entry is refused.
   *
   * @param txn a write transaction of the replica
   * @param entry the entry
   * @param state the caller's state to record with it (e.g. the Kafka offset after it), or null
   * @return true if applied, false if skipped as already applied
   * @throws FeedGapException if the entry does not follow the position: a missing entry, another
   *     generation, or a hash that does not chain (nothing is applied)
   * @throws InvalidStateException if the replica has no position yet
   */
  public static boolean apply(final Txn txn, final FeedEntry entry, final byte[] state) {
    final Position at =
        position(txn)
            .orElseThrow(
                () ->
                    new InvalidStateException(
                        "replica "
                            + txn.database().path()
                            + " has no position: bootstrap it with startFromSnapshot first"));
    final long writtenBy = writtenBy(txn);
    final long id = txn.lmdb.getId(); // this one's; the one before committed id - 1
    final boolean duplicate =
        entry.generation().equals(at.generation)
            && entry.seq() <= at.seq
            && (entry.seq() < at.seq || Arrays.equals(entry.hash(), at.hash));
    if (!duplicate && writtenBy >= 0 && writtenBy != id && writtenBy != id - 1) {
      throw new FeedGapException(
          "it was written outside its feed (LMDB transaction "
              + (id - 1)
              + " committed after the one that applied seq "
              + at.seq
              + ", "
              + writtenBy
              + "), so its data may differ from the source's; entry "
              + entry.seq()
              + " is refused: bootstrap the replica again",
          txn.database().path(),
          at,
          entry.seq());
    }
    final boolean redelivered =
        entry.generation().equals(at.generation)
            && entry.seq() == at.seq
            && !Arrays.equals(entry.hash(), at.hash);
    if (entry.generation().equals(at.generation) && entry.seq() <= at.seq && !redelivered) {
      return false; // (below the position there is no hash to compare with)
    }
    if (redelivered || !entry.follows(at.seq, at.generation, at.hash)) {
      throw new FeedGapException(
          "entry "
              + entry.seq()
              + " of generation "
              + entry.generation()
              + " does not follow the replica's position (seq "
              + at.seq
              + " of generation "
              + at.generation
              + (redelivered
                  ? "): the replica applied another entry of that seq: the source diverged"
                  : entry.generation().equals(at.generation) && entry.seq() == at.seq + 1
                      ? "): its hash chain does not match: the source diverged"
                      : "): entries are missing or of another generation")
              + "; bootstrap the replica again",
          txn.database().path(),
          at,
          entry.seq());
    }
    for (final FeedChange change : entry.changes()) {
      applyChange(txn, change);
    }
    reset(txn, new Position(entry.generation(), entry.seq(), entry.hash(), state));
    return true;
  }

  private static void applyChange(final Txn txn, final FeedChange c) {
    final Database db = txn.database();
    if (c.op() == FeedChange.Op.DROP) {
      db.dropInternal(txn, c.table());
      return;
    }
    if (c.op() == FeedChange.Op.CREATE) {
      final int flags = c.value() == null || c.value().length == 0 ? 0 : c.value()[0];
      db.internalHandle(
          txn, c.table(), (flags & FeedChange.DUP_SORT) != 0, (flags & FeedChange.DUP_FIXED) != 0);
      return;
    }
    final boolean set = c.op() == FeedChange.Op.SET_ADD || c.op() == FeedChange.Op.SET_REMOVE;
    final TableHandle handle = db.internalHandle(txn, c.table(), set, false);
    txn.enterWrite();
    try {
      txn.beforeMutation();
      switch (c.op()) {
        case PUT:
          handle.dbi.put(txn.lmdb, direct(c.key()), direct(c.value()));
          break;
        case DELETE:
          handle.dbi.delete(txn.lmdb, direct(c.key()));
          break;
        case TRUNCATE:
          handle.dbi.drop(txn.lmdb);
          break;
        case SET_ADD:
          handle.dbi.put(txn.lmdb, direct(c.key()), direct(c.value()), PutFlags.MDB_NODUPDATA);
          break;
        case SET_REMOVE:
          handle.dbi.delete(txn.lmdb, direct(c.key()), direct(c.value()));
          break;
        default:
          throw new IllegalStateException("unexpected change " + c.op());
      }
    } catch (LmdbException e) {
      throw txn.failed(Lmdb.translate(e, c.table(), null));
    } finally {
      txn.exit();
    }
  }

  private static ByteBuffer direct(final byte[] bytes) {
    final ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
    b.put(bytes).flip();
    return b;
  }

  static byte[] utf8(final String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
