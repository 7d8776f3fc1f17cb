package org.lodestore.reliability;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.KeyRange;
import org.lodestore.core.MapFullException;
import org.lodestore.core.Txn;
import org.lodestore.reliability.CrashSchema.Item;
import org.lodestore.schema.UniqueViolationException;

/**
 * The writer that {@link CrashTest} kills: indexed writes in transactions of 1..50 operations,
 * forever, with {@link Durability#SYNC}.
 *
 * <p>Protocol on stdout, one line each:
 *
 * <pre>
 *   READY                         after open and attach
 *   TXN n op;op;...               the operations of transaction n, printed right before commit
 *   ACK n                         printed only after commit() returned
 * </pre>
 *
 * where an operation is {@code P,<id>,<name>,<group>} (put) or {@code D,<id>} (delete). Only
 * operations that succeeded are listed: a put refused by the unique index changes nothing and is
 * left out. Transaction numbers continue across runs (the {@code txns} counter), so the parent
 * knows exactly which transaction was in flight when it killed the child.
 *
 * <p>Half of the transactions are explicit ({@code beginWrite ... commit()}, growing the map by
 * hand on {@link MapFullException}), half go through {@code Database.write(fn)}, which grows the
 * map and retries by itself; the map starts at 1 MiB so that growth happens under the kill too.
 *
 * <p>Usage: {@code CrashChild <dir> <seed>}.
 */
public final class CrashChild {

  private static final int NAMES = 4000;
  private static final int GROUPS = 16;

  private final CrashSchema s;
  private final SplittableRandom rnd;
  private final PrintStream out;
  private final List<UUID> ids = new ArrayList<>();
  private final Map<UUID, Integer> positions = new HashMap<>();
  private final UUID[] groups = new UUID[GROUPS];

  private CrashChild(final CrashSchema s, final long seed, final PrintStream out) {
    this.s = s;
    this.rnd = new SplittableRandom(seed);
    this.out = out;
    for (int i = 0; i < GROUPS; i++) {
      groups[i] = new UUID(0x6a0000L + i, 0x1L);
    }
  }

  /**
   * Runs until killed.
   *
   * @param args the database directory and the seed
   */
  public static void main(final String[] args) {
    final Path dir = Path.of(args[0]);
    final long seed = Long.parseLong(args[1]);
    // one write(2) per line where the pipe allows it: a kill leaves at most the last line cut short
    final PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    final DatabaseOptions options =
        DatabaseOptions.builder().initialMapSize(1L << 20).durability(Durability.SYNC).build();
    final Database db = Database.open(dir, options);
    final CrashSchema s = db.attach(new CrashSchema());
    final CrashChild child = new CrashChild(s, seed, out);
    child.loadIds(db);
    out.println("READY");
    out.flush();
    long txnNo = db.readAndGet(txn -> s.counters.value(txn, CrashSchema.TXNS));
    while (true) {
      txnNo++;
      child.runOne(db, txnNo);
    }
  }

  private void loadIds(final Database db) {
    try (Txn txn = db.beginRead();
        Cursor<UUID, Item> c = s.items.select(txn, KeyRange.all())) {
      while (c.next()) {
        add(c.key());
      }
    }
  }

  private void runOne(final Database db, final long txnNo) {
    final int ops = 1 + rnd.nextInt(50);
    final long opSeed = rnd.nextLong();
    final boolean explicit = rnd.nextBoolean();
    Batch done;
    if (explicit) {
      while (true) {
        try (Txn txn = db.beginWrite()) {
          done = apply(txn, txnNo, ops, new SplittableRandom(opSeed));
          txn.commit();
          break;
        } catch (MapFullException e) {
          db.growMap();
        }
      }
    } else {
      done = db.writeAndGet(txn -> apply(txn, txnNo, ops, new SplittableRandom(opSeed)));
    }
    out.println("ACK " + txnNo);
    out.flush();
    done.publish();
  }

  /** The ids a transaction added and removed, applied to {@link #ids} once it committed. */
  private final class Batch {
    final List<UUID> added = new ArrayList<>();
    final List<UUID> removed = new ArrayList<>();

    void publish() {
      removed.forEach(CrashChild.this::remove);
      added.forEach(CrashChild.this::add);
    }
  }

  private Batch apply(final Txn txn, final long txnNo, final int ops, final SplittableRandom r) {
    final Batch batch = new Batch();
    final Map<UUID, Boolean> live = new HashMap<>();
    final StringBuilder line = new StringBuilder("TXN ").append(txnNo).append(' ');
    int written = 0;
    long rowDelta = 0;
    for (int i = 0; i < ops; i++) {
      final int kind = r.nextInt(100);
      final UUID existing = pickExisting(r, live);
      if (kind < 15 && existing != null) {
        if (s.items.delete(txn, existing)) {
          live.put(existing, false);
          line.append("D,").append(existing).append(';');
          written++;
          rowDelta--;
        }
        continue;
      }
      final UUID id =
          kind < 35 && existing != null ? existing : new UUID(r.nextLong(), r.nextLong());
      final Item item =
          new Item(
              "name-" + r.nextInt(NAMES), groups[r.nextInt(GROUPS)], "p".repeat(r.nextInt(400)));
      final boolean present = isLive(id, live);
      try {
        s.items.put(txn, id, item);
      } catch (UniqueViolationException e) {
        continue; // refused: nothing changed
      }
      live.put(id, true);
      line.append("P,")
          .append(id)
          .append(',')
          .append(item.name())
          .append(',')
          .append(item.group())
          .append(';');
      written++;
      if (!present) {
        rowDelta++;
      }
    }
    s.counters.increment(txn, CrashSchema.TXNS, 1);
    s.counters.increment(txn, CrashSchema.WRITES, written);
    s.counters.increment(txn, CrashSchema.ROWS, rowDelta);
    for (final Map.Entry<UUID, Boolean> e : live.entrySet()) {
      (e.getValue() ? batch.added : batch.removed).add(e.getKey());
    }
    out.println(line);
    out.flush();
    return batch;
  }

  private boolean isLive(final UUID id, final Map<UUID, Boolean> live) {
    final Boolean b = live.get(id);
    return b != null ? b : positions.containsKey(id);
  }

  private UUID pickExisting(final SplittableRandom r, final Map<UUID, Boolean> live) {
    if (ids.isEmpty()) {
      return null;
    }
    final UUID id = ids.get(r.nextInt(ids.size()));
    return isLive(id, live) ? id : null;
  }

  private void add(final UUID id) {
    if (!positions.containsKey(id)) {
      positions.put(id, ids.size());
      ids.add(id);
    }
  }

  private void remove(final UUID id) {
    final Integer at = positions.remove(id);
    if (at != null) {
      final UUID last = ids.remove(ids.size() - 1);
      if (at < ids.size()) {
        ids.set(at, last);
        positions.put(last, at);
      }
    }
  }
}
