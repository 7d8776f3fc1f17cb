package org.lodestore.schema;

import java.nio.file.Path;
import org.lodestore.core.Database;

/**
 * The second process of {@link CatalogTest#secondJvm_reopen_seesSameCatalogAndData}: opens the
 * database named by {@code args[0]}, prints the catalog entry it finds before attaching anything,
 * attaches the schema, prints every row and index entry (each line prefixed {@code "seen "}), then
 * writes one row and prints {@code "wrote <key>"}.
 */
public final class CatalogChild {

  private CatalogChild() {}

  public static void main(final String[] args) {
    try (Database db = Database.open(Path.of(args[0]))) {
      System.out.println("seen " + CatalogTest.catalogLine(db));
      final CatalogTest.Crm crm = db.attach(CatalogTest.Crm.indexed());
      for (final String line : CatalogTest.contents(db, crm)) {
        System.out.println("seen " + line);
      }
      db.write(
          txn ->
              crm.customers.put(
                  txn,
                  CatalogTest.CHILD_ROW,
                  new CatalogTest.Customer("child", "child@example.com", "SE")));
      System.out.println("wrote " + CatalogTest.CHILD_ROW);
    }
  }
}
