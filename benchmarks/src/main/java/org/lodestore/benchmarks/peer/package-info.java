/**
 * The implementations under test behind one interface, {@link
 * org.lodestore.benchmarks.peer.StoreAdapter}, created through {@link
 * org.lodestore.benchmarks.peer.Impl}: raw lmdbjava (the baseline), the peer stores, and (later)
 * Lodestore itself.
 *
 * <p>Every adapter is single-threaded and owns its codecs and reusable buffers. Each documents how
 * it maps {@link org.lodestore.benchmarks.peer.SyncMode} to its store's durability setting and
 * which of its store's APIs it uses; none is tuned beyond what a user of that store would
 * reasonably configure.
 */
package org.lodestore.benchmarks.peer;
