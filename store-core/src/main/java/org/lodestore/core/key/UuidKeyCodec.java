package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.UUID;

/**
 * UUID keys: 16 bytes in RFC 4122 byte order.
 *
 * <pre>
 *  0                   8                   16
 *  +-------------------+-------------------+
 *  | most significant  | least significant |   both big-endian
 *  +-------------------+-------------------+
 * </pre>
 *
 * <p><b>Order.</b> Keys sort by the <em>unsigned</em> value of the most significant 64 bits, then
 * of the least significant 64 bits: the byte order of the canonical text form. This is not {@link
 * UUID#compareTo}, which compares signed longs, so {@code ffffffff-...} sorts before {@code
 * 00000000-...} in Java but last here. {@link #comparator()} is the order Lodestore uses.
 */
final class UuidKeyCodec implements KeyCodec<UUID> {

  static final UuidKeyCodec INSTANCE = new UuidKeyCodec();

  static final Comparator<UUID> ORDER =
      (a, b) -> {
        final int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0
            ? c
            : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
      };

  @Override
  public String id() {
    return "uuid";
  }

  @Override
  public Comparator<UUID> comparator() {
    return ORDER;
  }

  @Override
  public int fixedLength() {
    return 16;
  }

  @Override
  public Class<?> keyType() {
    return UUID.class;
  }

  @Override
  public void encode(final UUID key, final ByteBuffer dst) {
    dst.putLong(key.getMostSignificantBits());
    dst.putLong(key.getLeastSignificantBits());
  }

  @Override
  public UUID decode(final ByteBuffer src) {
    KeyCodecs.requireLength(this, src, 16);
    return new UUID(src.getLong(), src.getLong());
  }
}
