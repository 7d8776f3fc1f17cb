package org.lodestore.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Database} is opened. Immutable; build one with {@link #builder()}. The defaults suit
 * a service: a 64 MiB map that grows by itself up to 1 TiB, 128 tables, 256 concurrent read
 * transactions, full durability, group commit.
 *
 * <pre>{@code
 * DatabaseOptions options = DatabaseOptions.builder()
 *     .initialMapSize(1L << 30)
 *     .durability(Durability.NO_META_SYNC)
 *     .build();
 * }</pre>
 */
public final class DatabaseOptions {

  static final long MIB = 1L << 20;

  private final long initialMapSize;
  private final long maxMapSize;
  private final boolean autoGrow;
  private final int maxTables;
  private final int maxReaders;
  private final boolean readOnly;
  private final Durability durability;
  private final Duration growTimeout;
  private final boolean readerPooling;
  private final boolean groupCommit;
  private final Duration writeTimeout;
  private final boolean clearStaleReaders;
  private final FeedOptions changeFeed;
  private final boolean replica;
  private final DatabaseListener listener;

  private DatabaseOptions(final Builder b) {
    this.initialMapSize = b.initialMapSize;
    this.maxMapSize = b.maxMapSize;
    this.autoGrow = b.autoGrow;
    this.maxTables = b.maxTables;
    this.maxReaders = b.maxReaders;
    this.readOnly = b.readOnly;
    this.durability = b.durability;
    this.growTimeout = b.growTimeout;
    this.readerPooling = b.readerPooling;
    this.groupCommit = b.groupCommit;
    this.writeTimeout = b.writeTimeout;
    this.clearStaleReaders = b.clearStaleReaders;
    this.changeFeed = b.changeFeed;
    this.replica = b.replica;
    this.listener = b.listener;
  }

  /**
   * The default options.
   *
   * @return options with every default
   */
  public static DatabaseOptions defaults() {
    return builder().build();
  }

  /**
   * A builder with every default set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The map size the database starts with (or the file's size, if larger).
   *
   * @return bytes
   */
  public long initialMapSize() {
    return initialMapSize;
  }

  /**
   * The largest map size automatic growth may reach.
   *
   * @return bytes
   */
  public long maxMapSize() {
    return maxMapSize;
  }

  /**
   * Whether {@link Database#write} grows a full map and retries.
   *
   * @return true if the map grows by itself
   */
  public boolean autoGrow() {
    return autoGrow;
  }

  /**
   * The maximum number of tables (LMDB named databases), including Lodestore's own.
   *
   * @return the limit
   */
  public int maxTables() {
    return maxTables;
  }

  /**
   * Whether each platform thread keeps its LMDB read transaction between reads (reset, then renewed
   * by its next {@link Database#beginRead()}), with its cursors.
   *
   * @return true if read transactions are pooled
   */
  public boolean readerPooling() {
    return readerPooling;
  }

  /**
   * The maximum number of concurrent read transactions.
   *
   * @return the limit
   */
  public int maxReaders() {
    return maxReaders;
  }

  /**
   * Whether the database is opened read-only.
   *
   * @return true if no write transaction may begin
   */
  public boolean readOnly() {
    return readOnly;
  }

  /**
   * What a commit waits for.
   *
   * @return the durability
   */
  public Durability durability() {
    return durability;
  }

  /**
   * How long map growth waits for open transactions to finish before giving up.
   *
   * @return the timeout
   */
  public Duration growTimeout() {
    return growTimeout;
  }

  /**
   * Whether concurrent {@link Database#write} calls share commits; see {@link
   * Builder#groupCommit(boolean)}.
   *
   * @return true if they do
   */
  public boolean groupCommit() {
    return groupCommit;
  }

  /**
   * How long {@link Database#write} and {@link Database#writeAndGet} wait for the write transaction
   * before they give up with {@link WriteTimeoutException}; see {@link
   * Builder#writeTimeout(Duration)}.
   *
   * @return the timeout, or empty to wait as long as it takes (the default)
   */
  public Optional<Duration> writeTimeout() {
    return Optional.ofNullable(writeTimeout);
  }

  /**
   * Whether the database frees the reader slots of dead processes by itself; see {@link
   * Builder#clearStaleReaders(boolean)}.
   *
   * @return true unless turned off
   */
  public boolean clearStaleReaders() {
    return clearStaleReaders;
  }

  /**
   * Whether and how the database keeps a change feed; see {@link Builder#changeFeed(FeedOptions)}.
   *
   * @return the feed's options, or empty for none (the default)
   */
  public Optional<FeedOptions> changeFeed() {
    return Optional.ofNullable(changeFeed);
  }

  /**
   * Whether the database is a replica, written only through {@link FeedReplica}; see {@link
   * Builder#replica(boolean)}.
   *
   * @return true for a replica
   */
  public boolean replica() {
    return replica;
  }

  /**
   * The listener told of transactions, growths, refusals and corrupt values; see {@link
   * Builder#listener(DatabaseListener)}.
   *
   * @return the listener, or empty for none (the default)
   */
  public Optional<DatabaseListener> listener() {
    return Optional.ofNullable(listener);
  }

  @Override
  public String toString() {
    return "DatabaseOptions{initialMapSize="
        + initialMapSize
        + ", maxMapSize="
        + maxMapSize
        + ", autoGrow="
        + autoGrow
        + ", maxTables="
        + maxTables
        + ", maxReaders="
        + maxReaders
        + ", readerPooling="
        + readerPooling
        + ", readOnly="
        + readOnly
        + ", durability="
        + durability
        + ", growTimeout="
        + growTimeout
        + ", groupCommit="
        + groupCommit
        + (writeTimeout == null ? "" : ", writeTimeout=" + writeTimeout)
        + (clearStaleReaders ? "" : ", clearStaleReaders=false")
        + (changeFeed == null ? "" : ", changeFeed=" + changeFeed)
        + (replica ? ", replica" : "")
        + (listener == null ? "" : ", listener=" + listener)
        + "}";
  }

  /** Builds {@link DatabaseOptions}; {@link #build()} validates the combination. */
  public static final class Builder {
    private long initialMapSize = 64 * MIB;
    private long maxMapSize = 1L << 40;
    private boolean autoGrow = true;
    private int maxTables = 128;
    private int maxReaders = 256;
    private boolean readOnly;
    private Durability durability = Durability.SYNC;
    private Duration growTimeout = Duration.ofSeconds(30);
    private boolean readerPooling = true;
    private boolean groupCommit = true;
    private Duration writeTimeout;
    private boolean clearStaleReaders = true;
    private FeedOptions changeFeed;
    private boolean replica;
    private DatabaseListener listener;

    private Builder() {}

    /**
     * Sets the map size to start with; at least 1 MiB, rounded up to a whole MiB.
     *
     * @param bytes the size
     * @return this builder
     */
    public Builder initialMapSize(final long bytes) {
      this.initialMapSize = bytes;
      return this;
    }

    /**
     * Sets the largest size automatic growth may reach.
     *
     * @param bytes the limit, at least the initial size
     * @return this builder
     */
    public Builder maxMapSize(final long bytes) {
      this.maxMapSize = bytes;
      return this;
    }

    /**
     * Sets whether {@link Database#write} grows a full map and retries (default true).
     *
     * @param enabled whether to grow
     * @return this builder
     */
    public Builder autoGrow(final boolean enabled) {
      this.autoGrow = enabled;
      return this;
    }

    /**
     * Sets the maximum number of tables, 1..32767 (default 128).
     *
     * @param count the limit
     * @return this builder
     */
    public Builder maxTables(final int count) {
      this.maxTables = count;
      return this;
    }

    /**
     * Sets the maximum number of concurrent read transactions (default 256).
     *
     * @param count the limit, at least 1
     * @return this builder
     */
    public Builder maxReaders(final int count) {
      this.maxReaders = count;
      return this;
    }

    /**
     * Sets whether platform threads keep their LMDB read transaction between reads (default true).
     * A kept transaction holds no snapshot, only its slot in LMDB's reader table (which all
     * processes of the database share): at most a quarter of {@link #maxReaders(int)} are kept,
     * none when it is below 64, and those of threads that ended are freed. Virtual threads never
     * keep one.
     *
     * @param enabled whether to pool
     * @return this builder
     */
    public Builder readerPooling(final boolean enabled) {
      this.readerPooling = enabled;
      return this;
    }

    /**
     * Opens the database read-only: it must exist, and write transactions are refused.
     *
     * @param readOnly whether to open read-only
     * @return this builder
     */
    public Builder readOnly(final boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Sets what a commit waits for (default {@link Durability#SYNC}).
     *
     * @param durability the durability
     * @return this builder
     */
    public Builder durability(final Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Sets how long map growth waits for open transactions (default 30 s).
     *
     * @param timeout the timeout, positive
     * @return this builder
     */
    public Builder growTimeout(final Duration timeout) {
      this.growTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets whether concurrent {@link Database#write} and {@link Database#writeAndGet} calls share
     * commits (default true).
     *
     * <p>With group commit, calls that arrive while another is writing or committing wait, and then
     * run together in one LMDB write transaction, each caller's function in a nested transaction of
     * its own on the caller's own thread, in arrival order; one commit (with {@link
     * Durability#SYNC}, one pair of fsyncs) makes all of them durable, and each caller returns only
     * after it. Each caller sees what it would alone: the writes of the callers before it, none of
     * a caller whose function threw (that caller gets its exception, the others commit), and its
     * own. A caller that writes alone runs in the top-level transaction as without group commit.
     * Many threads writing small synced transactions gain most; the cost is a little latency for
     * the callers in a group, which wait for those before them and for the shared commit, and
     * LMDB's nested transactions (some CPU and malloc per caller).
     *
     * <p>Turn it off when one caller's commit must not wait for other callers' functions (say, a
     * latency-critical writer beside slow batch writers), or when functions are long and rarely
     * concurrent. Explicit transactions ({@link Database#beginWrite()}) are never grouped.
     *
     * @param enabled whether to group
     * @return this builder
     */
    public Builder groupCommit(final boolean enabled) {
      this.groupCommit = enabled;
      return this;
    }

    /**
     * Sets how long {@link Database#write} and {@link Database#writeAndGet} wait for the write
     * transaction (held by another thread of this process, by another process, or by the group
     * commits before them) before they give up with {@link WriteTimeoutException}, without running
     * their function. By default they wait as long as it takes. Explicit transactions take their
     * own: {@link Database#beginWrite(Duration)}. With a timeout every write transaction of {@code
     * write} is begun and ended on a platform thread of the database, because LMDB's wait for
     * another process cannot be interrupted (see {@link Database#beginWrite(Duration)}).
     *
     * @param timeout the longest wait, zero or more
     * @return this builder
     */
    public Builder writeTimeout(final Duration timeout) {
      this.writeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets whether the database frees the reader slots of dead processes by itself (default true):
     * at open, when the reader table is full, and every 64 write transactions or second. Turn it
     * off only in a tool that reports those slots before freeing them ({@link Database#readers()},
     * then {@link Database#clearStaleReaders()}): a database that never frees them fills its reader
     * table and keeps old pages pinned.
     *
     * @param enabled whether to free them
     * @return this builder
     */
    public Builder clearStaleReaders(final boolean enabled) {
      this.clearStaleReaders = enabled;
      return this;
    }

    /**
     * Turns the change feed on: every committed write transaction appends one entry of its
     * byte-level changes to the feed, in the same transaction (see {@link ChangeFeed}). Off by
     * default. A read-only database reads the feed its writer keeps.
     *
     * @param options the feed's backlog limits
     * @return this builder
     */
    public Builder changeFeed(final FeedOptions options) {
      this.changeFeed = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Makes the database a replica of another's change feed: its users read it (schemas attach as
     * on a read-only database), and only {@link FeedReplica#write} writes it, applying the source's
     * entries. A replica keeps no change feed of its own.
     *
     * @param replica whether it is a replica
     * @return this builder
     */
    public Builder replica(final boolean replica) {
      this.replica = replica;
      return this;
    }

    /**
     * Sets the listener the database tells of its transactions (with their durations), map growths,
     * refused writes, corrupt values and group commits, for metrics (store-micrometer's {@code
     * LodestoreMetrics} is one). Its methods run on the database's threads and must be fast; one
     * that throws is logged and ignored. See {@link DatabaseListener}. Default: none, which costs
     * nothing.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(final DatabaseListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Validates and builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException if a value is out of range
     */
    public DatabaseOptions build() {
      if (initialMapSize < MIB) {
        throw new IllegalArgumentException(
            "initialMapSize must be at least 1 MiB: " + initialMapSize);
      }
      initialMapSize = (initialMapSize + MIB - 1) / MIB * MIB;
      if (maxMapSize < initialMapSize) {
        throw new IllegalArgumentException(
            "maxMapSize " + maxMapSize + " is below initialMapSize " + initialMapSize);
      }
      if (maxTables < 1 || maxTables > 32767) {
        throw new IllegalArgumentException("maxTables must be 1..32767: " + maxTables);
      }
      if (replica && changeFeed != null) {
        throw new IllegalArgumentException("a replica keeps no change feed of its own");
      }
      if (replica && readOnly) {
        throw new IllegalArgumentException(
            "a replica is opened writable (its follower writes it); its users only read");
      }
      if (maxReaders < 1) {
        throw new IllegalArgumentException("maxReaders must be at least 1: " + maxReaders);
      }
      if (growTimeout.isNegative() || growTimeout.isZero()) {
        throw new IllegalArgumentException("growTimeout must be positive: " + growTimeout);
      }
      if (writeTimeout != null && writeTimeout.isNegative()) {
        throw new IllegalArgumentException("writeTimeout must not be negative: " + writeTimeout);
      }
      return new DatabaseOptions(this);
    }
  }
}
