package org.lodestore.reliability;

import java.util.UUID;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.schema.TableMigration;
import org.lodestore.schema.UniqueIndex;
import org.lodestore.serializers.CborCodec;

/**
 * The table {@link MigrationCrashTest} migrates, before ({@link V1}: markets) and after ({@link
 * V2}: users, with other indexes), and the migration itself, shared with {@link
 * MigrationCrashChild}.
 */
final class MigrationSchemas {

  static final String OID = "316a7000-0000-4000-8000-000000000001";

  /** The old value type. */
  record Market(String symbol, long priceCents) {}

  /** The new value type: no property in common with {@link Market}. */
  record User(String email, int age) {}

  /** The old declaration: unique by symbol. */
  static final class V1 extends Schema {
    final SchemaTable<UUID, Market> things =
        table(OID, "things", KeyCodecs.UUID, CborCodec.of(Market.class));
    final UniqueIndex<String, UUID, Market> bySymbol =
        uniqueIndex(things, "by_symbol", KeyCodecs.STRING, Market::symbol);
  }

  /** The new declaration: by_symbol now indexes the e-mail; by_age is new. */
  static final class V2 extends Schema {
    final SchemaTable<UUID, User> things =
        table(OID, "things", KeyCodecs.UUID, CborCodec.of(User.class));
    final UniqueIndex<String, UUID, User> bySymbol =
        uniqueIndex(things, "by_symbol", KeyCodecs.STRING, User::email);
    final MultiIndex<Long, UUID, User> byAge =
        index(things, "by_age", KeyCodecs.LONG, u -> (long) u.age());
  }

  private MigrationSchemas() {}

  /** Row {@code i}'s key: keys sort like {@code i}. */
  static UUID key(final int i) {
    return new UUID(0x5000_0000L + i, i);
  }

  /** Row {@code i}'s old value, from the run's seed. */
  static Market market(final long seed, final int i) {
    return new Market(
        "SYM-" + Long.toHexString(seed & 0xffff) + "-" + i,
        Math.floorMod(seed * 31 + i * 977L, 1_000_000L));
  }

  /** The transform: what every old value must become, exactly once. */
  static User user(final Market m) {
    return new User(m.symbol().toLowerCase() + "@x", (int) (m.priceCents() % 90));
  }

  /** The migration, with {@code batchSize} rows per transaction, of a fresh V2's table. */
  static TableMigration<UUID, Market, User> migration(final V2 v2, final int batchSize) {
    return TableMigration.of(v2.things, CborCodec.of(Market.class), MigrationSchemas::user)
        .batchSize(batchSize);
  }
}
