package org.lodestore.serializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.TestTypes.Exchange;
import org.lodestore.testsupport.fbs.Market;

/** The codecs inside real LMDB tables: what the store hands them and what users get back. */
class TableIntegrationTest {

  @TempDir Path dir;

  private Database db;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void cborValues_roundTripThroughATable_andOutliveTheTransaction() {
    final Table<UUID, Exchange> exchanges =
        db.table("exchanges", KeyCodecs.UUID, CborCodec.of(Exchange.class));
    final Exchange kraken = TestTypes.sampleExchange();
    db.write(txn -> exchanges.put(txn, kraken.oid(), kraken));

    final Exchange read;
    try (Txn txn = db.beginRead()) {
      read = exchanges.get(txn, kraken.oid());
    }
    assertThat(read).usingRecursiveComparison().isEqualTo(kraken);
  }

  @Test
  void flatBuffersValues_areViewsOverLmdbMemory_validUntilTheTransactionEnds() {
    final FlatBuffersCodec<Market> codec =
        FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
    final Table<UUID, Market> markets = db.table("markets", KeyCodecs.UUID, codec);
    final List<UUID> ids = new ArrayList<>();
    db.write(
        txn -> {
          for (int i = 0; i < 10; i++) {
            final UUID id = new UUID(0, i);
            final long quantity = i;
            markets.put(txn, id, codec.build(b -> Markets.write(b, "m" + quantity, 1.5, quantity)));
            ids.add(id);
          }
        });

    final Market escaped;
    try (Txn txn = db.beginRead()) {
      final Market m = markets.get(txn, ids.get(3));
      final ByteBuffer stored = markets.rawView(txn, ids.get(3));
      assertThat(m.name()).isEqualTo("m3");
      assertThat(m.getByteBuffer().isDirect()).isTrue();
      assertThat(TestBuffers.address(m.getByteBuffer())).isEqualTo(TestBuffers.address(stored));

      final Market reuse = new Market();
      assertThat(markets.getInto(txn, ids.get(5), reuse)).isSameAs(reuse);
      assertThat(reuse.quantity()).isEqualTo(5);

      long sum = 0;
      try (Cursor<UUID, Market> cursor = markets.select(txn, KeyRange.all())) {
        while (cursor.next()) {
          assertThat(cursor.valueInto(reuse)).isSameAs(reuse);
          sum += reuse.quantity();
        }
      }
      assertThat(sum).isEqualTo(45);
      escaped = m;
    }
    assertThatThrownBy(escaped::name).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(escaped::price).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void flatBuffersView_putBackInTheSameWriteTransaction_isStoredIntact() {
    final FlatBuffersCodec<Market> codec =
        FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
    final Table<UUID, Market> markets = db.table("markets", KeyCodecs.UUID, codec);
    final UUID source = new UUID(0, 0);
    db.write(txn -> markets.put(txn, source, codec.build(b -> Markets.write(b, "src", 2.5, 3))));
    db.write(
        txn -> {
          for (int i = 1; i <= 500; i++) { // enough rows to split pages under the view
            markets.put(txn, new UUID(0, i), markets.get(txn, source));
          }
        });
    try (Txn txn = db.beginRead();
        Cursor<UUID, Market> cursor = markets.select(txn, KeyRange.all())) {
      final Market reuse = new Market();
      int rows = 0;
      while (cursor.next()) {
        final Market m = cursor.valueInto(reuse);
        assertThat(m.name()).isEqualTo("src");
        assertThat(m.quantity()).isEqualTo(3);
        assertThat(m.lastTick().price()).isEqualTo(5.0);
        rows++;
      }
      assertThat(rows).isEqualTo(501);
    }
  }

  @Test
  void undecodableStoredValue_raisesCorruptValueExceptionNamingTableAndKey() {
    final UUID key = new UUID(1, 2);
    final Table<UUID, byte[]> raw = db.table("points", KeyCodecs.UUID, ValueCodecs.BYTES);
    db.write(txn -> raw.put(txn, key, new byte[] {(byte) 0xBF, 0x64, 'n', 'a'}));

    final Table<UUID, TestTypes.Point> points =
        db.table("points", KeyCodecs.UUID, CborCodec.of(TestTypes.Point.class));
    final Table<UUID, Market> markets =
        db.table(
            "points", KeyCodecs.UUID, FlatBuffersCodec.of(Market::getRootAsMarket, Market::new));
    try (Txn txn = db.beginRead()) {
      for (final Table<UUID, ?> table : List.of(points, markets)) {
        assertThatThrownBy(() -> table.get(txn, key))
            .isInstanceOf(CorruptValueException.class)
            .satisfies(
                e -> {
                  assertThat(((CorruptValueException) e).table()).isEqualTo("points");
                  assertThat(((CorruptValueException) e).key()).isEqualTo(key.toString());
                });
      }
    }
  }
}
