package org.lodestore.reliability;

import java.nio.file.Path;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Txn;

/**
 * A reader process: opens {@code dir} (with {@code maxReaders}), begins a read transaction, prints
 * {@code READING} and waits to be killed, its reader slot still taken.
 */
public final class ReaderChild {

  private ReaderChild() {}

  /**
   * Reads until killed.
   *
   * @param args {@code dir maxReaders}
   * @throws InterruptedException never, in practice
   */
  @SuppressWarnings("resource")
  public static void main(final String[] args) throws InterruptedException {
    final Database db =
        Database.open(
            Path.of(args[0]),
            DatabaseOptions.builder().maxReaders(Integer.parseInt(args[1])).build());
    final Txn txn = db.beginRead();
    System.out.println("READING " + txn.isOpen());
    Thread.sleep(600_000);
  }
}
