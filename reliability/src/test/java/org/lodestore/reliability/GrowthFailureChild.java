package org.lodestore.reliability;

import java.nio.file.Path;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Run under a small address-space limit ({@code ulimit -v}): grows the map until LMDB cannot map it
 * (ENOMEM), then uses the database again, and reopens it. LMDB has unmapped the old map by then and
 * has none: a transaction on it would read its meta pages from unmapped memory. Prints {@code
 * RESULT growths=<n> failure=<class> afterwards=<class or ok> reopened=<rows>}.
 */
public final class GrowthFailureChild {

  private GrowthFailureChild() {}

  /**
   * Runs the scenario.
   *
   * @param args {@code dir}
   */
  public static void main(final String[] args) {
    final Path dir = Path.of(args[0]);
    final DatabaseOptions options =
        DatabaseOptions.builder().initialMapSize(1L << 30).maxMapSize(1L << 40).build();
    int growths = 0;
    String failure = "none";
    String afterwards = "none";
    final Database db = Database.open(dir, options);
    final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
    db.write(txn -> t.put(txn, "k", "v"));
    try {
      for (; growths < 1000; growths++) {
        db.growMap();
      }
    } catch (LodestoreException e) {
      failure = e.getClass().getSimpleName();
      System.err.println("growth failed: " + e);
    }
    try {
      db.read(txn -> t.get(txn, "k"));
      afterwards = "ok";
    } catch (InvalidStateException e) {
      afterwards = e.getClass().getSimpleName();
    }
    db.close();
    final long rows;
    try (Database again = Database.open(dir, options)) {
      final Table<String, String> t2 = again.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      rows = again.readAndGet(txn -> t2.count(txn));
    }
    System.out.println(
        "RESULT growths="
            + growths
            + " failure="
            + failure
            + " afterwards="
            + afterwards
            + " reopened="
            + rows);
  }
}
