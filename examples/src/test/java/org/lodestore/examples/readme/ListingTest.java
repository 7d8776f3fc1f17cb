package org.lodestore.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lodestore.core.Database;
import org.lodestore.examples.readme.MarketSchema.Market;
import org.lodestore.testing.AttachSchema;
import org.lodestore.testing.Fixture;
import org.lodestore.testing.LodestoreExtension;
import org.lodestore.testing.TableAssertions;

// The README's test example ("Testing your code"), run by the build; ReadmeTestingExampleTest
// fails when the README's copy differs.
// spotless:off (the README shows this as written, comments aligned)
// README:begin
@ExtendWith(LodestoreExtension.class)
@AttachSchema(MarketSchema.class)                      // a no-argument constructor
@Fixture("fixtures/markets.jsonl")                     // loaded through the schema before each test
class ListingTest {
  static final UUID KRAKEN = UUID.fromString("6f1c0000-0000-4000-8000-000000000001");
  static final UUID ETH_EUR = UUID.fromString("0c4e2a9e-0000-4000-8000-000000000002");

  @Test
  void listsASecondMarket(Database db, MarketSchema s) { // one database per test, schema attached
    db.write(txn -> s.markets.put(txn, ETH_EUR, new Market("ETH-EUR", KRAKEN)));
    db.read(txn -> {
      assertThat(s.byExchange.count(txn, KRAKEN)).isEqualTo(2);   // the fixture's row is indexed
      TableAssertions.assertMatchesFixture(txn, s, "expected/markets-listed.jsonl");
    });
  }
}
// README:end
// spotless:on
