package org.lodestore.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.WriteTimeoutException;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.ChildProcess;

/**
 * {@link WriteTimeoutTest}'s waiter, in a child JVM: for each round and each way the stuck writer
 * ends (released, killed with -9, or released after this process closed the database), starts a
 * {@link WriteLockHolderChild}, and while it holds LMDB's write lock tries {@code beginWrite(200
 * ms)} and a {@code db.write} with {@code writeTimeout(200 ms)}: both must throw {@link
 * WriteTimeoutException} within 200 ms + 10 s, naming another process, while reads go on. Then the
 * holder goes, and within 30 s this process must write again (or, after close, reopen and write),
 * and the holder's uncommitted row must be absent. At the end no write-lock thread of a closed
 * database may be left. Prints one {@code RESULT} line per scenario and a {@code DONE} line.
 */
public final class WriteTimeoutChild {

  private static final Duration TIMEOUT = Duration.ofMillis(200);
  private static final Duration SLACK = Duration.ofSeconds(10);

  private WriteTimeoutChild() {}

  /**
   * Runs the rounds.
   *
   * @param args {@code work crashDir rounds}
   * @throws Exception on failure
   */
  public static void main(final String[] args) throws Exception {
    final Path work = Path.of(args[0]);
    final Path crashDir = Path.of(args[1]);
    final int rounds = Integer.parseInt(args[2]);
    for (int round = 0; round < rounds; round++) {
      for (final String scenario : new String[] {"release", "kill", "closeWhilePending"}) {
        run(scenario, work.resolve(scenario + "-" + round), crashDir);
      }
    }
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long left;
    while ((left = lockThreads()) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20); // the executors end their threads asynchronously after shutdown
    }
    System.out.println("DONE lockThreadsLeft=" + left);
  }

  private static long lockThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("lodestore-write-lock"))
        .count();
  }

  private static void run(final String scenario, final Path dir, final Path crashDir)
      throws Exception {
    final Path release = dir.resolveSibling(dir.getFileName() + ".release");
    final DatabaseOptions options = DatabaseOptions.builder().writeTimeout(TIMEOUT).build();
    Database db = Database.open(dir, options);
    Table<String, String> rows = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
    final Table<String, String> first = rows;
    db.write(txn -> first.put(txn, "before", "committed"));
    int timeouts = 0;
    int withinBound = 0;
    int namingProcess = 0;
    int readsDuring = 0;
    try (ChildProcess holder =
        ChildProcess.start(
            WriteLockHolderChild.class, crashDir, "128m", dir.toString(), release.toString())) {
      holder.awaitLine("HOLDING", Duration.ofSeconds(60));
      for (int attempt = 0; attempt < 2; attempt++) {
        final long start = System.nanoTime();
        try {
          if (attempt == 0) {
            try (Txn txn = db.beginWrite(TIMEOUT)) {
              System.out.println("UNEXPECTED begin while another process holds the lock: " + txn);
            }
          } else {
            final Table<String, String> t = rows;
            db.write(txn -> t.put(txn, "waiter", "should not run"));
            System.out.println("UNEXPECTED write while another process holds the lock");
          }
        } catch (WriteTimeoutException e) {
          timeouts++;
          final Duration took = Duration.ofNanos(System.nanoTime() - start);
          if (took.compareTo(TIMEOUT) >= 0 && took.compareTo(TIMEOUT.plus(SLACK)) <= 0) {
            withinBound++;
          } else {
            System.out.println("OUT OF BOUND " + took + ": " + e.getMessage());
          }
          if (e.heldBy() != null && e.heldBy().contains("another process")) {
            namingProcess++;
          } else {
            System.out.println("HOLDER NOT NAMED: " + e.getMessage());
          }
        }
        final Table<String, String> t = rows;
        if ("committed".equals(db.readAndGet(txn -> t.get(txn, "before")))) {
          readsDuring++;
        }
      }
      if (scenario.equals("closeWhilePending")) {
        db.close(); // while the abandoned begin still waits in LMDB
      }
      final long gone = System.nanoTime();
      if (scenario.equals("kill")) {
        holder.kill();
      } else {
        Files.createFile(release);
      }
      holder.waitFor(Duration.ofSeconds(60));
      String writeAfter = "failed";
      if (scenario.equals("closeWhilePending")) {
        // the environment is released once the late begin was aborted: then it opens again
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
          try {
            db = Database.open(dir, options);
            break;
          } catch (RuntimeException e) {
            if (System.nanoTime() > deadline) {
              throw e;
            }
            Thread.sleep(20); // polling for the late abort on the database's own thread
          }
        }
        rows = db.table("rows", KeyCodecs.STRING, ValueCodecs.STRING);
      }
      final Table<String, String> t = rows;
      try (Txn txn = db.beginWrite(Duration.ofSeconds(30))) {
        rows.put(txn, "after", scenario);
        txn.commit();
        writeAfter = "ok";
      } catch (WriteTimeoutException e) {
        writeAfter = "timeout: " + e.getMessage();
      }
      db.write(txn -> t.put(txn, "afterWrite", scenario)); // db.write with the option, too
      final long recoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gone);
      final boolean holderRow = db.readAndGet(txn -> t.get(txn, "holder")) != null;
      final boolean waiterRow = db.readAndGet(txn -> t.get(txn, "waiter")) != null;
      final boolean afterRows =
          scenario.equals(db.readAndGet(txn -> t.get(txn, "after")))
              && scenario.equals(db.readAndGet(txn -> t.get(txn, "afterWrite")));
      System.out.println(
          "RESULT scenario="
              + scenario
              + " timeouts="
              + timeouts
              + " withinBound="
              + withinBound
              + " namingProcess="
              + namingProcess
              + " readsDuring="
              + readsDuring
              + " writeAfter="
              + (writeAfter.equals("ok") && afterRows ? "ok" : writeAfter)
              + " recoverMillis="
              + recoverMillis
              + " holderRowVisible="
              + (holderRow ? 1 : 0)
              + " waiterRowVisible="
              + (waiterRow ? 1 : 0));
      System.out.flush();
    } finally {
      db.close();
    }
  }
}
