package org.lodestore.benchmarks.data;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The key layouts every ordered key-value peer uses; they are Lodestore's on-disk key encodings, so
 * raw lmdbjava and Lodestore compare on identical keys.
 *
 * <pre>
 * market key (16 bytes)            tick key (24 bytes)
 * +----------------+----------------+   +------------------+------------------------------+
 * | msb (8, BE)    | lsb (8, BE)    |   | series oid (16)  | time nanos ^ sign bit (8, BE)|
 * +----------------+----------------+   +------------------+------------------------------+
 * </pre>
 *
 * <p>UUIDs are written in RFC 4122 byte order (most significant long first, big-endian), so the
 * unsigned byte order of keys is the unsigned order of the UUID bits. Timestamps are signed epoch
 * nanoseconds with the sign bit flipped, so unsigned byte order equals time order (pre-1970 first).
 */
public final class Keys {
  /** Length of an encoded UUID. */
  public static final int UUID_BYTES = 16;

  /** Length of an encoded (series, time) key. */
  public static final int TICK_KEY_BYTES = 24;

  private Keys() {}

  /** Returns the 16-byte key of {@code uuid}. */
  public static byte[] uuid(UUID uuid) {
    byte[] out = new byte[UUID_BYTES];
    putLong(out, 0, uuid.getMostSignificantBits());
    putLong(out, 8, uuid.getLeastSignificantBits());
    return out;
  }

  /** Writes the 16-byte key of {@code uuid} into {@code out} at offset 0. */
  public static void uuid(UUID uuid, byte[] out) {
    putLong(out, 0, uuid.getMostSignificantBits());
    putLong(out, 8, uuid.getLeastSignificantBits());
  }

  /** Reads a UUID from 16 bytes at {@code offset}. */
  public static UUID uuid(byte[] in, int offset) {
    return new UUID(getLong(in, offset), getLong(in, offset + 8));
  }

  /** Returns the 24-byte key of the tick of {@code series} at {@code timeNanos}. */
  public static byte[] tick(UUID series, long timeNanos) {
    byte[] out = new byte[TICK_KEY_BYTES];
    tick(series, timeNanos, out);
    return out;
  }

  /** Writes the 24-byte tick key into {@code out} at offset 0. */
  public static void tick(UUID series, long timeNanos, byte[] out) {
    putLong(out, 0, series.getMostSignificantBits());
    putLong(out, 8, series.getLeastSignificantBits());
    putLong(out, 16, timeNanos ^ Long.MIN_VALUE);
  }

  /** Writes the 24-byte tick key at the buffer's position and flips it for reading. */
  public static ByteBuffer tick(UUID series, long timeNanos, ByteBuffer out) {
    out.clear();
    out.putLong(series.getMostSignificantBits());
    out.putLong(series.getLeastSignificantBits());
    out.putLong(timeNanos ^ Long.MIN_VALUE);
    return out.flip();
  }

  /** Writes the 16-byte UUID key at the buffer's position and flips it for reading. */
  public static ByteBuffer uuid(UUID uuid, ByteBuffer out) {
    out.clear();
    out.putLong(uuid.getMostSignificantBits());
    out.putLong(uuid.getLeastSignificantBits());
    return out.flip();
  }

  /** Decodes the time of a tick key stored at {@code offset} of {@code key}. */
  public static long tickTime(byte[] key, int offset) {
    return getLong(key, offset + UUID_BYTES) ^ Long.MIN_VALUE;
  }

  /** Writes {@code v} big-endian. */
  public static void putLong(byte[] out, int offset, long v) {
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) v;
      v >>>= 8;
    }
  }

  /** Reads a big-endian long. */
  public static long getLong(byte[] in, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (in[offset + i] & 0xFF);
    }
    return v;
  }
}
