package org.lodestore.reliability;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.Durability;
import org.lodestore.reliability.CrashSchema.Item;

/**
 * The writers that {@link GroupCommitCrashTest} kills: {@link #WRITERS} threads, each calling
 * {@code db.write} in a loop with {@link Durability#SYNC}, so that their calls form group commits.
 * Each call puts two indexed rows (a unique index on the name, a set index on the group) and adds 2
 * to the {@code rows} counter; one call in eight throws after its first put, so nothing of it may
 * ever be stored. The map starts at 1 MiB, so it grows under the kills too.
 *
 * <p>Protocol on stdout, one line each (a thread prints a line with one {@code println}, flushed):
 *
 * <pre>
 *   READY                    after open and attach
 *   TRY w i t                writer w is about to call write for its i-th call; t=1 if fn throws
 *   ACK w i                  printed only after that write returned (committed, durable)
 *   GROUPS c g               every 100 ms: stats().groupCommits() and groupedWrites()
 * </pre>
 *
 * The rows of a call are {@link #row} {@code (run, w, i, 0)} and {@code (run, w, i, 1)}.
 *
 * <p>Usage: {@code GroupCommitCrashChild <dir> <run>}.
 */
public final class GroupCommitCrashChild {

  /** Writer threads. */
  static final int WRITERS = 16;

  /** Groups rows are spread over. */
  static final int GROUPS = 16;

  private GroupCommitCrashChild() {}

  /**
   * The id of row {@code k} (0 or 1) of call {@code i} of writer {@code w} in run {@code run}.
   *
   * @return the id
   */
  static UUID id(final long run, final int w, final long i, final int k) {
    return new UUID(run, ((long) w << 48) | (i << 1) | k);
  }

  /**
   * The row itself.
   *
   * @return the item
   */
  static Item row(final long run, final int w, final long i, final int k) {
    return new Item(
        "r" + Long.toHexString(run) + "-" + w + "-" + i + "-" + k,
        new UUID(0x6a0000L + (w + i) % GROUPS, 0x1L),
        "p".repeat((int) ((i * 37 + w) % 300)));
  }

  /** Whether call {@code i} of writer {@code w} throws after its first put. */
  static boolean throwing(final int w, final long i) {
    return (i * 31 + w) % 8 == 3;
  }

  /**
   * Writes until killed.
   *
   * @param args the database directory and the run number
   */
  public static void main(final String[] args) {
    final Path dir = Path.of(args[0]);
    final long run = Long.parseLong(args[1]);
    final PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    final Database db =
        Database.open(
            dir,
            DatabaseOptions.builder().initialMapSize(1L << 20).durability(Durability.SYNC).build());
    final CrashSchema s = db.attach(new CrashSchema());
    synchronized (out) {
      out.println("READY");
      out.flush();
    }
    for (int w = 0; w < WRITERS; w++) {
      final int writer = w;
      final Thread t =
          new Thread(
              () -> {
                try {
                  writeForever(db, s, out, run, writer);
                } catch (RuntimeException | Error e) {
                  line(out, "ERROR " + writer + " " + e);
                }
              },
              "writer-" + w);
      t.start();
    }
    while (true) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      final DatabaseStats stats = db.stats();
      line(out, "GROUPS " + stats.groupCommits() + " " + stats.groupedWrites());
    }
  }

  /** Writer {@code writer}'s calls, one after another, until the process is killed. */
  private static void writeForever(
      final Database db,
      final CrashSchema s,
      final PrintStream out,
      final long run,
      final int writer) {
    for (long i = 0; ; i++) {
      final long call = i;
      final boolean fails = throwing(writer, call);
      line(out, "TRY " + writer + " " + call + " " + (fails ? 1 : 0));
      try {
        db.write(
            txn -> {
              s.items.put(txn, id(run, writer, call, 0), row(run, writer, call, 0));
              if (fails) {
                throw new Planned(call);
              }
              s.items.put(txn, id(run, writer, call, 1), row(run, writer, call, 1));
              s.counters.increment(txn, CrashSchema.ROWS, 2);
            });
      } catch (Planned e) {
        continue; // its own exception: nothing of it was written
      }
      line(out, "ACK " + writer + " " + call);
    }
  }

  /** The exception a throwing call's fn throws. */
  private static final class Planned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Planned(final long call) {
      super("fn of call " + call + " fails, as planned", null, false, false);
    }
  }

  private static void line(final PrintStream out, final String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
