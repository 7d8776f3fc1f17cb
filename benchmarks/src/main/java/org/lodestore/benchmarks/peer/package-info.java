/**
 * The implementations under test behind one interface, {@link
 * org.lodestore.benchmarks.peer.StoreAdapter}, created through {@link
 * org.lodestore.benchmarks.peer.Impl}: raw lmdbjava (the baseline), the peer stores, and (later)
 * Lodestore itself.
 *
 * <p>An adapter is used by one thread at a time and owns its codecs and reusable buffers; for more
 * threads each takes its own {@code StoreAdapter.forThread()} handle on the one open store. Each
 * adapter documents how it maps {@link org.lodestore.benchmarks.peer.SyncMode} to its store's
 * durability setting, which of its store's APIs it uses and what its handles share; none is tuned
 * beyond what a user of that store would reasonably configure.
 */
package org.lodestore.benchmarks.peer;
