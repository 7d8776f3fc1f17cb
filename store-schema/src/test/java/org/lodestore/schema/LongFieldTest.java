package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;

/**
 * Field mutators (increment, decrement, and/or/xor masks, set/clear/test bit) of a record field and
 * of counter tables: each writes the row back through the table, so indexes follow, an overflow is
 * refused and writes nothing, and a missing row is left alone.
 */
class LongFieldTest {

  record User(String name, long logins, int flags) {
    User withLogins(final long n) {
      return new User(name, n, flags);
    }

    User withFlags(final long f) {
      return new User(name, logins, Math.toIntExact(f));
    }
  }

  static final class Users extends Schema {
    final SchemaTable<UUID, User> users =
        table(
            "7d000000-0000-4000-8000-000000000001",
            "users",
            KeyCodecs.UUID,
            CborCodec.of(User.class));
    final MultiIndex<Long, UUID, User> byLogins =
        index(users, "by_logins", KeyCodecs.LONG, User::logins);
    final CounterTable<String> hits =
        counterTable("7d000000-0000-4000-8000-000000000002", "hits", KeyCodecs.STRING);
    final LongField<UUID, User> logins = users.longField("logins", User::logins, User::withLogins);
    final LongField<UUID, User> flags = users.longField("flags", User::flags, User::withFlags);
  }

  @TempDir Path dir;

  private Database db;
  private Users s;
  private final UUID ada = new UUID(1, 1);

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("db"));
    s = db.attach(new Users());
    db.write(txn -> s.users.put(txn, ada, new User("Ada", 5, 0)));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void increment_writesTheRowBack_andItsIndexFollows() {
    db.write(
        txn -> {
          assertThat(s.logins.increment(txn, ada, 3)).hasValue(8);
          assertThat(s.logins.decrement(txn, ada, 1)).hasValue(7);
        });
    try (Txn txn = db.beginRead()) {
      assertThat(s.users.get(txn, ada)).isEqualTo(new User("Ada", 7, 0));
      assertThat(s.byLogins.count(txn, 7L)).isEqualTo(1);
      assertThat(s.byLogins.count(txn, 5L)).isZero();
      assertThat(s.byLogins.count(txn)).isEqualTo(1);
    }
  }

  @Test
  void bitsAndMasks_changeOnlyTheirBits() {
    db.write(
        txn -> {
          assertThat(s.flags.setBit(txn, ada, 0)).hasValue(1);
          assertThat(s.flags.setBit(txn, ada, 4)).hasValue(17);
          assertThat(s.flags.or(txn, ada, 0b1100)).hasValue(0b11101);
          assertThat(s.flags.and(txn, ada, 0b10101)).hasValue(0b10101);
          assertThat(s.flags.xor(txn, ada, 0b00011)).hasValue(0b10110);
          assertThat(s.flags.clearBit(txn, ada, 4)).hasValue(0b00110);
          assertThat(s.flags.testBit(txn, ada, 1)).isTrue();
          assertThat(s.flags.testBit(txn, ada, 0)).isFalse();
        });
    try (Txn txn = db.beginRead()) {
      assertThat(s.users.get(txn, ada).flags()).isEqualTo(0b00110);
      assertThat(s.users.get(txn, ada).logins()).isEqualTo(5);
    }
    assertThatThrownBy(() -> db.write(txn -> s.flags.setBit(txn, ada, 64)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void overflow_isRefusedNamingTheField_andWritesNothing() {
    db.write(txn -> s.logins.increment(txn, ada, Long.MAX_VALUE - 5));
    assertThatThrownBy(() -> db.write(txn -> s.logins.increment(txn, ada, 1)))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("field 'logins'")
        .hasMessageContaining("users");
    // the wither cannot hold the result (an int field)
    assertThatThrownBy(() -> db.write(txn -> s.flags.or(txn, ada, 1L << 40)))
        .isInstanceOf(ConstraintViolationException.class)
        .hasMessageContaining("field 'flags'");
    try (Txn txn = db.beginRead()) {
      assertThat(s.users.get(txn, ada)).isEqualTo(new User("Ada", Long.MAX_VALUE, 0));
      assertThat(s.byLogins.count(txn, Long.MAX_VALUE)).isEqualTo(1);
    }
  }

  @Test
  void aMissingRow_isLeftAlone() {
    final UUID nobody = new UUID(9, 9);
    db.write(
        txn -> {
          assertThat(s.logins.increment(txn, nobody, 1)).isEqualTo(OptionalLong.empty());
          assertThat(s.flags.testBit(txn, nobody, 0)).isFalse();
        });
    try (Txn txn = db.beginRead()) {
      assertThat(s.users.contains(txn, nobody)).isFalse();
    }
  }

  @Test
  void counterTable_masksAndCounts_fromZeroForAnAbsentKey() {
    db.write(
        txn -> {
          assertThat(s.hits.increment(txn, "home", 2)).isEqualTo(2);
          assertThat(s.hits.or(txn, "mask", 0b1010)).isEqualTo(0b1010);
          assertThat(s.hits.and(txn, "mask", 0b0011)).isEqualTo(0b0010);
          assertThat(s.hits.xor(txn, "mask", 0b0110)).isEqualTo(0b0100);
        });
    try (Txn txn = db.beginRead()) {
      assertThat(s.hits.value(txn, "home")).isEqualTo(2);
      assertThat(s.hits.value(txn, "mask")).isEqualTo(0b0100);
      assertThat(s.hits.value(txn, "absent")).isZero();
    }
    assertThatThrownBy(() -> db.write(txn -> s.hits.decrement(txn, "home", Long.MIN_VALUE)))
        .isInstanceOf(ConstraintViolationException.class);
  }
}
