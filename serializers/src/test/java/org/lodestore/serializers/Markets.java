package org.lodestore.serializers;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.UUID;
import org.lodestore.testsupport.fbs.Market;
import org.lodestore.testsupport.fbs.Side;
import org.lodestore.testsupport.fbs.Tick;
import org.lodestore.testsupport.fbs.Uuid;

/** Writes the test schema's {@link Market} (256 bytes with every field set). */
final class Markets {

  static final UUID OID = UUID.fromString("a7390000-0000-4000-8000-000000000001");
  static final UUID EXCHANGE_OID = UUID.fromString("6f1c0000-0000-4000-8000-000000000002");

  private Markets() {}

  /** Writes a Market with every field set and returns its offset (not finished). */
  static int write(
      final FlatBufferBuilder b, final String name, final double price, final long quantity) {
    final int nameOffset = b.createString(name);
    final int symbol = b.createString("BTC-EUR");
    final int tags =
        Market.createTagsVector(b, new int[] {b.createString("spot"), b.createString("eu")});
    final int payload = Market.createPayloadVector(b, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Tick.startTick(b);
    Tick.addMarketOid(
        b, Uuid.createUuid(b, OID.getMostSignificantBits(), OID.getLeastSignificantBits()));
    Tick.addTimeNanos(b, 1_700_000_000_000_000_000L);
    Tick.addPrice(b, price * 2);
    Tick.addSize(b, 0.5);
    final int tick = Tick.endTick(b);
    Market.startMarket(b);
    Market.addOid(
        b, Uuid.createUuid(b, OID.getMostSignificantBits(), OID.getLeastSignificantBits()));
    Market.addExchangeOid(
        b,
        Uuid.createUuid(
            b, EXCHANGE_OID.getMostSignificantBits(), EXCHANGE_OID.getLeastSignificantBits()));
    Market.addName(b, nameOffset);
    Market.addSymbol(b, symbol);
    Market.addPrice(b, price);
    Market.addQuantity(b, quantity);
    Market.addCreatedNanos(b, 1_600_000_000_123_456_789L);
    Market.addSide(b, Side.Sell);
    Market.addTags(b, tags);
    Market.addPayload(b, payload);
    Market.addLastTick(b, tick);
    return Market.endMarket(b);
  }

  /** A finished Market FlatBuffer as a byte array, written with a fresh builder. */
  static byte[] bytes(final String name, final double price, final long quantity) {
    final FlatBufferBuilder b = new FlatBufferBuilder(256);
    b.finish(write(b, name, price, quantity));
    return b.sizedByteArray();
  }

  static UUID uuid(final Uuid uuid) {
    return new UUID(uuid.msb(), uuid.lsb());
  }
}
