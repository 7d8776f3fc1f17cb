package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Comparator;

/**
 * Timestamp keys: an {@link Instant} as signed nanoseconds since 1970-01-01T00:00:00Z, 8 bytes
 * big-endian with the sign bit flipped, so that instants before 1970 sort first.
 *
 * <pre>
 *  0                               8
 *  +-------------------------------+
 *  | (epochNanos ^ 0x8000...0000)  |   big-endian
 *  +-------------------------------+
 * </pre>
 *
 * <p><b>Range.</b> The representable instants are {@link #MIN} (1677-09-21T00:12:43.145224192Z) to
 * {@link #MAX} (2262-04-11T23:47:16.854775807Z), with nanosecond precision. Other instants are
 * refused with {@link IllegalArgumentException}.
 */
final class TimestampKeyCodec implements KeyCodec<Instant> {

  static final TimestampKeyCodec INSTANCE = new TimestampKeyCodec();

  /** The earliest representable instant. */
  static final Instant MIN = Instant.ofEpochSecond(0, Long.MIN_VALUE);

  /** The latest representable instant. */
  static final Instant MAX = Instant.ofEpochSecond(0, Long.MAX_VALUE);

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  @Override
  public String id() {
    return "timestamp";
  }

  @Override
  public Comparator<Instant> comparator() {
    return Comparator.naturalOrder();
  }

  @Override
  public int fixedLength() {
    return 8;
  }

  @Override
  public Class<?> keyType() {
    return Instant.class;
  }

  @Override
  public void encode(final Instant key, final ByteBuffer dst) {
    dst.putLong(toEpochNanos(key) ^ Long.MIN_VALUE);
  }

  @Override
  public Instant decode(final ByteBuffer src) {
    KeyCodecs.requireLength(this, src, 8);
    return fromEpochNanos(src.getLong() ^ Long.MIN_VALUE);
  }

  static long toEpochNanos(final Instant instant) {
    final long seconds = instant.getEpochSecond();
    final int nanos = instant.getNano();
    try {
      // for negative seconds, borrow one second first: (s + 1) * 1e9 + (n - 1e9) reaches Long.MIN
      // without the intermediate product overflowing
      return seconds < 0 && nanos > 0
          ? Math.addExact(
              Math.multiplyExact(seconds + 1, NANOS_PER_SECOND), nanos - NANOS_PER_SECOND)
          : Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), nanos);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "timestamp " + instant + " is outside the representable range " + MIN + " .. " + MAX);
    }
  }

  static Instant fromEpochNanos(final long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
  }
}
