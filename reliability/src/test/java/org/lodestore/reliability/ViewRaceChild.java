package org.lodestore.reliability;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Closing while another thread reads a zero-copy view, run by {@link MisuseTest} in a child JVM. A
 * reader thread scans a view of a read transaction in a tight loop while the main thread ends that
 * transaction ({@code txn}), closes the database ({@code db}), or ends the transaction and grows
 * the map, which remaps it ({@code grow}). The design promises that nothing ever reads unmapped
 * memory, "whatever the order of closing": the reader must see its data or an {@link
 * IndexOutOfBoundsException}, never crash the JVM.
 *
 * <p>Output: {@code RACE rounds=.. detached=.. finished=.. other=..}. Usage: {@code ViewRaceChild
 * <dir> <seed> <rounds> <txn|db|grow>}.
 */
public final class ViewRaceChild {

  private ViewRaceChild() {}

  /**
   * Runs the rounds.
   *
   * @param args directory, seed, rounds, mode
   */
  public static void main(final String[] args) throws Exception {
    final Path root = Path.of(args[0]);
    final SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[1]));
    final int rounds = Integer.parseInt(args[2]);
    final String mode = args[3];
    final AtomicLong detached = new AtomicLong();
    final AtomicLong finished = new AtomicLong();
    final AtomicLong other = new AtomicLong();
    Database db = null;
    Table<UUID, byte[]> table = null;
    final UUID key = new UUID(7, 7);
    for (int round = 0; round < rounds; round++) {
      if (db == null || db.isClosed()) {
        db =
            Database.open(
                root.resolve("db" + round),
                DatabaseOptions.builder()
                    .initialMapSize(1L << 20)
                    .durability(Durability.NO_SYNC)
                    .build());
        table = db.table("t", KeyCodecs.UUID, ValueCodecs.BYTES);
        final Table<UUID, byte[]> t = table;
        final byte[] value = new byte[8192];
        rnd.nextBytes(value);
        db.write(txn -> t.put(txn, key, value));
      }
      final Txn txn = db.beginRead();
      final ByteBuffer view = table.rawView(txn, key);
      final CountDownLatch running = new CountDownLatch(1);
      final AtomicReference<Throwable> failure = new AtomicReference<>();
      final Thread reader =
          new Thread(
              () -> {
                long sum = 0;
                try {
                  running.countDown();
                  for (int pass = 0; pass < 2_000; pass++) {
                    for (int i = 0; i < view.limit(); i++) {
                      sum += view.get(i);
                    }
                  }
                  finished.incrementAndGet();
                } catch (IndexOutOfBoundsException e) {
                  detached.incrementAndGet();
                } catch (Throwable e) {
                  other.incrementAndGet();
                  failure.set(e);
                }
                if (sum == 42) {
                  System.out.print("");
                }
              },
              "view-reader");
      reader.start();
      running.await();
      final long spin = System.nanoTime() + rnd.nextInt(2_000_000);
      while (System.nanoTime() < spin) {
        Thread.onSpinWait();
      }
      switch (mode) {
        case "txn" -> txn.close();
        case "db" -> db.close();
        default -> {
          txn.close();
          db.growMap();
        }
      }
      reader.join();
      if (failure.get() != null) {
        System.out.println("OTHER " + failure.get());
      }
      txn.close();
    }
    if (db != null) {
      db.close();
    }
    System.out.println(
        "RACE rounds="
            + rounds
            + " detached="
            + detached
            + " finished="
            + finished
            + " other="
            + other);
    System.out.flush();
    System.exit(0);
  }
}
