package org.lodestore.examples.market;

/**
 * One trade, stored as CBOR in {@link MarketSchema#trades} under (market, time): the market and the
 * time are the key, so the value holds only what the key does not.
 *
 * @param id the exchange's trade id
 * @param price the price in quote currency
 * @param size the quantity in base currency
 * @param side the aggressor's side
 */
public record Trade(long id, double price, double size, Side side) {}
