package org.lodestore.core;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;

/**
 * Turns keys, members, bounds and values into bytes, checking LMDB's limits before anything is
 * written. The one place where encoding failures become {@link InvalidKeyException} and friends.
 */
final class Encoding {

  /** Larger than any valid key, so that an overlong key is detected, not silently cut. */
  private static final int SCRATCH = 4096;

  /** Per-thread direct buffers: keys and members are copied by LMDB during the call. */
  private static final ThreadLocal<ByteBuffer[]> BUFFERS =
      ThreadLocal.withInitial(
          () ->
              new ByteBuffer[] {
                ByteBuffer.allocateDirect(SCRATCH), ByteBuffer.allocateDirect(SCRATCH)
              });

  private Encoding() {}

  /** The thread's first scratch buffer: keys. */
  static ByteBuffer keyBuffer() {
    return BUFFERS.get()[0];
  }

  /** The thread's second scratch buffer: members and seek targets. */
  static ByteBuffer secondBuffer() {
    return BUFFERS.get()[1];
  }

  /**
   * Encodes {@code key} into {@code dst} (cleared), checked to be 1..511 bytes; returns dst
   * flipped.
   */
  static <K> ByteBuffer key(
      final String table, final KeyCodec<K> codec, final K key, final ByteBuffer dst) {
    if (key == null) {
      throw new NullPointerException("null key for table '" + table + "'");
    }
    dst.clear();
    try {
      codec.encode(key, dst);
    } catch (BufferOverflowException e) {
      throw tooLong(table, key, "more than " + SCRATCH);
    } catch (RuntimeException e) {
      throw new InvalidKeyException(
          "key cannot be encoded by " + codec.id() + ": " + e.getMessage(), table, key, e);
    }
    // The length from the position, and one test for both limits, the exception chosen in a
    // method of its own: from remaining() and two tests, HotSpot's C2 (seen on 17.0.15) compiled
    // code that reported an overlong key as an empty one (KeyLengthJitTest).
    final int length = dst.position();
    dst.flip();
    if (length == 0 || length > Database.MAX_KEY_BYTES) {
      throw badLength(table, key, length);
    }
    return dst;
  }

  /** Encodes the leading components of a composite key; may be empty only for a scalar "". */
  static ByteBuffer prefix(
      final String table,
      final KeyCodec<?> codec,
      final Object[] components,
      final ByteBuffer dst) {
    dst.clear();
    try {
      codec.encodePrefix(components, dst);
    } catch (BufferOverflowException e) {
      throw tooLong(table, Arrays.toString(components), "more than " + SCRATCH);
    } catch (RuntimeException e) {
      throw new InvalidKeyException(
          "prefix cannot be encoded by " + codec.id() + ": " + e.getMessage(),
          table,
          Arrays.toString(components),
          e);
    }
    dst.flip();
    if (dst.remaining() > Database.MAX_KEY_BYTES) {
      throw tooLong(table, Arrays.toString(components), String.valueOf(dst.remaining()));
    }
    return dst;
  }

  private static InvalidKeyException badLength(
      final String table, final Object key, final int length) {
    if (length == 0) {
      return new InvalidKeyException(
          "key encodes to zero bytes; LMDB keys are 1.." + Database.MAX_KEY_BYTES + " bytes",
          table,
          key,
          null);
    }
    return tooLong(table, key, String.valueOf(length));
  }

  private static KeyTooLongException tooLong(
      final String table, final Object key, final String length) {
    return new KeyTooLongException(
        "key encodes to " + length + " bytes; LMDB's limit is " + Database.MAX_KEY_BYTES,
        table,
        key,
        null);
  }

  /** Encodes a value; failures name the table and key. */
  static <V> ByteBuffer value(
      final String table, final ValueCodec<V> codec, final Object key, final V value) {
    if (value == null) {
      throw new NullPointerException(
          "null value for table '" + table + "', key " + LodestoreException.describeKey(key));
    }
    final ByteBuffer bytes;
    try {
      bytes = codec.encode(value);
    } catch (RuntimeException e) {
      throw new InvalidValueException(
          "value cannot be encoded by " + codec.id() + ": " + e.getMessage(), table, key, e);
    }
    // A read-only direct buffer may be a view into LMDB memory (a value read in this transaction
    // and written back): copy it, since the write may move or free the memory it points into.
    if (bytes.isDirect() && bytes.isReadOnly()) {
      if (Views.isDetached(bytes)) {
        throw new InvalidStateException(
            "value for table '"
                + table
                + "', key "
                + LodestoreException.describeKey(key)
                + " is a zero-copy view whose transaction ended (or wrote); copy it while valid");
      }
      return copyToScratch(bytes);
    }
    return bytes;
  }

  private static final ThreadLocal<ByteBuffer[]> VALUE_COPY =
      ThreadLocal.withInitial(() -> new ByteBuffer[] {ByteBuffer.allocateDirect(1024)});

  private static ByteBuffer copyToScratch(final ByteBuffer bytes) {
    final ByteBuffer[] holder = VALUE_COPY.get();
    if (holder[0].capacity() < bytes.remaining()) {
      holder[0] = ByteBuffer.allocateDirect(Math.max(bytes.remaining(), holder[0].capacity() * 2));
    }
    return holder[0].clear().put(bytes.duplicate()).flip();
  }

  /**
   * A stored key for an error message: decoded by {@code codec}, or, if it does not decode (the key
   * is damaged too), a copy of its bytes.
   */
  static Object storedKey(final KeyCodec<?> codec, final ByteBuffer key) {
    try {
      return codec.decode(key.duplicate());
    } catch (RuntimeException undecodable) {
      return copy(key);
    }
  }

  /** A heap copy of the bytes between position and limit. */
  static byte[] copy(final ByteBuffer bytes) {
    final byte[] out = new byte[bytes.remaining()];
    bytes.duplicate().get(out);
    return out;
  }

  /** Unsigned lexicographic comparison of the remaining bytes; shorter sorts first on a tie. */
  static int compare(final ByteBuffer a, final ByteBuffer b) {
    if (a.isDirect() && b.isDirect()) {
      final int na = a.remaining();
      final int nb = b.remaining();
      final int c = compareDirect(Views.address(a), Views.address(b), Math.min(na, nb));
      return c != 0 ? c : Integer.compare(na, nb);
    }
    final int i = a.mismatch(b);
    if (i < 0) {
      return 0;
    }
    if (i >= a.remaining()) {
      return -1;
    }
    if (i >= b.remaining()) {
      return 1;
    }
    return Byte.compareUnsigned(a.get(a.position() + i), b.get(b.position() + i));
  }

  /** Compares {@code key} truncated to the prefix's length with {@code prefix}. */
  static int comparePrefix(final ByteBuffer key, final ByteBuffer prefix) {
    if (key.isDirect() && prefix.isDirect()) {
      final int nk = key.remaining();
      final int np = prefix.remaining();
      final int c = compareDirect(Views.address(key), Views.address(prefix), Math.min(nk, np));
      return c != 0 ? c : (nk >= np ? 0 : -1);
    }
    final int i = key.mismatch(prefix);
    if (i < 0 || i >= prefix.remaining()) {
      return 0; // equal, or key starts with prefix
    }
    if (i >= key.remaining()) {
      return -1; // key is a proper prefix of prefix
    }
    return Byte.compareUnsigned(key.get(key.position() + i), prefix.get(prefix.position() + i));
  }

  private static final boolean LITTLE_ENDIAN =
      java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

  /**
   * Unsigned comparison of {@code n} bytes at two addresses, eight at a time: the per-row bound
   * check of a scan, on a key LMDB returned and a bound in the cursor's direct buffer (no buffer
   * bounds or session checks, as {@code ByteBuffer.mismatch} makes on every call).
   */
  private static int compareDirect(final long a, final long b, final int n) {
    int i = 0;
    for (; i + Long.BYTES <= n; i += Long.BYTES) {
      final long x = org.agrona.UnsafeApi.getLong(a + i);
      final long y = org.agrona.UnsafeApi.getLong(b + i);
      if (x != y) {
        return LITTLE_ENDIAN
            ? Long.compareUnsigned(Long.reverseBytes(x), Long.reverseBytes(y))
            : Long.compareUnsigned(x, y);
      }
    }
    for (; i < n; i++) {
      final int c =
          Byte.compareUnsigned(
              org.agrona.UnsafeApi.getByte(a + i), org.agrona.UnsafeApi.getByte(b + i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
