package org.lodestore.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.lodestore.core.Database;

/**
 * The child JVM of {@link KillTest}, killed with SIGKILL at a random moment; prints {@code READY}
 * once working.
 *
 * <ul>
 *   <li>{@code shipper <dir> <bootstrap> <topic> <seed>}: a leader that writes without pause and
 *       ships its feed.
 *   <li>{@code semisync <dir> <bootstrap> <topic> <seed>}: the same, semi-sync; prints {@code ACK
 *       <seq>} after each {@code db.write} returned.
 *   <li>{@code follower <replicaDir> <snapshotDir> <bootstrap> <topic>}: a follower applying;
 *       prints {@code APPLIED <seq>} every 10 ms, {@code FAILED <why>} if it stopped by itself.
 *   <li>{@code writers <dir> <seed> <threads>}: a leader whose threads write (a pause of 1 ms each
 *       time) through {@code db.write} (so that their calls share group commits), without a
 *       shipper; prints {@code WROTE <seq>} every 50 ms.
 *   <li>{@code ship <dir> <bootstrap> <topic>}: a shipper of the leader in {@code dir}, which
 *       another process writes; prints {@code SHIPPED <seq>} every 50 ms.
 * </ul>
 */
public final class KillChild {

  private KillChild() {}

  /**
   * Runs the role named by {@code args[0]} until killed.
   *
   * @param args the role and its arguments
   * @throws Exception if it cannot run
   */
  public static void main(final String[] args) throws Exception {
    switch (args[0]) {
      case "shipper", "semisync" -> lead(args[0].equals("semisync"), args);
      case "follower" -> follow(args);
      case "writers" -> write(args);
      case "ship" -> ship(args);
      default -> throw new IllegalArgumentException("unknown role " + args[0]);
    }
  }

  private static void lead(final boolean semiSync, final String[] args) throws Exception {
    final Database db = Database.open(Path.of(args[1]), ShipperTest.LEADER);
    final FeedTesting.Writes w = new FeedTesting.Writes(db, new Random(Long.parseLong(args[4])));
    final Shipper.Builder b =
        Shipper.builder(db, args[3]).bootstrapServers(args[2]).retryBackoff(Duration.ofMillis(200));
    if (semiSync) {
      b.semiSync(Duration.ofSeconds(60));
    }
    final Shipper shipper = b.build();
    shipper.start();
    System.out.println("READY");
    while (true) {
      final long seq = w.one();
      if (semiSync) {
        System.out.println("ACK " + seq);
      } else {
        Thread.sleep(1);
      }
    }
  }

  private static void follow(final String[] args) throws Exception {
    final Follower follower =
        Follower.builder(Path.of(args[1]), args[4])
            .snapshot(Path.of(args[2]))
            .bootstrapServers(args[3])
            .databaseOptions(FollowerTest.REPLICA)
            .build();
    follower.start();
    System.out.println("READY");
    while (true) {
      Thread.sleep(10);
      System.out.println("APPLIED " + follower.appliedSeq());
      if (follower.failure().isPresent()) {
        System.out.println("FAILED " + follower.failure().get());
      }
    }
  }

  private static void write(final String[] args) throws Exception {
    final Database db = Database.open(Path.of(args[1]), ShipperTest.LEADER);
    final long seed = Long.parseLong(args[2]);
    for (int i = 0; i < Integer.parseInt(args[3]); i++) {
      final FeedTesting.Writes w = new FeedTesting.Writes(db, new Random(seed + i));
      final Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    w.one();
                    Thread.sleep(1);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  System.out.println("FAILED " + e);
                }
              },
              "writer-" + i);
      t.setDaemon(true);
      t.start();
    }
    System.out.println("READY");
    while (true) {
      Thread.sleep(50);
      System.out.println("WROTE " + db.feed().lastSeq());
    }
  }

  private static void ship(final String[] args) throws Exception {
    final Database db = Database.open(Path.of(args[1]), ShipperTest.LEADER);
    final Shipper shipper =
        Shipper.builder(db, args[3])
            .bootstrapServers(args[2])
            .retryBackoff(Duration.ofMillis(200))
            .build();
    shipper.start();
    System.out.println("READY");
    while (true) {
      Thread.sleep(50);
      System.out.println("SHIPPED " + shipper.shippedSeq());
      if (shipper.failure().isPresent()) {
        System.out.println("FAILED " + shipper.failure().get());
      }
    }
  }
}
