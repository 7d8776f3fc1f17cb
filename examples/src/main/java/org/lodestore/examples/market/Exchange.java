package org.lodestore.examples.market;

/**
 * A trading venue, stored as CBOR in {@link MarketSchema#exchanges} under its oid.
 *
 * @param name the exchange's name, e.g. "Kraken"
 * @param country where it is registered (ISO 3166 alpha-2)
 * @param url its public site
 */
public record Exchange(String name, String country, String url) {}
