package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;

/** Counters and bit sets: atomic within the write transaction, absent is 0, overflow refused. */
class CounterTableTest {

  static final class Stats extends Schema {
    final CounterTable<UUID> hits =
        counterTable("c0c00000-0000-4000-8000-000000000001", "hits", KeyCodecs.UUID);
    final CounterTable<String> flags =
        counterTable("c0c00000-0000-4000-8000-000000000002", "flags", KeyCodecs.STRING);
    final CounterTable<Long> byDay =
        counterTable("c0c00000-0000-4000-8000-000000000003", "by_day", KeyCodecs.LONG);
  }

  @TempDir Path dir;

  private Database db;
  private Stats stats;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    stats = db.attach(new Stats());
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void incrementAndDecrement_fromAbsent_countFromZero() {
    final UUID k = UUID.randomUUID();
    db.write(
        txn -> {
          assertThat(stats.hits.value(txn, k)).isZero();
          assertThat(stats.hits.increment(txn, k, 5)).isEqualTo(5);
          assertThat(stats.hits.increment(txn, k, -2)).isEqualTo(3);
          assertThat(stats.hits.decrement(txn, k, 10)).isEqualTo(-7);
          assertThat(stats.byDay.increment(txn, 19_000L, 1)).isEqualTo(1);
        });
    try (Txn txn = db.beginRead()) {
      assertThat(stats.hits.value(txn, k)).isEqualTo(-7);
      assertThat(stats.hits.get(txn, k)).isEqualTo(-7L);
      assertThat(stats.byDay.value(txn, 19_000L)).isEqualTo(1);
      assertThat(stats.hits.value(txn, UUID.randomUUID())).isZero();
    }
  }

  @Test
  void increment_inAbortedTransaction_isRolledBack() {
    final UUID k = UUID.randomUUID();
    db.write(txn -> stats.hits.increment(txn, k, 1));
    try (Txn txn = db.beginWrite()) {
      stats.hits.increment(txn, k, 100);
      assertThat(stats.hits.value(txn, k)).isEqualTo(101);
    }
    assertThat(db.<Long>readAndGet(txn -> stats.hits.value(txn, k))).isEqualTo(1L);
  }

  @Test
  void increment_overflow_refusedAndValueUnchanged() {
    final UUID k = UUID.randomUUID();
    try (Txn txn = db.beginWrite()) {
      stats.hits.increment(txn, k, Long.MAX_VALUE - 1);
      assertThatThrownBy(() -> stats.hits.increment(txn, k, 2))
          .isInstanceOf(ConstraintViolationException.class)
          .hasCauseInstanceOf(ArithmeticException.class);
      assertThat(stats.hits.value(txn, k)).isEqualTo(Long.MAX_VALUE - 1);
      assertThat(stats.hits.increment(txn, k, 1)).isEqualTo(Long.MAX_VALUE);
      stats.hits.put(txn, k, Long.MIN_VALUE + 1);
      assertThatThrownBy(() -> stats.hits.decrement(txn, k, 2))
          .isInstanceOf(ConstraintViolationException.class)
          .hasCauseInstanceOf(ArithmeticException.class);
      // 0 - MIN_VALUE overflows; MIN_VALUE + 1 - MIN_VALUE is 1 and does not
      final UUID zero = UUID.randomUUID();
      assertThatThrownBy(() -> stats.hits.decrement(txn, zero, Long.MIN_VALUE))
          .isInstanceOf(ConstraintViolationException.class)
          .hasCauseInstanceOf(ArithmeticException.class);
      assertThat(stats.hits.contains(txn, zero)).isFalse();
      assertThat(stats.hits.value(txn, k)).isEqualTo(Long.MIN_VALUE + 1);
      txn.commit();
    }
    assertThat(db.<Long>readAndGet(txn -> stats.hits.value(txn, k))).isEqualTo(Long.MIN_VALUE + 1);
  }

  @Test
  void bits_setClearAndTest_includingTheSignBit() {
    db.write(
        txn -> {
          assertThat(stats.flags.setBit(txn, "f", 0)).isEqualTo(1);
          assertThat(stats.flags.setBit(txn, "f", 5)).isEqualTo(33);
          assertThat(stats.flags.setBit(txn, "f", 63)).isEqualTo(33 | Long.MIN_VALUE);
          assertThat(stats.flags.setBit(txn, "f", 5))
              .as("idempotent")
              .isEqualTo(33 | Long.MIN_VALUE);
          assertThat(stats.flags.clearBit(txn, "f", 0)).isEqualTo(32 | Long.MIN_VALUE);
          assertThat(stats.flags.clearBit(txn, "g", 3)).isZero();
        });
    try (Txn txn = db.beginRead()) {
      assertThat(stats.flags.testBit(txn, "f", 0)).isFalse();
      assertThat(stats.flags.testBit(txn, "f", 5)).isTrue();
      assertThat(stats.flags.testBit(txn, "f", 63)).isTrue();
      assertThat(stats.flags.testBit(txn, "f", 62)).isFalse();
      assertThat(stats.flags.testBit(txn, "absent", 1)).isFalse();
    }
  }

  @Test
  void bits_outOfRange_refusedAndNothingWritten() {
    try (Txn txn = db.beginWrite()) {
      assertThatThrownBy(() -> stats.flags.setBit(txn, "f", 64))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> stats.flags.setBit(txn, "f", -1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> stats.flags.clearBit(txn, "f", 64))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> stats.flags.testBit(txn, "f", 99))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(stats.flags.contains(txn, "f")).isFalse();
      assertThat(stats.flags.count(txn)).isZero();
    }
  }

  @Test
  void counters_surviveReopen() {
    final UUID k = UUID.randomUUID();
    db.write(
        txn -> {
          stats.hits.increment(txn, k, 41);
          stats.hits.increment(txn, k, 1);
          stats.flags.setBit(txn, "f", 7);
        });
    db.close();
    db = Database.open(dir.resolve("db"));
    stats = db.attach(new Stats());
    try (Txn txn = db.beginRead()) {
      assertThat(stats.hits.value(txn, k)).isEqualTo(42);
      assertThat(stats.flags.testBit(txn, "f", 7)).isTrue();
    }
  }
}
