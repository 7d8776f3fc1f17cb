package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.GroupHarness.Outcome;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The listener SPI ({@link DatabaseListener}): which events a database reports, in which order,
 * with which durations; that a listener that throws breaks nothing; that without one the database
 * holds none.
 */
class DatabaseListenerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  /** Records every event as a line, durations checked as they come (non-negative, consistent). */
  static final class Recorder implements DatabaseListener {
    final List<String> events = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final int interval;
    int timedReads;
    int untimedReads;

    Recorder(final int interval) {
      this.interval = interval;
    }

    synchronized List<String> events() {
      return new ArrayList<>(events);
    }

    synchronized void clear() {
      events.clear();
    }

    private synchronized void add(final String event) {
      events.add(event);
    }

    private synchronized void check(final boolean ok, final String what) {
      if (!ok) {
        problems.add(what);
      }
    }

    @Override
    public int readTimingInterval() {
      return interval;
    }

    @Override
    public void readBegun() {
      add("readBegun");
    }

    @Override
    public synchronized void readEnded(final long nanos) {
      check(nanos >= 0 || nanos == UNTIMED, "readEnded " + nanos);
      if (nanos == UNTIMED) {
        untimedReads++;
      } else {
        timedReads++;
      }
      add("readEnded");
    }

    @Override
    public void writeBegun(final long waitNanos) {
      check(waitNanos >= 0, "writeBegun " + waitNanos);
      add("writeBegun");
    }

    @Override
    public void writeCommitted(final long nanos, final long commitNanos) {
      check(commitNanos >= 0 && nanos >= commitNanos, "committed " + nanos + " " + commitNanos);
      add("writeCommitted");
    }

    @Override
    public void writeAborted(final long nanos) {
      check(nanos >= 0, "aborted " + nanos);
      add("writeAborted");
    }

    @Override
    public void writeRetried() {
      add("writeRetried");
    }

    @Override
    public void mapGrown(final long fromBytes, final long toBytes) {
      check(toBytes > fromBytes, "mapGrown " + fromBytes + " " + toBytes);
      add("mapGrown " + fromBytes + " -> " + toBytes);
    }

    @Override
    public void groupCommitted(final int writes) {
      add("groupCommitted " + writes);
    }

    @Override
    public void writeRefused(final Refusal reason, final LodestoreException error) {
      add("writeRefused " + reason + " " + error.table());
    }

    @Override
    public void corruptValue(final CorruptValueException error) {
      add("corruptValue " + error.table());
    }
  }

  private Database open(final Recorder recorder) {
    return open(recorder, DatabaseOptions.builder());
  }

  private Database open(final DatabaseListener listener, final DatabaseOptions.Builder options) {
    return Database.open(
        dir.resolve("db"), options.durability(Durability.NO_SYNC).listener(listener).build());
  }

  @Test
  void readAndWriteTransactions_reportBeginAndEnd_inOrder() {
    final Recorder r = new Recorder(1);
    try (Database db = open(r)) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      r.clear(); // db.table created the table in a write transaction of its own
      db.write(txn -> t.put(txn, "a", "1"));
      db.read(txn -> t.get(txn, "a"));
      try (Txn txn = db.beginWrite()) {
        t.put(txn, "b", "2");
      } // closed without commit
      try (Txn txn = db.beginRead()) {
        txn.commit(); // a read transaction's commit only ends it
      }
      final String b = db.readAndGet(txn -> t.get(txn, "b"));
      assertThat(b).isNull();
      assertThat(r.events())
          .containsExactly(
              "writeBegun",
              "writeCommitted",
              "readBegun",
              "readEnded",
              "writeBegun",
              "writeAborted",
              "readBegun",
              "readEnded",
              "readBegun",
              "readEnded");
      assertThat(r.timedReads).as("interval 1 times every read").isEqualTo(3);
      assertThat(r.problems).isEmpty();
    }
  }

  @Test
  void writeWhoseFunctionThrows_isReportedAborted() {
    final Recorder r = new Recorder(1);
    try (Database db = open(r)) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      r.clear();
      assertThatThrownBy(
              () ->
                  db.write(
                      txn -> {
                        t.put(txn, "a", "1");
                        throw new IllegalStateException("no");
                      }))
          .hasMessage("no");
      assertThat(r.events()).containsExactly("writeBegun", "writeAborted");
    }
  }

  @Test
  void writeDurations_coverTheWaitTheWorkAndTheCommit() throws Exception {
    final List<long[]> seen = new ArrayList<>();
    final DatabaseListener listener =
        new DatabaseListener() {
          @Override
          public synchronized void writeBegun(final long waitNanos) {
            seen.add(new long[] {waitNanos});
          }

          @Override
          public synchronized void writeCommitted(final long nanos, final long commitNanos) {
            seen.add(new long[] {nanos, commitNanos});
          }
        };
    try (Database db = open(listener, DatabaseOptions.builder().groupCommit(false))) {
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      synchronized (listener) {
        seen.clear();
      }
      final Txn hold = db.beginWrite();
      final Thread writer =
          new Thread(
              () ->
                  db.write(
                      txn -> {
                        t.put(txn, "k", "v");
                        sleepQuietly(30); // the work: inside the transaction's duration
                      }));
      writer.start();
      GroupHarness.awaitWaiting(writer, TIMEOUT);
      sleepQuietly(50); // the wait for the lock, which hold keeps
      hold.close();
      writer.join(TIMEOUT.toMillis());
      synchronized (listener) {
        // hold's begin and end were reported too: [hold begun], [writer begun], [writer committed]
        assertThat(seen).hasSize(3);
        assertThat(seen.get(1)[0]).as("wait").isGreaterThanOrEqualTo(50_000_000L);
        assertThat(seen.get(2)[0]).as("duration").isGreaterThanOrEqualTo(30_000_000L);
        assertThat(seen.get(2)[1]).as("commit").isBetween(0L, seen.get(2)[0] - 30_000_000L);
      }
    }
  }

  private static void sleepQuietly(final long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void fullMap_reportsTheAbortTheGrowthAndTheRetry() {
    final Recorder r = new Recorder(1);
    try (Database db = open(r, DatabaseOptions.builder().initialMapSize(MIB))) {
      final Table<Long, byte[]> t = db.table("t", KeyCodecs.LONG, ValueCodecs.BYTES);
      r.clear();
      final AtomicInteger runs = new AtomicInteger();
      db.write(
          txn -> {
            runs.incrementAndGet();
            for (long i = 0; i < 150; i++) {
              t.put(txn, i, new byte[8_000]); // 1.2 MB: more than the 1 MiB map
            }
          });
      assertThat(runs.get()).isEqualTo(2);
      assertThat(r.events())
          .containsExactly(
              "writeBegun",
              "writeAborted",
              "mapGrown " + MIB + " -> " + 2 * MIB,
              "writeRetried",
              "writeBegun",
              "writeCommitted");
      assertThat(r.problems).isEmpty();
    }
  }

  @Test
  void corruptValue_isReportedWithItsTable() {
    final Recorder r = new Recorder(1);
    try (Database db = open(r)) {
      final Table<String, String> plain = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> plain.put(txn, "k", "a value written without a checksum"));
      final Table<String, String> checked = plain.withValueChecksum(ValueChecksum.CRC32C);
      r.clear();
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> checked.get(txn, "k")).isInstanceOf(CorruptValueException.class);
      }
      assertThat(r.events()).containsExactly("readBegun", "corruptValue t", "readEnded");
    }
  }

  @Test
  void groupCommit_reportsOneSharedTransaction_itsSize_andTheCallerWhoseFunctionThrew()
      throws Exception {
    final Recorder r = new Recorder(1);
    try (Database db = open(r)) {
      final Table<String, Long> t = db.table("t", KeyCodecs.STRING, ValueCodecs.LONG);
      final List<Function<Txn, Object>> fns = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        final int me = i;
        fns.add(
            txn -> {
              t.put(txn, "row-" + me, (long) me);
              if (me == 2) {
                throw new IllegalStateException("writer 2 fails");
              }
              return me;
            });
      }
      r.clear();
      final List<Outcome> outcomes = GroupHarness.inOneGroup(db, fns, TIMEOUT);
      assertThat(outcomes.get(2).error).hasMessage("writer 2 fails");
      assertThat(r.events())
          .containsExactly(
              "writeBegun", // the harness's own transaction, which holds the writers back
              "writeAborted",
              "writeBegun", // the group's
              "writeAborted", // writer 2's nested transaction
              "writeCommitted",
              "groupCommitted 3");
    }
  }

  @Test
  void defaultInterval_timesAboutOneReadInSixteen() {
    final Recorder r = new Recorder(DatabaseListener.DEFAULT_READ_TIMING_INTERVAL);
    try (Database db = open(r)) {
      for (int i = 0; i < 4_000; i++) {
        db.read(txn -> {});
      }
    }
    synchronized (r) {
      assertThat(r.timedReads + r.untimedReads).isEqualTo(4_000);
      // 250 expected; the binomial's standard deviation is about 15
      assertThat(r.timedReads).isBetween(150, 350);
    }
  }

  @Test
  void listenerThatThrows_breaksNoTransaction() {
    final AtomicInteger calls = new AtomicInteger();
    final DatabaseListener hostile =
        new DatabaseListener() {
          @Override
          public int readTimingInterval() {
            throw new IllegalStateException("interval");
          }

          @Override
          public void readBegun() {
            calls.incrementAndGet();
            throw new IllegalStateException("readBegun");
          }

          @Override
          public void readEnded(final long nanos) {
            calls.incrementAndGet();
            throw new AssertionError("readEnded"); // an Error too
          }

          @Override
          public void writeBegun(final long waitNanos) {
            calls.incrementAndGet();
            throw new IllegalStateException("writeBegun");
          }

          @Override
          public void writeCommitted(final long nanos, final long commitNanos) {
            calls.incrementAndGet();
            throw new StackOverflowError("writeCommitted");
          }

          @Override
          public void writeAborted(final long nanos) {
            calls.incrementAndGet();
            throw new IllegalStateException("writeAborted");
          }

          @Override
          public void writeRetried() {
            calls.incrementAndGet();
            throw new IllegalStateException("writeRetried");
          }

          @Override
          public void mapGrown(final long fromBytes, final long toBytes) {
            calls.incrementAndGet();
            throw new IllegalStateException("mapGrown");
          }

          @Override
          public void corruptValue(final CorruptValueException error) {
            calls.incrementAndGet();
            throw new IllegalStateException("corruptValue");
          }
        };
    try (Database db = open(hostile, DatabaseOptions.builder().initialMapSize(MIB))) {
      final Table<Long, byte[]> t = db.table("t", KeyCodecs.LONG, ValueCodecs.BYTES);
      db.write(
          txn -> {
            for (long i = 0; i < 150; i++) {
              t.put(txn, i, new byte[8_000]); // grows the map: abort, growth, retry
            }
          });
      try (Txn txn = db.beginWrite()) {
        t.put(txn, -1L, new byte[1]);
      } // aborted
      final long rows = db.readAndGet(txn -> t.count(txn));
      assertThat(rows).isEqualTo(150);
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> t.withValueChecksum(ValueChecksum.CRC32C).get(txn, 0L))
            .isInstanceOf(CorruptValueException.class); // the codec's failure, not the listener's
      }
      assertThat(db.openTransactions()).isZero();
      assertThat(db.stats().mapGrowths()).isEqualTo(1);
    }
    assertThat(calls.get()).as("every event still reached the listener").isGreaterThan(10);
  }

  @Test
  void withoutListener_theDatabaseHoldsNone() {
    try (Database db = Database.open(dir.resolve("plain"))) {
      assertThat(db.options().listener()).isEmpty();
      assertThat(db.listener).as("the one field every event site checks").isNull();
      final Table<String, String> t = db.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "a", "1"));
      try (Txn txn = db.beginRead()) {
        assertThat(txn.begunAt).as("no clock read without a listener").isZero();
      }
    }
  }

  @Test
  void listenerOfOneDatabase_hearsNothingOfAnother() {
    final Recorder r = new Recorder(1);
    try (Database watched = open(r);
        Database other = Database.open(dir.resolve("other"))) {
      r.clear();
      final Table<String, String> t = other.table("t", KeyCodecs.STRING, ValueCodecs.STRING);
      other.write(txn -> t.put(txn, "a", "1"));
      other.read(txn -> t.get(txn, "a"));
      assertThat(r.events()).isEmpty();
      watched.read(txn -> {});
      assertThat(r.events()).containsExactly("readBegun", "readEnded");
    }
  }
}
