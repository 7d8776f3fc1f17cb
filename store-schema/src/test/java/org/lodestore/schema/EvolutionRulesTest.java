package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;

/** The evolution rules of {@link EvolutionRules}, each through an attach. */
class EvolutionRulesTest {

  record Market(String symbol, long priceCents) {}

  record User(String email, int age) {}

  static final String OID = "e0e0e0e0-0000-4000-8000-000000000001";
  static final UUID K = new UUID(1, 1);

  @TempDir Path dir;

  private Database open() {
    return Database.open(dir.resolve("db"));
  }

  /** A schema of one table {@code things} with the given value codec. */
  static final class One<V> extends Schema {
    final SchemaTable<UUID, V> things;

    One(final ValueCodec<V> codec) {
      things = table(OID, "things", KeyCodecs.UUID, codec);
    }
  }

  @Test
  void attach_cborValueTypeWithNoPropertyInCommon_refusedNamingBothTypes() {
    try (Database db = open()) {
      final One<Market> markets = db.attach(new One<>(CborCodec.of(Market.class)));
      db.write(txn -> markets.things.put(txn, K, new Market("BTC-EUR", 4200)));
    }
    try (Database db = open()) {
      final One<User> users = new One<>(CborCodec.of(User.class));
      final Throwable refusal = org.assertj.core.api.Assertions.catchThrowable(() -> db.attach(users));
      if (refusal == null) {
        try (Txn txn = db.beginRead()) {
          System.out.println("attached silently; reads " + users.things.get(txn, K));
        }
      }
      assertThat(refusal)
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("things")
          .hasMessageContaining(Market.class.getName())
          .hasMessageContaining(User.class.getName());
    }
  }

  @Test
  void attach_flatBuffersRootClassSwapped_refusedNamingBothClasses() {
    try (Database db = open()) {
      db.attach(new One<>(FlatBuffersCodec.of(Reading::getRootAsReading, Reading::new)));
    }
    try (Database db = open()) {
      assertThatThrownBy(
              () -> db.attach(new One<>(FlatBuffersCodec.of(Gauge::getRootAsGauge, Gauge::new))))
          .isInstanceOf(SchemaMismatchException.class)
          .hasMessageContaining("things")
          .hasMessageContaining(Reading.class.getName())
          .hasMessageContaining(Gauge.class.getName());
    }
  }

  /** Another generated-style FlatBuffers table: {@code table Gauge { level: long; }}. */
  public static final class Gauge extends Table {
    /** Points {@code obj} at the root table of the FlatBuffer at {@code bb}'s position. */
    public static Gauge getRootAsGauge(final ByteBuffer bb, final Gauge obj) {
      bb.order(ByteOrder.LITTLE_ENDIAN);
      obj.__reset(bb.getInt(bb.position()) + bb.position(), bb);
      return obj;
    }

    /** The level. */
    public long level() {
      final int o = __offset(4);
      return o != 0 ? bb.getLong(o + bb_pos) : 0L;
    }
  }
}
