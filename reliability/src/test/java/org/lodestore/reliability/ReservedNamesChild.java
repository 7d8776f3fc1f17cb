package org.lodestore.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The other process of {@link ReservedNamesTest}: opens the schema's table names as plain tables
 * before any schema is attached (so before the database has a catalog), prints {@code READY}, waits
 * until the parent attached the schema and created the go file, then tries every way around the
 * schema ({@link ReservedNamesTest#attempts}): through the tables it opened early, through tables
 * opened now, and through reserved names.
 *
 * <p>Output: {@code READY}, then {@code ACCEPTED <what>} / {@code OTHER <what>} lines, then {@code
 * DONE attempts=.. refused=.. accepted=.. other=..}. Usage: {@code ReservedNamesChild <dir> <go
 * file>}.
 */
public final class ReservedNamesChild {

  private ReservedNamesChild() {}

  /**
   * Runs the attempts.
   *
   * @param args directory and go file
   * @throws Exception if the go file never appears
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of(args[0]);
    final Path go = Path.of(args[1]);
    try (Database db = Database.open(dir)) {
      final Table<java.util.UUID, byte[]> early =
          db.table(StaleSchemas.USERS, KeyCodecs.UUID, ValueCodecs.BYTES);
      System.out.println("READY");
      System.out.flush();
      final long deadline = System.nanoTime() + 120_000_000_000L;
      while (!Files.exists(go)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no go file " + go + " within 120 s");
        }
        Thread.sleep(10); // polling a condition, not timing one
      }
      final ReservedNamesTest.Outcome out = ReservedNamesTest.attempts(db, early, "child");
      for (final String line : out.lines) {
        System.out.println(line);
      }
      System.out.println("DONE " + out);
      System.out.flush();
    }
  }
}
