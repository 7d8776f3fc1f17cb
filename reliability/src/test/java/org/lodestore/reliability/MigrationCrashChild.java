package org.lodestore.reliability;

import java.nio.file.Path;
import org.lodestore.core.Database;

/**
 * The migration that {@link MigrationCrashTest} kills: runs (or resumes) {@link MigrationSchemas}'s
 * migration with {@code Durability.SYNC} (the default).
 *
 * <p>Protocol on stdout, one line each:
 *
 * <pre>
 *   READY                  after open, before the migration starts
 *   BATCH rows finished    after each batch's commit: rows migrated so far, whether it finished
 *   DONE rows              after the migration returned
 * </pre>
 *
 * <p>Usage: {@code MigrationCrashChild <dir> <batchSize>}.
 */
public final class MigrationCrashChild {

  private MigrationCrashChild() {}

  public static void main(final String[] args) {
    try (Database db = Database.open(Path.of(args[0]))) {
      System.out.println("READY");
      System.out.flush();
      final long rows =
          MigrationSchemas.migration(new MigrationSchemas.V2(), Integer.parseInt(args[1]))
              .onBatch(
                  p -> {
                    System.out.println("BATCH " + p.rows() + " " + p.finished());
                    System.out.flush();
                  })
              .run(db);
      System.out.println("DONE " + rows);
      System.out.flush();
    }
  }
}
