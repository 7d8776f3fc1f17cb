package org.lodestore.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database's change feed: one {@link FeedEntry} per committed write transaction, appended in that
 * same transaction, with every byte-level change it made to every table (indexes and catalog
 * included). Turned on with {@link DatabaseOptions.Builder#changeFeed(FeedOptions)}; {@link
 * Database#feed()} returns it.
 *
 * <pre>{@code
 * Database db = Database.open(dir, DatabaseOptions.builder()
 *     .changeFeed(FeedOptions.defaults()).build());
 * try (ChangeFeed.Subscription s = db.feed().subscribe(1, entry -> log.info("{}", entry))) {
 *   db.write(txn -> users.put(txn, id, user));   // the listener is told, after the commit
 * }
 * }</pre>
 *
 * <h2>What it promises</h2>
 *
 * <ul>
 *   <li>Sequence numbers are dense (1, 2, 3, ...) and in commit order: LMDB has one writer.
 *   <li>An aborted transaction adds nothing, nor does a transaction that changed nothing; a {@code
 *       db.write} run again after map growth adds one entry, for the run that committed; a group
 *       commit (several {@code db.write} callers in one LMDB transaction) adds one entry with every
 *       caller's changes, in their order.
 *   <li>Feed and data are written in one LMDB transaction: after any crash they agree.
 *   <li>Entries stay until {@linkplain #acknowledge acknowledged} (a shipper does it once Kafka
 *       holds them) and read by every open subscription; the backlog of unacknowledged entries is
 *       bounded by {@link FeedOptions}.
 *   <li>The generation ({@link #generation()}) changes when the chain cannot be trusted to be
 *       complete: when the database was written by a process without the feed.
 * </ul>
 *
 * <p>Thread-safe. Reads run in read transactions of their own.
 */
public final class ChangeFeed {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

  /** How long a subscription waits for a commit before it looks again (other processes' too). */
  private static final long POLL_MILLIS = 200;

  /**
   * How long a subscription lets commits gather after it delivered some, before it reads again.
   * Waking its thread for every commit costs the writers more (a wake-up per commit, on their
   * thread) than this wait costs the listener: measured on W2 single-row commits.
   */
  private static final long LINGER_NANOS = 100_000;

  /** Entries a subscription reads at a time. */
  private static final int READ_AT_ONCE = 256;

  private final Database db;
  private final FeedLog log;
  private final AtomicReference<LongConsumer> commitWaiter = new AtomicReference<>();

  ChangeFeed(final Database db, final FeedLog log) {
    this.db = db;
    this.log = log;
  }

  /**
   * The feed's generation: a random id, new when the feed starts and whenever writes bypassed it
   * (another process wrote without the feed), as of this process's open or last commit. A follower
   * applies entries of one generation only.
   *
   * @return the generation id
   */
  public UUID generation() {
    return log.generation();
  }

  /**
   * The seq of the last committed entry this process knows of (0 before the first). After {@code
   * db.write} returns it is at least that write's entry: wait for it on a follower to read your own
   * writes there.
   *
   * @return the last seq
   */
  public long lastSeq() {
    return log.lastSeq();
  }

  /**
   * The seq up to which entries were acknowledged (0 for none).
   *
   * @return the acknowledged seq
   */
  public long acknowledgedSeq() {
    return log.acknowledged();
  }

  /**
   * The bytes of the entries committed and not yet trimmed.
   *
   * @return bytes
   */
  public long backlogBytes() {
    return log.backlogBytes();
  }

  /**
   * The oldest entry still stored, or {@link #lastSeq()} + 1 if none is.
   *
   * @return the seq
   */
  public long firstRetainedSeq() {
    try (Txn txn = db.beginRead()) {
      return log.firstRetained(txn);
    }
  }

  /**
   * Reads up to {@code max} entries from {@code fromSeq} on, in order, in a read transaction of its
   * own. Fewer (or none) when the feed ends sooner; the first is later than {@code fromSeq} if
   * entries were trimmed: check {@link FeedEntry#seq()}.
   *
   * @param fromSeq the first seq wanted
   * @param max the most entries, at least 1
   * @return the entries
   * @throws CorruptValueException if a stored entry is damaged
   */
  public List<FeedEntry> read(final long fromSeq, final int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    try (Txn txn = db.beginRead()) {
      return log.read(txn, fromSeq, max);
    }
  }

  /**
   * Reads up to {@code max} entries from {@code fromSeq} on inside {@code txn}: with a write
   * transaction, an exact view of what it would commit after.
   *
   * @param txn a transaction of this database
   * @param fromSeq the first seq wanted
   * @param max the most entries, at least 1
   * @return the entries
   */
  public List<FeedEntry> read(final Txn txn, final long fromSeq, final int max) {
    Objects.requireNonNull(txn, "txn");
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    return log.read(txn, fromSeq, max);
  }

  /**
   * Runs {@code fn} as {@link Database#write} does (grouped, grown and run again as need be) and
   * returns the seq of the feed entry that carries its changes: to read your own writes on a
   * follower, wait there until it has applied that seq.
   *
   * <pre>{@code
   * long seq = db.feed().write(txn -> orders.put(txn, id, order));
   * follower.awaitApplied(seq, Duration.ofSeconds(5));
   * }</pre>
   *
   * @param fn the work
   * @return the entry's seq, or 0 if {@code fn} changed nothing
   * @throws LodestoreException as {@link Database#write} throws
   */
  public long write(final Consumer<Txn> fn) {
    Objects.requireNonNull(fn, "fn");
    final Txn[] last = new Txn[1];
    db.write(
        txn -> {
          last[0] = txn;
          fn.accept(txn);
        });
    return last[0].committedSeq();
  }

  /**
   * Records that entries up to {@code seq} were shipped and may be trimmed (in a write transaction
   * of its own); trimming then happens over the next commits. Acknowledging less than before does
   * nothing.
   *
   * @param seq the last shipped seq
   * @throws IllegalArgumentException if {@code seq} is beyond the last entry
   */
  public void acknowledge(final long seq) {
    // a transaction of its own, never grouped with users' writes (so their commit waiters and
    // committed seqs are not its), grown and retried as db.write would
    while (true) {
      try (Txn txn = db.beginWrite()) {
        log.acknowledge(txn, seq);
        txn.commit();
        break;
      } catch (MapFullException e) {
        if (!db.options().autoGrow()) {
          throw e;
        }
        db.growMap();
      }
    }
    log.refresh();
  }

  /**
   * Registers {@code waiter}, called after each {@link Database#write}, {@link
   * Database#writeAndGet} or {@link #write} of this process whose commit appended an entry: on the
   * writer's thread, with the entry's seq, before the call returns. A semi-sync shipper waits there
   * until Kafka holds the entry, so that the call returns only then; what the waiter throws, the
   * call throws (its changes are committed all the same). The callers of one group commit each call
   * it, with the same seq. Explicit transactions ({@link Database#beginWrite()}) and writes that
   * changed nothing do not call it. One waiter at a time.
   *
   * @param waiter told the seq of each committed entry; it must not write to this database
   * @throws IllegalStateException if another waiter is registered
   */
  public void setCommitWaiter(final LongConsumer waiter) {
    Objects.requireNonNull(waiter, "waiter");
    if (!commitWaiter.compareAndSet(null, waiter) && commitWaiter.get() != waiter) {
      throw new IllegalStateException(
          "the change feed of "
              + db.path()
              + " has a commit waiter already (a semi-sync shipper?)");
    }
  }

  /**
   * Removes {@code waiter} if it is the one registered.
   *
   * @param waiter the waiter given to {@link #setCommitWaiter}
   * @return whether it was registered
   */
  public boolean clearCommitWaiter(final LongConsumer waiter) {
    return commitWaiter.compareAndSet(waiter, null);
  }

  /** Whether a commit waiter is registered. */
  boolean hasCommitWaiter() {
    return commitWaiter.get() != null;
  }

  /** After a write call's commit that appended entry {@code seq} (0: none): calls the waiter. */
  void afterCommit(final long seq) {
    final LongConsumer waiter = commitWaiter.get();
    if (seq > 0 && waiter != null) {
      waiter.accept(seq);
    }
  }

  /**
   * Calls {@code listener} with every entry from {@code fromSeq} on, in order, on a thread of its
   * own, as soon as each is committed (by this process; by another within a fraction of a second),
   * until the subscription is closed. The first commit after a quiet spell is delivered at once;
   * while commits keep coming, the subscription gathers them for about 0.1 ms between deliveries,
   * since waking its thread for each one would cost the writers more. Entries it has not been given
   * yet are not trimmed. If the listener throws, or the entry it needs next was trimmed before it
   * subscribed, the subscription ends and {@link Subscription#failure()} says why.
   *
   * @param fromSeq the first seq to deliver (1 for the whole feed, {@code lastSeq() + 1} for new
   *     commits only)
   * @param listener told of each entry; it must not write to this database in the calling thread's
   *     name: it runs on the subscription's thread
   * @return the subscription; close it
   */
  public Subscription subscribe(final long fromSeq, final Consumer<FeedEntry> listener) {
    final Subscription s = new Subscription(Math.max(1, fromSeq), listener);
    log.add(s);
    s.thread.start();
    return s;
  }

  /** An open subscription; {@link #close()} ends it. */
  public final class Subscription implements AutoCloseable {
    private final Consumer<FeedEntry> listener;
    private final Thread thread;
    private volatile long next;
    private volatile boolean open = true;
    private volatile Throwable failure;

    private Subscription(final long from, final Consumer<FeedEntry> listener) {
      this.next = from;
      this.listener = Objects.requireNonNull(listener, "listener");
      this.thread = new Thread(this::run, "lodestore-feed " + db.path().getFileName());
      this.thread.setDaemon(true);
    }

    /**
     * The seq of the next entry to deliver.
     *
     * @return the seq
     */
    public long position() {
      return next;
    }

    /**
     * Whether it still delivers.
     *
     * @return false once closed or failed
     */
    public boolean isOpen() {
      return open;
    }

    /**
     * Why it ended by itself, if it did.
     *
     * @return the listener's exception, a {@link LodestoreException} for a gap, or empty
     */
    public Optional<Throwable> failure() {
      return Optional.ofNullable(failure);
    }

    private void run() {
      try {
        while (open && !db.isClosed()) {
          final List<FeedEntry> batch = read(next, READ_AT_ONCE);
          if (batch.isEmpty()) {
            log.awaitAfter(next - 1, POLL_MILLIS);
            continue;
          }
          if (batch.get(0).seq() != next) {
            throw new LodestoreException(
                "change feed entry "
                    + next
                    + " was trimmed before this subscription read it (the oldest is "
                    + batch.get(0).seq()
                    + ")");
          }
          for (final FeedEntry entry : batch) {
            if (!open) {
              return;
            }
            listener.accept(entry);
            next = entry.seq() + 1;
          }
          if (batch.size() < READ_AT_ONCE) {
            LockSupport.parkNanos(LINGER_NANOS); // (not a waiter meanwhile: no wake-ups to pay)
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (InvalidStateException e) {
        if (!db.isClosed()) {
          fail(e);
        }
      } catch (RuntimeException | Error e) {
        fail(e);
      } finally {
        open = false;
        log.remove(this);
      }
    }

    private void fail(final Throwable e) {
      failure = e;
      LOG.warn("change feed subscription of {} ended at seq {}: {}", db.path(), next, e.toString());
    }

    /** Stops delivering and waits (briefly) for the listener's current call to return. */
    @Override
    public void close() {
      open = false;
      log.remove(this);
      log.wakeAll();
      if (Thread.currentThread() != thread) {
        try {
          thread.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
