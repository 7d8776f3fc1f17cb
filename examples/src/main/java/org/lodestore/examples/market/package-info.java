/**
 * The market data example: {@link org.lodestore.examples.market.MarketSchema} (exchanges in CBOR;
 * pairs, markets and ticks in FlatBuffers; trades in CBOR; UUID-set indexes by exchange and by
 * pair) and {@link org.lodestore.examples.market.MarketExample}, which runs the queries a market
 * data service needs. The FlatBuffers classes in {@code fbs} are generated from {@code
 * src/main/fbs/market.fbs} by {@code scripts/generate-flatbuffers.sh} (flatc 2.0.8).
 *
 * <p>Lifetime: FlatBuffers values read from a table are views into LMDB memory, valid until their
 * transaction ends; the example reads their fields inside the transaction.
 */
package org.lodestore.examples.market;
