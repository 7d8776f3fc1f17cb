package org.lodestore.reliability;

import java.nio.file.Path;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Another process's writer: opens {@code dir}, adds one to the {@code counter} table's {@code n},
 * prints {@code WROTE <n>} and exits. A write lock left held by a process that is still alive makes
 * it wait forever, which its parent reports as a hang.
 */
public final class OneWriteChild {

  private OneWriteChild() {}

  /**
   * Writes once.
   *
   * @param args {@code dir}
   */
  public static void main(final String[] args) {
    try (Database db = Database.open(Path.of(args[0]))) {
      final Table<String, Long> counter = db.table("counter", KeyCodecs.STRING, ValueCodecs.LONG);
      final long n =
          db.writeAndGet(
              txn -> {
                final Long old = counter.get(txn, "n");
                final long next = (old == null ? 0 : old) + 1;
                counter.put(txn, "n", next);
                return next;
              });
      System.out.println("WROTE " + n);
    }
  }
}
