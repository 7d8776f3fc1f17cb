/**
 * Lodestore's metrics in Micrometer: {@link org.lodestore.micrometer.LodestoreMetrics} is the
 * listener of one {@link org.lodestore.core.Database} ({@link
 * org.lodestore.core.DatabaseOptions.Builder#listener}) and a {@code MeterBinder} for any number of
 * registries: timers of read and write transactions, waits and commits; counters of reads, commits,
 * aborts, retries, map growths, refused writes and corrupt values; a summary of group commit sizes;
 * gauges of the map, the readers and the rows of each declared table.
 *
 * <p>Thread-safe throughout. The listener methods run on the database's threads, inside its
 * transactions' begin and end, and do nothing but count and record (see {@link
 * org.lodestore.core.DatabaseListener} for the threading rules and what timing costs). Gauges are
 * computed when a registry reads them, on the registry's thread.
 */
package org.lodestore.micrometer;
