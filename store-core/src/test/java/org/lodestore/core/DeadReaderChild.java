package org.lodestore.core;

import java.nio.file.Path;

/**
 * Opens the database in {@code args[0]}, begins a read transaction and halts with it open, so that
 * its slot in the reader table outlives the process (as after {@code kill -9}).
 */
public final class DeadReaderChild {

  private DeadReaderChild() {}

  /**
   * Runs the child.
   *
   * @param args the database directory
   */
  public static void main(final String[] args) {
    final Database db = Database.open(Path.of(args[0]));
    final Txn txn = db.beginRead();
    System.out.println("READING pid=" + ProcessHandle.current().pid() + " txn=" + txn);
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
