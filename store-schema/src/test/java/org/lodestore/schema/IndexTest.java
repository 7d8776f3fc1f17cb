package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.core.key.Tuple3;
import org.lodestore.core.key.Tuple3KeyCodec;
import org.lodestore.serializers.CborCodec;

/**
 * The query helpers of {@link MultiIndex} and {@link UniqueIndex}: a composite index that filters
 * by one field and orders by another descending, selected by prefix; rows paged by offset and limit
 * with {@code moreAvailable}; count by index key; unique lookups; and {@code rebuild}.
 */
class IndexTest {

  record Order(UUID customer, Instant createdAt, String status, String number, long cents) {}

  /** Per customer, newest first: the key of by_customer_newest, which types its prefixes. */
  static final Tuple2KeyCodec<UUID, Instant> CUSTOMER_NEWEST =
      KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.TIMESTAMP));

  /** Per status and customer, biggest first: the key of by_status_customer_biggest. */
  static final Tuple3KeyCodec<String, UUID, Long> STATUS_CUSTOMER_BIGGEST =
      KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.LONG));

  static final class Shop extends Schema {
    final SchemaTable<UUID, Order> orders =
        table(
            "1d3e0000-0000-4000-8000-000000000001",
            "orders",
            KeyCodecs.UUID,
            CborCodec.of(Order.class));
    final UniqueIndex<String, UUID, Order> byNumber =
        uniqueIndex(orders, "by_number", KeyCodecs.STRING, Order::number).nullable();
    final MultiIndex<String, UUID, Order> byStatus =
        index(orders, "by_status", KeyCodecs.STRING, Order::status);
    final MultiIndex<Tuple2<UUID, Instant>, UUID, Order> byCustomerNewest =
        index(
            orders,
            "by_customer_newest",
            CUSTOMER_NEWEST,
            o -> Tuple2.of(o.customer(), o.createdAt()));
    final MultiIndex<Tuple3<String, UUID, Long>, UUID, Order> byStatusCustomerBiggest =
        index(
            orders,
            "by_status_customer_biggest",
            STATUS_CUSTOMER_BIGGEST,
            o -> Tuple3.of(o.status(), o.customer(), o.cents()));
    final SchemaTable<UUID, String> other =
        table("1d3e0000-0000-4000-8000-000000000002", "other", KeyCodecs.UUID, ValueCodecs.STRING);
  }

  static final List<String> STATUSES = List.of("new", "paid", "shipped");

  @TempDir Path dir;

  private Database db;
  private Shop shop;
  private final List<UUID> customers = new ArrayList<>();
  private final TreeMap<UUID, Order> rows = new TreeMap<>(KeyCodecs.UUID_ORDER);

  @BeforeEach
  void populate() {
    db = Database.open(dir.resolve("db"));
    shop = db.attach(new Shop());
    final Random rnd = new Random(7);
    for (int i = 0; i < 3; i++) {
      customers.add(new UUID(rnd.nextLong(), rnd.nextLong()));
    }
    db.write(
        txn -> {
          for (int i = 0; i < 60; i++) {
            final UUID k = new UUID(rnd.nextLong(), rnd.nextLong());
            final Order o =
                new Order(
                    customers.get(i % 3),
                    Instant.ofEpochSecond(1_700_000_000L + rnd.nextInt(100_000), rnd.nextInt(1000)),
                    STATUSES.get(i % STATUSES.size() == 0 ? 0 : rnd.nextInt(STATUSES.size())),
                    i % 5 == 0 ? null : "N" + i,
                    rnd.nextInt(10_000));
            shop.orders.put(txn, k, o);
            rows.put(k, o);
          }
          shop.other.put(txn, UUID.randomUUID(), "bystander");
        });
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** The model: keys of the orders of {@code customer}, newest first (ties by key). */
  private List<UUID> newestFirst(final UUID customer) {
    final List<UUID> out = new ArrayList<>();
    rows.forEach(
        (k, o) -> {
          if (o.customer().equals(customer)) {
            out.add(k);
          }
        });
    out.sort(
        Comparator.comparing((UUID k) -> rows.get(k).createdAt())
            .reversed()
            .thenComparing(KeyCodecs.UUID_ORDER));
    return out;
  }

  private static List<UUID> keys(final Page<Row<UUID, Order>> page) {
    final List<UUID> out = new ArrayList<>();
    page.rows().forEach(r -> out.add(r.key()));
    return out;
  }

  @Test
  void compositeIndex_prefixOfFilterField_returnsItsRowsOrderedBySecondFieldDescending() {
    try (Txn txn = db.beginRead()) {
      for (final UUID c : customers) {
        final Page<Row<UUID, Order>> page =
            shop.byCustomerNewest.page(txn, KeyRange.prefix(CUSTOMER_NEWEST, c));
        assertThat(keys(page)).isEqualTo(newestFirst(c));
        assertThat(page.moreAvailable()).isFalse();
        page.rows().forEach(r -> assertThat(r.value()).isEqualTo(rows.get(r.key())));
        // reversed: oldest first
        final List<UUID> oldest = new ArrayList<>(newestFirst(c));
        Collections.reverse(oldest);
        assertThat(
                keys(
                    shop.byCustomerNewest.page(
                        txn, KeyRange.prefix(CUSTOMER_NEWEST, c).reversed())))
            .isEqualTo(oldest);
      }
    }
  }

  @Test
  void compositeIndex_latestN_hasMoreAvailableUntilTheLastPage() {
    final UUID c = customers.get(1);
    final List<UUID> all = newestFirst(c);
    try (Txn txn = db.beginRead()) {
      final List<UUID> seen = new ArrayList<>();
      for (int offset = 0; offset < all.size(); offset += 6) {
        final Page<Row<UUID, Order>> page =
            shop.byCustomerNewest.page(
                txn, KeyRange.prefix(CUSTOMER_NEWEST, c).offset(offset).limit(6));
        seen.addAll(keys(page));
        assertThat(page.moreAvailable())
            .as("page at %d of %d", offset, all.size())
            .isEqualTo(offset + 6 < all.size());
      }
      assertThat(seen).isEqualTo(all);
      // a page that ends exactly at the last row has nothing more
      final Page<Row<UUID, Order>> exact =
          shop.byCustomerNewest.page(
              txn, KeyRange.prefix(CUSTOMER_NEWEST, c).offset(all.size() - 3).limit(3));
      assertThat(keys(exact)).isEqualTo(all.subList(all.size() - 3, all.size()));
      assertThat(exact.moreAvailable()).isFalse();
      final Page<Row<UUID, Order>> none =
          shop.byCustomerNewest.page(
              txn, KeyRange.prefix(CUSTOMER_NEWEST, c).offset(all.size()).limit(3));
      assertThat(none.rows()).isEmpty();
      assertThat(none.moreAvailable()).isFalse();
    }
  }

  @Test
  void compositeIndex_boundedByTimeWithinOneCustomer_isNewestFirstBetweenTheBounds() {
    final UUID c = customers.get(0);
    final List<UUID> all = newestFirst(c);
    final Instant newer = rows.get(all.get(2)).createdAt();
    final Instant older = rows.get(all.get(8)).createdAt();
    final List<UUID> expected = new ArrayList<>();
    for (final UUID k : all) {
      final Instant t = rows.get(k).createdAt();
      if (!t.isAfter(newer) && !t.isBefore(older)) {
        expected.add(k);
      }
    }
    try (Txn txn = db.beginRead()) {
      // descending component: the newer instant is the lower bound
      final Page<Row<UUID, Order>> page =
          shop.byCustomerNewest.page(
              txn, KeyRange.closed(Tuple2.of(c, newer), Tuple2.of(c, older)));
      assertThat(keys(page)).isEqualTo(expected);
    }
  }

  @Test
  void compositeIndexOfThree_prefixOfTwo_filtersByBothAndOrdersByThirdDescending() {
    final String status = "new";
    final UUID c = customers.get(2);
    final List<UUID> expected = new ArrayList<>();
    rows.forEach(
        (k, o) -> {
          if (o.status().equals(status) && o.customer().equals(c)) {
            expected.add(k);
          }
        });
    expected.sort(
        Comparator.comparing((UUID k) -> rows.get(k).cents())
            .reversed()
            .thenComparing(KeyCodecs.UUID_ORDER));
    assertThat(expected).isNotEmpty();
    try (Txn txn = db.beginRead()) {
      assertThat(
              keys(
                  shop.byStatusCustomerBiggest.page(
                      txn, KeyRange.prefix(STATUS_CUSTOMER_BIGGEST, status, c))))
          .isEqualTo(expected);
      final long byStatusOnly =
          rows.values().stream().filter(o -> o.status().equals(status)).count();
      assertThat(
              shop.byStatusCustomerBiggest
                  .page(txn, KeyRange.prefix(STATUS_CUSTOMER_BIGGEST, status))
                  .rows())
          .hasSize((int) byStatusOnly);
    }
  }

  @Test
  void records_byIndexKey_pagesInPrimaryKeyOrderWithMoreAvailable() {
    try (Txn txn = db.beginRead()) {
      for (final String status : STATUSES) {
        final List<UUID> holders = new ArrayList<>();
        rows.forEach(
            (k, o) -> {
              if (o.status().equals(status)) {
                holders.add(k);
              }
            });
        assertThat(shop.byStatus.count(txn, status)).isEqualTo(holders.size());
        final List<UUID> seen = new ArrayList<>();
        for (int offset = 0; offset < holders.size(); offset += 4) {
          final Page<Row<UUID, Order>> page = shop.byStatus.page(txn, status, offset, 4);
          seen.addAll(keys(page));
          assertThat(page.moreAvailable()).isEqualTo(offset + 4 < holders.size());
          page.rows().forEach(r -> assertThat(r.value()).isEqualTo(rows.get(r.key())));
        }
        assertThat(seen).isEqualTo(holders);
        final List<UUID> viaKeys = new ArrayList<>();
        try (Cursor<String, UUID> c = shop.byStatus.select(txn, status)) {
          c.forEach(r -> viaKeys.add(r.value()));
        }
        assertThat(viaKeys).isEqualTo(holders);
        assertThat(shop.byStatus.contains(txn, status, holders.get(0))).isTrue();
      }
      assertThat(shop.byStatus.count(txn, "unknown")).isZero();
      assertThat(shop.byStatus.page(txn, "unknown", 0, 10).rows()).isEmpty();
      assertThat(shop.byStatus.contains(txn, "paid", UUID.randomUUID())).isFalse();
    }
  }

  @Test
  void uniqueIndex_getKeyContainsAndRecords() {
    try (Txn txn = db.beginRead()) {
      final TreeMap<String, UUID> numbers = new TreeMap<>();
      rows.forEach(
          (k, o) -> {
            if (o.number() != null) {
              numbers.put(o.number(), k);
            }
          });
      for (final Map.Entry<String, UUID> e : numbers.entrySet()) {
        assertThat(shop.byNumber.key(txn, e.getKey())).isEqualTo(e.getValue());
        assertThat(shop.byNumber.get(txn, e.getKey())).isEqualTo(rows.get(e.getValue()));
        assertThat(shop.byNumber.contains(txn, e.getKey())).isTrue();
      }
      assertThat(shop.byNumber.key(txn, "missing")).isNull();
      assertThat(shop.byNumber.get(txn, "missing")).isNull();
      assertThat(shop.byNumber.contains(txn, "missing")).isFalse();
      assertThat(shop.byNumber.count(txn)).isEqualTo(numbers.size()).isLessThan(rows.size());
      final Page<Row<UUID, Order>> last3 =
          shop.byNumber.page(txn, KeyRange.<String>all().reversed().limit(3));
      assertThat(keys(last3))
          .containsExactly(
              numbers.lastEntry().getValue(),
              numbers.lowerEntry(numbers.lastKey()).getValue(),
              numbers.lowerEntry(numbers.lowerKey(numbers.lastKey())).getValue());
      assertThat(last3.moreAvailable()).isTrue();
    }
  }

  private List<String> entries(final Txn txn) {
    final List<String> out = new ArrayList<>();
    for (final Index<?, UUID, Order> index : shop.orders.indexes()) {
      out.add(index.name() + " count " + index.count(txn));
      try (Cursor<?, UUID> c = index.select(txn, KeyRange.all())) {
        while (c.next()) {
          out.add(index.name() + " " + c.key() + " -> " + c.value());
        }
      }
    }
    return out;
  }

  @Test
  void rebuild_reproducesTheSameEntries_andAbortedRebuildChangesNothing() {
    final List<String> before = db.readAndGet(this::entries);
    assertThat(before).hasSizeGreaterThan(4 * 40);
    db.write(
        txn -> {
          for (final Index<?, UUID, Order> index : shop.orders.indexes()) {
            index.rebuild(txn);
          }
          assertThat(entries(txn)).isEqualTo(before);
        });
    assertThat(db.readAndGet(this::entries)).isEqualTo(before);
    try (Txn txn = db.beginWrite()) {
      shop.byStatus.rebuild(txn);
      shop.byNumber.rebuild(txn);
      txn.abort();
    }
    assertThat(db.readAndGet(this::entries)).isEqualTo(before);
    assertThat(db.<Long>readAndGet(txn -> shop.other.count(txn))).isEqualTo(1L);
  }

  @Test
  void rebuild_ofManyRows_isExactAndWritesStillMaintainIt() {
    final Random rnd = new Random(11);
    db.write(
        txn -> {
          for (int i = 0; i < 9_000; i++) {
            final UUID k = new UUID(rnd.nextLong(), rnd.nextLong());
            final Order o =
                new Order(
                    customers.get(i % 3),
                    Instant.ofEpochSecond(i),
                    STATUSES.get(i % 3),
                    "M" + i,
                    i);
            shop.orders.put(txn, k, o);
            rows.put(k, o);
          }
        });
    final List<String> before = db.readAndGet(this::entries);
    db.write(
        txn -> {
          shop.byNumber.rebuild(txn);
          shop.byCustomerNewest.rebuild(txn);
        });
    assertThat(db.readAndGet(this::entries)).isEqualTo(before);
    final UUID k = rows.firstKey();
    final String oldNumber = rows.get(k).number();
    final Order moved = new Order(customers.get(0), Instant.EPOCH, "paid", "moved", 1);
    db.write(txn -> shop.orders.put(txn, k, moved));
    rows.put(k, moved);
    try (Txn txn = db.beginRead()) {
      assertThat(shop.byNumber.key(txn, "moved")).isEqualTo(k);
      if (oldNumber != null) {
        assertThat(shop.byNumber.contains(txn, oldNumber)).isFalse();
      }
      assertThat(shop.byNumber.count(txn))
          .isEqualTo(rows.values().stream().filter(o -> o.number() != null).count());
      assertThat(shop.byCustomerNewest.count(txn)).isEqualTo(rows.size());
    }
  }

  @Test
  void rebuild_overDuplicatesWrittenAroundTheSchema_failsAndLeavesTheIndexAsItWas() {
    final List<String> before = db.readAndGet(this::entries);
    // the same table, opened around the schema: its writes maintain no index
    final org.lodestore.core.Table<UUID, Order> raw =
        Access.table(db, shop.orders.oid(), KeyCodecs.UUID, shop.orders.valueCodec())
            .withValueChecksum(shop.orders.valueChecksum());
    final Order copy =
        rows.values().stream().filter(o -> o.number() != null).findFirst().orElseThrow();
    db.write(txn -> raw.put(txn, UUID.randomUUID(), copy));
    assertThatThrownBy(() -> db.write(txn -> shop.byNumber.rebuild(txn)))
        .isInstanceOf(UniqueViolationException.class)
        .hasMessageContaining("by_number")
        .hasMessageContaining(copy.number());
    assertThat(db.readAndGet(this::entries)).isEqualTo(before);
  }

  @Test
  void indexes_listsDeclarationsWithTheirProperties() {
    assertThat(shop.orders.indexes())
        .extracting(Index::name)
        .containsExactly(
            "by_number", "by_status", "by_customer_newest", "by_status_customer_biggest");
    assertThat(shop.byNumber.isUnique()).isTrue();
    assertThat(shop.byNumber.isNullable()).isTrue();
    assertThat(shop.byStatus.isUnique()).isFalse();
    assertThat(shop.byStatus.isNullable()).isFalse();
    assertThat(shop.byCustomerNewest.keyCodec().id()).isEqualTo("tuple(uuid,desc(timestamp))");
  }
}
