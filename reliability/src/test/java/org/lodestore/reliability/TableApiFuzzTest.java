package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidKeyException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Fuzzes the table API with arbitrary keys and values against {@link TreeMap} models: a bytes
 * table, a string table and a set table, each input one write transaction of up to 64 operations
 * (put, insert, replace, delete, get, contains, rawView, ranges with every bound kind, prefix,
 * reverse, offset and limit, count of a range, first/last, count, truncate, set add/remove/select),
 * started by truncating the tables so that inputs are independent. Keys that are empty or longer
 * than 511 bytes, and strings without a UTF-8 form, must be refused with {@link
 * InvalidKeyException} before anything is written. The transaction then commits or aborts and the
 * committed state is compared again in a read transaction. Regression inputs: {@code
 * .../TableApiFuzzTestInputs/operations/}.
 */
class TableApiFuzzTest {

  private static final AtomicLong RUNS = new AtomicLong();

  @AfterAll
  static void report() {
    FuzzSupport.report("table-api", RUNS.get());
  }

  private static final int MAX_OPS = 64;

  private record Bounds(byte[] lower, int lowerKind, byte[] upper, int upperKind) {}

  @FuzzTest(maxDuration = "60s")
  void operations(final FuzzedDataProvider data) {
    RUNS.incrementAndGet();
    final Database db = FuzzSupport.db();
    final Table<byte[], byte[]> bytes =
        db.table("fuzz-api-bytes", KeyCodecs.BYTES, ValueCodecs.BYTES);
    final Table<String, String> strings =
        db.table("fuzz-api-strings", KeyCodecs.STRING, ValueCodecs.STRING);
    final SetTable<String, byte[]> sets =
        db.setTable("fuzz-api-sets", KeyCodecs.STRING, KeyCodecs.BYTES);
    final TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    final TreeMap<String, String> textModel = new TreeMap<>(KeyCodecs.STRING_ORDER);
    final TreeMap<String, TreeSet<byte[]>> setModel = new TreeMap<>(KeyCodecs.STRING_ORDER);
    final boolean commit;
    try (Txn txn = db.beginWrite()) {
      bytes.truncate(txn);
      strings.truncate(txn);
      sets.truncate(txn);
      for (int i = 0; i < MAX_OPS && data.remainingBytes() > 0; i++) {
        operation(data, txn, bytes, strings, sets, model, textModel, setModel);
      }
      compareAll(txn, bytes, strings, model, textModel);
      commit = data.consumeBoolean();
      if (commit) {
        txn.commit();
      }
    }
    if (commit) {
      try (Txn txn = db.beginRead()) {
        compareAll(txn, bytes, strings, model, textModel);
        for (final Map.Entry<String, TreeSet<byte[]>> e : setModel.entrySet()) {
          assertThat(members(sets, txn, e.getKey())).containsExactlyElementsOf(e.getValue());
        }
      }
    }
  }

  private static void operation(
      final FuzzedDataProvider data,
      final Txn txn,
      final Table<byte[], byte[]> bytes,
      final Table<String, String> strings,
      final SetTable<String, byte[]> sets,
      final TreeMap<byte[], byte[]> model,
      final TreeMap<String, String> textModel,
      final TreeMap<String, TreeSet<byte[]>> setModel) {
    final int op = data.consumeInt(0, 16);
    final byte[] key =
        data.consumeBytes(data.consumeInt(0, 40) == 0 ? 600 : data.consumeInt(0, 24));
    final boolean valid = key.length >= 1 && key.length <= 511;
    switch (op) {
      case 0, 1, 2 -> {
        final byte[] value = data.consumeBytes(data.consumeInt(0, 6000));
        if (!valid) {
          assertThatThrownBy(() -> write(op, bytes, txn, key, value))
              .isInstanceOf(InvalidKeyException.class);
          return;
        }
        final boolean present = model.containsKey(key);
        final boolean done = write(op, bytes, txn, key, value);
        assertThat(done).isEqualTo(op == 0 || (op == 1 ? !present : present));
        if (done) {
          model.put(key, value);
        }
      }
      case 3 -> {
        if (!valid) {
          assertThatThrownBy(() -> bytes.delete(txn, key)).isInstanceOf(InvalidKeyException.class);
          return;
        }
        assertThat(bytes.delete(txn, key)).isEqualTo(model.remove(key) != null);
      }
      case 4 -> {
        if (!valid) {
          assertThatThrownBy(() -> bytes.get(txn, key)).isInstanceOf(InvalidKeyException.class);
          return;
        }
        assertThat(bytes.get(txn, key)).isEqualTo(model.get(key));
        assertThat(bytes.contains(txn, key)).isEqualTo(model.containsKey(key));
        final ByteBuffer view = bytes.rawView(txn, key);
        if (model.containsKey(key)) {
          final byte[] seen = new byte[view.remaining()];
          view.get(0, seen);
          assertThat(seen).isEqualTo(model.get(key));
        } else {
          assertThat(view).isNull();
        }
      }
      case 5, 6, 7 -> range(data, txn, bytes, model, key);
      case 8 -> {
        assertThat(bytes.count(txn)).isEqualTo(model.size());
        final Optional<Row<byte[], byte[]>> first = bytes.first(txn);
        final Optional<Row<byte[], byte[]>> last = bytes.last(txn);
        assertThat(first.map(Row::key).orElse(null))
            .isEqualTo(model.isEmpty() ? null : model.firstKey());
        assertThat(last.map(Row::value).orElse(null))
            .isEqualTo(model.isEmpty() ? null : model.lastEntry().getValue());
      }
      case 9 -> {
        if (data.consumeInt(0, 7) == 0) {
          bytes.truncate(txn);
          model.clear();
        }
      }
      case 10, 11, 12 -> {
        final String text = data.consumeString(data.consumeInt(0, 20) == 0 ? 300 : 12);
        final String value = data.consumeString(200);
        final int length = utf8Length(text);
        if (length < 1 || length > 511) {
          assertThatThrownBy(() -> strings.put(txn, text, value))
              .isInstanceOf(InvalidKeyException.class);
          return;
        }
        if (op == 12) {
          assertThat(strings.delete(txn, text)).isEqualTo(textModel.remove(text) != null);
          return;
        }
        if (utf8Length(value) < 0) {
          // a value with no UTF-8 form: refused, nothing written
          assertThatThrownBy(() -> strings.put(txn, text, value))
              .isInstanceOf(org.lodestore.core.InvalidValueException.class);
          return;
        }
        strings.put(txn, text, value);
        textModel.put(text, value);
        assertThat(strings.get(txn, text)).isEqualTo(value);
      }
      default -> {
        final String setKey = "s" + data.consumeInt(0, 3);
        final boolean memberValid = valid;
        if (!memberValid) {
          assertThatThrownBy(() -> sets.add(txn, setKey, key))
              .isInstanceOf(InvalidKeyException.class);
          return;
        }
        final TreeSet<byte[]> members =
            setModel.computeIfAbsent(setKey, k -> new TreeSet<>(Arrays::compareUnsigned));
        if (op == 13 || op == 14) {
          assertThat(sets.add(txn, setKey, key)).isEqualTo(members.add(key));
        } else if (op == 15) {
          assertThat(sets.remove(txn, setKey, key)).isEqualTo(members.remove(key));
        } else {
          assertThat(sets.contains(txn, setKey, key)).isEqualTo(members.contains(key));
          assertThat(sets.count(txn, setKey)).isEqualTo(members.size());
          assertThat(members(sets, txn, setKey)).containsExactlyElementsOf(members);
        }
      }
    }
  }

  /**
   * Was a known defect, fixed (an empty lower bound starts from the first row): an empty prefix is
   * accepted ({@code Encoding.prefix} allows it, meaning "every key") and a reversed scan returns
   * every row, but a forward scan fails in {@code next()} with {@code InvalidKeyException: key or
   * value size rejected by LMDB}: the cursor seeks with {@code MDB_SET_RANGE} and a zero-length key
   * (MDB_BAD_VALSIZE). Found by this fuzz target ({@code
   * TableApiFuzzTestInputs/operations/found-empty-prefix}).
   */
  @org.junit.jupiter.api.Test
  void emptyPrefix_scansAllRows_forwardAndReverse() {
    final Database db = FuzzSupport.db();
    final Table<String, String> t = db.table("empty-prefix", KeyCodecs.STRING, ValueCodecs.STRING);
    db.write(
        txn -> {
          t.put(txn, "a", "1");
          t.put(txn, "b", "2");
        });
    final long reverse = db.readAndGet(txn -> t.count(txn, KeyRange.prefix("").reversed()));
    String forward;
    try {
      final long rows = db.readAndGet(txn -> t.count(txn, KeyRange.prefix("")));
      forward = Long.toString(rows);
    } catch (RuntimeException e) {
      forward = e.toString();
    }
    Reliability.report(
        "table-api-emptyPrefix", "reverseRows", reverse, "forward", forward.replace(' ', '_'));
    assertThat(reverse).isEqualTo(2);
    assertThat(forward).isEqualTo("2");
  }

  private static boolean write(
      final int op, final Table<byte[], byte[]> t, final Txn txn, final byte[] k, final byte[] v) {
    switch (op) {
      case 0:
        t.put(txn, k, v);
        return true;
      case 1:
        return t.insert(txn, k, v);
      default:
        return t.replace(txn, k, v);
    }
  }

  /** A random range over the bytes table, compared with the model's view of it. */
  private static void range(
      final FuzzedDataProvider data,
      final Txn txn,
      final Table<byte[], byte[]> bytes,
      final TreeMap<byte[], byte[]> model,
      final byte[] first) {
    final byte[] other = data.consumeBytes(data.consumeInt(0, 8));
    final int kind = data.consumeInt(0, 9);
    final boolean reversed = data.consumeBoolean();
    final long offset = data.consumeInt(0, 4) == 0 ? data.consumeInt(0, 5) : 0;
    final long limit = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 6) : Long.MAX_VALUE;
    KeyRange<byte[]> range;
    List<byte[]> expected;
    final boolean firstValid = first.length >= 1 && first.length <= 511;
    final boolean boundsValid = firstValid && (kind < 5 || kind > 8 || other.length >= 1);
    switch (kind) {
      case 0 -> {
        range = KeyRange.all();
        expected = new ArrayList<>(model.keySet());
      }
      case 1 -> {
        range = KeyRange.atLeast(first);
        expected = boundsValid ? new ArrayList<>(model.tailMap(first, true).keySet()) : null;
      }
      case 2 -> {
        range = KeyRange.greaterThan(first);
        expected = boundsValid ? new ArrayList<>(model.tailMap(first, false).keySet()) : null;
      }
      case 3 -> {
        range = KeyRange.atMost(first);
        expected = boundsValid ? new ArrayList<>(model.headMap(first, true).keySet()) : null;
      }
      case 4 -> {
        range = KeyRange.lessThan(first);
        expected = boundsValid ? new ArrayList<>(model.headMap(first, false).keySet()) : null;
      }
      case 5, 6, 7, 8 -> {
        final boolean lowIn = kind == 5 || kind == 6;
        final boolean highIn = kind == 5 || kind == 7;
        range =
            kind == 5
                ? KeyRange.closed(first, other)
                : kind == 6
                    ? KeyRange.closedOpen(first, other)
                    : kind == 7 ? KeyRange.openClosed(first, other) : KeyRange.open(first, other);
        expected = boundsValid ? sub(model, first, lowIn, other, highIn) : null;
      }
      default -> {
        if (first.length == 0) {
          return; // known defect: emptyPrefix_scansAllRows_forwardAndReverse
        }
        range = KeyRange.prefix(first);
        expected = new ArrayList<>();
        for (final byte[] k : model.keySet()) {
          if (k.length >= first.length
              && Arrays.equals(k, 0, first.length, first, 0, first.length)) {
            expected.add(k);
          }
        }
        if (first.length > 511) {
          expected = null;
        }
      }
    }
    if (reversed) {
      range = range.reversed();
    }
    range = range.offset(offset).limit(limit);
    if (expected == null) {
      final KeyRange<byte[]> r = range;
      assertThatThrownBy(() -> bytes.select(txn, r).close())
          .isInstanceOf(InvalidKeyException.class);
      return;
    }
    if (reversed) {
      java.util.Collections.reverse(expected);
    }
    final int from = (int) Math.min(offset, expected.size());
    final int to = (int) Math.min(expected.size(), from + Math.min(limit, Integer.MAX_VALUE));
    final List<byte[]> want = expected.subList(from, to);
    final List<byte[]> got = new ArrayList<>();
    try (Cursor<byte[], byte[]> c = bytes.select(txn, range)) {
      while (c.next()) {
        final byte[] k = c.key();
        got.add(k);
        assertThat(c.value()).isEqualTo(model.get(k));
      }
      assertThat(c.moreAvailable()).isEqualTo(to < expected.size());
    }
    assertThat(got).as("range %s", range).containsExactlyElementsOf(want);
    assertThat(bytes.count(txn, range)).isEqualTo(want.size());
  }

  private static List<byte[]> sub(
      final NavigableMap<byte[], byte[]> model,
      final byte[] low,
      final boolean lowIn,
      final byte[] high,
      final boolean highIn) {
    final int c = Arrays.compareUnsigned(low, high);
    if (c > 0 || (c == 0 && !(lowIn && highIn))) {
      return new ArrayList<>();
    }
    return new ArrayList<>(model.subMap(low, lowIn, high, highIn).keySet());
  }

  private static void compareAll(
      final Txn txn,
      final Table<byte[], byte[]> bytes,
      final Table<String, String> strings,
      final TreeMap<byte[], byte[]> model,
      final TreeMap<String, String> textModel) {
    final List<byte[]> keys = new ArrayList<>();
    try (Cursor<byte[], byte[]> c = bytes.select(txn, KeyRange.all())) {
      while (c.next()) {
        keys.add(c.key());
        assertThat(c.value()).isEqualTo(model.get(keys.get(keys.size() - 1)));
      }
    }
    assertThat(keys).containsExactlyElementsOf(model.keySet());
    final List<String> texts = new ArrayList<>();
    try (Cursor<String, String> c = strings.select(txn, KeyRange.all())) {
      while (c.next()) {
        texts.add(c.key());
        assertThat(c.value()).isEqualTo(textModel.get(c.key()));
      }
    }
    assertThat(texts).containsExactlyElementsOf(textModel.keySet());
  }

  private static List<byte[]> members(
      final SetTable<String, byte[]> sets, final Txn txn, final String key) {
    final List<byte[]> out = new ArrayList<>();
    try (Cursor<String, byte[]> c = sets.select(txn, key)) {
      while (c.next()) {
        out.add(c.value());
      }
    }
    return out;
  }

  /** The UTF-8 length of {@code s}, or -1 if it has none (an unpaired surrogate). */
  private static int utf8Length(final String s) {
    try {
      return StandardCharsets.UTF_8
          .newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(java.nio.CharBuffer.wrap(s))
          .remaining();
    } catch (CharacterCodingException e) {
      return -1;
    }
  }
}
