package org.lodestore.reliability;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Issue 11 item 5 in a child JVM: {@code threads} platform threads in turn begin the write
 * transaction, write, and end without closing it. After each, this process must still read, write
 * (within 30 s: a hang prints {@code HANG}), and at the end close and reopen the database. Prints
 * {@code RESULT orphans=<n> reads=<ok> writes=<ok> uncommittedVisible=<n> reopened=<0|1>}.
 */
public final class DeadWriterChild {

  private DeadWriterChild() {}

  /**
   * Runs the scenario.
   *
   * @param args {@code dir threads}
   * @throws Exception on failure
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of(args[0]);
    final int orphans = Integer.parseInt(args[1]);
    int reads = 0;
    int writes = 0;
    int uncommitted = 0;
    Database db = Database.open(dir);
    Table<String, Long> t = db.table("t", KeyCodecs.STRING, ValueCodecs.LONG);
    for (int i = 0; i < orphans; i++) {
      final Database d = db;
      final Table<String, Long> table = t;
      final int n = i;
      final Thread dying =
          new Thread(
              () -> {
                final Txn txn = d.beginWrite();
                table.put(txn, "orphan-" + n, (long) n); // never committed nor closed
              },
              "forgetful-writer-" + i);
      dying.start();
      dying.join();
      if (d.readAndGet(txn -> table.count(txn)) == i) {
        reads++;
      }
      final AtomicReference<Throwable> failure = new AtomicReference<>();
      final Thread writer =
          new Thread(
              () -> {
                try {
                  d.write(txn -> table.put(txn, "kept-" + n, (long) n));
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      writer.start();
      writer.join(TimeUnit.SECONDS.toMillis(30));
      if (writer.isAlive()) {
        System.out.println("HANG write after the death of forgetful-writer-" + i);
        System.out.flush();
        Runtime.getRuntime().halt(3);
      }
      if (failure.get() == null) {
        writes++;
      } else {
        System.err.println("write failed: " + failure.get());
      }
      if (d.readAndGet(txn -> table.contains(txn, "orphan-" + n))) {
        uncommitted++;
      }
    }
    db.close();
    db = Database.open(dir);
    t = db.table("t", KeyCodecs.STRING, ValueCodecs.LONG);
    final Table<String, Long> reopenedTable = t;
    final long rows = db.readAndGet(txn -> reopenedTable.count(txn));
    db.close();
    System.out.println(
        "RESULT orphans="
            + orphans
            + " reads="
            + reads
            + " writes="
            + writes
            + " uncommittedVisible="
            + uncommitted
            + " rowsAfterReopen="
            + rows);
  }
}
