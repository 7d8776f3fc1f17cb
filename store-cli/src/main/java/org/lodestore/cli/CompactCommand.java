package org.lodestore.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.TableStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lodestore compact DIR}: the database rewritten without its free pages, in place.
 *
 * <p>Design note. The copy is made and checked while the database may still be opened by others;
 * the swap happens only under LMDB's own open lock ({@link OpenLock}), which no other process can
 * hold at the same time, and only if the file's last commit is still the one that was copied (its
 * meta pages' transaction ids). Then the compacted file is renamed over {@code data.mdb} in one
 * atomic rename, and, still under the lock, this process opens the new file once, which makes LMDB
 * set {@code lock.mdb} up afresh for it (a process that was waiting to open it gets the new file
 * and a lock file that describes it). A crash before the rename leaves the old file untouched (and
 * a {@code .lodestore-compact-*} directory in DIR that the next compact deletes); after it, the new
 * file, whole.
 */
@Command(
    name = "compact",
    header = "Rewrites the database without its free pages, in place; refused while it is open.",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a compacted copy of the database in DIR (free pages left out, as backup --compact"
          + " does) next to it, checks that it holds the same tables with the same entry counts,"
          + " and swaps it in for data.mdb with one atomic rename.",
      "Refused (exit 3) while another process has the database open, since that process would"
          + " go on with the old file; refused (exit 1), nothing changed, if a commit happened while"
          + " the copy was made. Stop the services that use the database first; take a backup"
          + " first if it is the only copy."
    })
final class CompactCommand implements Callable<Integer> {

  private static final String TEMP_PREFIX = ".lodestore-compact-";

  @ParentCommand Lodestore top;

  @Parameters(index = "0", paramLabel = "DIR", description = "the database directory")
  Path dir;

  @Override
  public Integer call() throws IOException {
    Databases.requireDatabase(dir);
    final Path data = dir.resolve("data.mdb");
    refuseIfOpen(); // before anything is copied: the common case, said early
    deleteLeftovers();
    final long before = Files.size(data);
    final long commit = lastCommit(data);
    final Path temp = dir.resolve(TEMP_PREFIX + Long.toHexString(new SecureRandom().nextLong()));
    try {
      final Map<String, Long> entries;
      try (Database db = Databases.openReadOnly(dir)) {
        final DatabaseStats stats = db.stats();
        entries = entries(stats);
        Copies.backup(
            db,
            temp,
            true,
            stats.usedBytes(),
            total -> Progress.start(top.err, "compact", total, "bytes"));
      }
      try (Database copy = Databases.openReadOnly(temp)) {
        final Map<String, Long> copied = entries(copy.stats());
        if (!copied.equals(entries)) {
          throw CliException.failed(
              "the compacted copy differs from "
                  + dir
                  + " (entries "
                  + copied
                  + " against "
                  + entries
                  + "); nothing changed",
              null);
        }
      }
      try (OpenLock lock = OpenLock.tryTake(dir)) {
        if (lock == null) {
          throw inUse("was opened by another process while it was being compacted");
        }
        if (lastCommit(data) != commit) {
          throw CliException.failed(
              dir
                  + " was written while it was being compacted; nothing changed: run compact"
                  + " again once no process writes it",
              null);
        }
        Files.move(
            temp.resolve("data.mdb"),
            data,
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
        // still under the lock: LMDB sets lock.mdb up afresh for the new file (see the class note)
        Databases.openWritable(dir).close();
      }
    } finally {
      deleteTree(temp);
    }
    final long after = Files.size(data);
    top.out.printf(
        "compacted %s: %s -> %s (%.0f%% smaller)%n",
        dir,
        Text.bytes(before),
        Text.bytes(after),
        before == 0 ? 0.0 : 100.0 * (before - after) / before);
    return Exit.OK;
  }

  private void refuseIfOpen() throws IOException {
    try (OpenLock lock = OpenLock.tryTake(dir)) {
      if (lock == null) {
        throw inUse("is open in another process");
      }
    }
  }

  private CliException inUse(final String what) {
    return new CliException(
        Exit.CANNOT_OPEN,
        "not compacted: "
            + dir
            + " "
            + what
            + " (that process would go on with the old file); stop it and run compact again");
  }

  /** Entries per LMDB database. */
  private static Map<String, Long> entries(final DatabaseStats stats) {
    final Map<String, Long> entries = new TreeMap<>();
    for (final TableStats t : stats.tables().values()) {
      entries.put(t.name(), t.entries());
    }
    return entries;
  }

  /** The id of the file's last commit: see {@link MetaPages}. */
  static long lastCommit(final Path data) throws IOException {
    return MetaPages.read(data).txnId();
  }

  private void deleteLeftovers() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      entries
          .filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX))
          .forEach(CompactCommand::deleteTree);
    }
  }

  private static void syncDirectory(final Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // the file itself was synced by the backup; at worst the rename is lost in a power failure
    }
  }

  private static void deleteTree(final Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover the next compact deletes
    }
  }
}
