package org.lodestore.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * How much address space closed and grown maps keep, run by {@link AddressSpaceTest} in a child
 * JVM. Two modes:
 *
 * <ul>
 *   <li>{@code cycles <n> <mapBytes>}: opens, writes, closes one database {@code n} times with a
 *       map of {@code mapBytes}. Every other cycle reads zero-copy views and derives buffers from
 *       them (most are dropped at once; those of the first and the middle cycle are kept to the
 *       end, and each cycle's are kept into the next cycle). A referenced guard keeps a map of the
 *       same size from being placed across it, so with 4 TiB maps only a few dozen can be kept at
 *       once.
 *   <li>{@code growth <fromBytes> <toBytes>}: grows one open database's map step by step ({@code
 *       growMap()}, no data needed: the file stays small) from {@code fromBytes} to {@code
 *       toBytes}, deriving buffers from a view in every map and keeping some of them.
 * </ul>
 *
 * <p>After each step it samples {@code VmSize} of {@code /proc/self/status}: {@code retained} is
 * VmSize minus what it was after a warm-up (one small database opened, grown and closed) minus the
 * map open at that moment (0 after close). At the end every kept derived buffer is read: each byte
 * must be the stale byte or zero. Output: {@code ADDRESS mode=.. steps=.. viewed=.. kept=..
 * retainedMaxBytes=.. vmPeakGrowthBytes=.. wrongBytes=.. error=..}. Usage: {@code AddressSpaceChild
 * <dir> cycles|growth <a> <b>}.
 */
public final class AddressSpaceChild {

  private static final UUID KEY = new UUID(3, 3);

  private AddressSpaceChild() {}

  /**
   * Runs one mode.
   *
   * @param args directory, mode and its two numbers
   */
  public static void main(final String[] args) throws Exception {
    final Path dir = Path.of(args[0]);
    final String mode = args[1];
    final long a = Long.parseLong(args[2]);
    final long b = Long.parseLong(args[3]);
    warmUp(dir.resolveSibling("warm-up"));
    final Run run = new Run();
    try {
      if (mode.equals("cycles")) {
        cycles(dir, (int) a, b, run);
      } else {
        growth(dir, a, b, run);
      }
    } catch (RuntimeException | Error e) {
      run.error = e.toString().replace(' ', '_');
      e.printStackTrace(System.out);
    }
    for (final Derived d : run.kept) {
      run.wrong += d.wrongBytes();
    }
    System.out.println(
        "ADDRESS mode="
            + mode
            + " steps="
            + run.steps
            + " viewed="
            + run.viewed
            + " kept="
            + run.kept.size()
            + " retainedMaxBytes="
            + run.retainedMax
            + " vmPeakGrowthBytes="
            + (vm("VmPeak:") - run.baseline)
            + " wrongBytes="
            + run.wrong
            + " error="
            + run.error);
    System.out.flush();
    System.exit(0);
  }

  /** What a run measured. */
  private static final class Run {
    final long baseline = vm("VmSize:");
    final List<Derived> kept = new ArrayList<>();
    int steps;
    int viewed;
    long retainedMax;
    long wrong;
    String error = "none";

    void sample(final long mapOpen) {
      retainedMax = Math.max(retainedMax, vm("VmSize:") - baseline - mapOpen);
    }
  }

  /**
   * Loads the libraries and starts the threads a database needs, so that the baseline taken next
   * holds them and {@code retained} shows only what closed and grown maps keep.
   */
  private static void warmUp(final Path dir) {
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder()
                .initialMapSize(1L << 20)
                .durability(Durability.NO_SYNC)
                .build())) {
      final Table<UUID, ByteBuffer> t = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
      db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(new byte[6000])));
      derive(db, t);
      db.growMap();
    }
    System.gc();
  }

  private static void cycles(final Path dir, final int n, final long mapBytes, final Run run) {
    final DatabaseOptions options =
        DatabaseOptions.builder()
            .initialMapSize(mapBytes)
            .maxMapSize(mapBytes)
            .durability(Durability.NO_SYNC)
            .build();
    final byte[] value = new byte[6000];
    List<Derived> previous = List.of();
    for (int i = 0; i < n; i++) {
      List<Derived> current = List.of();
      try (Database db = Database.open(dir, options)) {
        final Table<UUID, ByteBuffer> t = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
        value[i % value.length]++;
        db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(value)));
        if (i % 2 == 0) {
          current = derive(db, t);
          run.viewed++;
          if (i == 0 || i == n / 2) {
            run.kept.addAll(current);
          }
        }
        run.sample(mapBytes);
      }
      run.sample(0);
      for (final Derived d : previous) {
        run.wrong += d.wrongBytes(); // read one cycle after their database closed
      }
      previous = current;
      run.steps++;
    }
  }

  private static void growth(final Path dir, final long from, final long to, final Run run) {
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder()
                .initialMapSize(from)
                .maxMapSize(to)
                .durability(Durability.NO_SYNC)
                .build())) {
      final Table<UUID, ByteBuffer> t = db.table("t", KeyCodecs.UUID, ValueCodecs.VIEW);
      final byte[] value = new byte[6000];
      db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(value)));
      while (true) {
        final List<Derived> current = derive(db, t);
        run.viewed++;
        if (run.steps % 8 == 0) {
          run.kept.addAll(current);
        }
        final long size = db.stats().mapSize();
        run.sample(size);
        if (size >= to) {
          break;
        }
        db.growMap();
        run.steps++;
        for (final Derived d : current) {
          run.wrong += d.wrongBytes();
        }
        value[run.steps % value.length]++;
        db.write(txn -> t.put(txn, KEY, ByteBuffer.wrap(value)));
      }
    }
    run.sample(0);
  }

  /** A derived buffer and the bytes it showed while its transaction was open. */
  private static final class Derived {
    final ByteBuffer buffer;
    final byte[] expected;

    Derived(final ByteBuffer buffer) {
      this.buffer = buffer;
      this.expected = new byte[buffer.capacity()];
      buffer.duplicate().get(expected);
    }

    /** Reads every byte: how many are neither the stale byte nor zero. */
    long wrongBytes() {
      long wrong = 0;
      for (int i = 0; i < buffer.capacity(); i++) {
        final byte got = buffer.get(i);
        if (got != 0 && got != expected[i]) {
          wrong++;
        }
      }
      return wrong;
    }
  }

  private static List<Derived> derive(final Database db, final Table<UUID, ByteBuffer> t) {
    try (Txn txn = db.beginRead()) {
      final ByteBuffer view = t.get(txn, KEY);
      return List.of(new Derived(view.duplicate()), new Derived(view.slice(100, 1000)));
    }
  }

  /** A {@code /proc/self/status} figure in bytes ({@code VmSize:}, {@code VmPeak:}). */
  static long vm(final String field) {
    try {
      for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/status", e);
    }
    throw new IllegalStateException("no " + field + " in /proc/self/status");
  }
}
