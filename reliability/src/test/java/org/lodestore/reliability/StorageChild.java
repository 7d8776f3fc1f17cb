package org.lodestore.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The child JVM of the damaged-or-full-storage tests ({@link DiskFullTest}, {@link
 * AtomicBackupTest}, {@link TruncatedFileTest}): everything that could crash the JVM (SIGBUS in
 * LMDB when a file's pages are missing) runs here. Every outcome is printed as one line; an
 * exception is reported by its simple class name, so the parent can tell a typed error from an
 * untyped one. The rows are {@code rows: long -> bytes}, the bytes of row {@code i} derived from a
 * seed ({@link #value}), so any process can check them.
 *
 * <p>Modes (first argument):
 *
 * <ul>
 *   <li>{@code newdb <mount> <step> <maxFree>}: for each amount of free space 0, step, .., maxFree,
 *       fills the tmpfs at {@code mount} to leave that much, opens a new database, writes until the
 *       disk is full, frees the space, reopens and checks: {@code LEVEL ...} lines.
 *   <li>{@code fill <dir> <seed> <maxValue>}: writes rows until the disk is full ({@code ACK i}
 *       after each commit returned, {@code ERR ...} for each refusal), then {@code DONE ...}.
 *   <li>{@code verify <dir> <seed> <ackFile>}: checks every acknowledged row: {@code VERIFY ...}.
 *   <li>{@code backup <source> <target>}: {@code STARTING}, then the backup's outcome ({@code
 *       BACKUP ...}) and the target's entries ({@code ENTRIES ...}).
 *   <li>{@code open <seed> <rows> <mode>:<dir> ...}: opens each database ({@code rw} or {@code ro})
 *       and reads every row: {@code RESULT ...} per database, then {@code DONE}.
 *   <li>{@code grow <dir> <seed> <seconds>}: appends rows for a while ({@code READY} after the
 *       first commit, {@code DONE n} at the end).
 * </ul>
 */
public final class StorageChild {

  /** The table every mode uses. */
  static final String TABLE = "rows";

  private StorageChild() {}

  /**
   * Runs one mode.
   *
   * @param args the mode and its arguments
   */
  public static void main(final String[] args) throws Exception {
    final String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "newdb":
        newDatabases(Path.of(rest[0]), Long.parseLong(rest[1]), Long.parseLong(rest[2]));
        break;
      case "fill":
        fill(Path.of(rest[0]), Long.parseLong(rest[1]), Integer.parseInt(rest[2]));
        break;
      case "verify":
        verify(Path.of(rest[0]), Long.parseLong(rest[1]), Path.of(rest[2]));
        break;
      case "backup":
        backup(Path.of(rest[0]), Path.of(rest[1]));
        break;
      case "open":
        open(
            Long.parseLong(rest[0]),
            Long.parseLong(rest[1]),
            Arrays.copyOfRange(rest, 2, rest.length));
        break;
      case "grow":
        grow(Path.of(rest[0]), Long.parseLong(rest[1]), Integer.parseInt(rest[2]));
        break;
      default:
        throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.out.flush();
  }

  /**
   * The bytes of row {@code i}: 1..maxValue random bytes from {@code seed} and {@code i}.
   *
   * @param seed the run's seed
   * @param i the row
   * @param maxValue the largest size
   * @return the bytes
   */
  static byte[] value(final long seed, final long i, final int maxValue) {
    final SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
    final byte[] bytes = new byte[1 + rnd.nextInt(maxValue)];
    for (int j = 0; j < bytes.length; j++) {
      bytes[j] = (byte) rnd.nextInt();
    }
    return bytes;
  }

  /**
   * Whether {@code stored} is row {@code i}'s value, whatever maxValue it was written with.
   *
   * @param seed the run's seed
   * @param i the row
   * @param stored what the database holds
   * @return true if equal
   */
  static boolean isValue(final long seed, final long i, final byte[] stored) {
    final SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
    rnd.nextInt(); // the size draw: compare the content, the length is the stored one
    for (final byte b : stored) {
      if (b != (byte) rnd.nextInt()) {
        return false;
      }
    }
    return stored.length > 0;
  }

  static Table<Long, byte[]> rows(final Database db) {
    return db.table(TABLE, KeyCodecs.LONG, ValueCodecs.BYTES);
  }

  /** "ok", or the exception's simple name, plus whether its message names {@code path}. */
  private static String outcome(final Throwable e, final Path path) {
    if (e == null) {
      return "ok";
    }
    final String message = String.valueOf(e.getMessage());
    final boolean named = message.contains(path.toString());
    return e.getClass().getSimpleName()
        + " named="
        + named
        + " typed="
        + (e instanceof LodestoreException && e.getClass() != LodestoreException.class)
        + " message="
        + message.replace('\n', ' ');
  }

  // ------------------------------------------------------------------ newdb

  private static void newDatabases(final Path mount, final long step, final long maxFree)
      throws IOException {
    final Path filler = mount.resolve("filler");
    for (long level = 0; level <= maxFree; level += step) {
      final long free = level;
      final Path dir = mount.resolve("db-" + free);
      Tmpfs.fill(filler, free);
      Throwable openError = null;
      int acked = 0;
      Throwable writeError = null;
      try (Database db =
          Database.open(dir, DatabaseOptions.builder().initialMapSize(1 << 20).build())) {
        final Table<Long, byte[]> rows = rows(db);
        for (long i = 0; i < 1000; i++) {
          final long k = i;
          try {
            db.write(txn -> rows.put(txn, k, value(free, k, 2048)));
            acked++;
          } catch (LodestoreException e) {
            writeError = e;
            break;
          }
        }
      } catch (LodestoreException e) {
        openError = e;
      } catch (RuntimeException e) {
        openError = e;
      }
      Files.delete(filler);
      // the operator freed space: the database opens and holds every acknowledged row
      Throwable reopenError = null;
      int lost = 0;
      try (Database db = Database.open(dir)) {
        final Table<Long, byte[]> rows = rows(db);
        final int n = acked;
        lost =
            db.readAndGet(
                txn -> {
                  int missing = 0;
                  for (long i = 0; i < n; i++) {
                    final byte[] v = rows.get(txn, i);
                    if (v == null || !isValue(free, i, v)) {
                      missing++;
                    }
                  }
                  return missing;
                });
        db.write(txn -> rows.put(txn, -1L, new byte[] {1}));
      } catch (RuntimeException e) {
        reopenError = e;
      }
      System.out.println(
          "LEVEL free="
              + free
              + " acked="
              + acked
              + " lost="
              + lost
              + " | open="
              + outcome(openError, dir)
              + " | write="
              + (writeError == null ? "none" : outcome(writeError, dir))
              + " | reopen="
              + outcome(reopenError, dir));
      System.out.flush();
      Reliability.deleteTree(dir);
    }
    System.out.println("DONE");
  }

  // ------------------------------------------------------------------ fill, verify

  private static void fill(final Path dir, final long seed, final int maxValue) {
    int acked = 0;
    int typed = 0;
    int untyped = 0;
    int named = 0;
    int readsAfterFull = 0;
    try (Database db =
        Database.open(dir, DatabaseOptions.builder().initialMapSize(1 << 20).build())) {
      final Table<Long, byte[]> rows = rows(db);
      int failures = 0;
      int ackedAfterFull = 0;
      for (long i = 0; failures < 8 && ackedAfterFull < 2000; i++) {
        final long k = i;
        // after the first refusal, small rows: some may still fit in the last free pages
        final int size = failures == 0 ? maxValue : 64;
        try {
          db.write(txn -> rows.put(txn, k, value(seed, k, size)));
          System.out.println("ACK " + k);
          acked++;
          ackedAfterFull += failures == 0 ? 0 : 1;
        } catch (RuntimeException e) {
          failures++;
          final String outcome = outcome(e, dir);
          System.out.println("ERR " + k + " " + outcome);
          if (outcome.startsWith("StorageFullException ") && outcome.contains("typed=true")) {
            typed++;
          } else {
            untyped++;
          }
          if (outcome.contains("named=true")) {
            named++;
          }
          // reads keep working on a full disk
          final long count = db.readAndGet(txn -> rows.count(txn));
          if (count >= acked) {
            readsAfterFull++;
          }
        }
      }
    }
    System.out.println(
        "DONE acked="
            + acked
            + " typed="
            + typed
            + " untyped="
            + untyped
            + " named="
            + named
            + " readsAfterFull="
            + readsAfterFull);
  }

  private static void verify(final Path dir, final long seed, final Path ackFile)
      throws IOException {
    final List<Long> acked;
    try (Stream<String> lines = Files.lines(ackFile)) {
      acked = lines.filter(l -> !l.isBlank()).map(Long::parseLong).collect(Collectors.toList());
    }
    try (Database db = Database.open(dir)) {
      final Table<Long, byte[]> rows = rows(db);
      final long[] figures =
          db.readAndGet(
              txn -> {
                long lost = 0;
                for (final long i : acked) {
                  final byte[] v = rows.get(txn, i);
                  if (v == null || !isValue(seed, i, v)) {
                    lost++;
                  }
                }
                return new long[] {lost, rows.count(txn)};
              });
      // space is back: the database takes writes again
      db.write(txn -> rows.put(txn, Long.MAX_VALUE, new byte[4096]));
      final Set<Long> ackedSet = new HashSet<>(acked);
      System.out.println(
          "VERIFY lost="
              + figures[0]
              + " rows="
              + figures[1]
              + " acked="
              + ackedSet.size()
              + " phantom="
              + (figures[1] - ackedSet.size() + figures[0])
              + " writable=true");
    } catch (RuntimeException e) {
      System.out.println("VERIFY failed " + outcome(e, dir));
    }
  }

  // ------------------------------------------------------------------ backup

  private static void backup(final Path source, final Path target) throws IOException {
    Throwable error = null;
    long millis = 0;
    try (Database db = Database.open(source)) {
      System.out.println("STARTING");
      System.out.flush();
      final long t0 = System.nanoTime();
      try {
        db.backupTo(target);
      } catch (RuntimeException e) {
        error = e;
      }
      millis = (System.nanoTime() - t0) / 1_000_000;
    }
    System.out.println("BACKUP ms=" + millis + " " + outcome(error, target));
    System.out.println("ENTRIES " + entries(target));
  }

  /** The names in {@code dir}, recursively, comma-separated ("-" if none). */
  static String entries(final Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return "-";
    }
    final List<String> names = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(p -> !p.equals(dir)).forEach(p -> names.add(dir.relativize(p).toString()));
    }
    return names.isEmpty() ? "-" : String.join(",", names);
  }

  // ------------------------------------------------------------------ open

  private static void open(final long seed, final long expectedRows, final String[] targets) {
    for (final String target : targets) {
      final boolean readOnly = target.startsWith("ro:");
      final Path dir = Path.of(target.substring(3));
      long count = -1;
      long bad = 0;
      Throwable error = null;
      try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(readOnly).build())) {
        if (!db.tableNames().contains(TABLE)) {
          count = 0;
        } else {
          final Table<Long, byte[]> rows = rows(db);
          final long[] figures =
              db.readAndGet(
                  txn -> {
                    long n = 0;
                    long wrong = 0;
                    try (Cursor<Long, byte[]> c = rows.select(txn, KeyRange.all())) {
                      while (c.next()) {
                        n++;
                        if (!isValue(seed, c.key(), c.value())) {
                          wrong++;
                        }
                      }
                    }
                    return new long[] {n, wrong};
                  });
          count = figures[0];
          bad = figures[1];
        }
        if (!readOnly) {
          // a database that opened read-write takes a write
          final Table<Long, byte[]> rows = rows(db);
          db.write(txn -> rows.put(txn, -1L, new byte[] {1}));
        }
      } catch (RuntimeException e) {
        error = e;
      }
      System.out.println(
          "RESULT "
              + dir.getFileName()
              + " "
              + (readOnly ? "ro" : "rw")
              + " rows="
              + count
              + " expected="
              + expectedRows
              + " bad="
              + bad
              + " "
              + outcome(error, dir));
      System.out.flush();
    }
    System.out.println("DONE");
  }

  // ------------------------------------------------------------------ grow

  private static void grow(final Path dir, final long seed, final int seconds) {
    final long end = System.nanoTime() + seconds * 1_000_000_000L;
    long n = 0;
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder()
                .initialMapSize(1 << 20)
                .durability(Durability.NO_SYNC)
                .build())) {
      final Table<Long, byte[]> rows = rows(db);
      while (System.nanoTime() < end) {
        final long k = n;
        // new rows until 8,192 exist (about 64 MiB), then overwrites: the file grows, then pages
        // are freed and reused
        db.write(
            txn -> {
              for (long j = 0; j < 8; j++) {
                final long key = (k * 8 + j) % 8192;
                rows.put(txn, key, value(seed, k * 8 + j, 16 << 10));
              }
            });
        if (n++ == 0) {
          System.out.println("READY");
          System.out.flush();
        }
      }
    }
    System.out.println("DONE " + n);
  }
}
