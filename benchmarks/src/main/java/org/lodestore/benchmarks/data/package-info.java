/**
 * The benchmark dataset: deterministic generation ({@link org.lodestore.benchmarks.data.Dataset}),
 * the typed result record ({@link org.lodestore.benchmarks.data.Market}), the FlatBuffers value
 * codecs every key-value peer stores, Lodestore's key layouts, and the scan checksum.
 *
 * <p>Codecs reuse builders and flyweights and are not thread-safe; each store adapter owns its own.
 */
package org.lodestore.benchmarks.data;
