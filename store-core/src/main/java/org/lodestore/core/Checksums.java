package org.lodestore.core;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The {@link ValueChecksum#CRC32C} trailer: computed with the JDK's intrinsic {@link CRC32C} over
 * direct buffers (LMDB's memory, the key scratch buffer), without allocating and without moving the
 * position or limit of the buffers it reads.
 */
final class Checksums {

  /** Per thread: a read transaction may be used from any thread, one at a time. */
  private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

  private Checksums() {}

  /**
   * CRC-32C of the key's remaining bytes followed by {@code length} bytes of {@code value} from its
   * position. Both buffers are left as they were.
   */
  static int crc32c(final ByteBuffer key, final ByteBuffer value, final int length) {
    final CRC32C crc = CRC.get();
    crc.reset();
    final int keyPosition = key.position();
    crc.update(key);
    key.position(keyPosition);
    final int position = value.position();
    final int limit = value.limit();
    value.limit(position + length);
    crc.update(value);
    value.limit(limit).position(position);
    return (int) crc.getValue();
  }

  /** Writes {@code crc} big-endian at absolute index {@code at} of {@code target}. */
  static void putTrailer(final ByteBuffer target, final int at, final int crc) {
    target.put(at, (byte) (crc >>> 24));
    target.put(at + 1, (byte) (crc >>> 16));
    target.put(at + 2, (byte) (crc >>> 8));
    target.put(at + 3, (byte) crc);
  }

  /** Reads the big-endian trailer at absolute index {@code at} of {@code stored}. */
  static int trailer(final ByteBuffer stored, final int at) {
    return (stored.get(at) & 0xFF) << 24
        | (stored.get(at + 1) & 0xFF) << 16
        | (stored.get(at + 2) & 0xFF) << 8
        | (stored.get(at + 3) & 0xFF);
  }
}
