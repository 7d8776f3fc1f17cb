package org.lodestore.reliability;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Buffers derived from zero-copy views ({@code duplicate()}, {@code slice()}) read after the map
 * grew and after the database closed, when the path the database was opened by no longer leads to
 * its files: the directory was renamed, {@code data.mdb} was unlinked, or the path has a newline in
 * it. Run by {@link MovedFilesTest} in a child JVM, since the failure it looks for is a SIGSEGV or
 * SIGBUS (or the {@link InternalError} the JVM makes of a fault in a mapped buffer).
 *
 * <p>Every byte a derived buffer reads must be the byte it showed while its transaction was open
 * (stale) or zero (the guard's zero pages). Output: one {@code MOVED case=.. rounds=.. reads=..
 * wrongBytes=..} line. Usage: {@code MovedFilesChild <root> <rename|unlink|newline> <rounds>
 * <seed>}.
 */
public final class MovedFilesChild {

  private static final UUID KEY = new UUID(1, 1);

  private MovedFilesChild() {}

  /**
   * Runs the rounds.
   *
   * @param args root directory, case, rounds, seed
   */
  public static void main(final String[] args) throws Exception {
    final Path root = Path.of(args[0]);
    final String scenario = args[1];
    final int rounds = Integer.parseInt(args[2]);
    final SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[3]));
    long reads = 0;
    long wrong = 0;
    for (int round = 0; round < rounds; round++) {
      final Path dir =
          root.resolve(scenario.equals("newline") ? "db\nround-" + round : "db-" + round);
      final List<Derived> derived = new ArrayList<>();
      final Database db =
          Database.open(
              dir,
              DatabaseOptions.builder()
                  .initialMapSize(1L << 20)
                  .durability(Durability.NO_SYNC)
                  .build());
      final Table<UUID, ByteBuffer> table = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
      final byte[] value = new byte[16_384 + rnd.nextInt(65_536)];
      rnd.nextBytes(value);
      db.write(txn -> table.put(txn, KEY, ByteBuffer.wrap(value)));
      derive(db, table, value, derived);
      switch (scenario) {
        case "rename" -> Files.move(dir, root.resolve("moved-" + round));
        case "unlink" -> Files.delete(dir.resolve("data.mdb"));
        case "newline" -> {}
        default -> throw new IllegalArgumentException("unknown case " + scenario);
      }
      // growth remaps: the old range must be guarded although the path no longer finds the map
      db.growMap();
      reads += check(derived, "after growth", round);
      derive(db, table, value, derived);
      // writes and reads go on through LMDB's open descriptor
      db.write(txn -> table.put(txn, new UUID(2, 2), ByteBuffer.wrap(value)));
      db.growMap();
      reads += check(derived, "after second growth", round);
      db.close();
      reads += check(derived, "after close", round);
      for (final Derived d : derived) {
        wrong += d.wrong;
      }
    }
    System.out.println(
        "MOVED case="
            + scenario
            + " rounds="
            + rounds
            + " reads="
            + reads
            + " wrongBytes="
            + wrong);
    System.out.flush();
    System.exit(0);
  }

  /** A derived buffer and the bytes it showed while its transaction was open. */
  private static final class Derived {
    final ByteBuffer buffer;
    final byte[] expected;
    long wrong;

    Derived(final ByteBuffer buffer, final byte[] expected) {
      this.buffer = buffer;
      this.expected = expected;
    }
  }

  private static void derive(
      final Database db,
      final Table<UUID, ByteBuffer> table,
      final byte[] value,
      final List<Derived> out) {
    try (Txn txn = db.beginRead()) {
      final ByteBuffer view = table.get(txn, KEY);
      out.add(new Derived(view.duplicate(), value));
      final int from = value.length / 3;
      final byte[] part = java.util.Arrays.copyOfRange(value, from, from + 1000);
      out.add(new Derived(view.slice(from, 1000), part));
    }
  }

  /** Reads every byte of every derived buffer: each must be the stale byte or zero. */
  private static long check(final List<Derived> derived, final String when, final int round) {
    long reads = 0;
    for (final Derived d : derived) {
      final ByteBuffer b = d.buffer;
      for (int i = 0; i < b.capacity(); i++) {
        final byte got = b.get(i);
        reads++;
        if (got != 0 && got != d.expected[i]) {
          if (d.wrong++ == 0) {
            System.out.println(
                "WRONG round "
                    + round
                    + " "
                    + when
                    + ": byte "
                    + i
                    + " is "
                    + got
                    + ", neither stale "
                    + d.expected[i]
                    + " nor 0");
          }
        }
      }
    }
    return reads;
  }
}
