package org.lodestore.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.lodestore.core.Database;
import org.lodestore.core.ReaderSlot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lodestore readers DIR [--clear-stale]}. */
@Command(
    name = "readers",
    header = "Lists the reader slots in use, stale ones of dead processes included.",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the slots of LMDB's reader table (lock.mdb) in use by any process: the process id,"
          + " the thread, the transaction whose snapshot the slot holds (- for none: a read"
          + " transaction a thread keeps between reads) and whether the process still runs. A"
          + " stale slot belongs to a process that died with a read transaction open: it pins the"
          + " pages of its snapshot, so the file grows, until it is freed. Lodestore frees such"
          + " slots by itself (at open, when the table is full, and periodically while writing);"
          + " --clear-stale frees them now (LMDB's mdb_reader_check, which asks the lock file"
          + " whether each slot's process still has the database open).",
      "Opens the database read-only; only --clear-stale writes, and only to lock.mdb."
    })
final class ReadersCommand implements Callable<Integer> {

  @ParentCommand Lodestore top;

  @Parameters(index = "0", paramLabel = "DIR", description = "the database directory")
  Path dir;

  @Option(names = "--clear-stale", description = "free the slots of processes that are gone")
  boolean clearStale;

  @Override
  public Integer call() {
    try (Database db = Databases.openReadOnly(dir)) {
      final List<ReaderSlot> slots = db.readers();
      final long stale = slots.stream().filter(ReaderSlot::stale).count();
      if (slots.isEmpty()) {
        top.out.println("no reader slots in use (" + db.stats().maxReaders() + " slots)");
      } else {
        final Text.Columns t = new Text.Columns(4, 0, 2);
        t.row("PID", "THREAD", "SNAPSHOT", "PROCESS");
        for (final ReaderSlot s : slots) {
          t.row(
              Long.toString(s.pid()),
              s.thread(),
              s.txnId() < 0 ? "-" : "txn " + s.txnId(),
              s.stale() ? "gone (stale slot)" : "running");
        }
        t.lines().forEach(top.out::println);
        top.out.println(
            slots.size()
                + " slot"
                + (slots.size() == 1 ? "" : "s")
                + " in use, "
                + stale
                + " stale, of "
                + db.stats().maxReaders());
      }
      if (clearStale) {
        final int freed = db.clearStaleReaders();
        top.out.println("freed " + freed + " stale slot" + (freed == 1 ? "" : "s"));
      } else if (stale > 0) {
        top.out.println("--clear-stale frees the stale slots");
      }
    }
    return Exit.OK;
  }
}
