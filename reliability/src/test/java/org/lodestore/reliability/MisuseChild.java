package org.lodestore.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.reliability.CrashSchema.Item;
import org.lodestore.serializers.FlatBuffersCodec;
import org.lodestore.testsupport.fbs.Market;

/**
 * Random sequences of API misuse, run by {@link MisuseTest} in a child JVM so that a JVM crash is
 * an {@code hs_err} file and a failed test, not a dead build.
 *
 * <p>A world of databases, transactions (open, committed, aborted, closed, ended by {@code
 * Database.close()}), cursors and zero-copy views (raw {@code ByteBuffer}s, {@code VIEW} values,
 * FlatBuffers tables) carries over from sequence to sequence; each step picks one of them at random
 * and uses it: reads, writes (also in read transactions), scans, commits, aborts, double closes,
 * use from another thread, {@code Database.close()} with everything open (from either thread), map
 * growth while views are held. Each step must either work or throw a documented exception: {@link
 * InvalidStateException} / {@link IllegalStateException}, {@link IndexOutOfBoundsException}
 * (detached views) or a {@link LodestoreException}. Where the step was certainly invalid (the
 * transaction had ended, the view's transaction had ended, a write in a read transaction, a write
 * transaction used from another thread) it must throw: succeeding silently is a violation too.
 *
 * <p>Output: {@code VIOLATION ...} lines, then {@code DONE sequences=.. steps=.. raised=..
 * silent=.. violations=.. types=..}. Usage: {@code MisuseChild <dir> <seed> <sequences>}.
 */
public final class MisuseChild {

  private static final int MAX_VIOLATIONS_PRINTED = 30;
  private static final int MAX_REFS = 40;
  private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

  private static final String[] HOW = {"commit", "abort", "close"};

  private static final FlatBuffersCodec<Market> MARKET =
      FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);

  /** An open database and the tables opened in it. */
  private static final class World {
    final Database db;
    final CrashSchema schema;
    final Table<UUID, byte[]> bytes;
    final Table<UUID, ByteBuffer> views;
    final Table<UUID, Market> markets;
    final List<UUID> keys = new ArrayList<>();

    World(final Database db) {
      this.db = db;
      this.schema = db.attach(new CrashSchema());
      this.bytes = db.table("bytes", KeyCodecs.UUID, ValueCodecs.BYTES);
      this.views = db.table("bytes", KeyCodecs.UUID, ValueCodecs.VIEW);
      this.markets = db.table("markets", KeyCodecs.UUID, MARKET);
    }
  }

  /** A transaction and what the test knows about it. */
  private static final class TxnRef {
    final Txn txn;
    final World world;
    final boolean write;
    final Thread owner;
    volatile boolean ended;

    TxnRef(final Txn txn, final World world, final boolean write, final Thread owner) {
      this.txn = txn;
      this.world = world;
      this.write = write;
      this.owner = owner;
    }

    /** Its state as the test knows it, for messages. */
    String describe(final Thread runner) {
      return (write ? "write" : "read")
          + " txn (owner "
          + owner.getName()
          + ", used from "
          + runner.getName()
          + (ended ? ", ended" : "")
          + (world.db.isClosed() ? ", db closed" : "")
          + ", isOpen="
          + txn.isOpen()
          + ")";
    }

    /** Whether every use of it must fail. */
    boolean dead() {
      return ended || world.db.isClosed();
    }
  }

  private record CursorRef(Cursor<?, ?> cursor, TxnRef txn) {}

  private record ViewRef(Object view, TxnRef txn) {}

  private final Path root;
  private final SplittableRandom rnd;
  private final ExecutorService helper =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "misuse-helper"));
  private final Thread helperThread;
  private final List<World> worlds = new ArrayList<>();
  private final List<TxnRef> txns = new ArrayList<>();
  private final List<CursorRef> cursors = new ArrayList<>();
  private final List<ViewRef> views = new ArrayList<>();
  private final Map<String, Integer> types = new TreeMap<>();
  private final Map<String, Integer> ops = new TreeMap<>();
  private World world;
  private int dirs;
  private long steps;
  private long raised;
  private long silent;
  private long violations;
  private String where = "";

  private MisuseChild(final Path root, final long seed) throws Exception {
    this.root = root;
    this.rnd = new SplittableRandom(seed);
    this.helperThread = helper.submit(Thread::currentThread).get();
  }

  /**
   * Runs the sequences and prints the outcome.
   *
   * @param args directory, seed, number of sequences
   */
  public static void main(final String[] args) throws Exception {
    final MisuseChild child = new MisuseChild(Path.of(args[0]), Long.parseLong(args[1]));
    final int sequences = Integer.parseInt(args[2]);
    for (int i = 0; i < sequences; i++) {
      child.sequence(i);
    }
    child.shutdown();
    System.out.println("OPS " + child.ops.toString().replace(" ", ""));
    System.out.println(
        "DONE sequences="
            + sequences
            + " steps="
            + child.steps
            + " raised="
            + child.raised
            + " silent="
            + child.silent
            + " violations="
            + child.violations
            + " types="
            + child.types.toString().replace(" ", ""));
    System.out.flush();
    System.exit(0);
  }

  private void sequence(final int n) throws Exception {
    if (world == null || world.db.isClosed()) {
      world = open();
    }
    final int length = 3 + rnd.nextInt(25);
    for (int i = 0; i < length; i++) {
      where = "sequence " + n + " step " + i;
      step();
    }
    if (rnd.nextInt(4) == 0) {
      // tidy up: end what our threads still hold, so that writers and growth can proceed
      for (final TxnRef t : List.copyOf(txns)) {
        if (!t.ended && (t.world.db.isClosed() || rnd.nextInt(3) > 0)) {
          where = "sequence " + n + " cleanup";
          attempt("cleanup close", t.owner == helperThread, false, () -> endTxn(t, 2));
        }
      }
    }
    trim(txns);
    trim(cursors);
    trim(views);
  }

  private World open() throws IOException {
    // reuse the last directory when its environment was released, else take a fresh one
    for (int tries = 0; tries < 2; tries++) {
      final Path dir = root.resolve("db" + dirs);
      try {
        final Database db =
            Database.open(
                dir,
                DatabaseOptions.builder()
                    .initialMapSize(1L << 20)
                    .maxMapSize(32L << 20)
                    .durability(Durability.NO_SYNC)
                    .growTimeout(Duration.ofMillis(2))
                    .build());
        final World w = new World(db);
        worlds.add(w);
        if (worlds.size() > 8) {
          worlds.remove(0);
        }
        return w;
      } catch (LodestoreException e) {
        count(e);
        dirs++;
        Files.createDirectories(root);
      }
    }
    throw new IllegalStateException("cannot open a database under " + root);
  }

  private <T> void trim(final List<T> list) throws Exception {
    while (list.size() > MAX_REFS) {
      final T gone = list.remove(rnd.nextInt(list.size()));
      if (gone instanceof TxnRef && !((TxnRef) gone).ended) {
        // a user ends what it forgets: close it on its own thread (releases a closed database)
        final TxnRef t = (TxnRef) gone;
        attempt("forget close", t.owner == helperThread, false, () -> endTxn(t, 2));
      }
    }
  }

  // ------------------------------------------------------------------ steps

  private void step() throws Exception {
    steps++;
    final int choice = rnd.nextInt(100);
    if (choice < 10) {
      beginRead();
    } else if (choice < 16) {
      beginWrite();
    } else if (choice < 40) {
      tableOp(pickTxn(), rnd.nextInt(5) == 0);
    } else if (choice < 52) {
      cursorOp();
    } else if (choice < 64) {
      viewOp();
    } else if (choice < 78) {
      final TxnRef t = pickTxn();
      if (t != null) {
        final boolean otherThread = rnd.nextInt(4) == 0;
        final boolean onHelper = otherThread ^ (t.owner == helperThread);
        final int how = rnd.nextInt(3);
        final Thread runner = onHelper ? helperThread : Thread.currentThread();
        attempt(
            HOW[how] + " " + t.describe(runner),
            onHelper,
            endMustFail(t, onHelper, how),
            () -> endTxn(t, how));
      }
    } else if (choice < 84) {
      final TxnRef t = pickTxn();
      if (t != null) {
        attempt(
            "write in read txn",
            false,
            !t.write || t.dead() || t.owner != Thread.currentThread(),
            () -> {
              world(t).bytes.put(t.txn, UUID.randomUUID(), new byte[] {1});
              return null;
            });
      }
    } else if (choice < 88) {
      closeDatabase();
    } else if (choice < 92) {
      final boolean fromHelper = rnd.nextBoolean();
      attempt(
          "grow map",
          fromHelper,
          false,
          () -> {
            world.db.growMap();
            return null;
          });
    } else if (choice < 95) {
      crossDatabase();
    } else {
      final TxnRef t = pickTxn();
      if (t != null) {
        attempt("stats", rnd.nextBoolean(), false, () -> t.world.db.stats());
      }
    }
  }

  private static World world(final TxnRef t) {
    return t.world;
  }

  private void beginRead() throws Exception {
    final World w = world;
    final boolean fromHelper = rnd.nextInt(5) == 0;
    final Object result = attempt("beginRead", fromHelper, w.db.isClosed(), () -> w.db.beginRead());
    if (result instanceof Txn) {
      txns.add(
          new TxnRef((Txn) result, w, false, fromHelper ? helperThread : Thread.currentThread()));
    }
  }

  private void beginWrite() throws Exception {
    final World w = world;
    final boolean fromHelper = rnd.nextInt(4) == 0;
    final Thread thread = fromHelper ? helperThread : Thread.currentThread();
    boolean mine = false;
    for (final TxnRef t : txns) {
      if (t.write && !t.ended && t.world == w) {
        if (t.owner != thread) {
          return; // the other thread holds the write transaction: beginWrite would wait for it
        }
        mine = true;
      }
    }
    final Object result =
        attempt("beginWrite", fromHelper, w.db.isClosed() || mine, () -> w.db.beginWrite());
    if (result instanceof Txn) {
      txns.add(new TxnRef((Txn) result, w, true, thread));
    }
  }

  /** A table operation in {@code t}, from its owner or (sometimes) from the other thread. */
  private void tableOp(final TxnRef t, final boolean otherThread) throws Exception {
    if (t == null) {
      return;
    }
    final World w = t.world;
    final Thread runner =
        otherThread ^ (t.owner == helperThread) ? helperThread : Thread.currentThread();
    final boolean wrongThread = t.write && runner != t.owner;
    final boolean mustFail = t.dead() || wrongThread;
    final UUID key = pickKey(w);
    final int op = rnd.nextInt(12);
    final boolean onHelper = runner == helperThread;
    final boolean writeFails = mustFail || !t.write;
    switch (op) {
      case 0 -> attempt("get", onHelper, mustFail, () -> w.bytes.get(t.txn, key));
      case 1 -> {
        final byte[] value = new byte[rnd.nextInt(3000)];
        rnd.nextBytes(value);
        final Object r =
            attempt(
                "put",
                onHelper,
                writeFails,
                () -> {
                  w.bytes.put(t.txn, key, value);
                  return Boolean.TRUE;
                });
        if (r != null) {
          w.keys.add(key);
        }
      }
      case 2 -> {
        final Object v = attempt("rawView", onHelper, mustFail, () -> w.bytes.rawView(t.txn, key));
        if (v != null) {
          views.add(new ViewRef(v, t));
        }
      }
      case 3 -> {
        final Object v = attempt("view get", onHelper, mustFail, () -> w.views.get(t.txn, key));
        if (v != null) {
          views.add(new ViewRef(v, t));
        }
      }
      case 4 -> {
        final UUID id = key;
        final double price = rnd.nextDouble();
        final Object r =
            attempt(
                "market put",
                onHelper,
                writeFails,
                () -> {
                  w.markets.put(t.txn, id, market(price));
                  return Boolean.TRUE;
                });
        if (r != null) {
          w.keys.add(id);
        }
      }
      case 5 -> {
        final Object v = attempt("market get", onHelper, mustFail, () -> w.markets.get(t.txn, key));
        if (v != null) {
          views.add(new ViewRef(v, t));
        }
      }
      case 6 -> {
        final Object c =
            attempt(
                "select",
                onHelper,
                mustFail,
                () ->
                    rnd.nextBoolean()
                        ? w.bytes.select(t.txn, KeyRange.<UUID>all().reversed())
                        : w.markets.select(t.txn, KeyRange.all()));
        if (c != null) {
          cursors.add(new CursorRef((Cursor<?, ?>) c, t));
        }
      }
      case 7 -> attempt("delete", onHelper, writeFails, () -> w.bytes.delete(t.txn, key));
      case 8 -> attempt("count", onHelper, mustFail, () -> w.bytes.count(t.txn));
      case 9 -> {
        final String name = "name-" + rnd.nextInt(20);
        attempt(
            "schema put",
            onHelper,
            writeFails,
            () -> {
              w.schema.items.put(t.txn, key, new Item(name, key, "x"));
              return Boolean.TRUE;
            });
      }
      case 10 ->
          attempt(
              "index get",
              onHelper,
              mustFail,
              () -> w.schema.byName.get(t.txn, "name-" + rnd.nextInt(20)));
      default ->
          attempt(
              "counter", onHelper, writeFails, () -> w.schema.counters.increment(t.txn, "c", 1));
    }
  }

  private void cursorOp() throws Exception {
    if (cursors.isEmpty()) {
      return;
    }
    final CursorRef c = cursors.get(rnd.nextInt(cursors.size()));
    final TxnRef t = c.txn;
    final boolean otherThread = rnd.nextInt(5) == 0;
    final boolean onHelper = otherThread ^ (t.owner == helperThread);
    final boolean wrongThread =
        t.write && (onHelper ? helperThread : Thread.currentThread()) != t.owner;
    final boolean mustFail = t.dead() || wrongThread;
    switch (rnd.nextInt(6)) {
      case 0, 1 -> attempt("cursor next", onHelper, mustFail, () -> c.cursor.next());
      case 2 -> attempt("cursor key", onHelper, mustFail, () -> c.cursor.key());
      case 3 -> {
        final Object v = attempt("cursor value", onHelper, mustFail, () -> c.cursor.value());
        if (v != null) {
          views.add(new ViewRef(v, t));
        }
      }
      case 4 ->
          attempt(
              "cursor iterate",
              onHelper,
              mustFail,
              () -> {
                int n = 0;
                for (final Object row : c.cursor) {
                  if (row == null || ++n > 5) {
                    break;
                  }
                }
                return n;
              });
      default ->
          attempt(
              "cursor close",
              onHelper,
              false,
              () -> {
                c.cursor.close();
                return null;
              });
    }
  }

  private void viewOp() throws Exception {
    if (views.isEmpty()) {
      return;
    }
    final ViewRef v = views.get(rnd.nextInt(views.size()));
    final boolean mustFail = v.txn.ended;
    final boolean onHelper = rnd.nextInt(4) == 0;
    if (v.view instanceof Market) {
      final Market m = (Market) v.view;
      attempt(
          "read market view",
          onHelper,
          mustFail,
          () -> m.price() + m.quantity() + m.name().length());
    } else {
      final ByteBuffer b = (ByteBuffer) v.view;
      attempt(
          "read buffer view",
          onHelper,
          mustFail,
          () -> {
            long sum = 0;
            final int n = Math.max(1, Math.min(b.capacity(), 64));
            for (int i = 0; i < n; i++) {
              sum += b.get(i);
            }
            return sum;
          });
    }
  }

  private void closeDatabase() throws Exception {
    final World w =
        rnd.nextInt(4) == 0 && !worlds.isEmpty() ? worlds.get(rnd.nextInt(worlds.size())) : world;
    final boolean fromHelper = rnd.nextInt(3) == 0;
    final Thread closer = fromHelper ? helperThread : Thread.currentThread();
    final int times = 1 + rnd.nextInt(2); // double close too
    for (int i = 0; i < times; i++) {
      attempt(
          "Database.close",
          fromHelper,
          false,
          () -> {
            w.db.close();
            return null;
          });
    }
    for (final TxnRef t : txns) {
      // every close (the first and any repeated one) aborts the closing thread's transactions;
      // those of other threads fail at their next operation and end when their users close them
      if (t.world == w && t.owner == closer) {
        t.ended = true;
      }
    }
  }

  /** A table of one (possibly closed) database used with a transaction of another. */
  private void crossDatabase() throws Exception {
    if (worlds.size() < 2) {
      return;
    }
    final TxnRef t = pickTxn();
    if (t == null) {
      return;
    }
    final World other = worlds.get(rnd.nextInt(worlds.size()));
    if (other == t.world) {
      return;
    }
    attempt(
        "cross-database get",
        t.owner == helperThread,
        true,
        () -> other.bytes.get(t.txn, UUID.randomUUID()));
  }

  /** Ends {@code t} by commit (0), abort (1) or close (2); records that it ended. */
  private Object endTxn(final TxnRef t, final int how) {
    try {
      switch (how) {
        case 0 -> t.txn.commit();
        case 1 -> t.txn.abort();
        default -> t.txn.close();
      }
    } finally {
      // commit and abort by the owner end the transaction whether or not they throw ("either
      // way the transaction is over"); from another thread they are refused and change nothing
      if (Thread.currentThread() == t.owner || !t.write) {
        t.ended |= how < 2;
      }
    }
    t.ended = true;
    return null;
  }

  /**
   * Whether ending {@code t} this way must fail: commit and abort of an ended transaction, commit
   * after its database closed (it must not publish anything: MisuseTest's
   * commitAfterDatabaseClose_throwsAndPublishesNothing), and any end of a write transaction from a
   * thread that does not own it (close of an ended one is a no-op).
   */
  private boolean endMustFail(final TxnRef t, final boolean onHelper, final int how) {
    final Thread runner = onHelper ? helperThread : Thread.currentThread();
    final boolean wrongThread = t.write && runner != t.owner;
    switch (how) {
      case 0:
        return t.dead() || wrongThread;
      case 1:
        return t.ended || wrongThread;
      default:
        return !t.ended && wrongThread;
    }
  }

  /** A transaction: three times in four a usable one if there is any, else any at all. */
  private TxnRef pickTxn() {
    if (txns.isEmpty()) {
      return null;
    }
    if (rnd.nextInt(4) > 0) {
      final List<TxnRef> live = new ArrayList<>();
      for (final TxnRef t : txns) {
        if (!t.dead()) {
          live.add(t);
        }
      }
      if (!live.isEmpty()) {
        return live.get(rnd.nextInt(live.size()));
      }
    }
    return txns.get(rnd.nextInt(txns.size()));
  }

  private UUID pickKey(final World w) {
    if (!w.keys.isEmpty() && rnd.nextInt(4) > 0) {
      return w.keys.get(rnd.nextInt(w.keys.size()));
    }
    return new UUID(rnd.nextLong(), rnd.nextLong());
  }

  private static Market market(final double price) {
    return MARKET.build(
        b -> {
          final int name = b.createString("m" + price);
          Market.startMarket(b);
          Market.addName(b, name);
          Market.addPrice(b, price);
          Market.addQuantity(b, 7);
          return Market.endMarket(b);
        });
  }

  // ------------------------------------------------------------------ outcome checking

  /**
   * Runs {@code action} on this thread or the helper thread and checks the outcome: a documented
   * exception, or a normal return where failing was not required.
   *
   * @return what the action returned, or null if it threw
   */
  private Object attempt(
      final String what,
      final boolean onHelper,
      final boolean mustFail,
      final Callable<Object> action)
      throws Exception {
    Object result = null;
    Throwable thrown = null;
    if (onHelper) {
      final Future<Object> f = helper.submit(action);
      try {
        result = f.get(HELPER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        thrown = e.getCause();
      } catch (TimeoutException e) {
        violation(what + " on the helper thread hung for " + HELPER_TIMEOUT, null);
        System.out.flush();
        System.exit(3);
      }
    } else {
      try {
        result = action.call();
      } catch (Throwable e) { // every outcome is checked
        thrown = e;
      }
    }
    final String op = what.contains(" txn") ? what.substring(0, what.indexOf(" txn") + 4) : what;
    ops.merge(
        op
            + (mustFail ? "!" : "")
            + "="
            + (thrown == null ? "ok" : thrown.getClass().getSimpleName()),
        1,
        Integer::sum);
    if (thrown == null) {
      if (mustFail) {
        silent++;
        violation(
            what + " succeeded although it must fail (returned " + describe(result) + ")", null);
      }
      return result;
    }
    raised++;
    count(thrown);
    if (!allowed(thrown, what)) {
      violation(what + " threw an undocumented " + thrown.getClass().getName(), thrown);
    }
    return null;
  }

  private static String describe(final Object result) {
    final String s = String.valueOf(result);
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static boolean allowed(final Throwable e, final String what) {
    if (e instanceof IllegalStateException
        || e instanceof IndexOutOfBoundsException
        || e instanceof LodestoreException) {
      return true;
    }
    // a table of one database with a transaction of another: a plain bad argument
    return e instanceof IllegalArgumentException && what.startsWith("cross-database");
  }

  private void count(final Throwable e) {
    types.merge(e.getClass().getSimpleName(), 1, Integer::sum);
  }

  private void violation(final String message, final Throwable e) {
    violations++;
    if (violations > MAX_VIOLATIONS_PRINTED) {
      return;
    }
    final StringBuilder sb =
        new StringBuilder("VIOLATION ").append(where).append(": ").append(message);
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(" | ").append(t);
      final StackTraceElement[] trace = t.getStackTrace();
      for (int i = 0; i < Math.min(trace.length, 12); i++) {
        sb.append(" | at ").append(trace[i]);
      }
    }
    System.out.println(sb);
  }

  private void shutdown() throws InterruptedException {
    for (final TxnRef t : txns) {
      if (!t.ended) {
        try {
          if (t.owner == helperThread) {
            helper.submit(t.txn::close).get(10, TimeUnit.SECONDS);
          } else {
            t.txn.close();
          }
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
          count(e);
        }
      }
    }
    for (final World w : worlds) {
      w.db.close();
    }
    helper.shutdown();
    helper.awaitTermination(10, TimeUnit.SECONDS);
  }
}
