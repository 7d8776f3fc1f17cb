package org.lodestore.reliability;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The database that {@link DamagedPagesTest} damages, generated from a seed so that the reading
 * child ({@link DamagedReadChild}) knows every row it should find without being told.
 *
 * <ul>
 *   <li>{@code rows}: 16-byte random keys, values of 40..200 bytes: a B-tree of three levels;
 *   <li>{@code big}: 8-byte keys, values of 2..12 KiB: overflow pages;
 *   <li>{@code names}: string keys, 20-byte values;
 *   <li>{@code sets}: a set table with 16-byte members ({@code DUPSORT|DUPFIXED}): small sets live
 *       in sub-pages inside their leaf node, a few large ones in sub-databases of their own;
 *   <li>{@code sums}: like {@code names}, with a CRC-32C value checksum.
 * </ul>
 *
 * Every table is read and written as raw bytes, so expected contents are compared byte for byte.
 */
final class DamagedPagesData {

  static final String ROWS = "rows";
  static final String BIG = "big";
  static final String NAMES = "names";
  static final String SETS = "sets";
  static final String SUMS = "sums";

  /** How many rows of each kind; {@link #STANDARD} is what the test uses. */
  record Sizes(
      int rows, int big, int names, int setKeys, int largeSets, int largeSetMembers, int sums) {}

  static final Sizes STANDARD = new Sizes(20_000, 60, 3_000, 300, 4, 1_500, 2_000);

  private DamagedPagesData() {}

  /**
   * The expected rows, table by table, in key order ({@code sets}: key and member concatenated,
   * empty values).
   *
   * @param seed the data seed
   * @param sizes how many rows
   * @return table name to its rows
   */
  static Map<String, TreeMap<ByteBuffer, byte[]>> expected(final long seed, final Sizes sizes) {
    final SplittableRandom rnd = new SplittableRandom(seed);
    final Map<String, TreeMap<ByteBuffer, byte[]>> tables = new LinkedHashMap<>();
    final TreeMap<ByteBuffer, byte[]> rows = new TreeMap<>(DamagedPagesData::compare);
    while (rows.size() < sizes.rows()) {
      rows.put(ByteBuffer.wrap(bytes(rnd, 16)), bytes(rnd, 40 + rnd.nextInt(161)));
    }
    tables.put(ROWS, rows);
    final TreeMap<ByteBuffer, byte[]> big = new TreeMap<>(DamagedPagesData::compare);
    for (int i = 0; i < sizes.big(); i++) {
      big.put(
          ByteBuffer.wrap(ByteBuffer.allocate(8).putLong(i * 7919L).array()),
          bytes(rnd, 2048 + rnd.nextInt(10 * 1024)));
    }
    tables.put(BIG, big);
    final TreeMap<ByteBuffer, byte[]> names = new TreeMap<>(DamagedPagesData::compare);
    for (int i = 0; i < sizes.names(); i++) {
      names.put(
          ByteBuffer.wrap(
              String.format("name-%06d", i * 13).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          bytes(rnd, 20));
    }
    tables.put(NAMES, names);
    final TreeMap<ByteBuffer, byte[]> sets = new TreeMap<>(DamagedPagesData::compare);
    for (int k = 0; k < sizes.setKeys() + sizes.largeSets(); k++) {
      final byte[] key = bytes(rnd, 16);
      final int members = k < sizes.largeSets() ? sizes.largeSetMembers() : 1 + rnd.nextInt(12);
      for (int m = 0; m < members; m++) {
        final byte[] pair = Arrays.copyOf(key, 32);
        System.arraycopy(bytes(rnd, 16), 0, pair, 16, 16);
        sets.put(ByteBuffer.wrap(pair), new byte[0]);
      }
    }
    tables.put(SETS, sets);
    final TreeMap<ByteBuffer, byte[]> sums = new TreeMap<>(DamagedPagesData::compare);
    for (int i = 0; i < sizes.sums(); i++) {
      sums.put(
          ByteBuffer.wrap(
              String.format("sum-%06d", i * 7).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          bytes(rnd, 30 + rnd.nextInt(100)));
    }
    tables.put(SUMS, sums);
    return tables;
  }

  /**
   * Writes the database into {@code dir} and closes it.
   *
   * @param dir a directory that holds no database yet
   * @param seed the data seed
   * @param sizes how many rows
   */
  static void write(final Path dir, final long seed, final Sizes sizes) {
    final Map<String, TreeMap<ByteBuffer, byte[]>> tables = expected(seed, sizes);
    try (Database db =
        Database.open(dir, DatabaseOptions.builder().durability(Durability.NO_SYNC).build())) {
      for (final String name : new String[] {ROWS, BIG, NAMES, SUMS}) {
        final Table<byte[], byte[]> t = table(db, name);
        db.write(txn -> tables.get(name).forEach((k, v) -> t.put(txn, array(k), v)));
      }
      final SetTable<byte[], byte[]> sets = sets(db);
      db.write(
          txn ->
              tables
                  .get(SETS)
                  .keySet()
                  .forEach(
                      pair -> {
                        final byte[] b = array(pair);
                        sets.add(txn, Arrays.copyOf(b, 16), Arrays.copyOfRange(b, 16, 32));
                      }));
    }
  }

  static Table<byte[], byte[]> table(final Database db, final String name) {
    final Table<byte[], byte[]> t = db.table(name, KeyCodecs.BYTES, ValueCodecs.BYTES);
    return SUMS.equals(name) ? t.withValueChecksum(ValueChecksum.CRC32C) : t;
  }

  static SetTable<byte[], byte[]> sets(final Database db) {
    return db.setTable(SETS, KeyCodecs.BYTES, KeyCodecs.fixedBytes(16));
  }

  static byte[] array(final ByteBuffer b) {
    final byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  /** Unsigned byte order, as LMDB's default comparator. */
  static int compare(final ByteBuffer a, final ByteBuffer b) {
    final int i = a.mismatch(b);
    if (i < 0) {
      return 0;
    }
    if (i >= a.remaining() || i >= b.remaining()) {
      return a.remaining() - b.remaining();
    }
    return Byte.toUnsignedInt(a.get(a.position() + i))
        - Byte.toUnsignedInt(b.get(b.position() + i));
  }

  private static byte[] bytes(final SplittableRandom rnd, final int n) {
    final byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
