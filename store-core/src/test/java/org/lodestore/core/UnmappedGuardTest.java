package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * {@link UnmappedGuard}: it finds the map by address (whatever happened to the path), guards only
 * maps that had views, and releases a guarded range once no buffer can read it. (The crash cases
 * run in child JVMs: reliability's {@code MovedFilesTest} and {@code AddressSpaceTest}.)
 */
class UnmappedGuardTest {

  private static final UUID KEY = new UUID(5, 5);

  @TempDir Path dir;

  @BeforeEach
  void linuxOnly() {
    assumeTrue(UnmappedGuard.available(), "the guard works on Linux x86-64 and AArch64 only");
  }

  private static Database open(final Path path) {
    return Database.open(
        path,
        DatabaseOptions.builder().initialMapSize(1 << 20).durability(Durability.NO_SYNC).build());
  }

  private static byte[] value() {
    final byte[] bytes = new byte[8000];
    Arrays.fill(bytes, (byte) 7);
    return bytes;
  }

  @Test
  void locate_findsTheMapByAddress_whenThePathHasANewlineAndTheDirectoryWasRenamed()
      throws Exception {
    final Path odd = dir.resolve("new\nline");
    try (Database db = open(odd)) {
      final Table<UUID, ByteBuffer> t = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
      db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(value())));
      Files.move(odd, dir.resolve("moved"));
      final long start = UnmappedGuard.mapStart(db.env);
      try (Txn txn = db.beginRead()) {
        final long address = Views.address(t.get(txn, KEY));
        assertThat(start).isNotZero();
        assertThat(address).isBetween(start, start + db.stats().mapSize() - 1);
      }
    }
  }

  @Test
  void derivedBuffer_afterClose_readsZeros_andItsRangeIsGuarded() {
    final Database db = open(dir.resolve("db"));
    final Table<UUID, ByteBuffer> t = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
    db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(value())));
    final ByteBuffer duplicate;
    final long address;
    try (Txn txn = db.beginRead()) {
      final ByteBuffer view = t.get(txn, KEY);
      duplicate = view.duplicate();
      address = Views.address(view);
    }
    db.close();
    assertThat(UnmappedGuard.guards(address)).isTrue();
    final byte[] read = new byte[duplicate.remaining()];
    duplicate.duplicate().get(read);
    assertThat(read).containsOnly((byte) 0);
  }

  @Test
  void guardedRange_isReleased_onceNoBufferCanReadIt() {
    final long address = closeKeepingOnlyTheAddressOfADuplicate(dir.resolve("db"));
    boolean released = false;
    for (int attempt = 0; attempt < 50 && !released; attempt++) {
      System.gc(); // the duplicate and its transaction are garbage: its map's epoch goes with them
      released = !UnmappedGuard.guards(address);
    }
    assertThat(released).as("guard released after the last buffer that could read it").isTrue();
  }

  private static long closeKeepingOnlyTheAddressOfADuplicate(final Path path) {
    final Database db = open(path);
    final Table<UUID, ByteBuffer> t = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
    db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(value())));
    ByteBuffer duplicate;
    try (Txn txn = db.beginRead()) {
      duplicate = t.get(txn, KEY).duplicate();
    }
    final long address = Views.address(duplicate);
    db.close();
    assertThat(UnmappedGuard.guards(address)).as("guarded while the duplicate lives").isTrue();
    assertThat(duplicate.get(0)).isZero();
    return address;
  }

  @Test
  void mapWithoutViews_isNotGuarded() {
    final Database db = open(dir.resolve("db"));
    final Table<UUID, byte[]> t = db.table("t", KeyCodecs.UUID, ValueCodecs.BYTES);
    db.write(txn -> t.put(txn, KEY, value()));
    final long count = db.readAndGet(txn -> t.count(txn));
    assertThat(count).isEqualTo(1);
    final long start = UnmappedGuard.mapStart(db.env);
    assertThat(start).isNotZero();
    db.close();
    assertThat(UnmappedGuard.guards(start + 2 * 4096)).isFalse();
  }

  @Test
  void viewDetachedFromAnOlderMap_isNotRepointedIntoTheNewOne() {
    try (Database db = open(dir.resolve("db"))) {
      final Table<UUID, ByteBuffer> t = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
      db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(value())));
      final ByteBuffer first = readInto(db, t, null);
      final ByteBuffer sameMap = readInto(db, t, first);
      assertThat(sameMap).as("re-pointed within one map: no allocation").isSameAs(first);
      db.growMap();
      final ByteBuffer newMap = readInto(db, t, sameMap);
      assertThat(newMap).as("a view of the old map keeps pointing there").isNotSameAs(sameMap);
      assertThatThrownBy(() -> sameMap.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThat(Views.owner(sameMap)).isNotSameAs(Views.owner(newMap));
    }
  }

  /** Reads the row through {@code Cursor.valueInto(reuse)} and returns the view (detached). */
  private static ByteBuffer readInto(
      final Database db, final Table<UUID, ByteBuffer> t, final ByteBuffer reuse) {
    try (Txn txn = db.beginRead();
        Cursor<UUID, ByteBuffer> c = t.select(txn, KeyRange.all())) {
      assertThat(c.next()).isTrue();
      final ByteBuffer view = c.valueInto(reuse);
      assertThat(view.get(0)).isEqualTo((byte) 7);
      return view;
    }
  }
}
