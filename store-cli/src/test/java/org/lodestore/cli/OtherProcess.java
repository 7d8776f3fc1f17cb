package org.lodestore.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.lodestore.core.Database;
import org.lodestore.core.Txn;
import org.lodestore.testsupport.ChildProcess;

/**
 * Another process that has a database open, for the tests of {@code readers} and {@code compact}:
 * {@code hold DIR} opens it, begins a read transaction, prints {@code READY} and keeps both until
 * it is killed; {@code die DIR} opens it, begins a read transaction, prints {@code READY} and halts
 * with it open, leaving a stale slot in the reader table.
 */
public final class OtherProcess {

  private OtherProcess() {}

  /**
   * The child's main.
   *
   * @param args {@code hold DIR} or {@code die DIR}
   * @throws IOException if stdin fails
   */
  public static void main(final String[] args) throws IOException {
    final Database db = Database.open(Path.of(args[1]));
    final Txn txn = db.beginRead();
    System.out.println("READY");
    System.out.flush();
    if (args[0].equals("die")) {
      Runtime.getRuntime().halt(0);
    }
    while (System.in.read() >= 0) {
      // until killed (or its stdin ends)
    }
    txn.close();
    db.close();
  }

  /** Starts {@code mode} on {@code dir} and waits until it has the database open. */
  static ChildProcess start(final String mode, final Path dir, final Path crashDir)
      throws Exception {
    final ChildProcess child =
        ChildProcess.start(OtherProcess.class, crashDir, "128m", mode, dir.toString());
    child.awaitLine("READY", Duration.ofMinutes(1));
    if (mode.equals("die")) {
      if (child.waitFor(Duration.ofMinutes(1)) != 0) {
        throw new AssertionError("the dying reader did not end: " + child.describe());
      }
    }
    return child;
  }
}
