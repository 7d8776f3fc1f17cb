package org.lodestore.examples.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lodestore.core.Database;
import org.lodestore.testing.LodestoreExtension;

/**
 * Each test gets a fresh database from {@link LodestoreExtension}, which also fails it if the
 * example left a transaction open.
 */
@ExtendWith(LodestoreExtension.class)
class MarketExampleTest {

  @Test
  void run_smallVolume_answersEveryQueryExactly(final Database db) {
    // 2 exchanges x 3 pairs = 6 markets, 3 minutes of ticks, a trade every 10 s
    final MarketExample.Volume volume = new MarketExample.Volume(2, 3, 180, Duration.ofSeconds(10));
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final MarketExample.Result r =
        MarketExample.run(db, volume, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(r.markets()).isEqualTo(6);
    assertThat(r.ticks()).isEqualTo(6 * 180);
    assertThat(r.trades()).isEqualTo(6 * 18);
    assertThat(r.krakenSymbols()).containsExactly("BTC-EUR", "ETH-EUR", "SOL-EUR");
    assertThat(r.btcEurExchanges()).containsExactly("Bitstamp", "Kraken");

    final List<Instant> expected = new ArrayList<>();
    for (int s = 60; s < 70; s++) {
      expected.add(MarketExample.T0.plusSeconds(s));
    }
    assertThat(r.forward()).containsExactlyElementsOf(expected);
    Collections.reverse(expected);
    assertThat(r.backward()).containsExactlyElementsOf(expected);
    assertThat(r.latest())
        .containsExactly(
            MarketExample.T0.plusSeconds(179),
            MarketExample.T0.plusSeconds(178),
            MarketExample.T0.plusSeconds(177),
            MarketExample.T0.plusSeconds(176),
            MarketExample.T0.plusSeconds(175));
    assertThat(r.lastMinuteTrades()).isEqualTo(6);
    assertThat(r.lastMinuteVolume()).isPositive();

    // one second of the whole market: one tick of each market
    assertThat(r.wholeMarketRows()).isEqualTo(6);
    assertThat(r.wholeMarketMarkets()).isEqualTo(6);
    // (t0, m)..(t1, m) over (time, market): m's 11 ticks plus 10 of each of the 5 other markets
    assertThat(r.naiveRows()).isEqualTo(11 + 5 * 10);
    assertThat(r.naiveForeignRows()).isEqualTo(5 * 10);
    assertThat(r.seriesRows()).isEqualTo(11);

    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("markets on Kraken (by_exchange index): [BTC-EUR, ETH-EUR, SOL-EUR]")
        .contains("50 of them other markets'");
  }
}
