package org.lodestore.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.Txn;
import org.lodestore.core.key.Tuple2;
import org.lodestore.schema.ConstraintViolationException;
import org.lodestore.schema.UniqueViolationException;
import org.lodestore.testsupport.fbs.Market;

/**
 * Fixtures are written through the schema (indexes, unique indexes and references work as for any
 * write), all or nothing, and every refusal names the resource, the line and the table.
 */
@ExtendWith(LodestoreExtension.class)
@AttachSchema(Shop.class)
class FixturesTest {

  /** A classpath root of this test's own: fixtures written by a test are resources there. */
  @TempDir Path resources;

  private ClassLoader saved;

  @BeforeEach
  void addResourcesToTheClasspath() throws IOException {
    saved = Thread.currentThread().getContextClassLoader();
    Thread.currentThread()
        .setContextClassLoader(
            new URLClassLoader(new java.net.URL[] {resources.toUri().toURL()}, saved));
  }

  @AfterEach
  void restoreTheClasspath() {
    Thread.currentThread().setContextClassLoader(saved);
  }

  /** Writes a fixture resource {@code name} with these lines; returns its name. */
  private String fixture(final String name, final String... lines) throws IOException {
    Files.writeString(
        resources.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return name;
  }

  private static String product(final String key, final String sku) {
    return "{\"table\":\"products\",\"key\":\""
        + key
        + "\",\"value\":{\"name\":\"P\",\"sku\":\""
        + sku
        + "\",\"category\":\"c\",\"priceCents\":1,\"tags\":[],\"listed\":\"2026-01-01T00:00:00Z\"}}";
  }

  private static final String A = "5c000000-0000-4000-8000-00000000000a";
  private static final String B = "5c000000-0000-4000-8000-00000000000b";

  @Test
  void load_jsonLines_writesEveryRowThroughTheSchema_indexesAndSetsIncluded(
      final Database db, final Shop s) {
    assertThat(Fixtures.load(s, "fixtures/shop.jsonl")).isEqualTo(7);
    db.read(
        txn -> {
          assertThat(s.products.get(txn, Shop.LAMP)).isEqualTo(Shop.LAMP_ROW);
          assertThat(s.products.get(txn, Shop.DESK)).isEqualTo(Shop.DESK_ROW);
          assertThat(s.products.count(txn)).isEqualTo(3);
          assertThat(s.bySku.key(txn, "L-2")).isEqualTo(Shop.FLOOR_LAMP);
          assertThat(s.byCategory.count(txn, "lighting")).isEqualTo(2);
          assertThat(s.orders.get(txn, Tuple2.of(Shop.LAMP, Instant.parse("2026-02-01T10:00:00Z"))))
              .isEqualTo(new Shop.Order(Shop.LAMP, 2));
          assertThat(s.labels.contains(txn, Shop.LAMP, "sale")).isTrue();
          assertThat(s.labels.count(txn)).isEqualTo(2);
          final Market btc = s.markets.get(txn, Shop.BTC_EUR);
          assertThat(btc.symbol()).isEqualTo("BTC-EUR");
          assertThat(btc.price()).isEqualTo(42000.5);
          assertThat(btc.oid().lsb()).isEqualTo(Shop.BTC_EUR.getLeastSignificantBits());
          assertThat(s.check(txn).ok()).as("%s", s.check(txn)).isTrue();
        });
  }

  @Test
  void load_aJsonArrayOverManyLines_loadsLikeJsonLines(final Database db, final Shop s) {
    assertThat(Fixtures.load(s, "/fixtures/more-products.json")).isEqualTo(2);
    db.read(
        txn -> {
          assertThat(s.bySku.get(txn, "S-1").name()).isEqualTo("Stool");
          assertThat(s.labels.contains(txn, Shop.STOOL, "sale")).isTrue();
        });
  }

  @Test
  void load_inTheCallersTransaction_isUndoneWithIt(final Database db, final Shop s) {
    try (Txn txn = db.beginWrite()) {
      assertThat(Fixtures.load(txn, s, "fixtures/shop.jsonl")).isEqualTo(7);
      assertThat(s.products.count(txn)).isEqualTo(3);
    } // not committed
    db.read(txn -> assertThat(s.products.count(txn)).isZero());
  }

  @Test
  void aUniqueViolation_namesTheLineAndTheIndex_andNothingIsWritten(
      final Database db, final Shop s) {
    assertThatThrownBy(() -> Fixtures.load(s, "fixtures/duplicate-sku.jsonl"))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("fixtures/duplicate-sku.jsonl:2: ")
        .hasMessageContaining("by_sku")
        .hasMessageContaining("S-2")
        .hasCauseInstanceOf(UniqueViolationException.class)
        .satisfies(
            e -> {
              assertThat(((FixtureException) e).line()).isEqualTo(2);
              assertThat(((FixtureException) e).resource())
                  .isEqualTo("fixtures/duplicate-sku.jsonl");
            });
    db.read(txn -> assertThat(s.products.count(txn)).isZero());
  }

  @Test
  void anUnknownTable_namesTheDeclaredOnes(final Database db, final Shop s) throws IOException {
    final String name =
        fixture(
            "unknown-table.jsonl", product(A, "A"), product(B, "B").replace("products", "prodcts"));
    assertThatThrownBy(() -> Fixtures.load(s, name))
        .isInstanceOf(FixtureException.class)
        .hasMessage(
            "unknown-table.jsonl:2: no table 'prodcts' in Shop (it declares: products, orders,"
                + " markets, labels (set))");
    db.read(txn -> assertThat(s.products.count(txn)).isZero());
  }

  @Test
  void aBadKey_namesTheCodecAndTheTable(final Shop s) throws IOException {
    final String name =
        fixture("bad-key.jsonl", "", product(A, "A").replace("\"" + A + "\"", "12"));
    assertThatThrownBy(() -> Fixtures.load(s, name))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("bad-key.jsonl:2: the key is not a uuid key: JSON 12")
        .hasMessageEndingWith("[table=products]");
  }

  @Test
  void aKeyListedTwice_isRefused(final Shop s) throws IOException {
    final String name = fixture("twice.jsonl", product(A, "A"), product(A, "B"));
    assertThatThrownBy(() -> Fixtures.load(s, name))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("twice.jsonl:2: the table already holds this key")
        .hasMessageContaining("table=products")
        .hasMessageContaining(A);
  }

  @Test
  void aDanglingReference_isRefused(final Shop s) throws IOException {
    final String name =
        fixture(
            "dangling.jsonl",
            "{\"table\":\"orders\",\"key\":[\""
                + A
                + "\",\"2026-02-01T10:00:00Z\"],\"value\":{\"product\":\""
                + A
                + "\",\"quantity\":1}}");
    assertThatThrownBy(() -> Fixtures.load(s, name))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("dangling.jsonl:1: reference 'product'")
        .hasCauseInstanceOf(ConstraintViolationException.class);
  }

  @Test
  void aMisspelledValueField_isRefused_notSilentlyDropped(final Shop s) throws IOException {
    final String name =
        fixture("typo.jsonl", product(A, "A").replace("\"category\"", "\"categroy\""));
    assertThatThrownBy(() -> Fixtures.load(s, name))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith(
            "typo.jsonl:1: the value's field(s) [categroy] are not stored by codec cbor");
  }

  @Test
  void aValueOfTheWrongType_namesTheCodec(final Shop s) throws IOException {
    final String name =
        fixture(
            "wrong-type.jsonl",
            product(A, "A").replace("\"priceCents\":1", "\"priceCents\":\"cheap\""));
    assertThatThrownBy(() -> Fixtures.load(s, name))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("wrong-type.jsonl:1: the value is not a cbor value of this table")
        .hasMessageContaining("table=products");
  }

  @Test
  void brokenJson_namesItsLine(final Shop s) throws IOException {
    final String name =
        fixture("broken.jsonl", product(A, "A"), product(B, "B"), "{\"table\": products}");
    assertThatThrownBy(() -> Fixtures.load(s, name))
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("broken.jsonl:3: not JSON: ");
  }

  @Test
  void rowsOfTheWrongShape_areRefused(final Shop s) throws IOException {
    final List<String[]> cases =
        List.of(
            new String[] {
              "{\"table\":\"labels\",\"key\":\"" + A + "\",\"value\":\"x\"}",
              ":1: a row of a set table has a \"member\""
            },
            new String[] {
              "{\"table\":\"products\",\"key\":\"" + A + "\",\"member\":\"x\"}",
              ":1: a row of a table has a \"value\""
            },
            new String[] {
              "{\"table\":\"products\",\"key\":\"" + A + "\",\"valeu\":{}}",
              ":1: unknown field 'valeu'"
            },
            new String[] {"{\"key\":\"" + A + "\",\"value\":{}}", ":1: a row names its table"},
            new String[] {"{\"table\":\"products\",\"value\":{}}", ":1: the row has no \"key\""},
            new String[] {"[1]", ":1: expected a row"});
    int i = 0;
    for (final String[] c : cases) {
      final String name = fixture("shape" + i++ + ".jsonl", c[0]);
      assertThatThrownBy(() -> Fixtures.load(s, name))
          .isInstanceOf(FixtureException.class)
          .hasMessageStartingWith(name + c[1]);
    }
  }

  @Test
  void aMissingResource_saysWhereItWasLookedFor(final Shop s) {
    assertThatThrownBy(() -> Fixtures.load(s, "fixtures/nope.jsonl"))
        .isInstanceOf(FixtureException.class)
        .hasMessage(
            "fixtures/nope.jsonl: no such resource on the classpath (e.g."
                + " src/test/resources/fixtures/nope.jsonl)");
  }

  @Test
  void aSchemaNotAttached_isRefused() {
    assertThatThrownBy(() -> Fixtures.load(new Shop(), "fixtures/shop.jsonl"))
        .isInstanceOf(InvalidStateException.class)
        .hasMessageContaining("not attached");
  }
}
