package org.lodestore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.lodestore.core.Database;
import org.lodestore.core.LodestoreException;

/** A backup with a progress display: {@link Database#backupTo(Path, boolean)} and its size. */
final class Copies {

  /** The prefix of the temporary directory {@code backupTo} copies into, inside its target. */
  private static final String BACKUP_PREFIX = ".lodestore-backup-";

  private Copies() {}

  /**
   * Copies {@code db} into {@code target} as {@code backupTo} does, showing the bytes written so
   * far against the bytes in use (a compacted copy ends below that).
   *
   * @throws CliException if the copy fails (the message names the target)
   */
  static void backup(
      final Database db,
      final Path target,
      final boolean compact,
      final long usedBytes,
      final Progress.Factory progress) {
    try (Progress p = progress.start(usedBytes)) {
      Ticker.run(
          p,
          () -> {
            db.backupTo(target, compact);
            return null;
          },
          () -> written(target));
      p.stepTo(usedBytes);
    } catch (LodestoreException e) {
      if (e instanceof CliException) {
        throw e;
      }
      throw CliException.failed(
          "cannot back up " + db.path() + " to " + target + ": " + e.getMessage(), e);
    }
  }

  /** The size of the copy being written in {@code target}, 0 before it starts. */
  private static long written(final Path target) {
    try (Stream<Path> entries = Files.list(target)) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith(BACKUP_PREFIX))
          .map(p -> p.resolve("data.mdb"))
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
