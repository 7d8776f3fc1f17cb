package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.MapFullException;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.CounterTable;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.testsupport.TestSeed;

/**
 * One writer and four pooled reader threads on one database. The writer moves amounts between
 * accounts (the total stays constant), journals each transfer and counts its transactions, and
 * sometimes aborts a transaction half-way; the readers (a fixed pool fed with tasks, so that
 * transactions hop between threads) check in each snapshot that the balances sum to the constant,
 * that the journal has exactly one row per committed transfer, and that repeated reads in one
 * snapshot agree. Afterwards: 0 violations, no READERS_FULL, and no reader slot of this process
 * left in LMDB's reader table (read from {@code lock.mdb} directly).
 *
 * <p>Short form 10 s, long form 60 s.
 */
@Tag("soak")
class SoakTest {

  static final int ACCOUNTS = 500;
  static final long INITIAL = 1_000;
  static final long TOTAL = ACCOUNTS * INITIAL;

  @TempDir Path tmp;

  /** Accounts, the journal of transfers, and a transfer counter. */
  static final class Bank extends Schema {
    final CounterTable<UUID> balances =
        counterTable("7a3e0c1e-0b65-4d2f-8c7d-5b0f7c1d2e01", "balances", KeyCodecs.UUID);
    final SchemaTable<Long, String> journal =
        table(
            "7a3e0c1e-0b65-4d2f-8c7d-5b0f7c1d2e02", "journal", KeyCodecs.LONG, ValueCodecs.STRING);
    final CounterTable<String> counters =
        counterTable("7a3e0c1e-0b65-4d2f-8c7d-5b0f7c1d2e03", "counters", KeyCodecs.STRING);

    static UUID account(final int i) {
      return new UUID(0xacc0L, i);
    }

    void open(final Txn txn) {
      for (int i = 0; i < ACCOUNTS; i++) {
        balances.put(txn, account(i), INITIAL);
      }
    }

    /** One transfer; returns its journal number. */
    long transfer(final Txn txn, final SplittableRandom r) {
      final UUID from = account(r.nextInt(ACCOUNTS));
      final UUID to = account(r.nextInt(ACCOUNTS));
      final long amount = r.nextInt(50);
      balances.decrement(txn, from, amount);
      balances.increment(txn, to, amount);
      final long n = counters.increment(txn, "transfers", 1);
      journal.put(txn, n, from + ">" + to + ":" + amount);
      return n;
    }

    /** The violations of the invariants in this snapshot (0 if consistent). */
    int check(final Txn txn, final SplittableRandom r) {
      int violations = 0;
      long sum = 0;
      int rows = 0;
      try (Cursor<UUID, Long> c = balances.select(txn, KeyRange.all())) {
        Long reuse = null;
        while (c.next()) {
          reuse = c.valueInto(reuse);
          sum += reuse;
          rows++;
        }
      }
      if (sum != TOTAL || rows != ACCOUNTS) {
        violations++;
      }
      final long transfers = counters.value(txn, "transfers");
      if (journal.count(txn) != transfers
          || (transfers > 0 && journal.last(txn).orElseThrow().key() != transfers)) {
        violations++;
      }
      final int probe = r.nextInt(ACCOUNTS);
      final long first = balances.value(txn, account(probe));
      if (balances.value(txn, account(probe)) != first) {
        violations++;
      }
      return violations;
    }
  }

  @Test
  void writerAndPooledReaders_keepSnapshotsConsistent_andReleaseReaderSlots() throws Exception {
    final long seed = TestSeed.seed("SoakTest");
    final Duration duration = Reliability.pick(Duration.ofSeconds(10), Duration.ofSeconds(60));
    final Path dir = tmp.resolve("db");
    final AtomicLong snapshots = new AtomicLong();
    final AtomicLong violations = new AtomicLong();
    final AtomicLong readersFull = new AtomicLong();
    final AtomicLong commits = new AtomicLong();
    final AtomicLong aborts = new AtomicLong();
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final int heldDuring;
    final int heldAfter;
    final int slotsAfterPrune;
    final int everUsed;
    final int statsReaders;
    try (Database db =
        Database.open(
            dir,
            DatabaseOptions.builder().durability(Durability.NO_META_SYNC).maxReaders(64).build())) {
      final Bank bank = db.attach(new Bank());
      db.write(bank::open);
      final AtomicBoolean stop = new AtomicBoolean();
      // the pools' threads are kept so that the test can wait until they are dead: a kept read
      // transaction is freed only for a thread that ended, and a pool's termination does not
      // mean its threads have ended yet
      final List<Thread> poolThreads = new CopyOnWriteArrayList<>();
      final ThreadFactory tracked =
          r -> {
            final Thread t = new Thread(r);
            poolThreads.add(t);
            return t;
          };
      final ExecutorService readers = Executors.newFixedThreadPool(4, tracked);
      final Random seeds = new Random(seed);
      final List<Future<?>> feeders = new ArrayList<>();
      final ExecutorService feederPool = Executors.newFixedThreadPool(2, tracked);
      for (int f = 0; f < 2; f++) {
        final long feederSeed = seeds.nextLong();
        feeders.add(
            feederPool.submit(
                () -> {
                  final SplittableRandom r = new SplittableRandom(feederSeed);
                  final List<Future<?>> inFlight = new ArrayList<>();
                  while (!stop.get()) {
                    final long taskSeed = r.nextLong();
                    inFlight.add(
                        readers.submit(
                            () ->
                                readOnce(
                                    db,
                                    bank,
                                    new SplittableRandom(taskSeed),
                                    snapshots,
                                    violations,
                                    readersFull,
                                    errors)));
                    if (inFlight.size() >= 8) {
                      for (final Future<?> fut : inFlight) {
                        fut.get();
                      }
                      inFlight.clear();
                    }
                  }
                  for (final Future<?> fut : inFlight) {
                    fut.get();
                  }
                  return null;
                }));
      }
      final SplittableRandom w = new SplittableRandom(seeds.nextLong());
      final long end = System.nanoTime() + duration.toNanos();
      while (System.nanoTime() < end) {
        final int n = 1 + w.nextInt(20);
        if (w.nextInt(10) == 0) {
          try (Txn txn = db.beginWrite()) {
            for (int i = 0; i < n; i++) {
              bank.transfer(txn, w);
            }
            // no commit: closing aborts, and no reader may see any of it
          } catch (MapFullException e) {
            db.growMap(); // explicit transactions are told, write(fn) grows by itself
          }
          aborts.incrementAndGet();
        } else {
          db.write(
              txn -> {
                for (int i = 0; i < n; i++) {
                  bank.transfer(txn, w);
                }
              });
          commits.incrementAndGet();
        }
      }
      stop.set(true);
      for (final Future<?> f : feeders) {
        f.get(1, TimeUnit.MINUTES);
      }
      feederPool.shutdown();
      readers.shutdown();
      assertThat(feederPool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
      assertThat(readers.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
      for (final Thread t : poolThreads) {
        t.join(TimeUnit.MINUTES.toMillis(1));
        assertThat(t.isAlive()).as("pool thread %s ended", t.getName()).isFalse();
      }
      try (Txn txn = db.beginRead()) {
        // sanity of the lock-file reading: exactly this one read transaction holds a snapshot
        heldDuring = LockFile.snapshotsHeldBy(dir, ProcessHandle.current().pid());
        if (bank.check(txn, w) != 0) {
          violations.incrementAndGet();
        }
      }
      heldAfter = LockFile.snapshotsHeldBy(dir, ProcessHandle.current().pid());
      everUsed = LockFile.slotsEverUsed(dir);
      statsReaders = db.stats().readersInUse();
      // stats() frees the slots kept for threads that ended (the reader pool's): only this
      // thread's kept, reset transaction may still have one
      slotsAfterPrune = LockFile.slotsHeldBy(dir, ProcessHandle.current().pid());
    }
    Reliability.report(
        "soak",
        "seconds",
        duration.toSeconds(),
        "commits",
        commits.get(),
        "aborts",
        aborts.get(),
        "snapshots",
        snapshots.get(),
        "violations",
        violations.get(),
        "readersFull",
        readersFull.get(),
        "staleReaderSlots",
        heldAfter,
        "keptSlotsAfterPrune",
        slotsAfterPrune,
        "slotsHighWater",
        everUsed,
        "statsReadersInUse",
        statsReaders,
        "errors",
        errors.size(),
        "seed",
        seed);
    assertThat(errors).as("reader errors (seed %d)", seed).isEmpty();
    assertThat(violations.get()).as("snapshot violations (seed %d)", seed).isZero();
    assertThat(readersFull.get()).isZero();
    assertThat(heldDuring)
        .as("lock.mdb parse sanity: the open read txn holds a snapshot")
        .isEqualTo(1);
    assertThat(heldAfter).as("snapshots of this process after all readers closed").isZero();
    assertThat(slotsAfterPrune)
        .as("reader slots of this process once the ended threads' kept ones are freed")
        .isLessThanOrEqualTo(1);
    assertThat(statsReaders).as("stats().readersInUse() agrees with lock.mdb").isZero();
    assertThat(snapshots.get()).isPositive();
  }

  private static void readOnce(
      final Database db,
      final Bank bank,
      final SplittableRandom r,
      final AtomicLong snapshots,
      final AtomicLong violations,
      final AtomicLong readersFull,
      final ConcurrentLinkedQueue<Throwable> errors) {
    try {
      if (r.nextInt(4) == 0) {
        // two snapshots at once on one thread, checked in interleaved order
        try (Txn a = db.beginRead();
            Txn b = db.beginRead()) {
          violations.addAndGet(bank.check(b, r) + bank.check(a, r));
          snapshots.addAndGet(2);
        }
      } else {
        violations.addAndGet(db.readAndGet(txn -> bank.check(txn, r)));
        snapshots.incrementAndGet();
      }
    } catch (LodestoreException e) {
      if (String.valueOf(e.getMessage()).contains("too many read transactions")) {
        readersFull.incrementAndGet();
      } else {
        errors.add(e);
      }
    } catch (RuntimeException | Error e) {
      errors.add(e);
    }
  }
}
