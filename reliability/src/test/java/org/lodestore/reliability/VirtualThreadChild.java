package org.lodestore.reliability;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Writes from virtual threads, in a JDK 21+ child JVM (compiled for 17, so virtual threads are
 * started by reflection). Each scenario prints {@code RESULT <scenario> counter=<n> expected=<m>
 * refused=<r> errors=<e>} or {@code HANG <scenario>} if its threads did not finish in time, then
 * (with {@code hold}) stays alive until killed, holding the database open, so that the parent can
 * check that another process can still write.
 *
 * <p>Arguments: {@code dir scenario [hold]}; scenarios: {@code sleepy} (4 threads x 50 writes with
 * {@code Thread.sleep(1)} inside {@code db.write}), {@code many} (1,000 threads x 10 writes),
 * {@code explicit} (4 threads x 50 {@code beginWrite}/commit with a sleep between begin and commit,
 * so that commits happen on other carriers than their begins), {@code dead} (a virtual thread
 * begins a write transaction, writes and ends without closing it; then the main thread writes,
 * closes and reopens).
 */
public final class VirtualThreadChild {

  private VirtualThreadChild() {}

  /**
   * Runs one scenario.
   *
   * @param args {@code dir scenario [hold]}
   * @throws Exception on failure
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of(args[0]);
    final String scenario = args[1];
    final boolean hold = args.length > 2 && args[2].equals("hold");
    final DatabaseOptions options =
        DatabaseOptions.builder().durability(Durability.NO_SYNC).initialMapSize(1L << 20).build();
    final Database first = Database.open(dir, options);
    final Database db = first;
    Table<String, Long> counter = first.table("counter", KeyCodecs.STRING, ValueCodecs.LONG);
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    final List<Thread> threads = new ArrayList<>();
    final int expected;
    final Table<String, Long> c = counter;
    switch (scenario) {
      case "sleepy":
        expected = 4 * 50;
        for (int t = 0; t < 4; t++) {
          threads.add(
              virtual(
                  () ->
                      repeat(
                          50,
                          errors,
                          () ->
                              db.write(
                                  txn -> {
                                    final long n = value(c, txn);
                                    sleep(1);
                                    c.put(txn, "n", n + 1);
                                  }))));
        }
        break;
      case "many":
        expected = 1000 * 10;
        for (int t = 0; t < 1000; t++) {
          threads.add(
              virtual(
                  () ->
                      repeat(
                          10,
                          errors,
                          () ->
                              db.write(
                                  txn -> {
                                    final long n = value(c, txn);
                                    Thread.yield();
                                    c.put(txn, "n", n + 1);
                                  }))));
        }
        break;
      case "explicit":
        expected = 4 * 50;
        for (int t = 0; t < 4; t++) {
          threads.add(
              virtual(
                  () ->
                      repeat(
                          50,
                          errors,
                          () -> {
                            try (Txn txn = db.beginWrite()) {
                              final long n = value(c, txn);
                              sleep(1);
                              c.put(txn, "n", n + 1);
                              sleep(1);
                              txn.commit();
                            } catch (InvalidStateException e) {
                              refused.incrementAndGet();
                            }
                          })));
        }
        break;
      case "dead":
        expected = 1;
        final Thread dying =
            virtual(
                () -> {
                  final Txn txn = db.beginWrite();
                  c.put(
                      txn, "lost", 1L); // never committed: the thread ends holding the transaction
                });
        dying.join(TimeUnit.SECONDS.toMillis(30));
        threads.add(
            virtual(
                () ->
                    repeat(1, errors, () -> db.write(txn -> c.put(txn, "n", value(c, txn) + 1)))));
        break;
      default:
        throw new IllegalArgumentException(scenario);
    }
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    for (final Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (t.isAlive()) {
        System.out.println("HANG " + scenario + " (virtual threads still writing after 90 s)");
        System.out.flush();
        Runtime.getRuntime().halt(3);
      }
    }
    // a platform thread writes after them: a mutex left locked would block it forever
    final Thread platform =
        new Thread(
            () -> repeat(1, errors, () -> db.write(txn -> c.put(txn, "n", value(c, txn) + 1))));
    platform.start();
    platform.join(TimeUnit.SECONDS.toMillis(30));
    if (platform.isAlive()) {
      System.out.println(
          "HANG " + scenario + " (a platform-thread write after the virtual threads)");
      System.out.flush();
      Runtime.getRuntime().halt(3);
    }
    int reopened = 0;
    Database last = db;
    if (scenario.equals("dead")) {
      db.close();
      last = Database.open(dir, options);
      counter = last.table("counter", KeyCodecs.STRING, ValueCodecs.LONG);
      reopened = 1;
    }
    final Table<String, Long> r = counter;
    final long n = last.readAndGet(txn -> value(r, txn));
    final boolean lost = last.readAndGet(txn -> r.contains(txn, "lost"));
    System.out.println(
        "RESULT "
            + scenario
            + " counter="
            + n
            + " expected="
            + (expected + 1)
            + " refused="
            + refused.get()
            + " errors="
            + errors.get()
            + " reopened="
            + reopened
            + " uncommittedVisible="
            + (lost ? 1 : 0));
    System.out.flush();
    if (hold) {
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
    last.close();
  }

  private static long value(final Table<String, Long> counter, final Txn txn) {
    final Long n = counter.get(txn, "n");
    return n == null ? 0 : n;
  }

  private static void repeat(final int times, final AtomicInteger errors, final Runnable write) {
    for (int i = 0; i < times; i++) {
      try {
        write.run();
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        System.err.println("write failed: " + e);
      }
    }
  }

  private static void sleep(final long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts a virtual thread: {@code Thread.ofVirtual().start(task)}, by reflection. */
  private static Thread virtual(final Runnable task) {
    try {
      final Method ofVirtual = Thread.class.getMethod("ofVirtual");
      final Object builder = ofVirtual.invoke(null);
      final Method start =
          Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
      return (Thread) start.invoke(builder, task);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this JVM has no virtual threads", e);
    }
  }
}
