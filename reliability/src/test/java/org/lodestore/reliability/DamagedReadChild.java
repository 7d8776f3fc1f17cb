package org.lodestore.reliability;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;

/**
 * What a service does with a database it was handed, run by {@link DamagedPagesTest} on damaged
 * copies: {@code Database.open}, a scan of every table reading every key and value, a point get of
 * every expected key (a member lookup for sets), then one write. The rows found are compared with
 * the rows {@link DamagedPagesData} wrote.
 *
 * <p>Protocol on stdout, per case: {@code BEGIN <i>} before it starts, then {@code RESULT <i>
 * phase=<open|read|write|done> outcome=<intact|wrongRows|wrongBytes|typed|untyped> error=<class or
 * -> message=<url-encoded> detail=<table=counts,...>}, where {@code wrongRows} means rows lost,
 * added or out of order, or a wrong {@code count()}, and {@code wrongBytes} means the same number
 * of rows in order but some key, value or lookup differs. A JVM crash shows as a {@code BEGIN}
 * without its {@code RESULT}; the parent then starts a new child with the cases that are left.
 *
 * <p>Usage: {@code DamagedReadChild <dataSeed> <firstIndex> <caseDir>...}.
 */
public final class DamagedReadChild {

  private DamagedReadChild() {}

  /**
   * Runs the cases.
   *
   * @param args data seed, the index of the first case, then one database directory per case
   */
  public static void main(final String[] args) {
    final PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    final long seed = Long.parseLong(args[0]);
    final int first = Integer.parseInt(args[1]);
    final Map<String, TreeMap<ByteBuffer, byte[]>> expected =
        DamagedPagesData.expected(seed, DamagedPagesData.STANDARD);
    for (int i = 2; i < args.length; i++) {
      final int index = first + i - 2;
      out.println("BEGIN " + index);
      out.println("RESULT " + index + " " + runCase(Path.of(args[i]), expected));
    }
  }

  private static String runCase(
      final Path dir, final Map<String, TreeMap<ByteBuffer, byte[]>> expected) {
    String phase = "open";
    final StringBuilder detail = new StringBuilder();
    boolean wrongRows = false;
    boolean wrongBytes = false;
    try (Database db = Database.open(dir)) {
      phase = "read";
      for (final Map.Entry<String, TreeMap<ByteBuffer, byte[]>> e : expected.entrySet()) {
        final Counts c =
            DamagedPagesData.SETS.equals(e.getKey())
                ? readSets(db, e.getValue())
                : readTable(db, e.getKey(), e.getValue());
        wrongRows |= c.wrongRows();
        wrongBytes |= c.wrongBytes();
        if (c.wrongRows() || c.wrongBytes()) {
          detail.append(detail.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(c);
        }
      }
      phase = "write";
      final Table<byte[], byte[]> names = DamagedPagesData.table(db, DamagedPagesData.NAMES);
      final byte[] key = "zz-written-after-damage".getBytes(StandardCharsets.UTF_8);
      db.write(txn -> names.put(txn, key, new byte[] {1, 2, 3}));
      if (!Arrays.equals(new byte[] {1, 2, 3}, db.readAndGet(txn -> names.get(txn, key)))) {
        wrongBytes = true;
        detail.append(detail.length() == 0 ? "" : ",").append("write=notReadBack");
      }
      phase = "done";
    } catch (LodestoreException e) {
      return line(phase, "typed", e, detail);
    } catch (RuntimeException | Error e) {
      return line(phase, "untyped", e, detail);
    }
    return line(
        phase, wrongRows ? "wrongRows" : wrongBytes ? "wrongBytes" : "intact", null, detail);
  }

  private static String line(
      final String phase, final String outcome, final Throwable e, final StringBuilder detail) {
    String message = e == null ? "-" : String.valueOf(e.getMessage());
    if (e != null && outcome.equals("untyped")) {
      final StringBuilder at = new StringBuilder(message);
      for (int i = 0; i < Math.min(6, e.getStackTrace().length); i++) {
        at.append(" at ").append(e.getStackTrace()[i]);
      }
      message = at.toString();
    }
    return "phase="
        + phase
        + " outcome="
        + outcome
        + " error="
        + (e == null ? "-" : e.getClass().getName())
        + " message="
        + URLEncoder.encode(
            message.length() > 1200 ? message.substring(0, 1200) : message, StandardCharsets.UTF_8)
        + " detail="
        + (detail.length() == 0 ? "-" : detail);
  }

  private static Counts readTable(
      final Database db, final String name, final TreeMap<ByteBuffer, byte[]> expected) {
    final Table<byte[], byte[]> t = DamagedPagesData.table(db, name);
    final Counts c = new Counts(expected.size());
    try (Txn txn = db.beginRead();
        Cursor<byte[], byte[]> cursor = t.select(txn, KeyRange.all())) {
      final Merge merge = new Merge(expected, c);
      while (cursor.next()) {
        merge.row(cursor.key(), cursor.value());
      }
      merge.end();
      c.counted = t.count(txn);
      for (final Map.Entry<ByteBuffer, byte[]> e : expected.entrySet()) {
        final byte[] v = t.get(txn, DamagedPagesData.array(e.getKey()));
        if (v == null) {
          c.getMissing++;
        } else if (!Arrays.equals(v, e.getValue())) {
          c.getChanged++;
        }
      }
    }
    return c;
  }

  private static Counts readSets(final Database db, final TreeMap<ByteBuffer, byte[]> expected) {
    final SetTable<byte[], byte[]> sets = DamagedPagesData.sets(db);
    final Counts c = new Counts(expected.size());
    try (Txn txn = db.beginRead();
        Cursor<byte[], byte[]> cursor = sets.select(txn, KeyRange.all())) {
      final Merge merge = new Merge(expected, c);
      while (cursor.next()) {
        final byte[] key = cursor.key();
        final byte[] member = cursor.value();
        final byte[] pair = Arrays.copyOf(key, key.length + member.length);
        System.arraycopy(member, 0, pair, key.length, member.length);
        merge.row(pair, new byte[0]);
      }
      merge.end();
      c.counted = sets.count(txn);
      for (final ByteBuffer pair : expected.keySet()) {
        final byte[] b = DamagedPagesData.array(pair);
        if (!sets.contains(txn, Arrays.copyOf(b, 16), Arrays.copyOfRange(b, 16, 32))) {
          c.getMissing++;
        }
      }
    }
    return c;
  }

  /** Walks the scanned rows against the expected ones, both in key order. */
  private static final class Merge {
    private final Iterator<Map.Entry<ByteBuffer, byte[]>> expected;
    private final Counts c;
    private Map.Entry<ByteBuffer, byte[]> next;
    private ByteBuffer previous;

    Merge(final TreeMap<ByteBuffer, byte[]> expected, final Counts c) {
      this.expected = expected.entrySet().iterator();
      this.c = c;
      this.next = this.expected.hasNext() ? this.expected.next() : null;
    }

    void row(final byte[] key, final byte[] value) {
      final ByteBuffer k = ByteBuffer.wrap(key);
      c.scanned++;
      if (previous != null && DamagedPagesData.compare(previous, k) >= 0) {
        c.outOfOrder++;
        return;
      }
      previous = k;
      while (next != null && DamagedPagesData.compare(next.getKey(), k) < 0) {
        c.missing++;
        advance();
      }
      if (next != null && DamagedPagesData.compare(next.getKey(), k) == 0) {
        if (!Arrays.equals(next.getValue(), value)) {
          c.changed++;
        }
        advance();
      } else {
        c.extra++;
      }
    }

    void end() {
      while (next != null) {
        c.missing++;
        advance();
      }
    }

    private void advance() {
      next = expected.hasNext() ? expected.next() : null;
    }
  }

  /** What one table read gave. */
  private static final class Counts {
    final int expected;
    int scanned;
    int outOfOrder;
    int missing;
    int extra;
    int changed;
    int getMissing;
    int getChanged;
    long counted;

    Counts(final int expected) {
      this.expected = expected;
    }

    boolean wrongRows() {
      return scanned != expected || outOfOrder > 0 || counted != expected;
    }

    boolean wrongBytes() {
      return missing + extra + changed + getMissing + getChanged > 0;
    }

    @Override
    public String toString() {
      return "scanned:"
          + scanned
          + "/"
          + expected
          + ":counted:"
          + counted
          + ":outOfOrder:"
          + outOfOrder
          + ":missing:"
          + missing
          + ":extra:"
          + extra
          + ":changed:"
          + changed
          + ":getMissing:"
          + getMissing
          + ":getChanged:"
          + getChanged;
    }
  }
}
