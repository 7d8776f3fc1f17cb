package org.lodestore.reliability;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Group commit from virtual threads, in a JDK 21+ child JVM (compiled for 17: virtual threads are
 * started by reflection), with as few carriers as the parent asks for: {@code threads} virtual
 * threads start together and each calls {@code db.write} {@code calls} times ({@link
 * Durability#SYNC}, a 1 MiB map that must grow many times); each call puts two rows of 1 KiB, and
 * one call in seven throws after its first put. A caller that pinned its carrier while waiting for
 * its group would stop the others: the threads must finish within 120 s.
 *
 * <p>Prints {@code RESULT threads=.. calls=.. thrown=.. missing=.. visibleThrown=.. halfApplied=..
 * errors=.. groupCommits=.. groupedWrites=.. growths=.. seconds=..}, or {@code HANG ...} (then
 * halts). Arguments: {@code dir threads calls}.
 */
public final class GroupCommitVirtualChild {

  private GroupCommitVirtualChild() {}

  /**
   * Runs the writers and checks the database.
   *
   * @param args {@code dir threads calls}
   * @throws Exception on failure
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of(args[0]);
    final int threads = Integer.parseInt(args[1]);
    final int calls = Integer.parseInt(args[2]);
    final Database db =
        Database.open(
            dir,
            DatabaseOptions.builder().initialMapSize(1L << 20).durability(Durability.SYNC).build());
    final Table<String, byte[]> t = db.table("rows", KeyCodecs.STRING, ValueCodecs.BYTES);
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger thrown = new AtomicInteger();
    final CountDownLatch start = new CountDownLatch(1);
    final List<Thread> workers = new ArrayList<>();
    final long began = System.nanoTime();
    for (int w = 0; w < threads; w++) {
      final int me = w;
      workers.add(
          virtual(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < calls; i++) {
                    final int call = i;
                    final String key = me + "-" + call;
                    final boolean fails = throwing(me, call);
                    final RuntimeException planned = new IllegalArgumentException(key);
                    try {
                      db.write(
                          txn -> {
                            t.put(txn, key + "-a", value(me, call));
                            if (fails) {
                              throw planned;
                            }
                            t.put(txn, key + "-b", value(me, call));
                          });
                    } catch (IllegalArgumentException e) {
                      if (e != planned) {
                        throw e;
                      }
                      thrown.incrementAndGet();
                    }
                  }
                } catch (Throwable e) {
                  if (errors.getAndIncrement() < 5) {
                    System.err.println("writer " + me + " failed: " + e);
                    e.printStackTrace();
                  }
                }
              }));
    }
    start.countDown();
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (final Thread worker : workers) {
      worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (worker.isAlive()) {
        System.out.println("HANG virtual-thread writers still running after 120 s");
        System.out.flush();
        Runtime.getRuntime().halt(3);
      }
    }
    final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
    // per call: 0 missing rows, 1 a throwing call's row visible, 2 half applied, 3 wrong bytes
    final int[] counts = new int[4];
    db.read(
        txn -> {
          for (int w = 0; w < threads; w++) {
            for (int i = 0; i < calls; i++) {
              final byte[] a = t.get(txn, w + "-" + i + "-a");
              final byte[] b = t.get(txn, w + "-" + i + "-b");
              if (throwing(w, i)) {
                counts[1] += a != null || b != null ? 1 : 0;
              } else if (a == null && b == null) {
                counts[0]++;
              } else if (a == null || b == null) {
                counts[2]++;
              } else if (!Arrays.equals(a, value(w, i)) || !Arrays.equals(b, value(w, i))) {
                counts[3]++;
              }
            }
          }
        });
    final DatabaseStats stats = db.stats();
    System.out.println(
        "RESULT threads="
            + threads
            + " calls="
            + calls
            + " thrown="
            + thrown.get()
            + " missing="
            + counts[0]
            + " visibleThrown="
            + counts[1]
            + " halfApplied="
            + counts[2]
            + " wrong="
            + counts[3]
            + " errors="
            + errors.get()
            + " groupCommits="
            + stats.groupCommits()
            + " groupedWrites="
            + stats.groupedWrites()
            + " growths="
            + stats.mapGrowths()
            + " seconds="
            + seconds);
    System.out.flush();
    db.close();
  }

  private static boolean throwing(final int writer, final int call) {
    return (writer + call * 3) % 7 == 0;
  }

  private static byte[] value(final int writer, final int call) {
    final byte[] bytes = new byte[1024];
    Arrays.fill(bytes, (byte) (writer * 31 + call));
    bytes[0] = (byte) writer;
    bytes[1] = (byte) (writer >>> 8);
    bytes[2] = (byte) call;
    return bytes;
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
