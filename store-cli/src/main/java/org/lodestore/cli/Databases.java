package org.lodestore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.FeedOptions;
import org.lodestore.core.LodestoreException;

/**
 * How the command opens databases: read-only unless a subcommand writes, and with every failure to
 * open turned into {@link Exit#CANNOT_OPEN} with the path and the reason.
 */
final class Databases {

  /** Enough for any schema's tables, indexes and Lodestore's own (LMDB's slots cost little). */
  private static final int MAX_TABLES = 4096;

  private Databases() {}

  /**
   * Opens an existing database read-only. Dead processes' reader slots are left for {@code stat}
   * and {@code readers} to report ({@code readers --clear-stale} frees them).
   */
  static Database openReadOnly(final Path dir) {
    requireDatabase(dir);
    return open(
        dir,
        () ->
            DatabaseOptions.builder()
                .readOnly(true)
                .clearStaleReaders(false)
                .readerPooling(false)
                .maxTables(MAX_TABLES));
  }

  /** Opens an existing database for writing. */
  static Database openWritable(final Path dir) {
    requireDatabase(dir);
    return openOrCreate(dir);
  }

  /** Opens a database for writing, creating the directory and database if missing. */
  static Database openOrCreate(final Path dir) {
    return open(
        dir,
        () ->
            DatabaseOptions.builder()
                .readerPooling(false)
                .groupCommit(false)
                .durability(Durability.SYNC)
                .maxTables(MAX_TABLES));
  }

  /**
   * Opens {@code dir} with the options, and with its change feed if it has one: writes then go into
   * the feed, and compacted copies keep its generation, so its followers go on (see {@link
   * Database#hasChangeFeed}).
   */
  private static Database open(final Path dir, final Supplier<DatabaseOptions.Builder> options) {
    try {
      final DatabaseOptions.Builder chosen = options.get();
      if (hasChangeFeed(dir)) {
        chosen.changeFeed(FeedOptions.defaults());
      }
      return Database.open(dir, chosen.build());
    } catch (LodestoreException e) {
      throw CliException.cannotOpen("cannot open " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Whether the database in {@code dir} (if any) has a change feed, asked read-only. */
  private static boolean hasChangeFeed(final Path dir) {
    try {
      if (!Files.isRegularFile(dir.resolve("data.mdb"))
          || Files.size(dir.resolve("data.mdb")) == 0) {
        return false;
      }
    } catch (IOException e) {
      return false; // the open that follows says what is wrong
    }
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder()
                .readOnly(true)
                .clearStaleReaders(false)
                .readerPooling(false)
                .maxTables(MAX_TABLES)
                .build())) {
      return db.hasChangeFeed();
    }
  }

  /** Refuses a path that is not a database directory, before LMDB is asked. */
  static void requireDatabase(final Path dir) {
    if (!Files.isDirectory(dir)) {
      throw CliException.cannotOpen(
          Files.exists(dir) ? dir + " is not a directory" : "no such directory: " + dir, null);
    }
    final Path data = dir.resolve("data.mdb");
    try {
      if (!Files.isRegularFile(data) || Files.size(data) == 0) {
        throw CliException.cannotOpen("no database in " + dir + " (no data.mdb)", null);
      }
    } catch (IOException e) {
      throw CliException.cannotOpen("cannot read " + data + ": " + e.getMessage(), e);
    }
  }
}
