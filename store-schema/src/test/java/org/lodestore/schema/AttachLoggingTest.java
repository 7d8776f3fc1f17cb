package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;

/**
 * Attach, backfill and evolution say at INFO what they did, with counts and durations (through
 * SLF4J; the tests' provider, slf4j-simple, writes to {@code System.err}).
 */
class AttachLoggingTest {

  /** {@link Shop}'s products table, with one more index. */
  static final class ShopByName extends Schema {
    final SchemaTable<UUID, Shop.Product> products =
        table(Shop.PRODUCTS, "products", KeyCodecs.UUID, CborCodec.of(Shop.Product.class))
            .valueChecksum(ValueChecksum.CRC32C)
            .description("what the shop sells");
    final UniqueIndex<String, UUID, Shop.Product> bySku =
        uniqueIndex(products, "by_sku", KeyCodecs.STRING, Shop.Product::sku);
    final MultiIndex<String, UUID, Shop.Product> byCategory =
        index(products, "by_category", KeyCodecs.STRING, Shop.Product::category);
    final MultiIndex<String, UUID, Shop.Product> byName =
        index(products, "by_name", KeyCodecs.STRING, Shop.Product::name);
  }

  @TempDir Path dir;

  @Test
  void attachLogsEachCatalogChangeAndASummaryAndABackfillLogsItsRows() {
    final String first =
        captured(
            () -> {
              try (Database db = Database.open(dir)) {
                final Shop shop = db.attach(new Shop());
                db.write(
                    txn -> {
                      for (int i = 0; i < 500; i++) {
                        shop.products.put(
                            txn, new UUID(2, i), new Shop.Product("n" + i, "S" + i, "c", i));
                      }
                    });
              }
            });
    assertThat(first)
        .contains("INFO")
        .contains("table 'products' (" + Shop.PRODUCTS + "): new, 2 indexes")
        .contains("set table 'tags'")
        .containsPattern(
            "attached Shop to .*: 2 tables, 1 set tables, 3 indexes, 3 catalog changes, in \\d+ ms")
        .doesNotContain("filled index"); // a new table has no rows to fill indexes from

    final String second =
        captured(
            () -> {
              try (Database db = Database.open(dir)) {
                db.attach(new ShopByName());
              }
            });
    assertThat(second)
        .contains("table 'products' (" + Shop.PRODUCTS + "): index by_name added")
        .containsPattern("filled index products.by_name from 500 rows \\(500 entries\\) in \\d+ ms")
        .containsPattern("attached ShopByName to .*: 1 tables, 0 set tables, 3 indexes, 1 catalog");

    final String third =
        captured(
            () -> {
              try (Database db = Database.open(dir)) {
                db.attach(new ShopByName());
              }
            });
    assertThat(third).contains("0 catalog changes").doesNotContain("added");
  }

  private static String captured(final Runnable action) {
    final PrintStream err = System.err;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(err);
    }
    final String text = out.toString(StandardCharsets.UTF_8);
    err.print(text);
    return text;
  }
}
