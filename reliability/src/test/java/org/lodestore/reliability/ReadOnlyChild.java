package org.lodestore.reliability;

import java.nio.file.Path;
import java.util.UUID;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The second process of {@link TwoProcessTest}: opens the writer's database read-only and, for a
 * while, checks every snapshot (balances sum to the constant, one journal row per counted transfer,
 * no row of an aborted transaction, versions never go back), and now and then tries to write, which
 * must fail with a typed exception.
 *
 * <p>It first attaches the writer's schema to the read-only database (reported as {@code attach=},
 * see {@code TwoProcessTest#readOnlyDatabase_attachesExistingSchema}), then reads the schema's
 * tables by their on-disk names (the oids).
 *
 * <p>Output: {@code READY}, {@code VIOLATION ...} lines, then {@code DONE snapshots=..
 * violations=.. maxTransfers=.. writeAttempts=.. typedRefusals=.. untyped=.. attach=..}. Usage:
 * {@code ReadOnlyChild <dir> <seconds>}.
 */
public final class ReadOnlyChild {

  private ReadOnlyChild() {}

  /**
   * Runs the checks.
   *
   * @param args directory and duration in seconds
   */
  public static void main(final String[] args) {
    final Path dir = Path.of(args[0]);
    final long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
    final Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build());
    String attach;
    try {
      db.attach(new SoakTest.Bank());
      attach = "ok";
    } catch (RuntimeException e) {
      attach = e.getClass().getSimpleName();
    }
    // the Bank's tables, read as plain tables: their values carry the checksum store-schema gives
    // new tables of copying codecs (numbers, strings)
    final Table<UUID, Long> balances =
        db.table("7a3e0c1e-0b65-4d2f-8c7d-5b0f7c1d2e01", KeyCodecs.UUID, ValueCodecs.LONG)
            .withValueChecksum(ValueChecksum.CRC32C);
    final Table<Long, String> journal =
        db.table("7a3e0c1e-0b65-4d2f-8c7d-5b0f7c1d2e02", KeyCodecs.LONG, ValueCodecs.STRING)
            .withValueChecksum(ValueChecksum.CRC32C);
    final Table<String, Long> counters =
        db.table("7a3e0c1e-0b65-4d2f-8c7d-5b0f7c1d2e03", KeyCodecs.STRING, ValueCodecs.LONG)
            .withValueChecksum(ValueChecksum.CRC32C);
    System.out.println("READY");
    System.out.flush();
    long snapshots = 0;
    long violations = 0;
    long last = -1;
    long attempts = 0;
    long typed = 0;
    long untyped = 0;
    while (System.nanoTime() < end) {
      try (Txn txn = db.beginRead()) {
        final Long t = counters.get(txn, "transfers");
        final long transfers = t == null ? 0 : t;
        long sum = 0;
        long rows = 0;
        try (Cursor<UUID, Long> c = balances.select(txn, KeyRange.all())) {
          while (c.next()) {
            sum += c.value();
            rows++;
          }
        }
        final long journalRows = journal.count(txn);
        final String poison = journal.get(txn, -1L);
        if (rows != SoakTest.ACCOUNTS || sum != SoakTest.TOTAL) {
          violations++;
          System.out.println("VIOLATION sum=" + sum + " rows=" + rows + " at " + transfers);
        }
        if (journalRows != transfers || poison != null) {
          violations++;
          System.out.println(
              "VIOLATION journal=" + journalRows + " transfers=" + transfers + " poison=" + poison);
        }
        if (transfers < last) {
          violations++;
          System.out.println("VIOLATION transfers went back from " + last + " to " + transfers);
        }
        last = transfers;
        snapshots++;
      }
      if (snapshots % 50 == 0) {
        attempts += 4;
        final int[] outcome = new int[2];
        refused(outcome, () -> db.beginWrite().close());
        refused(outcome, () -> db.write(txn -> counters.put(txn, "transfers", 0L)));
        refused(
            outcome,
            () -> {
              try (Txn txn = db.beginRead()) {
                counters.put(txn, "transfers", 0L);
              }
            });
        refused(outcome, () -> db.table("created-by-reader", KeyCodecs.LONG, ValueCodecs.LONG));
        typed += outcome[0];
        untyped += outcome[1];
      }
    }
    db.close();
    System.out.println(
        "DONE snapshots="
            + snapshots
            + " violations="
            + violations
            + " maxTransfers="
            + last
            + " writeAttempts="
            + attempts
            + " typedRefusals="
            + typed
            + " untyped="
            + untyped
            + " attach="
            + attach);
    System.out.flush();
  }

  /** Runs a write attempt: [0]++ if refused with a typed exception, [1]++ otherwise. */
  private static void refused(final int[] outcome, final Runnable attempt) {
    try {
      attempt.run();
      outcome[1]++;
      System.out.println("VIOLATION a write attempt succeeded in a read-only database");
    } catch (InvalidStateException | LodestoreException e) {
      outcome[0]++;
    } catch (RuntimeException e) {
      outcome[1]++;
      System.out.println("VIOLATION untyped refusal " + e);
    }
  }
}
