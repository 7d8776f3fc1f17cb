package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.testsupport.TestSeed;

/**
 * {@link Table#getAll} (issue 15, item 10) against a {@link TreeMap} model: random key lists of
 * present, absent and repeated keys (for byte arrays, also equal contents in another array), in
 * read transactions and in write transactions with uncommitted changes, through a copying and a
 * zero-copy table over the same rows; and bad keys refused with the table and key named.
 */
class TableGetAllTest {

  @TempDir Path dir;

  static Stream<Arguments> domains() {
    return Stream.of(
        Arguments.of(Domain.intString()),
        Arguments.of(Domain.uuidTime()),
        Arguments.of(Domain.bytes()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("domains")
  void getAll_randomKeyLists_matchTreeMapModel(final Domain<?> keys) {
    run(keys);
  }

  private <K> void run(final Domain<K> domain) {
    final long seed =
        TestSeed.seed("TableGetAllTest.getAll_randomKeyLists_matchTreeMapModel[" + domain + "]");
    final Random r = new Random(seed);
    final DatabaseOptions options =
        DatabaseOptions.builder().durability(Durability.NO_SYNC).initialMapSize(16L << 20).build();
    try (Database db = Database.open(dir.resolve("db"), options)) {
      final Table<K, byte[]> table = db.table("model", domain.codec, ValueCodecs.BYTES);
      final Table<K, ByteBuffer> views = db.table("model", domain.codec, ValueCodecs.VIEW);
      final TreeMap<K, byte[]> model = new TreeMap<>(domain.order());
      db.write(
          txn -> {
            for (int i = 0; i < 2_000; i++) {
              final K key = domain.random(r);
              final byte[] value = randomValue(r);
              table.put(txn, key, value);
              model.put(key, value);
            }
          });
      final int rounds = 300 * TestSeed.scale();
      for (int round = 0; round < rounds; round++) {
        final String context = "seed=" + seed + " round=" + round;
        final List<K> asked = randomKeys(domain, model, r);
        if (r.nextInt(3) == 0) {
          // inside a write transaction, after uncommitted changes
          final TreeMap<K, byte[]> changed = new TreeMap<>(model);
          try (Txn txn = db.beginWrite()) {
            for (int i = r.nextInt(20); i > 0; i--) {
              final K key = r.nextBoolean() ? pick(asked, r, domain) : domain.random(r);
              if (r.nextInt(3) == 0) {
                table.delete(txn, key);
                changed.remove(key);
              } else {
                final byte[] value = randomValue(r);
                table.put(txn, key, value);
                changed.put(key, value);
              }
            }
            check(table.getAll(txn, asked), expected(asked, changed, domain), context + " write");
            check(
                views.getAll(txn, asked),
                expected(asked, changed, domain),
                context + " write view");
            if (r.nextBoolean()) {
              txn.commit();
              model.clear();
              model.putAll(changed);
            }
          }
        } else {
          try (Txn txn = db.beginRead()) {
            check(table.getAll(txn, asked), expected(asked, model, domain), context);
            final Map<K, ByteBuffer> got = views.getAll(txn, asked);
            check(got, expected(asked, model, domain), context + " view");
            if (!got.isEmpty()) {
              final ByteBuffer view = got.values().iterator().next();
              txn.close();
              assertThatThrownBy(() -> view.get(0))
                  .as(context)
                  .isInstanceOf(IndexOutOfBoundsException.class);
            }
          }
        }
      }
    }
  }

  /** 0..40 keys: present ones, random ones (often absent), repeats, and for byte[] equal copies. */
  private static <K> List<K> randomKeys(
      final Domain<K> domain, final TreeMap<K, byte[]> model, final Random r) {
    final List<K> present = new ArrayList<>(model.keySet());
    final List<K> keys = new ArrayList<>();
    for (int i = r.nextInt(41); i > 0; i--) {
      final int dice = r.nextInt(10);
      if (dice < 5 && !present.isEmpty()) {
        keys.add(present.get(r.nextInt(present.size())));
      } else if (dice < 8 || keys.isEmpty()) {
        keys.add(domain.random(r));
      } else {
        final K again = keys.get(r.nextInt(keys.size()));
        keys.add(again instanceof byte[] b ? castLike(again, b.clone()) : again);
      }
    }
    return keys;
  }

  @SuppressWarnings("unchecked")
  private static <K> K castLike(final K ignored, final Object value) {
    return (K) value;
  }

  private static <K> K pick(final List<K> keys, final Random r, final Domain<K> domain) {
    return keys.isEmpty() ? domain.random(r) : keys.get(r.nextInt(keys.size()));
  }

  private static byte[] randomValue(final Random r) {
    final byte[] value = new byte[r.nextInt(4) == 0 ? 1 + r.nextInt(3000) : 1 + r.nextInt(40)];
    r.nextBytes(value);
    return value;
  }

  /** The model's answer: the keys' order, absent ones left out, equal keys once (the first). */
  private static <K> List<String> expected(
      final List<K> asked, final TreeMap<K, byte[]> model, final Domain<K> domain) {
    final TreeSet<K> seen = new TreeSet<>(domain.order());
    final List<String> rows = new ArrayList<>();
    for (final K key : asked) {
      if (seen.add(key) && model.containsKey(key)) {
        rows.add(TestText.show(key) + "=" + TestText.show(model.get(key)));
      }
    }
    return rows;
  }

  private static <K> void check(
      final Map<K, ?> got, final List<String> expected, final String context) {
    final List<String> rows = new ArrayList<>();
    for (final Map.Entry<K, ?> e : got.entrySet()) {
      final Object v = e.getValue();
      final Object shown = v instanceof ByteBuffer b ? bytes(b) : v;
      rows.add(TestText.show(e.getKey()) + "=" + TestText.show(shown));
    }
    assertThat(rows).as(context).isEqualTo(expected);
  }

  private static byte[] bytes(final ByteBuffer b) {
    final byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void getAll_returnsKeysInTheGivenOrder_withRepeatsOnce_andAbsentKeysLeftOut() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<String, String> t = db.table("names", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(
          txn -> {
            t.put(txn, "a", "A");
            t.put(txn, "b", "B");
            t.put(txn, "c", "C");
          });
      try (Txn txn = db.beginRead()) {
        final Map<String, String> got = t.getAll(txn, List.of("c", "x", "a", "c", "b", "a"));
        assertThat(new ArrayList<>(got.entrySet()))
            .containsExactly(Map.entry("c", "C"), Map.entry("a", "A"), Map.entry("b", "B"));
        assertThat(t.getAll(txn, List.of())).isEmpty();
        assertThat(t.getAll(txn, List.of("nothing"))).isEmpty();
      }
    }
  }

  @Test
  void getAll_withByteArrayKeys_equalContentsAppearOnceUnderTheFirstArray() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<byte[], String> t = db.table("raw", KeyCodecs.BYTES, ValueCodecs.STRING);
      final byte[] one = {1};
      db.write(txn -> t.put(txn, one, "one"));
      final byte[] first = {1};
      final byte[] second = {1};
      final Map<byte[], String> got = db.readAndGet(txn -> t.getAll(txn, List.of(first, second)));
      assertThat(got).hasSize(1);
      assertThat(got.keySet().iterator().next()).isSameAs(first);
      assertThat(got.get(first)).isEqualTo("one");
    }
  }

  @Test
  void getAll_withAnOverlongKey_throwsKeyTooLongNamingTableAndKey_beforeReading() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<String, String> t = db.table("names", KeyCodecs.STRING, ValueCodecs.STRING);
      db.write(txn -> t.put(txn, "a", "A"));
      final String overlong = "x".repeat(600);
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> t.getAll(txn, List.of("a", overlong)))
            .isInstanceOfSatisfying(
                KeyTooLongException.class,
                e -> {
                  assertThat(e.table()).isEqualTo("names");
                  assertThat(e.key()).startsWith("xxxx");
                });
        assertThat(t.get(txn, "a")).as("the transaction still works").isEqualTo("A");
      }
    }
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void getAll_withAKeyOfTheWrongType_throwsInvalidKeyNamingTableAndKey() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<UUID, String> t = db.table("ids", KeyCodecs.UUID, ValueCodecs.STRING);
      final List wrong = new ArrayList<>(List.of(UUID.randomUUID(), "not-a-uuid"));
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> t.getAll(txn, wrong))
            .isInstanceOfSatisfying(
                InvalidKeyException.class,
                e -> {
                  assertThat(e.table()).isEqualTo("ids");
                  assertThat(e.key()).isEqualTo("not-a-uuid");
                });
        assertThatThrownBy(() -> t.getAll(txn, Arrays.asList(UUID.randomUUID(), null)))
            .isInstanceOf(NullPointerException.class)
            .hasMessageContaining("ids");
      }
    }
  }

  @Test
  void getAll_onAChecksummedTable_checksEveryValue_andNamesTheDamagedKey() {
    try (Database db = Database.open(dir.resolve("db"))) {
      final Table<String, String> t =
          db.table("sums", KeyCodecs.STRING, ValueCodecs.STRING)
              .withValueChecksum(ValueChecksum.CRC32C);
      final Table<String, byte[]> raw = db.table("sums", KeyCodecs.STRING, ValueCodecs.BYTES);
      db.write(
          txn -> {
            t.put(txn, "a", "A");
            t.put(txn, "b", "B");
          });
      assertThat(db.<Map<String, String>>readAndGet(txn -> t.getAll(txn, List.of("b", "a"))))
          .containsExactly(Map.entry("b", "B"), Map.entry("a", "A"));
      db.write(
          txn -> {
            final byte[] stored = raw.get(txn, "b");
            stored[0] ^= 1;
            raw.put(txn, "b", stored);
          });
      try (Txn txn = db.beginRead()) {
        assertThatThrownBy(() -> t.getAll(txn, List.of("a", "b")))
            .isInstanceOfSatisfying(
                CorruptValueException.class,
                e -> {
                  assertThat(e.table()).isEqualTo("sums");
                  assertThat(e.key()).isEqualTo("b");
                });
      }
    }
  }
}
