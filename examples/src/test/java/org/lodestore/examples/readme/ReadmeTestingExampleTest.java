package org.lodestore.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lodestore.core.Database;
import org.lodestore.examples.ReadmeText;
import org.lodestore.examples.readme.MarketSchema.Market;
import org.lodestore.testing.AttachSchema;
import org.lodestore.testing.Fixture;
import org.lodestore.testing.LodestoreExtension;
import org.lodestore.testing.TableAssertions;
import org.opentest4j.AssertionFailedError;

/**
 * The README's "Testing your code" section is true: its test example is {@link ListingTest}
 * verbatim (which the build runs), its fixture is the resource verbatim, and the failure it shows
 * is what the assertion prints.
 */
@ExtendWith(LodestoreExtension.class)
@AttachSchema(MarketSchema.class)
@Fixture("fixtures/markets.jsonl")
class ReadmeTestingExampleTest {

  private static final Path LISTING_TEST =
      Path.of("src", "test", "java", "org", "lodestore", "examples", "readme", "ListingTest.java");
  private static final Path FIXTURE =
      Path.of("src", "test", "resources", "fixtures", "markets.jsonl");

  @Test
  void readme_containsTheTestExampleVerbatim() throws IOException {
    final String example = ReadmeText.region(LISTING_TEST);
    assertThat(example.lines().count()).isBetween(10L, 25L);
    assertThat(ReadmeText.readme())
        .as("README.md must hold the example of %s verbatim in a java block", LISTING_TEST)
        .contains("```java\n" + example + "```\n");
  }

  @Test
  void readme_showsTheFixtureVerbatim() throws IOException {
    assertThat(ReadmeText.readme())
        .as("README.md must show %s verbatim in a json block", FIXTURE)
        .contains("```json\n" + Files.readString(FIXTURE, StandardCharsets.UTF_8) + "```\n");
  }

  @Test
  void readme_showsTheFailureTheAssertionPrints(final Database db, final MarketSchema s)
      throws IOException {
    db.write(
        txn -> s.markets.put(txn, ListingTest.ETH_EUR, new Market("ETH-USD", ListingTest.KRAKEN)));
    final AssertionFailedError failure =
        catchThrowableOfType(
            AssertionFailedError.class,
            () ->
                db.read(
                    txn ->
                        TableAssertions.assertMatchesFixture(
                            txn, s, "expected/markets-listed.jsonl")));
    assertThat(ReadmeText.readme())
        .as("README.md must show the failure as the assertion prints it:\n%s", failure.getMessage())
        .contains("```text\n" + failure.getMessage() + "```\n");
  }
}
