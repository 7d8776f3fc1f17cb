package org.lodestore.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The child JVM of {@link LifetimeTest}: runs one scenario of use after close, wrong-thread use and
 * double close against a real database, printing one line per check ({@code CHECK <name>: OK ...}
 * or {@code CHECK <name>: FAIL ...}), then {@code DONE}. Exit code 0 if every check passed, 1 if
 * one failed (an unexpected exception type, or no exception where one was due), 2 if the scenario
 * itself broke. A JVM crash shows as another exit code plus an {@code hs_err} file.
 *
 * <p>Usage: {@code LifetimeChild <scenario> <work directory> [seed]}.
 */
public final class LifetimeChild {

  private static int checks;
  private static int failures;
  private static Path work;
  private static int dbCounter;

  private LifetimeChild() {}

  public static void main(final String[] args) throws Exception {
    final String scenario = args[0];
    work = Path.of(args[1]);
    final long seed = args.length > 2 ? Long.parseLong(args[2]) : 1L;
    try {
      switch (scenario) {
        case "txnEnded":
          txnEnded();
          break;
        case "cursorAfterEnd":
          cursorAfterEnd();
          break;
        case "viewAfterEnd":
          viewAfterEnd();
          break;
        case "viewAfterMapGrowth":
          viewAfterMapGrowth();
          break;
        case "closeWithOpenTransactions":
          closeWithOpenTransactions();
          break;
        case "closeWithWriterOnAnotherThread":
          closeWithWriterOnAnotherThread();
          break;
        case "wrongThread":
          wrongThread();
          break;
        case "doubleClose":
          doubleClose();
          break;
        case "databaseAndTableAfterClose":
          databaseAndTableAfterClose();
          break;
        case "reopen":
          reopen();
          break;
        case "tableOfClosedDatabase":
          tableOfClosedDatabase();
          break;
        case "detachedViewWrittenBack":
          detachedViewWrittenBack();
          break;
        case "derivedViewAfterEnd":
          derivedViewAfterEnd();
          break;
        case "closeRacingReaders":
          closeRacingReaders(seed);
          break;
        case "txnEndedRacingScan":
          txnEndedRacingScan(seed);
          break;
        case "rowAfterAnotherThreadEnded":
          rowAfterAnotherThreadEnded();
          break;
        default:
          System.out.println("unknown scenario " + scenario);
          System.exit(2);
      }
    } catch (Throwable t) {
      System.out.println("SCENARIO BROKE: " + t);
      t.printStackTrace(System.out);
      System.out.flush();
      System.exit(2);
    }
    System.out.println("DONE " + scenario + " checks=" + checks + " failures=" + failures);
    System.out.flush();
    System.exit(failures == 0 ? 0 : 1);
  }

  // ------------------------------------------------------------------ the checks

  /** An action under check. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  /** Checks that {@code action} throws one of {@code allowed} (exact class or a subclass). */
  @SafeVarargs
  static void throwsOne(
      final String name, final Action action, final Class<? extends Throwable>... allowed) {
    checks++;
    try {
      action.run();
    } catch (Throwable t) {
      for (final Class<? extends Throwable> type : allowed) {
        if (type.isInstance(t)) {
          System.out.println(
              "CHECK " + name + ": OK " + t.getClass().getSimpleName() + ": " + t.getMessage());
          return;
        }
      }
      fail(name, "expected " + names(allowed) + ", got " + t);
      t.printStackTrace(System.out);
      return;
    }
    fail(name, "expected " + names(allowed) + ", nothing was thrown");
  }

  /** Checks that {@code action} completes without an exception. */
  static void completes(final String name, final Action action) {
    checks++;
    try {
      action.run();
      System.out.println("CHECK " + name + ": OK");
    } catch (Throwable t) {
      fail(name, "expected no exception, got " + t);
      t.printStackTrace(System.out);
    }
  }

  static void isTrue(final String name, final boolean condition, final String detail) {
    checks++;
    if (condition) {
      System.out.println("CHECK " + name + ": OK");
    } else {
      fail(name, detail);
    }
  }

  private static void fail(final String name, final String detail) {
    failures++;
    System.out.println("CHECK " + name + ": FAIL " + detail);
  }

  @SafeVarargs
  private static String names(final Class<? extends Throwable>... types) {
    final List<String> names = new ArrayList<>();
    for (final Class<? extends Throwable> type : types) {
      names.add(type.getSimpleName());
    }
    return String.join(" or ", names);
  }

  private static final Class<InvalidStateException> ISE = InvalidStateException.class;
  private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;

  /** Every read a zero-copy view allows; each must fail once the view is detached. */
  static void viewIsDetached(final String name, final ByteBuffer view) {
    throwsOne(name + ": view.get(0)", () -> view.get(0), IOOBE);
    throwsOne(name + ": view.getLong(0)", () -> view.getLong(0), IOOBE);
    throwsOne(name + ": view.get(0, byte[])", () -> view.get(0, new byte[1]), IOOBE);
    throwsOne(name + ": view.duplicate().get(0)", () -> view.duplicate().get(0), IOOBE);
    // relative reads report the empty buffer as an underflow (see Views)
    throwsOne(
        name + ": view.get()", () -> view.duplicate().get(), BufferUnderflowException.class, IOOBE);
    isTrue(
        name + ": capacity 0",
        view.capacity() == 0 && view.remaining() == 0,
        "capacity=" + view.capacity() + " remaining=" + view.remaining());
  }

  // ------------------------------------------------------------------ fixtures

  private static Database open() {
    return open(DatabaseOptions.builder().durability(Durability.NO_SYNC).build());
  }

  private static Database open(final DatabaseOptions options) {
    return Database.open(work.resolve("db" + (++dbCounter)), options);
  }

  private static final UUID K1 = new UUID(1, 1);
  private static final UUID K2 = new UUID(2, 2);
  private static final UUID K3 = new UUID(3, 3);
  private static final UUID BIG = new UUID(9, 9);

  private static Table<UUID, String> names(final Database db) {
    final Table<UUID, String> t = db.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
    db.write(
        txn -> {
          t.put(txn, K1, "one");
          t.put(txn, K2, "two");
          t.put(txn, K3, "three");
        });
    return t;
  }

  /** A table of zero-copy values: 64-byte values and one of 20 KiB (LMDB overflow pages). */
  private static Table<UUID, ByteBuffer> views(final Database db) {
    final Table<UUID, ByteBuffer> t = db.table("views", KeyCodecs.UUID, ValueCodecs.VIEW);
    db.write(
        txn -> {
          for (final UUID k : List.of(K1, K2, K3)) {
            final byte[] bytes = new byte[64];
            Arrays.fill(bytes, (byte) k.getLeastSignificantBits());
            t.put(txn, k, ByteBuffer.wrap(bytes));
          }
          final byte[] big = new byte[20 * 1024];
          new Random(1).nextBytes(big);
          t.put(txn, BIG, ByteBuffer.wrap(big));
        });
    return t;
  }

  private static SetTable<UUID, UUID> members(final Database db) {
    final SetTable<UUID, UUID> s = db.setTable("members", KeyCodecs.UUID, KeyCodecs.UUID);
    db.write(
        txn -> {
          s.add(txn, K1, K2);
          s.add(txn, K1, K3);
        });
    return s;
  }

  private static <T> T callOnAnotherThread(final Callable<T> work) throws Exception {
    final ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      final Future<T> result = other.submit(work);
      try {
        return result.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof Exception) {
          throw (Exception) e.getCause();
        }
        throw e;
      }
    } finally {
      other.shutdownNow();
    }
  }

  private static void onAnotherThread(final Action work) throws Exception {
    callOnAnotherThread(
        () -> {
          work.run();
          return null;
        });
  }

  // ------------------------------------------------------------------ scenarios

  /** Every Table, SetTable and Txn operation on a committed, aborted or closed transaction. */
  static void txnEnded() {
    try (Database db = open()) {
      final Table<UUID, String> t = names(db);
      final SetTable<UUID, UUID> s = members(db);
      for (final String ending : List.of("commit", "abort", "close")) {
        for (final boolean write : new boolean[] {false, true}) {
          final String what = (write ? "write" : "read") + " txn after " + ending;
          final Txn txn = write ? db.beginWrite() : db.beginRead();
          switch (ending) {
            case "commit":
              txn.commit();
              break;
            case "abort":
              txn.abort();
              break;
            default:
              txn.close();
          }
          isTrue(what + ": isOpen false", !txn.isOpen(), "isOpen() is true");
          throwsOne(what + ": get", () -> t.get(txn, K1), ISE);
          throwsOne(what + ": getInto", () -> t.getInto(txn, K1, "x"), ISE);
          throwsOne(what + ": contains", () -> t.contains(txn, K1), ISE);
          throwsOne(what + ": rawView", () -> t.rawView(txn, K1), ISE);
          throwsOne(what + ": put", () -> t.put(txn, K1, "x"), ISE);
          throwsOne(what + ": insert", () -> t.insert(txn, new UUID(7, 7), "x"), ISE);
          throwsOne(what + ": replace", () -> t.replace(txn, K1, "x"), ISE);
          throwsOne(what + ": delete", () -> t.delete(txn, K1), ISE);
          throwsOne(what + ": truncate", () -> t.truncate(txn), ISE);
          throwsOne(what + ": select", () -> t.select(txn, KeyRange.all()), ISE);
          throwsOne(what + ": count", () -> t.count(txn), ISE);
          throwsOne(what + ": count range", () -> t.count(txn, KeyRange.all()), ISE);
          throwsOne(what + ": first", () -> t.first(txn), ISE);
          throwsOne(what + ": last", () -> t.last(txn), ISE);
          throwsOne(what + ": set add", () -> s.add(txn, K1, K1), ISE);
          throwsOne(what + ": set remove", () -> s.remove(txn, K1, K2), ISE);
          throwsOne(what + ": set removeAll", () -> s.removeAll(txn, K1), ISE);
          throwsOne(what + ": set contains", () -> s.contains(txn, K1, K2), ISE);
          throwsOne(what + ": set count", () -> s.count(txn, K1), ISE);
          throwsOne(what + ": set select key", () -> s.select(txn, K1), ISE);
          throwsOne(what + ": set select range", () -> s.select(txn, KeyRange.all()), ISE);
          throwsOne(what + ": set count", () -> s.count(txn), ISE);
          throwsOne(
              what + ": table(txn, new name)",
              () -> db.table(txn, "created-late", KeyCodecs.UUID, ValueCodecs.STRING),
              ISE);
          throwsOne(what + ": commit", txn::commit, ISE);
          throwsOne(what + ": abort", txn::abort, ISE);
          completes(what + ": close again", txn::close);
        }
      }
      try (Txn read = db.beginRead()) {
        throwsOne("read txn: put refused", () -> t.put(read, K1, "x"), ISE);
        throwsOne("read txn: set add refused", () -> s.add(read, K1, K1), ISE);
        throwsOne("read txn: truncate refused", () -> t.truncate(read), ISE);
        isTrue(
            "read txn: still usable after refusals",
            "one".equals(t.get(read, K1)),
            "get returned " + t.get(read, K1));
      }
      final String stillOne = db.readAndGet(txn -> t.get(txn, K1));
      isTrue("data unchanged by refused operations", "one".equals(stillOne), "K1 -> " + stillOne);
    }
  }

  /** Cursor.next/key/value after its transaction ended, after Database.close(), after close. */
  static void cursorAfterEnd() throws Exception {
    final Database db = open();
    final Table<UUID, String> t = names(db);
    final SetTable<UUID, UUID> s = members(db);
    for (final String ending :
        List.of("read commit", "read close", "write commit", "write abort")) {
      final Txn txn = ending.startsWith("read") ? db.beginRead() : db.beginWrite();
      final Cursor<UUID, String> c = t.select(txn, KeyRange.all());
      final Cursor<UUID, UUID> m = s.select(txn, K1);
      isTrue(
          ending + ": cursor reads before",
          c.next() && "one".equals(c.value()) && m.next(),
          "first row not readable");
      if (ending.endsWith("commit")) {
        txn.commit();
      } else if (ending.endsWith("abort")) {
        txn.abort();
      } else {
        txn.close();
      }
      cursorIsDead(ending, c);
      throwsOne(ending + ": set cursor next", m::next, ISE);
      throwsOne(ending + ": set cursor value", m::value, ISE);
      completes(ending + ": set cursor close", m::close);
    }

    try (Txn txn = db.beginRead()) {
      final Cursor<UUID, String> c = t.select(txn, KeyRange.all());
      throwsOne("key() before next()", c::key, ISE);
      throwsOne("value() before next()", c::value, ISE);
      while (c.next()) {
        c.key();
      }
      throwsOne("key() after the end", c::key, ISE);
      throwsOne("value() after the end", c::value, ISE);
      completes(
          "next() after the end again",
          () -> {
            if (c.next()) {
              throw new AssertionError("next() true after the end");
            }
          });
      final Cursor<UUID, String> closed = t.select(txn, KeyRange.all());
      closed.next();
      closed.close();
      cursorIsDead("after its own close", closed);
      isTrue("transaction usable after a cursor closed", "two".equals(t.get(txn, K2)), "");
    }

    try (Txn txn = db.beginWrite()) {
      final Cursor<UUID, String> c = t.select(txn, KeyRange.all());
      c.next();
      throwsOne(
          "write txn cursor: next() from another thread",
          () -> onAnotherThread(() -> c.next()),
          ISE);
      throwsOne(
          "write txn cursor: key() from another thread", () -> onAnotherThread(() -> c.key()), ISE);
      isTrue("write txn cursor: still usable by its thread", c.next() && c.key() != null, "");
    }

    final Txn read = db.beginRead();
    final Cursor<UUID, String> c = t.select(read, KeyRange.all());
    c.next();
    final Txn write = db.beginWrite();
    final Cursor<UUID, String> w = t.select(write, KeyRange.<UUID>all().reversed());
    w.next();
    db.close();
    cursorIsDead("read txn cursor after Database.close()", c);
    cursorIsDead("write txn cursor after Database.close()", w);
    completes(
        "txns close after Database.close()",
        () -> {
          read.close();
          write.close();
        });
  }

  private static void cursorIsDead(final String what, final Cursor<UUID, String> c) {
    throwsOne(what + ": next", c::next, ISE);
    throwsOne(what + ": key", c::key, ISE);
    throwsOne(what + ": value", c::value, ISE);
    throwsOne(what + ": valueInto", () -> c.valueInto("reuse"), ISE);
    throwsOne(what + ": iterator", () -> c.iterator().hasNext(), ISE);
    throwsOne(what + ": stream", () -> c.stream().count(), ISE);
    completes(what + ": moreAvailable", c::moreAvailable);
    completes(what + ": close", c::close);
    completes(what + ": close again", c::close);
  }

  /** Zero-copy views read after their transaction ended, after a write, after Database.close(). */
  static void viewAfterEnd() {
    final Database db = open();
    final Table<UUID, ByteBuffer> t = views(db);
    final Table<UUID, String> raw = names(db);
    for (final String ending :
        List.of("read close", "read commit", "write commit", "write abort")) {
      final Txn txn = ending.startsWith("read") ? db.beginRead() : db.beginWrite();
      final ByteBuffer got = t.get(txn, K1);
      final ByteBuffer big = t.get(txn, BIG);
      final ByteBuffer rawView = raw.rawView(txn, K2);
      final ByteBuffer into = t.getInto(txn, K3, t.get(txn, K2)); // re-points the K2 view
      final ByteBuffer cursorValue;
      final ByteBuffer cursorInto;
      try (Cursor<UUID, ByteBuffer> c = t.select(txn, KeyRange.all())) {
        c.next();
        cursorValue = c.value();
        c.next();
        cursorInto = c.valueInto(null);
      }
      isTrue(
          ending + ": views readable inside the transaction",
          got.get(63) == 1
              && big.capacity() == 20 * 1024
              && "two".equals(StandardCharsets.UTF_8.decode(rawView.duplicate()).toString())
              && into.get(0) == 3
              && cursorValue.get(0) == 1
              && cursorInto.get(0) == 2,
          "wrong contents");
      if (ending.endsWith("commit")) {
        txn.commit();
      } else if (ending.endsWith("abort")) {
        txn.abort();
      } else {
        txn.close();
      }
      viewIsDetached(ending + " get", got);
      viewIsDetached(ending + " get (overflow page)", big);
      viewIsDetached(ending + " rawView", rawView);
      viewIsDetached(ending + " getInto", into);
      viewIsDetached(ending + " cursor value", cursorValue);
      viewIsDetached(ending + " cursor valueInto", cursorInto);
    }

    try (Txn txn = db.beginWrite()) {
      final ByteBuffer before = t.get(txn, K1);
      t.put(txn, new UUID(5, 5), ByteBuffer.wrap(new byte[] {5}));
      viewIsDetached("write txn, after the next put", before);
      final ByteBuffer beforeDelete = t.get(txn, K2);
      t.delete(txn, K3);
      viewIsDetached("write txn, after the next delete", beforeDelete);
      final ByteBuffer beforeTruncate = raw.rawView(txn, K1);
      raw.truncate(txn);
      viewIsDetached("write txn, after truncate", beforeTruncate);
      isTrue("write txn: a fresh view after the writes reads", t.get(txn, K1).get(0) == 1, "");
    }

    final Txn read = db.beginRead();
    final ByteBuffer open = t.get(read, BIG);
    final Txn write = db.beginWrite();
    final ByteBuffer openWrite = t.get(write, K1);
    db.close();
    viewIsDetached("read txn view after Database.close()", open);
    viewIsDetached("write txn view after Database.close()", openWrite);
    completes(
        "close the txns after Database.close()",
        () -> {
          read.close();
          write.close();
        });
  }

  /** Views taken before the map grows (growMap or write(fn) growth) are detached, not remapped. */
  static void viewAfterMapGrowth() throws Exception {
    final Database db =
        open(
            DatabaseOptions.builder()
                .initialMapSize(1 << 20)
                .durability(Durability.NO_SYNC)
                .growTimeout(Duration.ofMillis(500))
                .build());
    final Table<UUID, ByteBuffer> t = views(db);
    final ByteBuffer view;
    try (Txn txn = db.beginRead()) {
      view = t.get(txn, BIG);
    }
    final long before = db.stats().mapSize();
    completes("growMap()", db::growMap);
    isTrue("the map grew", db.stats().mapSize() > before, "map size " + db.stats().mapSize());
    viewIsDetached("view taken before growMap()", view);

    final ByteBuffer second;
    try (Txn txn = db.beginRead()) {
      second = t.get(txn, K1);
    }
    final Table<Long, byte[]> filler = db.table("filler", KeyCodecs.LONG, ValueCodecs.BYTES);
    final int growthsBefore = db.stats().mapGrowths();
    completes(
        "write(fn) of 4 MiB grows the map by itself",
        () ->
            db.write(
                txn -> {
                  for (long i = 0; i < 64; i++) {
                    filler.put(txn, i, new byte[64 * 1024]);
                  }
                }));
    isTrue("write(fn) grew the map", db.stats().mapGrowths() > growthsBefore, "no growth");
    viewIsDetached("view taken before automatic growth", second);

    // a reader that stays open on another thread: growth gives up with a typed exception and the
    // reader's view stays valid until the reader ends
    final CountDownLatch opened = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicReference<ByteBuffer> held = new AtomicReference<>();
    final Thread reader =
        new Thread(
            () -> {
              try (Txn txn = db.beginRead()) {
                held.set(t.get(txn, K2));
                opened.countDown();
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    reader.start();
    opened.await();
    throwsOne(
        "growMap() while another thread's reader stays open", db::growMap, MapFullException.class);
    isTrue("the open reader's view still reads", held.get().get(0) == 2, "");
    release.countDown();
    reader.join();
    viewIsDetached("the reader's view after it closed", held.get());
    completes("growMap() once the reader closed", db::growMap);
    db.close();
  }

  /** Database.close() with open read txns, cursors and this thread's write txn; then use them. */
  static void closeWithOpenTransactions() throws Exception {
    final Path path = work.resolve("db" + (++dbCounter));
    final Database db = Database.open(path);
    final Table<UUID, String> t = names(db);
    final SetTable<UUID, UUID> s = members(db);
    final Txn r1 = db.beginRead();
    final Txn r2 = db.beginRead();
    final Txn r3 = callOnAnotherThread(db::beginRead); // begun on another thread, now idle
    final Cursor<UUID, String> c1 = t.select(r1, KeyRange.all());
    c1.next();
    final Cursor<UUID, UUID> m2 = s.select(r2, K1);
    m2.next();
    final ByteBuffer v1 = t.rawView(r1, K1);
    final Txn w = db.beginWrite();
    t.put(w, new UUID(8, 8), "uncommitted");
    final Cursor<UUID, String> cw = t.select(w, KeyRange.all());
    cw.next();
    final ByteBuffer vw = t.rawView(w, K2);

    completes("Database.close() with open transactions returns", db::close);
    isTrue("isClosed", db.isClosed(), "");
    isTrue(
        "transactions report closed",
        !r1.isOpen() && !r2.isOpen() && !r3.isOpen() && !w.isOpen(),
        "");
    throwsOne("read txn get", () -> t.get(r1, K1), ISE);
    throwsOne("other thread's read txn get", () -> onAnotherThread(() -> t.get(r3, K1)), ISE);
    throwsOne("read txn set contains", () -> s.contains(r2, K1, K2), ISE);
    throwsOne("cursor next", c1::next, ISE);
    throwsOne("cursor key", c1::key, ISE);
    throwsOne("set cursor value", m2::value, ISE);
    viewIsDetached("read txn view", v1);
    throwsOne("write txn put", () -> t.put(w, K1, "x"), ISE);
    throwsOne("write txn get", () -> t.get(w, K1), ISE);
    throwsOne("write txn commit", w::commit, ISE);
    throwsOne("write txn cursor next", cw::next, ISE);
    viewIsDetached("write txn view", vw);
    completes(
        "close everything",
        () -> {
          c1.close();
          m2.close();
          cw.close();
          r1.close();
          r2.close();
          w.close();
        });
    completes(
        "close the other thread's read txn from its thread", () -> onAnotherThread(r3::close));
    completes("close the database again", db::close);
    try (Database again = Database.open(path)) {
      final Table<UUID, String> t2 = again.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
      final String lost = again.readAndGet(txn -> t2.get(txn, new UUID(8, 8)));
      final String kept = again.readAndGet(txn -> t2.get(txn, K1));
      isTrue(
          "reopened: the aborted write is gone, committed data is there",
          lost == null && "one".equals(kept),
          "uncommitted=" + lost + ", K1=" + kept);
    }
  }

  /** Database.close() while another thread holds the write transaction. */
  static void closeWithWriterOnAnotherThread() throws Exception {
    final Path path = work.resolve("db" + (++dbCounter));
    final Database db = Database.open(path);
    final Table<UUID, String> t = names(db);
    final CountDownLatch begun = new CountDownLatch(1);
    final CountDownLatch closed = new CountDownLatch(1);
    final CountDownLatch writerDone = new CountDownLatch(1);
    final AtomicReference<Throwable> afterClose = new AtomicReference<>();
    final AtomicReference<Throwable> closeError = new AtomicReference<>();
    final Thread writer =
        new Thread(
            () -> {
              final Txn w = db.beginWrite();
              t.put(w, new UUID(8, 8), "uncommitted");
              begun.countDown();
              try {
                closed.await();
                try {
                  t.put(w, K1, "after close");
                } catch (Throwable e) {
                  afterClose.set(e);
                }
                try {
                  w.close();
                } catch (Throwable e) {
                  closeError.set(e);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                writerDone.countDown();
              }
            });
    writer.start();
    begun.await();
    completes("Database.close() returns while another thread writes", db::close);
    throwsOne(
        "reopen while the other thread's write txn is still open",
        () -> Database.open(path),
        LodestoreException.class);
    closed.countDown();
    writerDone.await();
    isTrue(
        "the writer's next put fails with InvalidStateException",
        afterClose.get() instanceof InvalidStateException,
        "got " + afterClose.get());
    isTrue(
        "the writer closes its txn without error",
        closeError.get() == null,
        "got " + closeError.get());
    completes(
        "reopen once the writer closed",
        () -> {
          try (Database again = Database.open(path)) {
            final Table<UUID, String> t2 = again.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
            final String lost = again.readAndGet(txn -> t2.get(txn, new UUID(8, 8)));
            if (lost != null) {
              throw new AssertionError("the aborted write is visible: " + lost);
            }
          }
        });
  }

  /** Write transactions used from another thread; nested or repeated beginWrite on one thread. */
  static void wrongThread() throws Exception {
    try (Database db = open()) {
      final Table<UUID, String> t = names(db);
      final SetTable<UUID, UUID> s = members(db);
      final Txn w = db.beginWrite();
      t.put(w, new UUID(4, 4), "four");
      throwsOne("put from another thread", () -> onAnotherThread(() -> t.put(w, K1, "x")), ISE);
      throwsOne("get from another thread", () -> onAnotherThread(() -> t.get(w, K1)), ISE);
      throwsOne(
          "select from another thread",
          () -> onAnotherThread(() -> t.select(w, KeyRange.all())),
          ISE);
      throwsOne("set add from another thread", () -> onAnotherThread(() -> s.add(w, K1, K1)), ISE);
      throwsOne("count from another thread", () -> onAnotherThread(() -> t.count(w)), ISE);
      throwsOne("commit from another thread", () -> onAnotherThread(w::commit), ISE);
      throwsOne("abort from another thread", () -> onAnotherThread(w::abort), ISE);
      throwsOne("close from another thread", () -> onAnotherThread(w::close), ISE);
      throwsOne("beginWrite again on the same thread", db::beginWrite, ISE);
      throwsOne(
          "write(fn) on the thread holding the write txn",
          () -> db.write(txn -> t.put(txn, K1, "nested")),
          ISE);
      throwsOne(
          "table(name) not yet open, on the thread holding the write txn",
          () -> db.table("late", KeyCodecs.UUID, ValueCodecs.STRING),
          ISE);
      // refused as misuse (this thread's own transaction blocks the resize), not as a full map
      throwsOne("growMap() on the thread holding the write txn", db::growMap, ISE);
      completes(
          "the owner still commits",
          () -> {
            t.put(w, K1, "uno");
            w.commit();
          });
      final String uno = db.readAndGet(txn -> t.get(txn, K1));
      final String four = db.readAndGet(txn -> t.get(txn, new UUID(4, 4)));
      isTrue(
          "the owner's writes are committed",
          "uno".equals(uno) && "four".equals(four),
          uno + ", " + four);

      throwsOne(
          "write(fn) nested in write(fn)",
          () -> db.write(outer -> db.write(inner -> t.put(inner, K2, "nested"))),
          ISE);

      // read transactions move between threads (MDB_NOTLS)
      final Txn r = db.beginRead();
      completes(
          "a read txn begun here is used on another thread",
          () ->
              onAnotherThread(
                  () -> {
                    if (!"uno".equals(t.get(r, K1))) {
                      throw new AssertionError("wrong value");
                    }
                  }));
      completes("and closed on a third", () -> onAnotherThread(r::close));

      // a second writer on another thread waits for the first, it does not fail or corrupt
      final Txn first = db.beginWrite();
      final AtomicInteger order = new AtomicInteger();
      final Thread second =
          new Thread(
              () ->
                  db.write(
                      txn -> {
                        order.compareAndSet(1, 2);
                        t.put(txn, K3, "second");
                      }));
      second.start();
      Thread.sleep(100);
      t.put(first, K3, "first");
      order.set(1);
      first.commit();
      second.join(10_000);
      isTrue(
          "a second thread's writer waited for the first",
          order.get() == 2 && "second".equals(db.readAndGet(txn -> t.get(txn, K3))),
          "order=" + order.get());
    }
  }

  /** Closing, committing and aborting twice, in every order. */
  static void doubleClose() {
    final Database db = open();
    final Table<UUID, String> t = names(db);
    for (final boolean write : new boolean[] {false, true}) {
      final String kind = write ? "write" : "read";
      final Txn a = write ? db.beginWrite() : db.beginRead();
      completes(
          kind + ": close, close",
          () -> {
            a.close();
            a.close();
          });
      final Txn b = write ? db.beginWrite() : db.beginRead();
      b.commit();
      throwsOne(kind + ": commit, commit", b::commit, ISE);
      throwsOne(kind + ": commit, abort", b::abort, ISE);
      completes(kind + ": commit, close", b::close);
      final Txn c = write ? db.beginWrite() : db.beginRead();
      c.abort();
      throwsOne(kind + ": abort, commit", c::commit, ISE);
      throwsOne(kind + ": abort, abort", c::abort, ISE);
      completes(
          kind + ": abort, close, close",
          () -> {
            c.close();
            c.close();
          });
      final Txn d = write ? db.beginWrite() : db.beginRead();
      final Cursor<UUID, String> cursor = t.select(d, KeyRange.all());
      completes(
          kind + ": cursor close, close, txn close, cursor close",
          () -> {
            cursor.close();
            cursor.close();
            d.close();
            cursor.close();
          });
      final Txn e = write ? db.beginWrite() : db.beginRead();
      final Cursor<UUID, String> streamed = t.select(e, KeyRange.all());
      completes(
          kind + ": stream closed twice",
          () -> {
            final java.util.stream.Stream<Row<UUID, String>> rows = streamed.stream();
            rows.close();
            rows.close();
            e.close();
          });
    }
    final Txn open = db.beginRead();
    completes(
        "database close, close, then txn close",
        () -> {
          db.close();
          db.close();
          open.close();
          open.close();
        });
  }

  /** The Database and its Table objects after Database.close(), and after a reopen. */
  static void databaseAndTableAfterClose() {
    final Path path = work.resolve("db" + (++dbCounter));
    final Database db = Database.open(path);
    final Table<UUID, String> t = names(db);
    final SetTable<UUID, UUID> s = members(db);
    final Table<UUID, String> aborted;
    try (Txn txn = db.beginWrite()) {
      aborted = db.table(txn, "created-then-aborted", KeyCodecs.UUID, ValueCodecs.STRING);
      aborted.put(txn, K1, "gone");
    }
    try (Txn txn = db.beginRead()) {
      throwsOne("table created in an aborted txn: get", () -> aborted.get(txn, K1), ISE);
    }
    OLD_TXNS.put(db, db.beginRead());
    db.close();
    throwsOne("beginRead", db::beginRead, ISE);
    throwsOne("beginWrite", db::beginWrite, ISE);
    throwsOne("readAndGet(fn)", () -> db.readAndGet(txn -> t.get(txn, K1)), ISE);
    throwsOne("write(fn)", () -> db.write(txn -> t.put(txn, K1, "x")), ISE);
    throwsOne("table(new name)", () -> db.table("new", KeyCodecs.UUID, ValueCodecs.STRING), ISE);
    throwsOne(
        "setTable(new name)", () -> db.setTable("newset", KeyCodecs.UUID, KeyCodecs.UUID), ISE);
    throwsOne("stats()", db::stats, ISE);
    throwsOne("tableNames()", db::tableNames, ISE);
    throwsOne("growMap()", db::growMap, ISE);
    throwsOne("backupTo()", () -> db.backupTo(work.resolve("backup-after-close")), ISE);
    throwsOne("old Table with a txn of the closed Database", () -> t.get(closedTxn(db), K1), ISE);
    try (Database again = Database.open(path)) {
      final Table<UUID, String> fresh = again.table("names", KeyCodecs.UUID, ValueCodecs.STRING);
      try (Txn txn = again.beginRead()) {
        isTrue(
            "a fresh Table of the reopened Database reads the data",
            "one".equals(fresh.get(txn, K1)),
            "");
      }
    }
  }

  /** A transaction of {@code db} that is already over, for checks that need one. */
  private static Txn closedTxn(final Database db) {
    return OLD_TXNS.computeIfAbsent(
        db,
        d -> {
          throw new IllegalStateException("no transaction kept for " + d);
        });
  }

  private static final java.util.Map<Database, Txn> OLD_TXNS = new java.util.IdentityHashMap<>();

  /**
   * Table and SetTable objects of a closed Database, used with a transaction of the Database
   * reopened on the same path: the package contract says a table used after its database closed
   * throws InvalidStateException.
   */
  static void tableOfClosedDatabase() {
    final Path path = work.resolve("db" + (++dbCounter));
    final Database db = Database.open(path);
    final Table<UUID, String> t = names(db);
    final SetTable<UUID, UUID> s = members(db);
    db.close();
    try (Database again = Database.open(path)) {
      try (Txn txn = again.beginRead()) {
        throwsOne("old Table with a txn of the reopened Database", () -> t.get(txn, K1), ISE);
        throwsOne(
            "old SetTable with a txn of the reopened Database", () -> s.contains(txn, K1, K2), ISE);
      }
      try (Txn txn = again.beginWrite()) {
        throwsOne(
            "old Table put with a write txn of the reopened Database",
            () -> t.put(txn, K1, "x"),
            ISE);
      }
    }
  }

  /** Closing and reopening a path; opening it twice. */
  static void reopen() throws Exception {
    final Path path = work.resolve("db" + (++dbCounter));
    for (int i = 0; i < 3; i++) {
      final int round = i;
      completes(
          "open, write, close round " + i,
          () -> {
            try (Database db = Database.open(path)) {
              final Table<Integer, String> t =
                  db.table("rounds", KeyCodecs.INT, ValueCodecs.STRING);
              final long before = db.readAndGet(t::count);
              if (before != round) {
                throw new AssertionError("expected " + round + " rows, found " + before);
              }
              db.write(txn -> t.put(txn, round, "round " + round));
            }
          });
    }
    try (Database db = Database.open(path)) {
      throwsOne(
          "second open of the same path", () -> Database.open(path), LodestoreException.class);
      throwsOne(
          "second open through another spelling of the path",
          () -> Database.open(path.resolve("..").resolve(path.getFileName())),
          LodestoreException.class);
      final Path link = work.resolve("link-to-db");
      Files.createSymbolicLink(link, path);
      throwsOne(
          "second open through a symbolic link",
          () -> Database.open(link),
          LodestoreException.class);
      final Table<Integer, String> t = db.table("rounds", KeyCodecs.INT, ValueCodecs.STRING);
      isTrue("the first Database still works", db.readAndGet(t::count) == 3, "");
    }
    // four threads race to open one path: exactly one wins, the others get a clear error
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    final CountDownLatch go = new CountDownLatch(1);
    final List<Future<Database>> opens = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opens.add(
          pool.submit(
              () -> {
                go.await();
                return Database.open(path);
              }));
    }
    go.countDown();
    int winners = 0;
    int refused = 0;
    final List<String> other = new ArrayList<>();
    for (final Future<Database> f : opens) {
      try {
        f.get(30, TimeUnit.SECONDS).close();
        winners++;
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof LodestoreException) {
          refused++;
        } else {
          other.add(String.valueOf(e.getCause()));
        }
      }
    }
    pool.shutdown();
    isTrue(
        "concurrent opens: at least one wins, the rest are refused with LodestoreException",
        winners >= 1 && winners + refused == 4 && other.isEmpty(),
        "winners=" + winners + " refused=" + refused + " other=" + other);
    completes("open after all closed", () -> Database.open(path).close());
  }

  /** A zero-copy view whose transaction ended, written back as a value: refused, not truncated. */
  static void detachedViewWrittenBack() {
    try (Database db = open()) {
      final Table<UUID, ByteBuffer> t = views(db);
      final ByteBuffer view;
      try (Txn txn = db.beginRead()) {
        view = t.get(txn, K1);
      }
      final UUID target = new UUID(6, 6);
      throwsOne(
          "put(detached view) is refused",
          () -> db.write(txn -> t.put(txn, target, view)),
          IOOBE,
          ISE,
          LodestoreException.class);
      final ByteBuffer stored =
          db.readAndGet(
              txn -> {
                final ByteBuffer v = t.get(txn, target);
                return v == null ? null : ByteBuffer.wrap(TableModelTest.bytesOf(v));
              });
      isTrue(
          "nothing was stored under the target key",
          stored == null,
          "stored " + (stored == null ? "null" : stored.remaining() + " bytes"));
      // a live view written back in the same transaction is copied before the write moves it
      db.write(txn -> t.put(txn, target, t.get(txn, BIG)));
      final boolean same = db.readAndGet(txn -> t.get(txn, target).equals(t.get(txn, BIG)));
      isTrue("a live view written back is copied intact", same, "contents differ");
    }
  }

  /**
   * Buffers derived from a view (duplicate, slice, as FlatBuffers' {@code __vector_as_bytebuffer}
   * does) after the transaction ended and after Database.close(): they must not read LMDB memory.
   */
  static void derivedViewAfterEnd() {
    final Database db = open();
    final Table<UUID, ByteBuffer> t = views(db);
    final ByteBuffer duplicate;
    final ByteBuffer slice;
    try (Txn txn = db.beginRead()) {
      final ByteBuffer view = t.get(txn, BIG);
      duplicate = view.duplicate();
      slice = view.slice(8, 64);
    }
    // Derived buffers cannot be detached (they copy the address): after their transaction they
    // read the still-mapped (stale) bytes; once the map is gone they read the guard's zero pages.
    readsWithoutCrash("duplicate of a view after its txn ended", () -> duplicate.get(0));
    readsWithoutCrash("slice of a view after its txn ended", () -> slice.get(0));
    db.close();
    checks++;
    final long afterClose = duplicate.getLong(0) | slice.getLong(0) | duplicate.getLong(4000);
    if (afterClose != 0) {
      fail(
          "derived views after Database.close()", "expected the guard's zeros, read " + afterClose);
    } else {
      System.out.println("CHECK derived views after Database.close(): OK read zeros");
    }
  }

  /** Runs a read that must simply not crash the JVM (any value, or a bounds exception). */
  static void readsWithoutCrash(final String name, final Action action) {
    checks++;
    try {
      action.run();
      System.out.println("CHECK " + name + ": OK read without crash");
    } catch (IndexOutOfBoundsException e) {
      System.out.println("CHECK " + name + ": OK " + e);
    } catch (Throwable t) {
      fail(name, "unexpected " + t);
    }
  }

  /**
   * Reader threads scan zero-copy views in tight loops while the main thread closes the database at
   * a random moment; repeated. Every failure must be a typed exception, never a crash.
   */
  static void closeRacingReaders(final long seed) throws Exception {
    final Random random = new Random(seed);
    System.out.println("closeRacingReaders seed=" + seed);
    final List<String> unexpected = new ArrayList<>();
    for (int round = 0; round < 40; round++) {
      final Database db = open();
      final Table<UUID, ByteBuffer> t = views(db);
      final int readers = 3;
      final ExecutorService pool = Executors.newFixedThreadPool(readers);
      final CountDownLatch started = new CountDownLatch(readers);
      final List<Future<?>> results = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        results.add(
            pool.submit(
                () -> {
                  started.countDown();
                  long sum = 0;
                  while (true) {
                    try (Txn txn = db.beginRead()) {
                      final ByteBuffer big = t.get(txn, BIG);
                      for (int j = 0; j < big.capacity(); j++) {
                        sum += big.get(j);
                      }
                      try (Cursor<UUID, ByteBuffer> c = t.select(txn, KeyRange.all())) {
                        while (c.next()) {
                          sum += c.value().get(0);
                        }
                      }
                    } catch (InvalidStateException | IndexOutOfBoundsException e) {
                      if (db.isClosed()) {
                        return sum;
                      }
                      throw e;
                    }
                  }
                }));
      }
      started.await();
      Thread.sleep(random.nextInt(20));
      db.close();
      for (final Future<?> f : results) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          unexpected.add("round " + e.getCause());
          e.getCause().printStackTrace(System.out);
        }
      }
      pool.shutdownNow();
    }
    isTrue(
        "40 rounds of close racing 3 readers: only typed exceptions",
        unexpected.isEmpty(),
        unexpected.toString());
  }

  /**
   * A scan steps through leaf pages in Java (no guard per row) while another thread ends its read
   * transaction at a random moment; repeated. The scan must stop with the transaction's typed error
   * (or finish), never crash, never loop on, and every row it returned before must be one of the
   * table's.
   */
  static void txnEndedRacingScan(final long seed) throws Exception {
    final Random random = new Random(seed);
    System.out.println("txnEndedRacingScan seed=" + seed);
    final Database db = open();
    final Table<Long, Long> t = db.table("longs", KeyCodecs.LONG, ValueCodecs.LONG);
    final int rows = 20_000;
    db.write(
        txn -> {
          for (long i = 0; i < rows; i++) {
            t.put(txn, i, i * 3);
          }
        });
    final List<String> unexpected = new ArrayList<>();
    int ended = 0;
    final ExecutorService pool = Executors.newSingleThreadExecutor();
    final int rounds = 200;
    for (int round = 0; round < rounds; round++) {
      final Txn txn = db.beginRead();
      final CountDownLatch scanning = new CountDownLatch(1);
      final Future<String> scan =
          pool.submit(
              () -> {
                try (Cursor<Long, Long> c = t.select(txn, KeyRange.all())) {
                  long seen = 0;
                  scanning.countDown();
                  while (c.next()) {
                    final long k = c.key();
                    final long v = c.value();
                    if (v != k * 3 || k < 0 || k >= rows) {
                      return "row " + k + " -> " + v;
                    }
                    seen++;
                  }
                  return seen == rows ? "finished" : "stopped early after " + seen;
                } catch (InvalidStateException e) {
                  return "ended";
                }
              });
      scanning.await();
      Thread.sleep(0, random.nextInt(200_000));
      closeWhenIdle(txn);
      final String outcome = scan.get(30, TimeUnit.SECONDS);
      if (outcome.equals("ended")) {
        ended++;
      } else if (!outcome.equals("finished")) {
        unexpected.add("round " + round + ": " + outcome);
      }
    }
    pool.shutdownNow();
    db.close();
    System.out.println("txnEndedRacingScan rounds=" + rounds + " endedMidScan=" + ended);
    isTrue(
        rounds + " scans whose transaction another thread ended: typed error or whole scan",
        unexpected.isEmpty(),
        unexpected.toString());
  }

  /**
   * A cursor's current row (value, key) and its next step, asked for after another thread ended its
   * read transaction, once the transaction's scratch views exist: typed errors, never a value.
   */
  static void rowAfterAnotherThreadEnded() throws Exception {
    try (Database db = open()) {
      final Table<Long, Long> longs = db.table("longs", KeyCodecs.LONG, ValueCodecs.LONG);
      final Table<String, String> strings =
          db.table("strings", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(
          txn -> {
            for (long i = 0; i < 100; i++) {
              longs.put(txn, i, i * 3);
              strings.put(txn, "k" + i, "v" + i);
            }
          });
      for (final boolean stringTable : new boolean[] {false, true}) {
        final String what = stringTable ? "utf8 row" : "int64 row";
        final Txn txn = db.beginRead();
        final Cursor<?, ?> c =
            stringTable ? strings.select(txn, KeyRange.all()) : longs.select(txn, KeyRange.all());
        c.next();
        c.key();
        c.value(); // the transaction's scratch views exist now
        c.next();
        final Thread closer = new Thread(txn::close);
        closer.start();
        closer.join(10_000);
        isTrue(what + ": another thread ended the transaction", !txn.isOpen(), "still open");
        throwsOne(what + ": value after the end", c::value, ISE);
        throwsOne(what + ": key after the end", c::key, ISE);
        throwsOne(what + ": next after the end", c::next, ISE);
      }
    }
  }

  /** Closes {@code txn}, retrying while the scanning thread is inside a guarded call (bounded). */
  private static void closeWhenIdle(final Txn txn) {
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        txn.close();
        return;
      } catch (InvalidStateException e) {
        if (!e.getMessage().contains("in use by another thread") || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.onSpinWait();
      }
    }
  }
}
