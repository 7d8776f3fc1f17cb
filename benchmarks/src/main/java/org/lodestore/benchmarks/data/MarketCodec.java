package org.lodestore.benchmarks.data;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.lodestore.benchmarks.fbs.MarketFb;
import org.lodestore.benchmarks.fbs.UuidFb;

/**
 * Encodes a {@link Market} as the FlatBuffers {@code MarketFb} table and decodes it back.
 *
 * <p>Not thread-safe: it reuses one builder and one pair of flyweights, the way a hand-written
 * single-threaded store client would. Decoding reads the table at the buffer's position and leaves
 * the buffer little-endian (FlatBuffers sets that order).
 */
public final class MarketCodec {
  private final FlatBufferBuilder builder = new FlatBufferBuilder(256);
  private final MarketFb table = new MarketFb();
  private final UuidFb uuid = new UuidFb();

  /** Returns the encoded bytes of {@code m}. */
  public byte[] encode(Market m) {
    build(m);
    return builder.sizedByteArray();
  }

  /**
   * Encodes {@code m} into {@code out} from position 0 and returns it flipped for reading.
   *
   * @throws java.nio.BufferOverflowException if {@code out} is too small
   */
  public ByteBuffer encode(Market m, ByteBuffer out) {
    build(m);
    ByteBuffer data = builder.dataBuffer();
    int start = data.position();
    out.clear();
    out.put(data);
    data.position(start);
    return out.flip();
  }

  private void build(Market m) {
    builder.clear();
    MarketFb.finishMarketFbBuffer(builder, write(builder, m));
  }

  /**
   * Writes {@code m} as a {@code MarketFb} table into {@code b} and returns the table's offset,
   * without finishing the buffer.
   */
  public static int write(FlatBufferBuilder b, Market m) {
    int name = b.createString(m.name());
    int symbol = b.createString(m.symbol());
    int note = b.createString(m.note());
    MarketFb.startMarketFb(b);
    MarketFb.addOid(
        b,
        UuidFb.createUuidFb(
            b, m.oid().getMostSignificantBits(), m.oid().getLeastSignificantBits()));
    MarketFb.addExchangeOid(
        b,
        UuidFb.createUuidFb(
            b,
            m.exchangeOid().getMostSignificantBits(),
            m.exchangeOid().getLeastSignificantBits()));
    MarketFb.addName(b, name);
    MarketFb.addSymbol(b, symbol);
    MarketFb.addPrice(b, m.price());
    MarketFb.addQuantity(b, m.quantity());
    MarketFb.addCreatedNanos(b, m.createdNanos());
    MarketFb.addSide(b, m.side());
    MarketFb.addNote(b, note);
    return MarketFb.endMarketFb(b);
  }

  /** Copies the fields of the view {@code t} into a new {@link Market}. */
  public Market toRecord(MarketFb t) {
    UuidFb o = t.oid(uuid);
    UUID oid = new UUID(o.msb(), o.lsb());
    UuidFb x = t.exchangeOid(uuid);
    UUID exchange = new UUID(x.msb(), x.lsb());
    return new Market(
        oid,
        exchange,
        t.name(),
        t.symbol(),
        t.price(),
        t.quantity(),
        t.createdNanos(),
        t.side(),
        t.note());
  }

  /** Decodes the table at the buffer's position into a new {@link Market}. */
  public Market decode(ByteBuffer value) {
    return toRecord(MarketFb.getRootAsMarketFb(value, table));
  }

  /** Decodes {@code value}. */
  public Market decode(byte[] value) {
    return decode(ByteBuffer.wrap(value));
  }

  /** Reads only the price of the table at the buffer's position; allocates nothing. */
  public double price(ByteBuffer value) {
    return MarketFb.getRootAsMarketFb(value, table).price();
  }

  /** Reads only the price. */
  public double price(byte[] value) {
    return price(ByteBuffer.wrap(value));
  }
}
