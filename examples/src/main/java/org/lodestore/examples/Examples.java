package org.lodestore.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the example programs share: where their database goes, and how it is reset. */
public final class Examples {

  /** The files of an LMDB environment: all that {@link #deleteDatabase} ever deletes. */
  private static final List<String> DATABASE_FILES = List.of("data.mdb", "lock.mdb");

  private Examples() {}

  /**
   * The database directory of an example program: its first argument, else {@code
   * data/examples/<name>} under the working directory.
   *
   * @param args the program's arguments
   * @param name the example's name
   * @return the directory
   */
  public static Path databaseDir(final String[] args, final String name) {
    return args.length > 0 ? Path.of(args[0]) : Path.of("data", "examples", name);
  }

  /**
   * Deletes the LMDB environment in {@code dir} (its {@code data.mdb} and {@code lock.mdb}) and the
   * directory itself, so that a run starts fresh. Refuses to touch a directory that holds anything
   * else, so that a mistyped path cannot delete unrelated files.
   *
   * @param dir the database directory; nothing happens if it does not exist
   * @throws IllegalArgumentException if {@code dir} holds files other than an LMDB environment's
   * @throws UncheckedIOException if deleting fails
   */
  public static void deleteDatabase(final Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try {
      final List<Path> entries;
      try (Stream<Path> list = Files.list(dir)) {
        entries = list.collect(Collectors.toList());
      }
      final List<String> foreign =
          entries.stream()
              .map(p -> p.getFileName().toString())
              .filter(n -> !DATABASE_FILES.contains(n))
              .sorted()
              .collect(Collectors.toList());
      if (!foreign.isEmpty()) {
        throw new IllegalArgumentException(
            dir.toAbsolutePath()
                + " is not a Lodestore database directory (it holds "
                + foreign
                + "); refusing to delete it");
      }
      for (final Path entry : entries) {
        Files.delete(entry);
      }
      Files.delete(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete database " + dir.toAbsolutePath(), e);
    }
  }
}
