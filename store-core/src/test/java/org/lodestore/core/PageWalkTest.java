package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * {@link PageWalk} and {@link OpenCheck}: no problem in any intact file (empty, fresh, after random
 * writes, deletes, drops, truncates and map growth, sets with sub-pages and sub-databases, overflow
 * values, a compacted backup), and the problem that names the damage in a damaged one.
 */
class PageWalkTest {

  @TempDir Path tmp;

  @Test
  void intactFiles_ofEveryShape_haveNoProblemAtOpenOrInFull() throws IOException {
    final long seed = TestSeed.seed("PageWalkTest");
    final SplittableRandom rnd = new SplittableRandom(seed);
    final Path empty = tmp.resolve("empty");
    try (Database db = Database.open(empty)) {
      db.read(txn -> {});
    }
    assertIntact(empty, Map.of(), seed);

    final Path busy = tmp.resolve("busy");
    final Map<String, Long> counts = new TreeMap<>();
    try (Database db =
        Database.open(
            busy,
            DatabaseOptions.builder()
                .initialMapSize(1L << 20)
                .durability(Durability.NO_SYNC)
                .build())) {
      final List<Table<byte[], byte[]>> tables = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tables.add(db.table("t" + t, KeyCodecs.BYTES, ValueCodecs.BYTES));
      }
      final SetTable<byte[], byte[]> fixed =
          db.setTable("fixed", KeyCodecs.BYTES, KeyCodecs.fixedBytes(16));
      // variable-size members (not DUPFIXED). Bytes, not strings: thousands of string members
      // here make TableTest's 512-byte member fail later in this JVM on JDK 17.0.15 with C2 only
      // (InvalidKeyException "zero bytes" instead of KeyTooLongException; not with -Xint, C1,
      // Encoding.key or Buffer.flip excluded from compilation, or JDK 25): reported separately
      final SetTable<byte[], byte[]> varied =
          db.setTable("varied", KeyCodecs.BYTES, KeyCodecs.BYTES);
      for (int round = 0; round < 40; round++) {
        db.write(
            txn -> {
              for (int op = 0; op < 400; op++) {
                final byte[] key = bytes(rnd, 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 400 : 24));
                final int which = rnd.nextInt(10);
                if (which < 5) {
                  final int size =
                      rnd.nextInt(20) == 0 ? 2000 + rnd.nextInt(20_000) : rnd.nextInt(300);
                  tables.get(rnd.nextInt(4)).put(txn, key, bytes(rnd, size));
                } else if (which < 6) {
                  tables.get(rnd.nextInt(4)).delete(txn, key);
                } else if (which < 8) {
                  final byte[] setKey = new byte[] {(byte) rnd.nextInt(40)};
                  for (int m = rnd.nextInt(rnd.nextInt(8) == 0 ? 600 : 6); m >= 0; m--) {
                    fixed.add(txn, setKey, bytes(rnd, 16));
                  }
                  if (rnd.nextInt(5) == 0) {
                    fixed.removeAll(txn, new byte[] {(byte) rnd.nextInt(40)});
                  }
                } else {
                  varied.add(
                      txn, new byte[] {(byte) rnd.nextInt(30)}, bytes(rnd, 1 + rnd.nextInt(12)));
                  if (rnd.nextInt(4) == 0) {
                    varied.removeAll(txn, new byte[] {(byte) rnd.nextInt(30)});
                  }
                }
              }
            });
        if (round == 20) {
          db.write(txn -> tables.get(3).truncate(txn));
          db.write(txn -> db.dropTable(txn, "t2"));
          tables.set(2, db.table("t2", KeyCodecs.BYTES, ValueCodecs.BYTES));
        }
      }
      db.read(
          txn -> {
            for (int t = 0; t < 4; t++) {
              counts.put("t" + t, tables.get(t).count(txn));
            }
            counts.put("fixed", fixed.count(txn));
            counts.put("varied", varied.count(txn));
          });
      db.backupTo(tmp.resolve("backup"));
    }
    assertIntact(busy, counts, seed);
    assertIntact(tmp.resolve("backup"), counts, seed);
  }

  private static void assertIntact(final Path dir, final Map<String, Long> counts, final long seed)
      throws IOException {
    try (PageFile file = PageFile.open(dir.resolve("data.mdb"))) {
      final PageWalk.Result atOpen = PageWalk.atOpen(file);
      assertThat(atOpen.problems()).as("%s at open (seed %d)", dir, seed).isEmpty();
      final PageWalk.Result full = PageWalk.full(file);
      assertThat(full.problems()).as("%s in full (seed %d)", dir, seed).isEmpty();
      final Map<String, Long> walked = new TreeMap<>();
      full.tables().forEach(t -> walked.put(t.name(), t.entries()));
      assertThat(walked).containsAllEntriesOf(counts);
    }
    OpenCheck.run(dir); // does not throw
  }

  @Test
  void zeroedLeafPage_isReportedByTheFullWalkNamingTableAndPage() throws IOException {
    final Path dir = tmp.resolve("db");
    writeRows(dir, 5000);
    final long leaf = firstPage(dir, PageFile.P_LEAF, 3);
    overwrite(dir, leaf * 4096, new byte[4096]);
    try (PageFile file = PageFile.open(dir.resolve("data.mdb"))) {
      final PageWalk.Result full = PageWalk.full(file);
      assertThat(full.ok()).isFalse();
      assertThat(full.problems().get(0).table()).isEqualTo("rows");
      assertThat(full.problems().get(0).text()).contains("page " + leaf);
    }
  }

  @Test
  void damagedMetaPage_isCorruptDatabaseExceptionAtOpenNamingThePath() throws IOException {
    final Path dir = tmp.resolve("db");
    writeRows(dir, 100);
    final int current = currentMeta(dir);
    overwrite(dir, current * 4096L + 16, new byte[] {1, 2, 3, 4}); // the magic
    assertThatThrownBy(() -> Database.open(dir))
        .isInstanceOf(CorruptDatabaseException.class)
        .hasMessageContaining("meta page " + current)
        .hasMessageContaining(dir.toRealPath().toString())
        .satisfies(
            e ->
                assertThat(((CorruptDatabaseException) e).path())
                    .isEqualTo(dir.toRealPath().resolve("data.mdb")));
  }

  @Test
  void tableRecordWithRootPastTheFile_isCorruptDatabaseExceptionAtOpenNamingTheTable()
      throws IOException {
    final Path dir = tmp.resolve("db");
    writeRows(dir, 100);
    final long record = recordOffset(dir, "rows");
    overwrite(dir, record + 40, le(1_000_000L));
    assertThatThrownBy(() -> Database.open(dir))
        .isInstanceOf(CorruptDatabaseException.class)
        .hasMessageContaining("root page 1000000")
        .satisfies(e -> assertThat(((CorruptDatabaseException) e).table()).isEqualTo("rows"));
  }

  @Test
  void storedKeyLongerThanLmdbAllows_isCorruptDatabaseExceptionNotACopyOfIt() throws IOException {
    final Path dir = tmp.resolve("db");
    writeRows(dir, 2000);
    final long leaf = firstPage(dir, PageFile.P_LEAF, 3);
    final long node = nodeOffset(dir, leaf, 0);
    overwrite(dir, node + 6, new byte[] {(byte) 0xFF, (byte) 0xFF}); // key size 65535
    try (Database db = Database.open(dir)) {
      final Table<byte[], byte[]> rows = db.table("rows", KeyCodecs.BYTES, ValueCodecs.BYTES);
      assertThatThrownBy(
              () ->
                  db.read(
                      txn -> {
                        try (Cursor<byte[], byte[]> c = rows.select(txn, KeyRange.all())) {
                          while (c.next()) {
                            c.key();
                          }
                        }
                      }))
          .isInstanceOf(CorruptDatabaseException.class)
          .hasMessageContaining("65535");
    }
  }

  // ------------------------------------------------------------------------- helpers

  private static void writeRows(final Path dir, final int n) {
    final SplittableRandom rnd = new SplittableRandom(7);
    try (Database db = Database.open(dir)) {
      final Table<byte[], byte[]> rows = db.table("rows", KeyCodecs.BYTES, ValueCodecs.BYTES);
      db.write(
          txn -> {
            for (int i = 0; i < n; i++) {
              rows.put(txn, bytes(rnd, 16), bytes(rnd, 100));
            }
          });
    }
  }

  private static byte[] bytes(final SplittableRandom rnd, final int n) {
    final byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private static ByteBuffer file(final Path dir) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(dir.resolve("data.mdb")))
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  private static int currentMeta(final Path dir) throws IOException {
    final ByteBuffer f = file(dir);
    return f.getLong(4096 + 16 + 128) > f.getLong(16 + 128) ? 1 : 0;
  }

  /** The first page (by number) with {@code flags} at or after page {@code from}. */
  private static long firstPage(final Path dir, final int flags, final long from)
      throws IOException {
    final ByteBuffer f = file(dir);
    for (long p = from; p * 4096 < f.capacity(); p++) {
      if ((f.getShort((int) (p * 4096) + 10) & 0xFFFF) == flags) {
        return p;
      }
    }
    throw new IllegalStateException("no such page");
  }

  private static long nodeOffset(final Path dir, final long page, final int index)
      throws IOException {
    final ByteBuffer f = file(dir);
    return page * 4096 + (f.getShort((int) (page * 4096) + 16 + 2 * index) & 0xFFFF);
  }

  /** The file offset of a table's record in the main table's root leaf. */
  private static long recordOffset(final Path dir, final String table) throws IOException {
    final ByteBuffer f = file(dir);
    final int meta = currentMeta(dir) * 4096 + 16;
    final long root = f.getLong(meta + 72 + 40);
    final int n = ((f.getShort((int) (root * 4096) + 12) & 0xFFFF) - 16) / 2;
    for (int i = 0; i < n; i++) {
      final int node = (int) nodeOffset(dir, root, i);
      final int ksize = f.getShort(node + 6) & 0xFFFF;
      final byte[] key = new byte[ksize];
      f.get(node + 8, key);
      if (new String(key, java.nio.charset.StandardCharsets.UTF_8).equals(table)) {
        return node + 8 + ksize;
      }
    }
    throw new IllegalStateException("no table " + table);
  }

  private static byte[] le(final long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  private static void overwrite(final Path dir, final long at, final byte[] bytes)
      throws IOException {
    try (FileChannel ch = FileChannel.open(dir.resolve("data.mdb"), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes), at);
    }
  }
}
