package org.lodestore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lodestore.core.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lodestore backup DIR TARGET [--compact]}. */
@Command(
    name = "backup",
    header = "Copies the database to TARGET/data.mdb, atomically, while writers go on.",
    mixinStandardHelpOptions = true,
    description = {
      "Copies the database in DIR into the directory TARGET (created if missing; it must be empty,"
          + " or hold only what an interrupted backup left) as TARGET/data.mdb, from one read"
          + " transaction: writers in other processes go on meanwhile. The copy is written to a"
          + " temporary directory inside TARGET and renamed into place only once it is complete"
          + " and synced, so a TARGET/data.mdb is always a whole backup, even if this is killed"
          + " or the disk fills up.",
      "--compact leaves out the free pages (a smaller file; slower on a file with little free"
          + " space). Opens the database read-only."
    })
final class BackupCommand implements Callable<Integer> {

  @ParentCommand Lodestore top;

  @Parameters(index = "0", paramLabel = "DIR", description = "the database directory")
  Path dir;

  @Parameters(index = "1", paramLabel = "TARGET", description = "the directory to copy into")
  Path target;

  @Option(names = "--compact", description = "leave out free pages")
  boolean compact;

  @Override
  public Integer call() throws IOException {
    final long started = System.nanoTime();
    final long used;
    try (Database db = Databases.openReadOnly(dir)) {
      used = db.stats().usedBytes();
      Copies.backup(
          db, target, compact, used, total -> Progress.start(top.err, "backup", total, "bytes"));
    }
    final long size = Files.size(target.resolve("data.mdb"));
    top.out.printf(
        "backed up %s to %s (%s%s) in %.1f s%n",
        dir,
        target.resolve("data.mdb"),
        Text.bytes(size),
        compact ? ", compacted from " + Text.bytes(used) + " in use" : "",
        (System.nanoTime() - started) / 1e9);
    return Exit.OK;
  }
}
