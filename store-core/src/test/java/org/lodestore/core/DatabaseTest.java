package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildJvm;

/**
 * {@link Database} and {@link DatabaseOptions}: validation, read-only and durability modes,
 * statistics, compacting backup, table names and kinds, concurrent readers and isolation, the
 * missing-JVM-flags error, and the on-disk layout seen by {@code mdb_stat}.
 */
class DatabaseTest {

  private static final long MIB = 1L << 20;

  @TempDir Path dir;

  // ------------------------------------------------------------------ options

  @Test
  void builder_defaults_areTheDocumentedServiceDefaults() {
    final DatabaseOptions o = DatabaseOptions.defaults();
    assertThat(o.initialMapSize()).isEqualTo(64 * MIB);
    assertThat(o.maxMapSize()).isEqualTo(1L << 40);
    assertThat(o.autoGrow()).isTrue();
    assertThat(o.maxTables()).isEqualTo(128);
    assertThat(o.maxReaders()).isEqualTo(256);
    assertThat(o.readOnly()).isFalse();
    assertThat(o.durability()).isEqualTo(Durability.SYNC);
    assertThat(o.growTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void builder_outOfRangeValues_throwIllegalArgumentOnBuild() {
    assertThatThrownBy(() -> DatabaseOptions.builder().initialMapSize(MIB - 1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initialMapSize");
    assertThatThrownBy(
            () -> DatabaseOptions.builder().initialMapSize(8 * MIB).maxMapSize(4 * MIB).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMapSize");
    assertThatThrownBy(() -> DatabaseOptions.builder().maxTables(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTables");
    assertThatThrownBy(() -> DatabaseOptions.builder().maxTables(32768).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTables");
    assertThatThrownBy(() -> DatabaseOptions.builder().maxReaders(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxReaders");
    assertThatThrownBy(() -> DatabaseOptions.builder().growTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("growTimeout");
    assertThatThrownBy(() -> DatabaseOptions.builder().growTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DatabaseOptions.builder().durability(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> DatabaseOptions.builder().growTimeout(null))
        .isInstanceOf(NullPointerException.class);
    assertThat(DatabaseOptions.builder().maxTables(1).maxTables(32767).build().maxTables())
        .isEqualTo(32767);
  }

  @Test
  void builder_initialMapSize_isRoundedUpToWholeMiB() {
    assertThat(DatabaseOptions.builder().initialMapSize(MIB + 1).build().initialMapSize())
        .isEqualTo(2 * MIB);
    assertThat(DatabaseOptions.builder().initialMapSize(3 * MIB).build().initialMapSize())
        .isEqualTo(3 * MIB);
  }

  @Test
  void open_nullArguments_throwNullPointer() {
    assertThatThrownBy(() -> Database.open(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Database.open(dir, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void open_missingDirectory_createsIt() {
    final Path nested = dir.resolve("a").resolve("b");
    try (Database db = Database.open(nested)) {
      assertThat(db.path()).isEqualTo(nested.toAbsolutePath());
      assertThat(nested.resolve("data.mdb")).exists();
    }
  }

  @Test
  void table_moreThanMaxTables_throwsLodestoreExceptionNamingTheOption() {
    final DatabaseOptions options = DatabaseOptions.builder().maxTables(3).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      db.table("t1", KeyCodecs.INT, ValueCodecs.STRING);
      db.table("t2", KeyCodecs.INT, ValueCodecs.STRING);
      db.setTable("t3", KeyCodecs.INT, KeyCodecs.INT);
      assertThatThrownBy(() -> db.table("t4", KeyCodecs.INT, ValueCodecs.STRING))
          .isInstanceOf(LodestoreException.class)
          .hasMessageContaining("maxTables");
      assertThat(db.tableNames()).containsExactly("t1", "t2", "t3");
    }
  }

  @Test
  void beginRead_beyondMaxReaders_throwsLodestoreExceptionNamingTheOption() {
    final DatabaseOptions options = DatabaseOptions.builder().maxReaders(4).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      // LMDB rounds the reader table up to fill its lock-file pages: use the size it reports
      final int slots = db.stats().maxReaders();
      assertThat(slots).isGreaterThanOrEqualTo(4);
      final List<Txn> open = new ArrayList<>();
      try {
        for (int i = 0; i < slots; i++) {
          open.add(db.beginRead());
        }
        assertThatThrownBy(db::beginRead)
            .isInstanceOf(LodestoreException.class)
            .hasMessageContaining("maxReaders");
      } finally {
        open.forEach(Txn::close);
      }
      db.read(txn -> txn.isOpen()); // slots are free again
    }
  }

  @Test
  void table_invalidNames_throwIllegalArgument() {
    try (Database db = Database.open(dir.resolve("db"))) {
      for (final String bad : List.of("", "a\0b", "x".repeat(512))) {
        assertThatThrownBy(() -> db.table(bad, KeyCodecs.INT, ValueCodecs.STRING))
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThatThrownBy(() -> db.table(null, KeyCodecs.INT, ValueCodecs.STRING))
          .isInstanceOf(NullPointerException.class);
      assertThat(db.tableNames()).isEmpty();
    }
  }

  // ------------------------------------------------------------------ modes

  @Test
  void open_readOnly_readsTablesAndRefusesWrites() {
    final Path path = dir.resolve("db");
    final UUID k = new UUID(1, 2);
    try (Database db = Database.open(path)) {
      final Table<UUID, String> t = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
      final SetTable<UUID, UUID> s = db.setTable("members", KeyCodecs.UUID, KeyCodecs.UUID);
      db.write(
          txn -> {
            t.put(txn, k, "Ada");
            s.add(txn, k, k);
          });
    }
    final DatabaseOptions readOnly = DatabaseOptions.builder().readOnly(true).build();
    try (Database db = Database.open(path, readOnly)) {
      final Table<UUID, String> t = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
      final SetTable<UUID, UUID> s = db.setTable("members", KeyCodecs.UUID, KeyCodecs.UUID);
      assertThat(db.<String>readAndGet(txn -> t.get(txn, k))).isEqualTo("Ada");
      assertThat(db.<Boolean>readAndGet(txn -> s.contains(txn, k, k))).isTrue();
      assertThatThrownBy(db::beginWrite)
          .isInstanceOf(InvalidStateException.class)
          .hasMessageContaining("read-only");
      assertThatThrownBy(() -> db.write(txn -> t.put(txn, k, "x")))
          .isInstanceOf(InvalidStateException.class);
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> t.put(txn, k, "x")).isInstanceOf(InvalidStateException.class);
      }
      assertThatThrownBy(() -> db.table("missing", KeyCodecs.UUID, ValueCodecs.STRING))
          .isInstanceOf(LodestoreException.class)
          .hasMessageContaining("missing");
      assertThat(db.tableNames()).containsExactly("members", "names");
      assertThat(db.stats().tables()).containsKeys("members", "names");
    }
    try (Database db = Database.open(path)) {
      final Table<UUID, String> t = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
      assertThat(db.<String>readAndGet(txn -> t.get(txn, k))).isEqualTo("Ada");
    }
  }

  @Test
  void open_readOnlyOfMissingDirectory_throwsLodestoreException() {
    final DatabaseOptions readOnly = DatabaseOptions.builder().readOnly(true).build();
    assertThatThrownBy(() -> Database.open(dir.resolve("nothing-here"), readOnly))
        .isInstanceOf(LodestoreException.class);
    assertThat(dir.resolve("nothing-here")).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void open_eachDurability_commitsAndReopensWithTheData(final Durability durability) {
    final Path path = dir.resolve("db");
    final DatabaseOptions options = DatabaseOptions.builder().durability(durability).build();
    try (Database db = Database.open(path, options)) {
      assertThat(db.options().durability()).isEqualTo(durability);
      final Table<Integer, String> t = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, 1, "helper"));
      try (Txn txn = db.beginWrite()) {
        t.put(txn, 2, "explicit");
        txn.commit();
      }
      try (Txn txn = db.beginWrite()) {
        t.put(txn, 3, "aborted");
      }
    }
    try (Database db = Database.open(path, options)) {
      final Table<Integer, String> t = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      try (Txn txn = db.beginRead()) {
        assertThat(t.get(txn, 1)).isEqualTo("helper");
        assertThat(t.get(txn, 2)).isEqualTo("explicit");
        assertThat(t.get(txn, 3)).isNull();
      }
    }
  }

  // ------------------------------------------------------------------ stats

  @Test
  void stats_reportSizesAndEveryTableIncludingSetTables() {
    final Path path = dir.resolve("db");
    final DatabaseOptions options = DatabaseOptions.builder().initialMapSize(8 * MIB).build();
    try (Database db = Database.open(path, options)) {
      final Table<Integer, byte[]> rows = db.table("rows", KeyCodecs.INT, ValueCodecs.BYTES);
      final Table<Integer, byte[]> empty = db.table("empty", KeyCodecs.INT, ValueCodecs.BYTES);
      final SetTable<Integer, UUID> set = db.setTable("set", KeyCodecs.INT, KeyCodecs.UUID);
      db.write(
          txn -> {
            for (int i = 0; i < 2_000; i++) {
              rows.put(txn, i, new byte[100]);
            }
            rows.put(txn, -1, new byte[50_000]); // overflow pages
            for (int i = 0; i < 300; i++) {
              set.add(txn, i % 3, new UUID(i, i));
            }
          });
      final DatabaseStats stats = db.stats();
      assertThat(stats.mapSize()).isEqualTo(8 * MIB);
      assertThat(stats.pageSize()).isPositive();
      assertThat(Integer.bitCount(stats.pageSize())).isEqualTo(1);
      assertThat(stats.usedBytes()).isPositive().isLessThanOrEqualTo(stats.mapSize());
      assertThat(stats.usedBytes() % stats.pageSize()).isZero();
      assertThat(stats.maxReaders()).isGreaterThanOrEqualTo(options.maxReaders());
      assertThat(stats.mapGrowths()).isZero();
      assertThat(stats.tables()).containsOnlyKeys("rows", "empty", "set");
      final TableStats r = stats.tables().get("rows");
      assertThat(r.name()).isEqualTo("rows");
      assertThat(r.setTable()).isFalse();
      assertThat(r.entries()).isEqualTo(2_001);
      assertThat(r.depth()).isGreaterThanOrEqualTo(2);
      assertThat(r.branchPages()).isPositive();
      assertThat(r.leafPages()).isGreaterThan(2_000L * 100 / stats.pageSize());
      assertThat(r.overflowPages()).isGreaterThanOrEqualTo(50_000L / stats.pageSize());
      final TableStats e = stats.tables().get("empty");
      assertThat(e.entries()).isZero();
      assertThat(e.depth()).isZero();
      assertThat(e.leafPages()).isZero();
      final TableStats s = stats.tables().get("set");
      assertThat(s.setTable()).isTrue();
      assertThat(s.entries()).isEqualTo(300);
      assertThat(s.depth()).isPositive();
      try (Txn txn = db.beginRead()) {
        assertThat(rows.count(txn)).isEqualTo(r.entries());
        assertThat(set.count(txn)).isEqualTo(s.entries());
      }
      assertThat(stats.usedBytes())
          .isGreaterThan((r.leafPages() + r.branchPages() + r.overflowPages()) * stats.pageSize());
      assertThat(empty.name()).isEqualTo("empty");
    }
    // reopened, without opening any table first: stats() still lists all, with their kinds
    try (Database db = Database.open(path, options)) {
      final DatabaseStats stats = db.stats();
      assertThat(stats.tables()).containsOnlyKeys("rows", "empty", "set");
      assertThat(stats.tables().get("set").setTable()).isTrue();
      assertThat(stats.tables().get("set").entries()).isEqualTo(300);
      assertThat(stats.tables().get("rows").entries()).isEqualTo(2_001);
      // and the set table still opens as a set table afterwards
      final SetTable<Integer, UUID> set = db.setTable("set", KeyCodecs.INT, KeyCodecs.UUID);
      assertThat(db.<Long>readAndGet(txn -> set.count(txn, 0))).isEqualTo(100);
    }
  }

  // ------------------------------------------------------------------ backup

  @Test
  void backupTo_producesACompactedCopyWithTheSameContents() throws Exception {
    final Path source = dir.resolve("db");
    final Path backup = dir.resolve("backup");
    final Map<String, List<String>> before;
    try (Database db =
        Database.open(source, DatabaseOptions.builder().durability(Durability.NO_SYNC).build())) {
      final Table<Integer, String> t = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      final SetTable<String, UUID> s = db.setTable("s", KeyCodecs.STRING, KeyCodecs.UUID);
      for (int round = 0; round < 5; round++) {
        final int base = round * 2_000;
        db.write(
            txn -> {
              for (int i = base; i < base + 2_000; i++) {
                t.put(txn, i, "value " + i + " ".repeat(i % 200));
                s.add(txn, "k" + (i % 17), new UUID(i, -i));
              }
            });
      }
      // delete most rows: the source keeps its pages (free), the compacted copy does not
      db.write(
          txn -> {
            for (int i = 0; i < 10_000; i++) {
              if (i % 10 != 0) {
                t.delete(txn, i);
              }
            }
          });
      db.write(txn -> t.put(txn, -1, "after the deletes"));
      before = contents(db);
      db.backupTo(backup);
      assertThatThrownBy(() -> db.backupTo(backup))
          .as("target not empty")
          .isInstanceOf(LodestoreException.class)
          .hasMessageContaining("not empty");
    }
    assertThat(backup.resolve("data.mdb")).exists();
    final long sourceSize = Files.size(source.resolve("data.mdb"));
    final long backupSize = Files.size(backup.resolve("data.mdb"));
    System.out.println("backupTo: source data.mdb " + sourceSize + " bytes, backup " + backupSize);
    assertThat(backupSize).isLessThanOrEqualTo(sourceSize);
    assertThat(backupSize).isLessThan(sourceSize / 2);
    try (Database copy = Database.open(backup)) {
      assertThat(copy.tableNames()).containsExactly("s", "t");
      assertThat(contents(copy)).isEqualTo(before);
      final Table<Integer, String> t = copy.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      copy.write(txn -> t.put(txn, -2, "the copy is writable"));
      assertThat(copy.<String>readAndGet(txn -> t.get(txn, -2))).isEqualTo("the copy is writable");
    }
  }

  @Test
  void backupTo_whileAnotherThreadWrites_copiesOnlyCommittedData() throws Exception {
    final Path backup = dir.resolve("backup");
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<Integer, String> t = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, 1, "committed"));
      final ExecutorService writer = Executors.newSingleThreadExecutor();
      final CyclicBarrier written = new CyclicBarrier(2);
      final CyclicBarrier backedUp = new CyclicBarrier(2);
      final Future<?> w =
          writer.submit(
              () -> {
                try (Txn txn = db.beginWrite()) {
                  t.put(txn, 2, "uncommitted while backing up");
                  written.await();
                  backedUp.await();
                  txn.commit();
                }
                return null;
              });
      written.await(10, TimeUnit.SECONDS);
      db.backupTo(backup);
      backedUp.await(10, TimeUnit.SECONDS);
      w.get(10, TimeUnit.SECONDS);
      writer.shutdown();
      assertThat(db.<String>readAndGet(txn -> t.get(txn, 2))).isNotNull();
    }
    try (Database copy = Database.open(backup)) {
      final Table<Integer, String> t = copy.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      assertThat(copy.<String>readAndGet(txn -> t.get(txn, 1))).isEqualTo("committed");
      assertThat(copy.<String>readAndGet(txn -> t.get(txn, 2))).isNull();
    }
  }

  /** Every row of every table (set tables as key/member pairs), as text, by table name. */
  private static Map<String, List<String>> contents(final Database db) {
    final Map<String, List<String>> all = new LinkedHashMap<>();
    final Table<Integer, String> t = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
    final SetTable<String, UUID> s = db.setTable("s", KeyCodecs.STRING, KeyCodecs.UUID);
    try (Txn txn = db.beginRead()) {
      try (Cursor<Integer, String> c = t.select(txn, KeyRange.all())) {
        final List<String> rows = new ArrayList<>();
        c.forEach(row -> rows.add(row.key() + "=" + row.value()));
        all.put("t", rows);
      }
      try (Cursor<String, UUID> c = s.select(txn, KeyRange.all())) {
        final List<String> rows = new ArrayList<>();
        c.forEach(row -> rows.add(row.key() + "=" + row.value()));
        all.put("s", rows);
      }
    }
    return all;
  }

  // ------------------------------------------------------------------ names and kinds

  @Test
  void tableNames_listsOneNamedDatabasePerTableInByteOrder() {
    final Path path = dir.resolve("db");
    final List<String> names = List.of("zeta", "alpha", "\u00E9t\u00E9", "Beta", "set", "a b");
    try (Database db = Database.open(path)) {
      for (final String name : names) {
        if (name.equals("set")) {
          db.setTable(name, KeyCodecs.UUID, KeyCodecs.UUID);
        } else {
          db.table(name, KeyCodecs.INT, ValueCodecs.STRING);
        }
      }
      try (Txn txn = db.beginWrite()) {
        db.table(txn, "created-then-aborted", KeyCodecs.INT, ValueCodecs.STRING);
      }
      final List<String> expected = new ArrayList<>(names);
      expected.sort((a, b) -> KeyCodecs.STRING_ORDER.compare(a, b));
      assertThat(db.tableNames()).containsExactlyElementsOf(expected);
      db.table("alpha", KeyCodecs.INT, ValueCodecs.STRING); // opening again adds nothing
      assertThat(db.tableNames()).hasSize(names.size());
    }
    try (Database db = Database.open(path)) {
      assertThat(db.tableNames()).containsExactlyInAnyOrderElementsOf(names);
      assertThat(db.stats().tables().keySet()).containsExactlyInAnyOrderElementsOf(names);
    }
  }

  @Test
  void table_openedAsTableThenAsSetTable_throwsSchemaMismatchNamingIt() {
    final Path path = dir.resolve("db");
    try (Database db = Database.open(path)) {
      db.table("plain", KeyCodecs.UUID, ValueCodecs.STRING);
      db.setTable("multi", KeyCodecs.UUID, KeyCodecs.UUID);
      assertThatThrownBy(() -> db.setTable("plain", KeyCodecs.UUID, KeyCodecs.UUID))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("plain")
          .satisfies(e -> assertThat(((LodestoreException) e).table()).isEqualTo("plain"));
      assertThatThrownBy(() -> db.table("multi", KeyCodecs.UUID, ValueCodecs.STRING))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("multi");
      try (Txn txn = db.beginWrite()) {
        assertThatThrownBy(() -> db.setTable(txn, "plain", KeyCodecs.UUID, KeyCodecs.UUID))
            .isInstanceOf(SchemaMismatchException.class);
      }
    }
    // the kind is on disk: a new process (here: a reopen) sees it too
    try (Database db = Database.open(path)) {
      assertThatThrownBy(() -> db.setTable("plain", KeyCodecs.UUID, KeyCodecs.UUID))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("plain");
      assertThatThrownBy(() -> db.table("multi", KeyCodecs.UUID, ValueCodecs.STRING))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("multi");
      assertThat(db.tableNames()).containsExactly("multi", "plain");
    }
  }

  /**
   * A table opened (created or not) after a read transaction began is used in that transaction.
   * LMDB does not let a transaction use a handle opened after it began; Lodestore must either make
   * it work or say so with a typed exception naming the table, not a raw "LMDB error: EINVAL".
   */
  @Test
  void table_openedAfterReadTransactionBegan_readsOrFailsWithInvalidStateNamingIt() {
    final Path path = dir.resolve("db");
    try (Database db = Database.open(path)) {
      final Table<Integer, String> t = db.table("early", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, 1, "one"));
    }
    try (Database db = Database.open(path);
        Txn txn = db.beginRead()) {
      final Table<Integer, String> late = db.table("early", KeyCodecs.INT, ValueCodecs.STRING);
      final String value;
      try {
        value = late.get(txn, 1);
      } catch (RuntimeException e) {
        assertThat(e)
            .as("the failure of a table opened after its transaction began")
            .isInstanceOf(InvalidStateException.class)
            .hasMessageContaining("early");
        return;
      }
      assertThat(value).isEqualTo("one");
    }
  }

  // ------------------------------------------------------------------ concurrency

  @Test
  void beginRead_onManyThreadsAtOnce_eachReadsTheWholeSnapshot() throws Exception {
    final int threads = 16;
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<Integer, String> t = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(
          txn -> {
            for (int i = 0; i < 1_000; i++) {
              t.put(txn, i, "v" + i);
            }
          });
      final CyclicBarrier allOpen = new CyclicBarrier(threads);
      final ExecutorService pool = Executors.newFixedThreadPool(threads);
      final List<Future<Integer>> results = new ArrayList<>();
      for (int n = 0; n < threads; n++) {
        results.add(
            pool.submit(
                () -> {
                  try (Txn txn = db.beginRead()) {
                    allOpen.await(10, TimeUnit.SECONDS); // every thread holds a read txn right now
                    int seen = 0;
                    try (Cursor<Integer, String> c = t.select(txn, KeyRange.all())) {
                      while (c.next()) {
                        if (!("v" + c.key()).equals(c.value()) || c.key() != seen) {
                          throw new AssertionError(
                              "row " + seen + " is " + c.key() + "=" + c.value());
                        }
                        seen++;
                      }
                    }
                    return seen;
                  }
                }));
      }
      for (final Future<Integer> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(1_000);
      }
      pool.shutdown();
    }
  }

  @Test
  void beginRead_onAnotherThread_doesNotSeeUncommittedWritesAndKeepsItsSnapshot() throws Exception {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<Integer, String> t = db.table("t", KeyCodecs.INT, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, 1, "old"));
      final ExecutorService other = Executors.newSingleThreadExecutor();
      try (Txn w = db.beginWrite()) {
        t.put(w, 1, "new");
        t.put(w, 2, "added");
        assertThat(t.get(w, 1)).isEqualTo("new");
        final List<String> seen =
            other
                .submit(
                    () ->
                        db.readAndGet(
                            txn ->
                                List.of(
                                    String.valueOf(t.get(txn, 1)),
                                    String.valueOf(t.get(txn, 2)),
                                    String.valueOf(t.count(txn)))))
                .get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("old", "null", "1");
        final Txn snapshot = other.submit(db::beginRead).get(10, TimeUnit.SECONDS);
        w.commit();
        assertThat(other.submit(() -> t.get(snapshot, 1)).get(10, TimeUnit.SECONDS))
            .as("a reader begun before the commit keeps its snapshot")
            .isEqualTo("old");
        other.submit(snapshot::close).get(10, TimeUnit.SECONDS);
      }
      assertThat(other.submit(() -> db.readAndGet(txn -> t.get(txn, 1))).get(10, TimeUnit.SECONDS))
          .isEqualTo("new");
      other.shutdown();
    }
  }

  // ------------------------------------------------------------------ JVM flags

  @Test
  @Tag("crash")
  void open_withoutJvmFlags_throwsLodestoreExceptionNamingTheFlags() throws Exception {
    final ChildJvm.Result result =
        ChildJvm.run(
            List.of(),
            MissingFlagsChild.class,
            dir,
            Duration.ofSeconds(60),
            dir.resolve("db").toString());
    final String line = resultLine(result);
    assertThat(line)
        .as(result.describe())
        .startsWith("RESULT " + LodestoreException.class.getName())
        .contains("--add-opens java.base/java.nio=ALL-UNNAMED")
        .contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED")
        .contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED");
    assertThat(result.crashLogs()).isEmpty();
    assertThat(result.exitCode()).isZero();
  }

  @Test
  @Tag("crash")
  void open_withSomeJvmFlags_namesTheMissingOnes() throws Exception {
    final ChildJvm.Result result =
        ChildJvm.run(
            List.of("--add-opens", "java.base/java.nio=ALL-UNNAMED"),
            MissingFlagsChild.class,
            dir,
            Duration.ofSeconds(60),
            dir.resolve("db").toString());
    final String line = resultLine(result);
    final String missing = line.substring(0, Math.max(0, line.indexOf("Start the JVM with")));
    assertThat(line)
        .as(result.describe())
        .startsWith("RESULT " + LodestoreException.class.getName());
    assertThat(missing)
        .contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED")
        .contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED")
        .doesNotContain("java.base/java.nio=");
  }

  @Test
  @Tag("crash")
  void open_withAllJvmFlags_inChildJvm_opens() throws Exception {
    final ChildJvm.Result result =
        ChildJvm.run(
            ChildJvm.LMDB_FLAGS,
            MissingFlagsChild.class,
            dir,
            Duration.ofSeconds(60),
            dir.resolve("db").toString());
    assertThat(resultLine(result)).as(result.describe()).startsWith("RESULT opened");
  }

  private static String resultLine(final ChildJvm.Result result) {
    return result.lines().stream()
        .filter(l -> l.startsWith("RESULT "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no RESULT line\n" + result.describe()));
  }

  // ------------------------------------------------------------------ on-disk layout

  /** The tables of {@link #layoutDatabase}: two tables and a set table. */
  private static final List<String> LAYOUT_TABLES = List.of("names", "ticks", "members_by_group");

  private Path layoutDatabase() {
    final Path path = dir.resolve("layout");
    try (Database db = Database.open(path)) {
      final Table<UUID, String> names = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
      final Table<Long, Long> ticks = db.table("ticks", KeyCodecs.LONG, ValueCodecs.LONG);
      final SetTable<UUID, UUID> members =
          db.setTable("members_by_group", KeyCodecs.UUID, KeyCodecs.UUID);
      db.write(
          txn -> {
            for (int i = 0; i < 100; i++) {
              names.put(txn, new UUID(0, i), "name " + i);
              ticks.put(txn, (long) i, (long) i * i);
              members.add(txn, new UUID(1, i % 5), new UUID(2, i));
            }
          });
    }
    return path;
  }

  @Test
  void tableNames_ofWrittenDatabase_listsOneNamedDatabasePerTable() {
    final Path path = layoutDatabase();
    try (Database db = Database.open(path)) {
      assertThat(db.tableNames()).containsExactlyInAnyOrderElementsOf(LAYOUT_TABLES);
      final DatabaseStats stats = db.stats();
      assertThat(stats.tables().get("names").entries()).isEqualTo(100);
      assertThat(stats.tables().get("ticks").entries()).isEqualTo(100);
      assertThat(stats.tables().get("members_by_group").entries()).isEqualTo(100);
    }
  }

  @Test
  void mdbStat_ofWrittenDatabase_listsOneNamedDatabasePerTable() throws Exception {
    assumeTrue(onPath("mdb_stat"), "mdb_stat (lmdb-utils) is not on PATH");
    final Path path = layoutDatabase();
    final Process p =
        new ProcessBuilder("mdb_stat", "-a", path.toString()).redirectErrorStream(true).start();
    final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    System.out.println("mdb_stat -a " + path + "\n" + out);
    assertThat(p.exitValue()).as(out).isZero();
    final Matcher m = Pattern.compile("(?m)^Status of (.+)$").matcher(out);
    final List<String> databases = new ArrayList<>();
    while (m.find()) {
      databases.add(m.group(1));
    }
    assertThat(databases).as(out).contains("Main DB");
    final TreeSet<String> named =
        databases.stream()
            .filter(d -> !d.equals("Main DB"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(named).as(out).containsExactlyInAnyOrderElementsOf(LAYOUT_TABLES);
    assertThat(databases).hasSize(LAYOUT_TABLES.size() + 1);
    // each named database's entry count, as mdb_stat prints it after "Status of <name>"
    for (final String table : LAYOUT_TABLES) {
      final Matcher entries =
          Pattern.compile("Status of " + Pattern.quote(table) + "\\R(?:.*\\R)*?\\s*Entries: (\\d+)")
              .matcher(out);
      assertThat(entries.find()).as(table).isTrue();
      assertThat(entries.group(1)).as(table).isEqualTo("100");
    }
  }

  private static boolean onPath(final String program) {
    final String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (final String entry : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(entry, program))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void close_repeatedOnAThreadWhoseTransactionOutlivedTheFirstClose_endsThatTransaction()
      throws Exception {
    final Database db = Database.open(dir.resolve("db"));
    final Table<Long, String> t = db.table("t", KeyCodecs.LONG, ValueCodecs.STRING);
    final Txn mine = db.beginWrite();
    t.put(mine, 1L, "uncommitted");
    final Thread other = new Thread(db::close);
    other.start();
    other.join();
    assertThat(db.isClosed()).isTrue();
    assertThat(mine.isOpen()).isFalse();
    db.close(); // this thread's close ends its own write transaction and releases the environment
    try (Database again = Database.open(dir.resolve("db"))) {
      final Table<Long, String> t2 = again.table("t", KeyCodecs.LONG, ValueCodecs.STRING);
      final String value = again.readAndGet(txn -> t2.get(txn, 1L));
      assertThat(value).isNull();
    }
  }
}
