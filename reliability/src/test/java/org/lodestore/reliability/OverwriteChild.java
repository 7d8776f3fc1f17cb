package org.lodestore.reliability;

import java.nio.file.Path;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Another process that overwrites every row of table {@code rows} ({@code r0000..}) in {@code
 * rounds} commits, so that LMDB reuses every page no reader pins; prints {@code DONE}.
 */
public final class OverwriteChild {

  private OverwriteChild() {}

  /**
   * Overwrites.
   *
   * @param args {@code dir rows rounds}
   */
  public static void main(final String[] args) {
    final int rows = Integer.parseInt(args[1]);
    final int rounds = Integer.parseInt(args[2]);
    try (Database db = Database.open(Path.of(args[0]))) {
      final Table<String, String> table = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      for (int round = 1; round <= rounds; round++) {
        final int r = round;
        db.write(
            txn -> {
              for (int i = 0; i < rows; i++) {
                table.put(txn, SecondPathTest.key(i), SecondPathTest.value(r, i));
              }
            });
      }
    }
    System.out.println("DONE");
  }
}
