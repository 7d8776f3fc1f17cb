package org.lodestore.examples.replication;

/**
 * One tick of a series, stored as CBOR in {@link TickSchema#ticks} under (series, time): the series
 * and the time are the key, so the value holds only what the key does not.
 *
 * @param price the last traded price
 * @param size the volume traded since the previous tick
 */
public record Tick(double price, double size) {}
