package org.lodestore.examples;

import java.time.Instant;

/**
 * How a demo database was built: the feed's parameters and the ingest's timings, stored as CBOR.
 *
 * @param seed the feed's seed
 * @param exchanges the number of exchanges
 * @param markets the number of markets
 * @param ticks the number of ticks
 * @param trades the number of trades
 * @param builtAt when the ingest finished
 * @param tickNanos how long writing the ticks took
 * @param tradeNanos how long writing the trades took
 * @param transactions how many write transactions the ingest committed
 */
record Manifest(
    long seed,
    int exchanges,
    int markets,
    long ticks,
    long trades,
    Instant builtAt,
    long tickNanos,
    long tradeNanos,
    int transactions) {

  Feed feed() {
    return new Feed(seed, exchanges, markets, ticks, trades);
  }

  boolean sameFeed(final Feed feed) {
    return feed.seed == seed
        && feed.exchanges == exchanges
        && feed.markets == markets
        && feed.ticks == ticks
        && feed.trades == trades;
  }
}
