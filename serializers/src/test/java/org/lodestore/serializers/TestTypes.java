package org.lodestore.serializers;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Value types the Jackson codec tests store. */
final class TestTypes {

  private TestTypes() {}

  /** How a market trades. {@code UNKNOWN} is what names written by newer code read as. */
  enum Kind {
    SPOT,
    FUTURE,
    @JsonEnumDefaultValue
    UNKNOWN
  }

  /** A small record for golden bytes. */
  record Point(String name, int x, boolean ok) {}

  /** A nested record. */
  record Fee(String currency, BigDecimal rate) {}

  /** A record with every supported kind of component. */
  record Exchange(
      UUID oid,
      String name,
      Instant created,
      BigDecimal makerFee,
      BigInteger volume,
      Kind kind,
      Optional<String> website,
      Optional<String> phone,
      byte[] logo,
      List<String> tags,
      Map<String, Integer> limits,
      Fee fee,
      List<Fee> fees,
      LocalDate listed,
      double weight,
      long sequence) {}

  /** The first version of a record. */
  record ExchangeV1(UUID oid, String name) {}

  /** The same record after gaining a component. */
  record ExchangeV2(UUID oid, String name, Kind kind) {}

  /** A mutable JavaBean with a private field behind accessors. */
  static final class Account {
    public String owner;
    public Map<String, Object> attributes;
    private long balance;

    public long getBalance() {
      return balance;
    }

    public void setBalance(final long balance) {
      this.balance = balance;
    }
  }

  /** A class Jackson cannot serialize: no properties. */
  static final class Opaque {}

  static Exchange sampleExchange() {
    return new Exchange(
        UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"),
        "Kraken",
        Instant.parse("2013-07-28T12:34:56.123456789Z"),
        new BigDecimal("0.0016"),
        new BigInteger("123456789012345678901234567890"),
        Kind.SPOT,
        Optional.of("https://kraken.com"),
        Optional.empty(),
        new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, -1},
        List.of("eu", "crypto"),
        Map.of("orders", 80, "cancels", 15),
        new Fee("EUR", new BigDecimal("1.50")),
        List.of(new Fee("USD", new BigDecimal("2")), new Fee("BTC", new BigDecimal("0.0001"))),
        LocalDate.of(2013, 9, 10),
        0.25,
        -42L);
  }
}
