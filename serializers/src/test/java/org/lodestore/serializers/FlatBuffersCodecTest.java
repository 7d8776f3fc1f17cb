package org.lodestore.serializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lodestore.serializers.TestBuffers.address;
import static org.lodestore.serializers.TestBuffers.bytes;
import static org.lodestore.serializers.TestBuffers.detach;
import static org.lodestore.serializers.TestBuffers.direct;

import com.google.flatbuffers.FlatBufferBuilder;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.testsupport.fbs.Market;
import org.lodestore.testsupport.fbs.Side;
import org.lodestore.testsupport.fbs.Tick;
import org.lodestore.testsupport.fbs.Uuid;

class FlatBuffersCodecTest {

  private final FlatBuffersCodec<Market> markets =
      FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private static void assertEveryField(
      final Market m, final String name, final double price, final long quantity) {
    assertThat(Markets.uuid(m.oid())).isEqualTo(Markets.OID);
    assertThat(Markets.uuid(m.exchangeOid())).isEqualTo(Markets.EXCHANGE_OID);
    assertThat(m.name()).isEqualTo(name);
    assertThat(m.symbol()).isEqualTo("BTC-EUR");
    assertThat(m.price()).isEqualTo(price);
    assertThat(m.quantity()).isEqualTo(quantity);
    assertThat(m.createdNanos()).isEqualTo(1_600_000_000_123_456_789L);
    assertThat(m.side()).isEqualTo(Side.Sell);
    assertThat(m.tagsLength()).isEqualTo(2);
    assertThat(m.tags(0)).isEqualTo("spot");
    assertThat(m.tags(1)).isEqualTo("eu");
    assertThat(m.payloadLength()).isEqualTo(8);
    assertThat(m.payload(7)).isEqualTo(8);
    assertThat(m.lastTick().price()).isEqualTo(price * 2);
    assertThat(Markets.uuid(m.lastTick().marketOid())).isEqualTo(Markets.OID);
  }

  @Test
  void build_thenEncodeAndDecodeFromDirectBuffer_readsEveryField() {
    final Market built = markets.build(b -> Markets.write(b, "Bitcoin / Euro", 61_234.5, 7));
    assertEveryField(built, "Bitcoin / Euro", 61_234.5, 7);
    final byte[] stored = bytes(markets.encode(built));
    assertThat(stored).isEqualTo(Markets.bytes("Bitcoin / Euro", 61_234.5, 7));
    assertEveryField(markets.decode(direct(stored)), "Bitcoin / Euro", 61_234.5, 7);
  }

  @Test
  void decode_isZeroCopy_theTableReadsTheSourceBuffersMemory() {
    final byte[] stored = Markets.bytes("m", 1234.5, 1);
    final ByteBuffer memory = ByteBuffer.allocateDirect(stored.length).put(stored).flip();
    final ByteBuffer src = memory.asReadOnlyBuffer();

    final Market m = markets.decode(src);

    assertThat(m.getByteBuffer()).isSameAs(src);
    assertThat(markets.viewBuffer(m)).isSameAs(src);
    assertThat(address(m.getByteBuffer())).isEqualTo(address(memory));
    // Overwrite the price where it lives in "LMDB memory": the decoded table sees the change.
    final int at = indexOf(stored, littleEndian(1234.5));
    memory.order(ByteOrder.LITTLE_ENDIAN).putDouble(at, 99.25);
    assertThat(m.price()).isEqualTo(99.25);
  }

  @Test
  void decodeInto_repointsTheSameInstance_andAllocatesNothing() {
    final ByteBuffer a = direct(Markets.bytes("a", 1, 1));
    final ByteBuffer b = direct(Markets.bytes("b", 2, 2));
    final Market reuse = new Market();

    assertThat(markets.decodeInto(a, reuse)).isSameAs(reuse);
    assertThat(reuse.quantity()).isEqualTo(1);
    assertThat(markets.decodeInto(b, reuse)).isSameAs(reuse);
    assertThat(reuse.quantity()).isEqualTo(2);
    assertThat(reuse.getByteBuffer()).isSameAs(b);

    long sum = 0;
    for (int i = 0; i < 20_000; i++) { // warm up
      sum += markets.decodeInto((i & 1) == 0 ? a : b, reuse).quantity();
    }
    final long before = allocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      sum += markets.decodeInto((i & 1) == 0 ? a : b, reuse).quantity();
    }
    final long allocated = allocatedBytes() - before;
    assertThat(sum).isEqualTo(180_000);
    assertThat(allocated).as("bytes allocated by 100,000 decodeInto calls").isLessThan(4096);
  }

  @Test
  void decode_returnsANewTable_decodeIntoWithNullAllocatesOne() {
    final ByteBuffer src = direct(Markets.bytes("a", 1, 1));
    final Market first = markets.decode(src);
    assertThat(markets.decode(src)).isNotSameAs(first);
    assertThat(markets.decodeInto(src, null).quantity()).isEqualTo(1);
    assertThat(markets.isView()).isTrue();
  }

  @Test
  void build_reusesOneBuilderPerThread_andAllocatesNothingWithAReusableTable() {
    final ToIntFunction<FlatBufferBuilder> writer = b -> Markets.write(b, "steady", 3.5, 9);
    final ByteBuffer first = markets.encode(markets.build(writer));
    final byte[] firstArray = first.array();
    assertThat(markets.encode(markets.build(b -> Markets.write(b, "x", 1, 1))).array())
        .isSameAs(firstArray);

    final Market reuse = new Market();
    long sum = 0;
    for (int i = 0; i < 5_000; i++) {
      sum += markets.encode(markets.build(writer, reuse)).remaining();
    }
    final long before = allocatedBytes();
    for (int i = 0; i < 10_000; i++) {
      sum += markets.encode(markets.build(writer, reuse)).remaining();
    }
    final long allocated = allocatedBytes() - before;
    assertThat(sum).isPositive();
    // Markets.write itself allocates the int[] of tag offsets and the payload byte[] (~100 B).
    assertThat(allocated / 10_000)
        .as("bytes allocated per build + encode")
        .isLessThanOrEqualTo(128);
    assertThat(markets.encode(markets.build(writer, reuse)).array()).isSameAs(firstArray);
  }

  @Test
  void encode_ofADecodedView_returnsExactlyTheStoredBytes_andLeavesTheViewUsable() {
    final byte[] stored = Markets.bytes("m", 5, 6);
    final Market m = markets.decode(direct(stored));
    final ByteBuffer encoded = markets.encode(m);
    assertThat(bytes(encoded)).isEqualTo(stored);
    assertThat(encoded.isReadOnly()).as("still recognisable as an LMDB view").isTrue();
    encoded.position(encoded.limit()); // the store consuming the buffer must not disturb the view
    assertThat(bytes(markets.encode(m))).isEqualTo(stored);
    assertEveryField(m, "m", 5, 6);
  }

  @Test
  void encode_aSubTable_isRejected() {
    final FlatBuffersCodec<Tick> ticks = FlatBuffersCodec.of(Tick::getRootAsTick, Tick::new);
    final Market m = markets.decode(direct(Markets.bytes("m", 5, 6)));
    assertThatThrownBy(() -> ticks.encode(m.lastTick()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not the root");
  }

  @Test
  void aViewAfterItsTransactionEnds_failsToEncodeOrReadInsteadOfTouchingMemory() {
    final ByteBuffer src = direct(Markets.bytes("m", 5, 6));
    final Market m = markets.decode(src);
    final Market kept = markets.copyOf(m);
    detach(src); // what the store does when the transaction ends

    assertThatThrownBy(m::price).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(m::name).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> markets.encode(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("detached");
    assertEveryField(kept, "m", 5, 6);
    assertThat(kept.getByteBuffer().isDirect()).isFalse();
  }

  @Test
  void decode_structurallyBrokenBytes_areCorrupt() {
    final byte[] valid = Markets.bytes("m", 5, 6);
    final ByteBuffer le = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN);
    final int root = le.getInt(0);
    final int vtable = root - le.getInt(root);
    final int vtableSize = le.getShort(vtable);

    final List<byte[]> broken = new ArrayList<>();
    broken.add(new byte[0]);
    broken.add(new byte[] {4, 0, 0});
    broken.add(with(valid, 0, valid.length)); // root offset past the end
    broken.add(with(valid, 0, root + 2)); // unaligned root
    broken.add(with(valid, 0, 0)); // root inside the header
    broken.add(with(valid, root, -valid.length)); // vtable past the end
    broken.add(with(valid, root, root + 4)); // vtable before the start
    broken.add(withShort(valid, vtable, 3)); // vtable size below the header
    broken.add(withShort(valid, vtable, vtableSize + 1)); // odd vtable size
    broken.add(withShort(valid, vtable, 0xFFFE)); // vtable runs past the end
    broken.add(withShort(valid, vtable + 2, 2)); // table smaller than its vtable offset
    broken.add(withShort(valid, vtable + 2, 0xFFFF)); // table runs past the end
    broken.add(withShort(valid, vtable + 4, 0xFFF0)); // a field outside the table
    broken.add(withShort(valid, vtable + 4, 2)); // a field over the vtable offset
    broken.add(Arrays.copyOf(valid, root + 3)); // truncated inside the root table

    for (final byte[] bytes : broken) {
      assertThatThrownBy(() -> markets.decode(direct(bytes)))
          .as(TestBuffers.hex(bytes))
          .isInstanceOf(CorruptValueException.class)
          .hasMessageContaining("FlatBuffer");
      assertThatThrownBy(() -> markets.decodeInto(direct(bytes), new Market()))
          .isInstanceOf(CorruptValueException.class);
      // a heap buffer takes the other path of the same check
      assertThatThrownBy(() -> markets.decode(ByteBuffer.wrap(bytes)))
          .as("heap " + TestBuffers.hex(bytes))
          .isInstanceOf(CorruptValueException.class)
          .hasMessageContaining("FlatBuffer");
    }
  }

  @Test
  void withFileIdentifier_writesAndRequiresIt() {
    final FlatBuffersCodec<Market> identified = markets.withFileIdentifier("LSMK");
    final byte[] stored =
        bytes(identified.encode(identified.build(b -> Markets.write(b, "m", 1, 1))));

    assertThat(identified.id()).isEqualTo("flatbuffers:LSMK");
    assertThat(identified.fileIdentifier()).isEqualTo("LSMK");
    assertThat(Market.MarketBufferHasIdentifier(ByteBuffer.wrap(stored))).isTrue();
    assertThat(identified.decode(direct(stored)).name()).isEqualTo("m");
    assertThat(markets.decode(direct(stored)).name()).isEqualTo("m");
    assertThatThrownBy(() -> identified.decode(direct(Markets.bytes("m", 1, 1))))
        .isInstanceOf(CorruptValueException.class)
        .hasMessageContaining("LSMK");
    assertThatThrownBy(() -> markets.withFileIdentifier("TOOLONG"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> markets.withFileIdentifier("\u00e9abc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(markets.id()).isEqualTo("flatbuffers");
  }

  @Test
  void build_insideBuildOfTheSameCodec_isRejected() {
    assertThatThrownBy(
            () ->
                markets.build(
                    outer ->
                        markets.build(inner -> Markets.write(inner, "x", 1, 1)).name().length()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reentrant");
    assertThat(markets.build(b -> Markets.write(b, "after", 1, 1)).name()).isEqualTo("after");
  }

  @Test
  void build_afterAWriterThrew_startsFromACleanBuilder() {
    assertThatThrownBy(
            () ->
                markets.build(
                    b -> {
                      Market.startMarket(b);
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertEveryField(markets.build(b -> Markets.write(b, "ok", 2, 3)), "ok", 2, 3);
  }

  @Test
  void anyGeneratedTable_worksWithoutSchemaKnowledge() {
    final FlatBuffersCodec<Tick> ticks = FlatBuffersCodec.of(Tick::getRootAsTick, Tick::new);
    final Tick built =
        ticks.build(
            b -> {
              Tick.startTick(b);
              Tick.addMarketOid(b, Uuid.createUuid(b, 1, 2));
              Tick.addTimeNanos(b, -5);
              Tick.addPrice(b, 10.5);
              return Tick.endTick(b);
            });
    final Tick read = ticks.decode(direct(bytes(ticks.encode(built))));
    assertThat(read.timeNanos()).isEqualTo(-5);
    assertThat(read.price()).isEqualTo(10.5);
    assertThat(read.size()).isZero();
    assertThat(read.marketOid().lsb()).isEqualTo(2);
  }

  @Test
  void buildEncodeDecode_fromManyThreadsAtOnce_doNotInterfere() throws Exception {
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      final List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  final Market reuse = new Market();
                  for (int i = 0; i < 2_000; i++) {
                    final String name = "t" + thread + "-" + i;
                    final double price = i;
                    final long quantity = thread * 1_000_000L + i;
                    final Market built =
                        markets.build(b -> Markets.write(b, name, price, quantity));
                    final ByteBuffer src = direct(bytes(markets.encode(built)));
                    assertEveryField(markets.decodeInto(src, reuse), name, price, quantity);
                  }
                  return null;
                }));
      }
      for (final Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] with(final byte[] bytes, final int at, final int value) {
    final byte[] copy = bytes.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    return copy;
  }

  private static byte[] withShort(final byte[] bytes, final int at, final int value) {
    final byte[] copy = bytes.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
    return copy;
  }

  private static byte[] littleEndian(final double value) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array();
  }

  private static int indexOf(final byte[] haystack, final byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void typeFingerprint_isTheGeneratedClassName_withOrWithoutFileIdentifier() {
    final FlatBuffersCodec<Market> plain =
        FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
    assertThat(plain.typeFingerprint()).isEqualTo(TypeFingerprint.of(Market.class.getName()));
    assertThat(plain.withFileIdentifier("MRKT").typeFingerprint())
        .isEqualTo(plain.typeFingerprint());
    assertThat(FlatBuffersCodec.of(Tick::getRootAsTick, Tick::new).typeFingerprint())
        .isNotEqualTo(plain.typeFingerprint());
  }
}
