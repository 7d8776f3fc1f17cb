/**
 * Order-preserving key encodings: the contract that the unsigned byte order of an encoding equals
 * the natural order of the keys ({@link org.lodestore.core.key.KeyCodec#comparator()}), which is
 * what makes LMDB's {@code memcmp}-sorted B+trees return range scans in key order.
 *
 * <p>{@link org.lodestore.core.key.KeyCodecs} holds the codecs and a table of their byte layouts;
 * each codec class draws its own layout. Composite keys ({@link org.lodestore.core.key.Tuple2} to
 * {@link org.lodestore.core.key.Tuple4}) concatenate self-delimiting components, so a leading part
 * of a key is a byte prefix of every key that starts with it. {@code KeyCodecs.tuple(...)} returns
 * {@link org.lodestore.core.key.Tuple2KeyCodec} to {@link org.lodestore.core.key.Tuple4KeyCodec},
 * which name the component types, so that {@code KeyRange.prefix(codec, first, ...)} is typed by
 * them.
 *
 * <p>Codecs are immutable and thread-safe. Encoding refuses what it cannot represent (timestamps
 * outside 1677..2262, strings with unpaired surrogates, byte arrays of the wrong fixed length) with
 * {@link java.lang.IllegalArgumentException}; the store reports that as an {@code
 * InvalidKeyException} naming the table and key.
 */
package org.lodestore.core.key;
