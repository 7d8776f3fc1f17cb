/**
 * Value codecs for Lodestore tables, plugged into store-core's {@link
 * org.lodestore.core.codec.ValueCodec} SPI.
 *
 * <ul>
 *   <li>{@link org.lodestore.serializers.FlatBuffersCodec}: zero-copy views over LMDB memory; the
 *       fast path for hot tables. {@code decodeInto} re-points one reusable table object, so a
 *       range scan allocates nothing per row.
 *   <li>{@link org.lodestore.serializers.CborCodec}: any Jackson-mappable Java type as plain RFC
 *       8949 CBOR that other languages read (UUID as tag 37, Instant as tag 0, or as tag 1 beyond
 *       year 9999).
 *   <li>{@link org.lodestore.serializers.JsonCodec}: the same types as JSON text, for debugging and
 *       export.
 * </ul>
 *
 * Strings, UUIDs, longs and byte arrays have codecs in {@link
 * org.lodestore.core.codec.ValueCodecs}.
 *
 * <h2>Priorities</h2>
 *
 * Decoding is latency-critical: FlatBuffers decode does a bounded structural check and nothing
 * else; CBOR/JSON decode streams straight from the stored bytes into Jackson without an
 * intermediate copy of the value. Encoding reuses per-thread buffers and builders.
 *
 * <h2>Thread safety</h2>
 *
 * Every codec is immutable and safe to share between threads. Per-call scratch state (output
 * buffers, {@code FlatBufferBuilder}s) is per codec instance and per thread. Objects a codec
 * returns (Jackson values, FlatBuffers tables) are not thread-safe.
 *
 * <h2>Lifetime</h2>
 *
 * <ul>
 *   <li>{@code encode} returns a buffer that the next {@code encode} of the same codec on the same
 *       thread may overwrite; the store copies it before that.
 *   <li>CBOR and JSON {@code decode} return ordinary heap objects that keep no reference to the
 *       stored bytes and outlive the transaction.
 *   <li>FlatBuffers tables from {@code decode}/{@code decodeInto} are views: valid until their
 *       transaction ends (in a write transaction: until the next write). After that every read
 *       throws {@link java.lang.IndexOutOfBoundsException}; nothing reads freed memory. {@code
 *       FlatBuffersCodec.copyOf} keeps one longer. Tables from {@code FlatBuffersCodec.build} are
 *       valid until the next {@code build} of the same codec on the same thread.
 * </ul>
 *
 * <h2>Exceptions</h2>
 *
 * Bytes a codec cannot decode raise {@link org.lodestore.core.CorruptValueException} (the store
 * adds the table and key); no {@code IndexOutOfBoundsException}, {@code BufferUnderflowException}
 * or Jackson exception escapes a {@code decode}. A value that cannot be encoded raises {@link
 * java.lang.IllegalArgumentException}.
 */
package org.lodestore.serializers;
