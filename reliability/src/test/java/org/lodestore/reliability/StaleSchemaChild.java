package org.lodestore.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;

/**
 * The old service version of {@link StaleSchemaTest}'s rolling deploy, in a process of its own:
 * attaches {@link StaleSchemas.V1} (users without indexes), prints {@code READY}, waits until the
 * parent (the new version) attached {@link StaleSchemas.V2} and created the go file, then keeps
 * writing through its old declaration.
 *
 * <p>Output: {@code READY}, then {@code OTHER <exception>} for the first unexpected failure if any,
 * then {@code DONE attempts=.. refused=.. accepted=.. other=.. unchangedWrites=.. reads=..}. Usage:
 * {@code StaleSchemaChild <dir> <go file> <ops> <seed>}.
 */
public final class StaleSchemaChild {

  private StaleSchemaChild() {}

  /**
   * Runs the old version's writes.
   *
   * @param args directory, go file, number of writes, seed
   * @throws Exception if the go file never appears
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of(args[0]);
    final Path go = Path.of(args[1]);
    final int ops = Integer.parseInt(args[2]);
    final SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[3]));
    try (Database db =
        Database.open(dir, DatabaseOptions.builder().durability(Durability.NO_SYNC).build())) {
      final StaleSchemas.V1 v1 = db.attach(new StaleSchemas.V1());
      System.out.println("READY");
      System.out.flush();
      final long deadline = System.nanoTime() + 120_000_000_000L;
      while (!Files.exists(go)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no go file " + go + " within 120 s");
        }
        Thread.sleep(10); // polling a condition, not timing one
      }
      final StaleSchemas.Outcome out = StaleSchemas.staleWrites(db, v1, rnd, ops, "child");
      if (!out.firstOther.isEmpty()) {
        System.out.println("OTHER " + out.firstOther.replace('\n', ' '));
      }
      System.out.println("DONE " + out);
      System.out.flush();
    }
  }
}
