package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.core.key.Tuple3;
import org.lodestore.core.key.Tuple3KeyCodec;
import org.lodestore.core.key.Tuple4;
import org.lodestore.core.key.Tuple4KeyCodec;

/**
 * Typed prefix ranges: which calls compile (the test compiles small sources with the JDK's compiler
 * against store-core's classes), and what their scans return over real LMDB tables of two-, three-
 * and four-component keys, with ascending and descending components, forward and reversed, with
 * limits.
 */
class KeyRangePrefixTest {

  @TempDir Path dir;

  // ------------------------------------------------------------------ what compiles

  @Test
  void typedPrefix_chainedWithoutTypeWitness_compilesWithoutWarnings() throws Exception {
    assertCompiles(
        String.join(
            "\n",
            "try (Cursor<Tuple2<UUID, Instant>, Long> c =",
            "    ticks.select(txn, KeyRange.prefix(TICK, series).reversed().limit(10))) {",
            "  c.next();",
            "}",
            "long n = ticks.count(txn, KeyRange.prefix(NEWEST, series).offset(1).limit(2));",
            "n += ticks.count(txn, KeyRange.prefix(TICK, series, t0));",
            "n += orders.count(txn, KeyRange.prefix(ORDER, \"new\").reversed());",
            "n += orders.count(txn, KeyRange.prefix(ORDER, \"new\", series).limit(3));",
            "n += orders.count(txn, KeyRange.prefix(ORDER, \"new\", series, 7L));",
            "KeyRange<Tuple4<UUID, String, Instant, Long>> q = KeyRange.prefix(QUAD, series);",
            "q = KeyRange.prefix(QUAD, series, \"a\").reversed();",
            "q = KeyRange.prefix(QUAD, series, \"a\", t0).limit(1);",
            "q = KeyRange.prefix(QUAD, series, \"a\", t0, 1L);",
            "n += words.count(txn, KeyRange.prefix(\"ab\").reversed().limit(1));",
            "n += blobs.count(txn, KeyRange.prefix(new byte[] {1}).reversed());",
            "System.out.println(n + \" \" + q);"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // a component of the wrong type
        "ticks.select(txn, KeyRange.prefix(TICK, \"not a uuid\"));",
        "ticks.select(txn, KeyRange.prefix(TICK, series, 42L));",
        "orders.select(txn, KeyRange.prefix(ORDER, series));",
        "orders.select(txn, KeyRange.prefix(ORDER, \"new\", \"not a uuid\"));",
        // more components than the key has
        "ticks.select(txn, KeyRange.prefix(TICK, series, t0, \"extra\"));",
        // a prefix of another key type
        "orders.select(txn, KeyRange.prefix(TICK, series));",
        "ticks.select(txn, KeyRange.prefix(\"a\"));",
        "words.select(txn, KeyRange.prefix(ORDER, \"a\"));",
        "blobs.select(txn, KeyRange.prefix(\"a\"));",
        // the untyped Object... form is gone, with or without a type witness
        "ticks.select(txn, KeyRange.prefix(series));",
        "ticks.select(txn, KeyRange.<Tuple2<UUID, Instant>>prefix(series));",
        "words.select(txn, KeyRange.prefix(\"a\", \"b\"));"
      })
  void prefix_ofWrongComponentOrKeyType_doesNotCompile(final String statement) throws Exception {
    final List<String> errors = compile(statement);
    assertThat(errors).as("compiler errors for: %s", statement).isNotEmpty();
    final String line = "line " + (HEADER.split("\n", -1).length) + ":";
    assertThat(errors).as("errors on the statement's line").allMatch(e -> e.startsWith(line));
  }

  // ------------------------------------------------------------------ what scans return

  static final Tuple2KeyCodec<UUID, Instant> TICK =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);
  static final Tuple2KeyCodec<UUID, Instant> NEWEST =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.TIMESTAMP));
  static final Tuple2KeyCodec<UUID, String> NAMED =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.STRING);
  static final Tuple3KeyCodec<String, UUID, Integer> BIGGEST =
      KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.INT));
  static final Tuple4KeyCodec<UUID, String, Instant, Long> QUAD =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.STRING, KeyCodecs.TIMESTAMP, KeyCodecs.LONG);

  static final List<UUID> IDS = List.of(new UUID(0, 1), new UUID(-1, 2), new UUID(5, 0));
  static final List<String> NAMES = List.of("", "a", "a\0", "ab", "abc", "b");
  static final Instant T0 = Instant.parse("1969-12-31T23:59:58Z");

  @Test
  void prefixOfTwoComponentKey_ascendingAndDescendingSecond_selectsOneSeriesInItsOrder() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final List<Tuple2<UUID, Instant>> keys = new ArrayList<>();
      for (final UUID id : IDS) {
        for (int i = 0; i < 7; i++) {
          keys.add(Tuple2.of(id, T0.plusMillis(i * 700L)));
        }
      }
      final Table<Tuple2<UUID, Instant>, Long> ticks = filled(db, "ticks", TICK, keys);
      final Table<Tuple2<UUID, Instant>, Long> newest = filled(db, "newest", NEWEST, keys);
      try (Txn txn = db.beginRead()) {
        for (final UUID id : IDS) {
          assertScans(ticks, txn, keys, KeyRange.prefix(TICK, id), k -> k.first().equals(id));
          assertScans(newest, txn, keys, KeyRange.prefix(NEWEST, id), k -> k.first().equals(id));
          // the codec only types the range: the table's codec encodes it
          assertScans(newest, txn, keys, KeyRange.prefix(TICK, id), k -> k.first().equals(id));
          final Instant t = T0.plusMillis(1400);
          final Tuple2<UUID, Instant> one = Tuple2.of(id, t);
          assertScans(ticks, txn, keys, KeyRange.prefix(TICK, id, t), k -> k.equals(one));
          assertScans(newest, txn, keys, KeyRange.prefix(NEWEST, id, t), k -> k.equals(one));
        }
        assertThat(keysOf(newest, txn, KeyRange.prefix(NEWEST, IDS.get(1)).limit(2)))
            .containsExactly(
                Tuple2.of(IDS.get(1), T0.plusMillis(6 * 700L)),
                Tuple2.of(IDS.get(1), T0.plusMillis(5 * 700L)));
        assertThat(ticks.count(txn, KeyRange.prefix(TICK, new UUID(9, 9)))).isZero();
      }
    }
  }

  @Test
  void prefixOfTwoComponentKey_withStringLast_matchesTheStartOfTheString() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final List<Tuple2<UUID, String>> keys = new ArrayList<>();
      for (final UUID id : IDS) {
        for (final String name : NAMES) {
          keys.add(Tuple2.of(id, name));
        }
      }
      final Table<Tuple2<UUID, String>, Long> t = filled(db, "named", NAMED, keys);
      try (Txn txn = db.beginRead()) {
        for (final UUID id : IDS) {
          for (final String start : List.of("", "a", "a\0", "ab", "abc", "abcd", "c")) {
            assertScans(
                t,
                txn,
                keys,
                KeyRange.prefix(NAMED, id, start),
                k -> k.first().equals(id) && k.second().startsWith(start));
          }
        }
        assertThat(t.count(txn, KeyRange.prefix(NAMED, IDS.get(0), "a"))).isEqualTo(4);
      }
    }
  }

  @Test
  void prefixOfThreeComponentKey_ofOneTwoAndThreeComponents_filtersAndOrdersByTheRest() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final List<Tuple3<String, UUID, Integer>> keys = new ArrayList<>();
      for (final String status : List.of("a", "ab", "b")) {
        for (final UUID id : IDS) {
          for (final int cents : List.of(Integer.MIN_VALUE, -3, 0, 8, Integer.MAX_VALUE)) {
            keys.add(Tuple3.of(status, id, cents));
          }
        }
      }
      final Table<Tuple3<String, UUID, Integer>, Long> t = filled(db, "orders", BIGGEST, keys);
      try (Txn txn = db.beginRead()) {
        for (final String status : List.of("a", "ab", "b", "")) {
          assertScans(
              t, txn, keys, KeyRange.prefix(BIGGEST, status), k -> k.first().equals(status));
          for (final UUID id : IDS) {
            assertScans(
                t,
                txn,
                keys,
                KeyRange.prefix(BIGGEST, status, id),
                k -> k.first().equals(status) && k.second().equals(id));
            assertScans(
                t,
                txn,
                keys,
                KeyRange.prefix(BIGGEST, status, id, 8),
                k -> k.equals(Tuple3.of(status, id, 8)));
          }
        }
        // "a" is a whole first component: ("ab", ...) is not in it
        assertThat(t.count(txn, KeyRange.prefix(BIGGEST, "a"))).isEqualTo(15);
        // descending third component: the biggest first
        assertThat(keysOf(t, txn, KeyRange.prefix(BIGGEST, "b", IDS.get(2)).limit(2)))
            .containsExactly(
                Tuple3.of("b", IDS.get(2), Integer.MAX_VALUE), Tuple3.of("b", IDS.get(2), 8));
      }
    }
  }

  @Test
  void prefixOfFourComponentKey_ofOneToFourComponents_selectsThoseKeys() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final List<Tuple4<UUID, String, Instant, Long>> keys = new ArrayList<>();
      for (final UUID id : IDS) {
        for (final String name : List.of("a", "ab", "b")) {
          for (int i = 0; i < 3; i++) {
            for (final long n : List.of(-1L, 0L, 1L)) {
              keys.add(Tuple4.of(id, name, T0.plusSeconds(i), n));
            }
          }
        }
      }
      final Table<Tuple4<UUID, String, Instant, Long>, Long> t = filled(db, "quads", QUAD, keys);
      final Instant t1 = T0.plusSeconds(1);
      try (Txn txn = db.beginRead()) {
        for (final UUID id : IDS) {
          assertScans(t, txn, keys, KeyRange.prefix(QUAD, id), k -> k.first().equals(id));
          for (final String name : List.of("a", "ab", "b", "c")) {
            assertScans(
                t,
                txn,
                keys,
                KeyRange.prefix(QUAD, id, name),
                k -> k.first().equals(id) && k.second().equals(name));
            assertScans(
                t,
                txn,
                keys,
                KeyRange.prefix(QUAD, id, name, t1),
                k -> k.first().equals(id) && k.second().equals(name) && k.third().equals(t1));
            assertScans(
                t,
                txn,
                keys,
                KeyRange.prefix(QUAD, id, name, t1, 0L),
                k -> k.equals(Tuple4.of(id, name, t1, 0L)));
          }
        }
        assertThat(t.count(txn, KeyRange.prefix(QUAD, IDS.get(0), "a"))).isEqualTo(9);
      }
    }
  }

  @Test
  void prefixOfStringAndByteArrayKeys_selectsTheKeysStartingWithIt() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<String, Long> words = filled(db, "words", KeyCodecs.STRING, NAMES.subList(1, 6));
      final List<byte[]> blobs =
          List.of(
              new byte[] {0},
              new byte[] {1},
              new byte[] {1, 0},
              new byte[] {1, (byte) 0xFF},
              new byte[] {(byte) 0xFF},
              new byte[] {(byte) 0xFF, 0});
      final Table<byte[], Long> raw = filled(db, "blobs", KeyCodecs.BYTES, blobs);
      try (Txn txn = db.beginRead()) {
        for (final String start : List.of("", "a", "a\0", "ab", "b", "c")) {
          assertScans(
              words, txn, NAMES.subList(1, 6), KeyRange.prefix(start), k -> k.startsWith(start));
        }
        for (final byte[] start :
            List.of(
                new byte[0],
                new byte[] {1},
                new byte[] {(byte) 0xFF},
                new byte[] {1, (byte) 0xFF},
                new byte[] {2})) {
          final List<String> expected = new ArrayList<>();
          for (final byte[] b : blobs) {
            if (b.length >= start.length
                && Arrays.equals(b, 0, start.length, start, 0, start.length)) {
              expected.add(Arrays.toString(b));
            }
          }
          for (final boolean reversed : List.of(false, true)) {
            final KeyRange<byte[]> range =
                reversed ? KeyRange.prefix(start).reversed() : KeyRange.prefix(start);
            final List<String> got = new ArrayList<>();
            keysOf(raw, txn, range).forEach(b -> got.add(Arrays.toString(b)));
            if (reversed) {
              Collections.reverse(got);
            }
            assertThat(got)
                .as("prefix %s reversed=%s", Arrays.toString(start), reversed)
                .isEqualTo(expected);
          }
        }
      }
    }
  }

  private static <K> Table<K, Long> filled(
      final Database db, final String name, final KeyCodec<K> codec, final List<K> keys) {
    final Table<K, Long> t = db.table(name, codec, ValueCodecs.LONG);
    db.write(
        txn -> {
          for (int i = 0; i < keys.size(); i++) {
            t.put(txn, keys.get(i), (long) i);
          }
        });
    return t;
  }

  private static <K> List<K> keysOf(final Table<K, Long> t, final Txn txn, final KeyRange<K> r) {
    final List<K> keys = new ArrayList<>();
    try (Cursor<K, Long> c = t.select(txn, r)) {
      while (c.next()) {
        keys.add(c.key());
      }
    }
    return keys;
  }

  /**
   * Scans {@code range} forward and reversed, unlimited and with limits 1 and 3, and compares each
   * with the keys {@code in} selects, in the table codec's order.
   */
  private static <K> void assertScans(
      final Table<K, Long> t,
      final Txn txn,
      final List<K> keys,
      final KeyRange<K> range,
      final Predicate<K> in) {
    final List<K> ascending = new ArrayList<>();
    for (final K k : keys) {
      if (in.test(k)) {
        ascending.add(k);
      }
    }
    ascending.sort(t.keyCodec().comparator());
    for (final boolean reversed : List.of(false, true)) {
      final List<K> ordered = new ArrayList<>(ascending);
      if (reversed) {
        Collections.reverse(ordered);
      }
      for (final long limit : List.of(Long.MAX_VALUE, 1L, 3L)) {
        KeyRange<K> r = reversed ? range.reversed() : range;
        r = limit == Long.MAX_VALUE ? r : r.limit(limit);
        assertThat(keysOf(t, txn, r))
            .as("%s on %s", r, t.keyCodec().id())
            .isEqualTo(ordered.subList(0, (int) Math.min(limit, ordered.size())));
      }
    }
    assertThat(t.count(txn, range)).as("count of %s", range).isEqualTo(ascending.size());
  }

  // ------------------------------------------------------------------ compiler harness

  private static final String HEADER =
      String.join(
          "\n",
          "import java.time.Instant;",
          "import java.util.UUID;",
          "import org.lodestore.core.*;",
          "import org.lodestore.core.key.*;",
          "",
          "final class Snippet {",
          "  static final Tuple2KeyCodec<UUID, Instant> TICK =",
          "      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);",
          "  static final Tuple2KeyCodec<UUID, Instant> NEWEST =",
          "      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.TIMESTAMP));",
          "  static final Tuple3KeyCodec<String, UUID, Long> ORDER =",
          "      KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.UUID, KeyCodecs.LONG);",
          "  static final Tuple4KeyCodec<UUID, String, Instant, Long> QUAD = KeyCodecs.tuple(",
          "      KeyCodecs.UUID, KeyCodecs.STRING, KeyCodecs.TIMESTAMP, KeyCodecs.LONG);",
          "",
          "  void run(Txn txn, Table<Tuple2<UUID, Instant>, Long> ticks,",
          "      Table<Tuple3<String, UUID, Long>, Long> orders, Table<String, Long> words,",
          "      Table<byte[], Long> blobs, UUID series, Instant t0) {",
          "");

  /** Compiles {@code body} inside a method of a class; returns the compiler's error messages. */
  private List<String> compile(final String body) throws IOException, URISyntaxException {
    final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("the JDK's compiler").isNotNull();
    final String source = HEADER + body + "\n  }\n}\n";
    final JavaFileObject file =
        new SimpleJavaFileObject(
            java.net.URI.create("string:///Snippet.java"), JavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(final boolean ignoreEncodingErrors) {
            return source;
          }
        };
    final String classes =
        Path.of(KeyRange.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      final List<String> options =
          List.of(
              "-Xlint:all,-path",
              "-Werror",
              "-proc:none",
              "-d",
              dir.resolve("classes").toString(),
              "-classpath",
              classes + File.pathSeparator + System.getProperty("java.class.path"));
      final boolean ok =
          javac.getTask(null, files, diagnostics, options, null, List.of(file)).call();
      final List<String> errors = new ArrayList<>();
      for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING) {
          errors.add(
              "line " + d.getLineNumber() + ": " + d.getKind() + " " + d.getMessage(Locale.ROOT));
        }
      }
      if (!ok && errors.isEmpty()) {
        errors.add("compilation failed without a diagnostic");
      }
      return errors;
    }
  }

  private void assertCompiles(final String body) throws Exception {
    final List<String> errors = compile(body);
    assertThat(errors)
        .as("compiler errors for:%n%s%n%s", body, errors.stream().collect(Collectors.joining("\n")))
        .isEmpty();
  }
}
