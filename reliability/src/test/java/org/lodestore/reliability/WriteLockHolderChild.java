package org.lodestore.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * A stuck writer in another process, for {@link WriteTimeoutTest}: opens the database, begins the
 * write transaction (so that this process holds LMDB's write lock in {@code lock.mdb}), writes a
 * row it never commits, prints {@code HOLDING}, and keeps the lock until the file {@code release}
 * appears (then aborts, closes, prints {@code RELEASED}) or it is killed. Gives up after 120 s.
 */
public final class WriteLockHolderChild {

  private WriteLockHolderChild() {}

  /**
   * Holds the lock.
   *
   * @param args {@code dir release}
   * @throws Exception on failure
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of(args[0]);
    final Path release = Path.of(args[1]);
    try (Database db = Database.open(dir)) {
      final Table<String, String> rows = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      try (Txn txn = db.beginWrite()) {
        rows.put(txn, "holder", "uncommitted");
        System.out.println("HOLDING");
        System.out.flush();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(release) && System.nanoTime() < deadline) {
          Thread.sleep(10); // polling a file another process creates: no shared clock to wait on
        }
      }
    }
    System.out.println("RELEASED");
    System.out.flush();
  }
}
