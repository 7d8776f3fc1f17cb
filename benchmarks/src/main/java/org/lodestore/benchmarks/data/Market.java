package org.lodestore.benchmarks.data;

import java.util.UUID;

/**
 * The typed result every implementation returns for a market row (W1, W5): each peer decodes its
 * stored form into this record, so all of them pay for the same object.
 *
 * @param oid primary key
 * @param exchangeOid the exchange the market is listed on; key of the UUID-set index
 * @param name unique across markets; key of the unique index
 * @param symbol ticker symbol
 * @param price last price
 * @param quantity open quantity
 * @param createdNanos creation time, nanoseconds since the epoch
 * @param side 0 = buy, 1 = sell
 * @param note free text that brings the encoded value to about 150 bytes
 */
public record Market(
    UUID oid,
    UUID exchangeOid,
    String name,
    String symbol,
    double price,
    long quantity,
    long createdNanos,
    byte side,
    String note) {}
