package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Value checksums of store-core tables ({@link Table#withValueChecksum}): the stored layout (value
 * bytes, then a big-endian CRC-32C of key and value), every read path that returns a value checking
 * it, and tables without one (the default, and every table written before checksums existed)
 * reading exactly as before.
 */
class ValueChecksumTest {

  private static final UUID KEY = new UUID(0x0123456789abcdefL, 0x0fedcba987654321L);
  private static final UUID OTHER = new UUID(0x1111111111111111L, 0x2222222222222222L);

  @TempDir Path dir;
  Database db;
  Table<UUID, String> names;

  /** The same LMDB database read without a checksum: the stored bytes, trailer included. */
  Table<UUID, byte[]> raw;

  @BeforeEach
  void open() {
    // no fsync per commit: the flip tests commit hundreds of times
    db =
        Database.open(
            dir.resolve("db"), DatabaseOptions.builder().durability(Durability.NO_SYNC).build());
    names =
        db.table("names", KeyCodecs.UUID, ValueCodecs.STRING)
            .withValueChecksum(ValueChecksum.CRC32C);
    raw = db.table("names", KeyCodecs.UUID, ValueCodecs.BYTES);
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** The CRC-32C of the key's encoding followed by {@code value}, computed independently. */
  private static int crc(final UUID key, final byte[] value) {
    final ByteBuffer k =
        ByteBuffer.allocate(16)
            .putLong(key.getMostSignificantBits())
            .putLong(key.getLeastSignificantBits());
    final CRC32C crc = new CRC32C();
    crc.update(k.array());
    crc.update(value);
    return (int) crc.getValue();
  }

  private static byte[] utf8(final String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private <V> V read(final Table<UUID, V> t, final UUID key) {
    try (Txn txn = db.beginRead()) {
      return t.get(txn, key);
    }
  }

  private byte[] stored(final UUID key) {
    return db.readAndGet(txn -> raw.get(txn, key));
  }

  /** Flips one bit of the stored bytes (value or trailer) underneath the checksummed table. */
  private void flip(final UUID key, final int bit) {
    final byte[] bytes = stored(key);
    bytes[bit / 8] ^= (byte) (1 << (bit % 8));
    db.write(txn -> raw.put(txn, key, bytes));
  }

  @Test
  void put_storesValueBytesThenBigEndianCrc32cOfKeyAndValue() {
    db.write(txn -> names.put(txn, KEY, "Ada Lovelace"));
    final byte[] value = utf8("Ada Lovelace");
    final byte[] expected = Arrays.copyOf(value, value.length + 4);
    ByteBuffer.wrap(expected).putInt(value.length, crc(KEY, value));
    assertThat(stored(KEY)).isEqualTo(expected);
    assertThat(read(names, KEY)).isEqualTo("Ada Lovelace");
  }

  @Test
  void insertAndReplace_writeTheTrailerToo() {
    db.write(
        txn -> {
          assertThat(names.insert(txn, KEY, "a")).isTrue();
          assertThat(names.replace(txn, OTHER, "x")).isFalse();
          names.put(txn, OTHER, "b");
          assertThat(names.replace(txn, OTHER, "c")).isTrue();
        });
    assertThat(stored(KEY))
        .hasSize(1 + 4)
        .endsWith(ByteBuffer.allocate(4).putInt(crc(KEY, utf8("a"))).array());
    assertThat(stored(OTHER))
        .hasSize(1 + 4)
        .endsWith(ByteBuffer.allocate(4).putInt(crc(OTHER, utf8("c"))).array());
    assertThat(read(names, OTHER)).isEqualTo("c");
  }

  @Test
  void emptyValue_storesTheTrailerAlone() {
    db.write(txn -> names.put(txn, KEY, ""));
    assertThat(stored(KEY)).hasSize(4);
    assertThat(read(names, KEY)).isEmpty();
  }

  @Test
  void defaultTable_hasNoChecksum_andStoresTheCodecBytesAlone() {
    final Table<UUID, String> plain = db.table("plain", KeyCodecs.UUID, ValueCodecs.STRING);
    assertThat(plain.valueChecksum()).isEqualTo(ValueChecksum.NONE);
    db.write(txn -> plain.put(txn, KEY, "Ada"));
    final Table<UUID, byte[]> plainRaw = db.table("plain", KeyCodecs.UUID, ValueCodecs.BYTES);
    assertThat(read(plainRaw, KEY)).isEqualTo(utf8("Ada"));
  }

  @Test
  void tableWrittenWithoutChecksum_readsUnchanged_byTheDefaultTable() {
    // what every table written before checksums existed holds: the codec's bytes alone
    db.write(txn -> raw.put(txn, KEY, utf8("written before")));
    final Table<UUID, String> before = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
    try (Txn txn = db.beginRead()) {
      assertThat(before.get(txn, KEY)).isEqualTo("written before");
      assertThat(before.first(txn).orElseThrow().value()).isEqualTo("written before");
    }
  }

  @Test
  void withDisplayName_keepsTheChecksum_andWithValueChecksumKeepsTheName() {
    final Table<UUID, String> shown = names.withDisplayName("people");
    assertThat(shown.valueChecksum()).isEqualTo(ValueChecksum.CRC32C);
    assertThat(shown.withValueChecksum(ValueChecksum.NONE).name()).isEqualTo("people");
    db.write(txn -> names.put(txn, KEY, "Ada"));
    flip(KEY, 3);
    try (Txn txn = db.beginRead()) {
      assertThatThrownBy(() -> shown.get(txn, KEY))
          .isInstanceOf(CorruptValueException.class)
          .hasMessageContaining("table=people");
    }
  }

  /** Every read path that returns a value, as one call on a table holding only {@link #KEY}. */
  private static List<Function<Txn, Object>> readPaths(final Table<UUID, String> t) {
    final List<Function<Txn, Object>> paths = new ArrayList<>();
    paths.add(txn -> t.get(txn, KEY));
    paths.add(txn -> t.getInto(txn, KEY, null));
    paths.add(txn -> t.getInto(txn, KEY, "reuse"));
    paths.add(txn -> t.rawView(txn, KEY));
    paths.add(txn -> t.first(txn));
    paths.add(txn -> t.last(txn));
    paths.add(
        txn -> {
          try (Cursor<UUID, String> c = t.select(txn, KeyRange.all())) {
            c.next();
            return c.value();
          }
        });
    paths.add(
        txn -> {
          try (Cursor<UUID, String> c = t.select(txn, KeyRange.all())) {
            c.next();
            return c.valueInto("reuse");
          }
        });
    paths.add(
        txn -> {
          try (Cursor<UUID, String> c = t.select(txn, KeyRange.<UUID>all().reversed())) {
            final List<Row<UUID, String>> rows = new ArrayList<>();
            c.forEach(rows::add);
            return rows;
          }
        });
    return paths;
  }

  @Test
  void everyFlippedBit_ofValueOrTrailer_isCorruptValueNamingTableAndKey_onEveryReadPath() {
    final String value = "a value of some length";
    db.write(txn -> names.put(txn, KEY, value));
    final int bits = (utf8(value).length + 4) * 8;
    int checked = 0;
    for (int bit = 0; bit < bits; bit++) {
      flip(KEY, bit);
      try (Txn txn = db.beginRead()) {
        for (final Function<Txn, Object> path : readPaths(names)) {
          assertThatThrownBy(() -> path.apply(txn))
              .as("bit %d", bit)
              .isInstanceOf(CorruptValueException.class)
              .hasMessageContaining("crc32c")
              .satisfies(
                  e -> {
                    assertThat(((CorruptValueException) e).table()).isEqualTo("names");
                    assertThat(((CorruptValueException) e).key()).isEqualTo(KEY.toString());
                  });
          checked++;
        }
        assertThat(names.contains(txn, KEY)).isTrue(); // reads no value
      }
      flip(KEY, bit); // restored: reads again
      assertThat(read(names, KEY)).isEqualTo(value);
    }
    assertThat(checked).isEqualTo(bits * readPaths(names).size());
  }

  @Test
  void corruptValue_readTwiceFromOneCursorRow_failsTheSameWay_andAGoodRowAfterItReads() {
    db.write(
        txn -> {
          names.put(txn, KEY, "bad");
          names.put(txn, OTHER, "good");
        });
    flip(KEY, 0);
    try (Txn txn = db.beginRead();
        Cursor<UUID, String> c = names.select(txn, KeyRange.all())) {
      assertThat(c.next()).isTrue();
      assertThat(c.key()).isEqualTo(KEY);
      assertThatThrownBy(c::value).isInstanceOf(CorruptValueException.class);
      assertThatThrownBy(c::value).isInstanceOf(CorruptValueException.class);
      assertThat(c.next()).isTrue();
      assertThat(c.value()).isEqualTo("good");
      assertThat(c.value()).isEqualTo("good"); // the check leaves the cursor's buffers alone
    }
  }

  @Test
  void valueMovedUnderAnotherKey_failsItsChecksum() {
    db.write(txn -> names.put(txn, KEY, "Ada"));
    final byte[] bytes = stored(KEY);
    db.write(txn -> raw.put(txn, OTHER, bytes));
    try (Txn txn = db.beginRead()) {
      assertThat(names.get(txn, KEY)).isEqualTo("Ada");
      assertThatThrownBy(() -> names.get(txn, OTHER))
          .isInstanceOf(CorruptValueException.class)
          .hasMessageContaining(OTHER.toString());
    }
  }

  @Test
  void storedValueShorterThanTheTrailer_isCorrupt() {
    for (int length = 0; length < 4; length++) {
      final byte[] junk = new byte[length];
      db.write(txn -> raw.put(txn, KEY, junk));
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> names.get(txn, KEY))
            .isInstanceOf(CorruptValueException.class)
            .hasMessageContaining("shorter than its 4-byte crc32c checksum");
        try (Cursor<UUID, String> c = names.select(txn, KeyRange.all())) {
          c.next();
          assertThatThrownBy(c::value)
              .isInstanceOf(CorruptValueException.class)
              .hasMessageContaining(KEY.toString());
        }
      }
    }
  }

  @Test
  void viewCodec_viewCoversTheValueBytesWithoutTheTrailer() {
    final Table<UUID, ByteBuffer> views =
        db.table("views", KeyCodecs.UUID, ValueCodecs.VIEW).withValueChecksum(ValueChecksum.CRC32C);
    db.write(txn -> views.put(txn, KEY, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})));
    try (Txn txn = db.beginRead()) {
      final ByteBuffer got = views.get(txn, KEY);
      assertThat(got.remaining()).isEqualTo(5);
      assertThat(got.get(4)).isEqualTo((byte) 5);
      assertThat(views.rawView(txn, KEY).remaining()).isEqualTo(5);
      ByteBuffer reuse = null;
      try (Cursor<UUID, ByteBuffer> c = views.select(txn, KeyRange.all())) {
        c.next();
        reuse = c.valueInto(reuse);
        assertThat(reuse.remaining()).isEqualTo(5);
      }
    }
  }

  @Test
  void writeOverCorruptValue_repairsIt_andDeleteRemovesIt() {
    db.write(
        txn -> {
          names.put(txn, KEY, "Ada");
          names.put(txn, OTHER, "Bob");
        });
    flip(KEY, 7);
    flip(OTHER, 7);
    db.write(
        txn -> {
          names.put(txn, KEY, "Ada again");
          assertThat(names.delete(txn, OTHER)).isTrue();
        });
    try (Txn txn = db.beginRead()) {
      assertThat(names.get(txn, KEY)).isEqualTo("Ada again");
      assertThat(names.contains(txn, OTHER)).isFalse();
    }
  }

  @Test
  void valueChecksumIds_areStable_andNullIsNone() {
    assertThat(ValueChecksum.CRC32C.id()).isEqualTo("crc32c");
    assertThat(ValueChecksum.NONE.id()).isEqualTo("none");
    assertThat(ValueChecksum.ofId("crc32c")).isEqualTo(ValueChecksum.CRC32C);
    assertThat(ValueChecksum.ofId("none")).isEqualTo(ValueChecksum.NONE);
    assertThat(ValueChecksum.ofId(null)).isEqualTo(ValueChecksum.NONE);
    assertThatThrownBy(() -> ValueChecksum.ofId("sha256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sha256");
  }
}
