package org.lodestore.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.StoredCatalog;
import org.lodestore.serializers.CborCodec;
import org.lodestore.testsupport.fbs.Market;
import org.opentest4j.AssertionFailedError;

/**
 * The table assertions pass on exactly the expected rows and otherwise fail with a diff that names
 * each missing, unexpected and different row (field by field), and each index entry that is not
 * what the rows derive.
 */
@ExtendWith(LodestoreExtension.class)
@AttachSchema(Shop.class)
@Fixture("fixtures/shop.jsonl")
class TableAssertionsTest {

  private static final Map<UUID, Shop.Product> PRODUCTS =
      Map.of(
          Shop.LAMP, Shop.LAMP_ROW, Shop.FLOOR_LAMP, Shop.FLOOR_LAMP_ROW, Shop.DESK, Shop.DESK_ROW);

  @TempDir Path resources;

  private ClassLoader saved;

  @BeforeEach
  void addResourcesToTheClasspath() throws IOException {
    saved = Thread.currentThread().getContextClassLoader();
    Thread.currentThread()
        .setContextClassLoader(new URLClassLoader(new URL[] {resources.toUri().toURL()}, saved));
  }

  @AfterEach
  void restoreTheClasspath() {
    Thread.currentThread().setContextClassLoader(saved);
  }

  @Test
  void assertRows_exactlyTheRows_passes(final Database db, final Shop s) {
    db.read(txn -> TableAssertions.assertRows(txn, s.products, PRODUCTS));
  }

  @Test
  void assertRows_namesMissingUnexpectedAndDifferentRows_fieldByField(
      final Database db, final Shop s) {
    final UUID ghost = UUID.fromString("5c000000-0000-4000-8000-0000000000ff");
    final Map<UUID, Shop.Product> expected =
        Map.of(
            Shop.LAMP,
            new Shop.Product(
                "Desk lamp",
                "L-1",
                "lighting",
                1999,
                List.of("desk", "halogen", "dimmable"),
                Shop.LAMP_ROW.listed()),
            Shop.DESK,
            Shop.DESK_ROW,
            ghost,
            Shop.FLOOR_LAMP_ROW.withSku("G-1"));
    final AssertionFailedError failure =
        catchThrowableOfType(
            AssertionFailedError.class,
            () -> db.read(txn -> TableAssertions.assertRows(txn, s.products, expected)));
    assertThat(failure.getMessage())
        .startsWith("1 table differs from the expected rows\n")
        .contains(
            "table 'products': 3 rows expected, 3 found; 1 missing, 1 unexpected, 1 different\n")
        .contains("  missing     key \"5c000000-0000-4000-8000-0000000000ff\" value {\"name\":")
        .contains("  unexpected  key \"" + Shop.FLOOR_LAMP + "\" value {\"name\":\"Floor lamp\"")
        .contains("  different   key \"" + Shop.LAMP + "\"\n")
        .contains("                priceCents: expected 1999, found 2499\n")
        .contains("                tags[1]: expected \"halogen\", found \"led\"\n")
        .contains("                tags[2]: expected \"dimmable\", found nothing\n")
        .doesNotContain(Shop.DESK.toString());
    // expected and actual as JSON Lines, in key order: an IDE diffs them, and the actual lines are
    // a fixture that rebuilds the table
    assertThat(failure.getExpected().getStringRepresentation().lines())
        .hasSize(3)
        .allMatch(l -> l.startsWith("{\"table\":\"products\",\"key\":"));
    assertThat(failure.getActual().getStringRepresentation())
        .contains("\"sku\":\"L-2\"")
        .doesNotContain("G-1");
  }

  @Test
  void assertRows_anIndexEntryTheRowsDoNotDerive_isNamed(final Database db, final Shop s) {
    // the desk's row changes its sku behind the schema's back: by_sku keeps the old entry
    final StoredCatalog catalog = StoredCatalog.read(db);
    final Shop.Product renamed = Shop.DESK_ROW.withSku("D-2");
    db.write(
        txn -> {
          final Table<UUID, byte[]> raw =
              catalog.rawTable(txn, catalog.table("products").orElseThrow(), KeyCodecs.UUID);
          raw.put(txn, Shop.DESK, bytes(CborCodec.of(Shop.Product.class).encode(renamed)));
        });
    final Map<UUID, Shop.Product> expected =
        Map.of(Shop.LAMP, Shop.LAMP_ROW, Shop.FLOOR_LAMP, Shop.FLOOR_LAMP_ROW, Shop.DESK, renamed);
    assertThatThrownBy(() -> db.read(txn -> TableAssertions.assertRows(txn, s.products, expected)))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("0 missing, 0 unexpected, 0 different, 2 found by Schema.check")
        .hasMessageContaining("  check       MISSING_INDEX_ENTRY index by_sku key " + Shop.DESK)
        .hasMessageContaining("  check       STALE_INDEX_ENTRY index by_sku");
  }

  @Test
  void assertRows_flatBuffersValues_compareByTheirBytes(final Database db, final Shop s) {
    db.read(
        txn -> {
          final Market stored = s.markets.get(txn, Shop.BTC_EUR);
          TableAssertions.assertRows(txn, s.markets, Map.of(Shop.BTC_EUR, stored));
        });
    final Market other =
        Shop.MARKETS.build(
            b -> {
              final int symbol = b.createString("BTC-EUR");
              Market.startMarket(b);
              Market.addSymbol(b, symbol);
              return Market.endMarket(b);
            });
    assertThatThrownBy(
            () ->
                db.read(
                    txn -> TableAssertions.assertRows(txn, s.markets, Map.of(Shop.BTC_EUR, other))))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("1 different")
        .hasMessageContaining("                value: expected \"");
  }

  @Test
  void assertMembers_comparesPairs(final Database db, final Shop s) {
    db.read(
        txn ->
            TableAssertions.assertMembers(
                txn,
                s.labels,
                Map.of(Shop.LAMP, Set.of("sale"), Shop.DESK, List.of("new", "new"))));
    assertThatThrownBy(
            () ->
                db.read(
                    txn ->
                        TableAssertions.assertMembers(
                            txn, s.labels, Map.of(Shop.LAMP, Set.of("sale", "gift")))))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining(
            "set table 'labels': 2 pairs expected, 2 found; 1 missing, 1 unexpected\n")
        .hasMessageContaining("  missing     key \"" + Shop.LAMP + "\" member \"gift\"")
        .hasMessageContaining("  unexpected  key \"" + Shop.DESK + "\" member \"new\"");
  }

  @Test
  void assertMatchesFixture_theLoadedFixture_matches(final Database db, final Shop s) {
    db.read(txn -> TableAssertions.assertMatchesFixture(txn, s, "fixtures/shop.jsonl"));
  }

  @Test
  void assertMatchesFixture_afterAWrite_namesEveryTableThatDiffers(
      final Database db, final Shop s) {
    db.write(
        txn -> {
          s.products.put(txn, Shop.LAMP, Shop.LAMP_ROW.withPrice(2599));
          s.labels.remove(txn, Shop.DESK, "new");
        });
    final AssertionFailedError failure =
        catchThrowableOfType(
            AssertionFailedError.class,
            () ->
                db.read(
                    txn -> TableAssertions.assertMatchesFixture(txn, s, "fixtures/shop.jsonl")));
    assertThat(failure.getMessage())
        .startsWith("2 tables differ from the expected rows\n")
        .contains(
            "table 'products': 3 rows expected, 3 found; 0 missing, 0 unexpected, 1 different\n")
        .contains("                priceCents: expected 2499, found 2599\n")
        .contains("set table 'labels': 2 pairs expected, 1 found; 1 missing, 0 unexpected\n")
        .doesNotContain("'orders'")
        .doesNotContain("'markets'");
  }

  @Test
  void assertMatchesFixture_aRowListedTwice_isAFixtureError(final Database db, final Shop s)
      throws IOException {
    final List<String> lines =
        Files.readAllLines(
            Path.of("src/test/resources/fixtures/shop.jsonl"), StandardCharsets.UTF_8);
    Files.write(
        resources.resolve("twice.jsonl"), List.of(lines.get(0), lines.get(1), lines.get(0)));
    assertThatThrownBy(
            () -> db.read(txn -> TableAssertions.assertMatchesFixture(txn, s, "twice.jsonl")))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("twice.jsonl:3: the row is listed twice (also at line 1)");
  }

  private static byte[] bytes(final ByteBuffer buffer) {
    final byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
