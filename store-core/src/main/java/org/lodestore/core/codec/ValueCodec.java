package org.lodestore.core.codec;

import java.nio.ByteBuffer;

/**
 * Turns values of type {@code V} into bytes and back. Implementations are thread-safe; any per-call
 * scratch state they keep is per thread.
 *
 * <h2>Encoding</h2>
 *
 * {@link #encode} returns a buffer whose bytes between position and limit are the encoding. The
 * buffer may belong to the codec and be reused by its next {@code encode} call on the same thread;
 * the store copies the bytes into LMDB before that can happen.
 *
 * <h2>Decoding and views</h2>
 *
 * {@link #decode} receives a read-only direct buffer over LMDB's memory map, positioned at the
 * value (position 0, limit = value length). A <em>copying</em> codec ({@link #isView()} false) must
 * not keep a reference to it after returning. A <em>view</em> codec (FlatBuffers) may return an
 * object that keeps reading from the buffer: the store then hands it a buffer of its own that stays
 * valid until the transaction ends (in a write transaction: until its next write), after which the
 * buffer is detached and every read from it throws {@link IndexOutOfBoundsException} instead of
 * touching unmapped memory.
 *
 * <p>Any {@link RuntimeException} thrown by {@code decode} is reported to the caller as a {@code
 * CorruptValueException} naming the table and key.
 *
 * @param <V> the value type
 */
public interface ValueCodec<V> {

  /**
   * A stable identifier of this encoding, recorded in the catalog; reopening a table with a codec
   * of another id is a schema mismatch.
   *
   * @return the identifier, e.g. {@code "cbor"} or {@code "utf8"}
   */
  String id();

  /**
   * Encodes a value.
   *
   * @param value the value (not null)
   * @return a buffer holding the encoding between its position and limit; valid until the next call
   *     on this thread
   * @throws IllegalArgumentException if the value cannot be encoded
   */
  ByteBuffer encode(V value);

  /**
   * Decodes a value.
   *
   * @param src a read-only direct buffer over the stored bytes, position 0, limit = length
   * @return the value
   */
  V decode(ByteBuffer src);

  /**
   * Whether decoded values keep reading from the buffer they were decoded from (zero-copy).
   *
   * @return true for view codecs such as FlatBuffers
   */
  default boolean isView() {
    return false;
  }

  /**
   * Decodes into a reusable object, re-pointing it at {@code src} instead of allocating, where the
   * codec supports it. The default allocates through {@link #decode}.
   *
   * @param src as for {@link #decode}
   * @param reuse an object previously returned by this codec
   * @return {@code reuse} re-pointed at {@code src}, or a new value
   */
  default V decodeInto(final ByteBuffer src, final V reuse) {
    return decode(src);
  }

  /**
   * For view codecs: the buffer a value returned by {@link #decode} or {@link #decodeInto} reads
   * from, so that the store can re-point that buffer rather than allocate a new one.
   *
   * @param view a value from this codec
   * @return its buffer, or null if unknown
   */
  default ByteBuffer viewBuffer(final V view) {
    return null;
  }

  /**
   * What this codec knows about the type of its values beyond {@link #id()}, recorded in a schema's
   * catalog so that a table is not reopened with an incompatible value type under the same codec id
   * (a CBOR table of one record read as another). Codecs whose id already fixes the type (strings,
   * bytes, longs) need none; codecs of user types (CBOR, JSON, FlatBuffers) return the type's name
   * and, for records and POJOs, the properties they write.
   *
   * @return the fingerprint, or null (the default) if the codec gives none
   */
  default TypeFingerprint typeFingerprint() {
    return null;
  }
}
