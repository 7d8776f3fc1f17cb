/**
 * The value-codec SPI ({@link org.lodestore.core.codec.ValueCodec}) and the codecs that need no
 * library beyond the JDK ({@link org.lodestore.core.codec.ValueCodecs}). CBOR, JSON and FlatBuffers
 * codecs live in the {@code serializers} module.
 *
 * <p>Codecs are thread-safe. A codec either copies what it decodes, or (a view codec) returns an
 * object that reads LMDB memory directly and lives only as long as its transaction; see {@link
 * org.lodestore.core.codec.ValueCodec} for the exact contract.
 */
package org.lodestore.core.codec;
