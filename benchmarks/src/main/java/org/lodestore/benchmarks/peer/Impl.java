package org.lodestore.benchmarks.peer;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The implementations under test, by the id used as the JMH {@code impl} parameter, with the
 * workloads each can run and, for the others, why not.
 */
public enum Impl {
  /** Lodestore with FlatBuffers values (zero-copy reads). */
  LODESTORE_FB("lodestore-fb", LodestoreFbAdapter::new, Map.of()),
  /** Lodestore with CBOR values. */
  LODESTORE_CBOR("lodestore-cbor", LodestoreCborAdapter::new, Map.of()),
  /** Hand-written lmdbjava with Lodestore's key layout and FlatBuffers values: the baseline. */
  LMDBJAVA_RAW("lmdbjava-raw", LmdbRawAdapter::new, Map.of()),
  /** SQLite via xerial sqlite-jdbc: WAL, WITHOUT ROWID tables, prepared statements. */
  SQLITE("sqlite", SqliteAdapter::new, Map.of()),
  /** H2 MVStore with a TransactionStore. */
  H2_MVSTORE("h2-mvstore", MvStoreAdapter::new, Map.of()),
  /** RocksDB (rocksdbjni): one column family per table and index, WriteBatch commits. */
  ROCKSDB("rocksdb", RocksDbAdapter::new, Map.of()),
  /** JetBrains Xodus environments (Patricia-tree stores). */
  XODUS("xodus", XodusAdapter::new, Map.of()),
  /** MapDB BTreeMap with transactions. */
  MAPDB(
      "mapdb",
      MapDbAdapter::new,
      Map.of(
          Workload.W6,
          "one transaction per database, shared by every thread: a commit or rollback takes every"
              + " thread's pending writes, so concurrent writers cannot each commit their own row"),
      Map.of(
          SyncMode.META_NO_SYNC,
          "a commit either fsyncs its write-ahead log or, with fileSyncDisable(), never: no level"
              + " between")),
  /** Chronicle Map: an off-heap hash map, a W1-only reference. */
  CHRONICLE(
      "chronicle",
      ChronicleAdapter::new,
      Map.of(
          Workload.W2,
          "no transactions and no secondary indexes",
          Workload.W3,
          "unordered hash map: no range scans",
          Workload.W4,
          "unordered hash map: no reverse scans",
          Workload.W5,
          "no secondary indexes",
          Workload.W6,
          "no transactions and no secondary indexes",
          Workload.W7,
          "unordered hash map: no range scans (W7 runs W1's get and W3's scan)"));

  private final String id;
  private final Opener opener;
  private final Map<Workload, String> unsupported;
  private final Map<SyncMode, String> noDurability;

  Impl(String id, Opener opener, Map<Workload, String> unsupported) {
    this(id, opener, unsupported, Map.of());
  }

  Impl(
      String id,
      Opener opener,
      Map<Workload, String> unsupported,
      Map<SyncMode, String> noDurability) {
    this.id = id;
    this.opener = opener;
    this.unsupported = unsupported.isEmpty() ? Map.of() : new EnumMap<>(unsupported);
    this.noDurability = noDurability.isEmpty() ? Map.of() : new EnumMap<>(noDurability);
  }

  /** The id used as the JMH {@code impl} parameter and in reports. */
  public String id() {
    return id;
  }

  /** Whether this implementation can run {@code workload}. */
  public boolean supports(Workload workload) {
    return !unsupported.containsKey(workload);
  }

  /** Why this implementation cannot run {@code workload}, or {@code null} if it can. */
  public String unsupportedReason(Workload workload) {
    return unsupported.get(workload);
  }

  /** Whether this implementation has a setting for the durability {@code sync}. */
  public boolean supports(SyncMode sync) {
    return !noDurability.containsKey(sync);
  }

  /** Why this implementation has no setting for {@code sync}, or {@code null} if it has one. */
  public String unsupportedReason(SyncMode sync) {
    return noDurability.get(sync);
  }

  /**
   * Opens (creating if needed) this implementation's store in the empty or previously used
   * directory {@code dir}.
   *
   * @throws UnsupportedWorkloadException if the store has no setting for {@code options.sync()}
   */
  public StoreAdapter open(Path dir, StoreOptions options) {
    if (!supports(options.sync())) {
      throw new UnsupportedWorkloadException(this, options.sync());
    }
    try {
      return opener.open(dir, options);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(id + ": cannot open store in " + dir, e);
    }
  }

  /** The implementation with id {@code id}. */
  public static Impl of(String id) {
    for (Impl impl : values()) {
      if (impl.id.equals(id)) {
        return impl;
      }
    }
    throw new IllegalArgumentException("unknown impl: " + id);
  }

  /** Opens an adapter. */
  @FunctionalInterface
  interface Opener {
    StoreAdapter open(Path dir, StoreOptions options) throws Exception;
  }
}
