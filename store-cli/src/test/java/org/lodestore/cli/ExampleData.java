package org.lodestore.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.examples.hr.Company;
import org.lodestore.examples.hr.Employee;
import org.lodestore.examples.hr.HrSchema;
import org.lodestore.examples.market.Exchange;
import org.lodestore.examples.market.MarketSchema;
import org.lodestore.examples.market.Side;
import org.lodestore.examples.market.Trade;
import org.lodestore.examples.users.User;
import org.lodestore.examples.users.UserSchema;

/**
 * Writes real databases through the examples' schemas for the command's tests: the demo's market
 * schema (CBOR and FlatBuffers values, UUID and (uuid, time) keys, multi indexes, references), the
 * HR schema (a unique index), the users schema (composite and descending index keys, int keys,
 * counters), and one plain table no catalog declares.
 */
final class ExampleData {

  /** The schemas {@link #write} attaches, for {@code --schema}. */
  static final List<String> SCHEMAS =
      List.of(MarketSchema.class.getName(), HrSchema.class.getName(), UserSchema.class.getName());

  /** The plain table's name. */
  static final String PLAIN = "notes";

  static final int EXCHANGES = 3;
  static final int MARKETS = 6;
  static final int TICKS_PER_MARKET = 40;
  static final int TRADES_PER_MARKET = 15;
  static final int COMPANIES = 4;
  static final int EMPLOYEES = 30;
  static final int USERS = 25;
  static final int NOTES = 7;

  private ExampleData() {}

  /** Writes the database into {@code dir} (a new directory), deterministic for a seed. */
  static void write(final Path dir, final long seed) {
    final Random random = new Random(seed);
    final DatabaseOptions options =
        DatabaseOptions.builder().durability(Durability.NO_SYNC).build();
    try (Database db = Database.open(dir, options)) {
      final MarketSchema m = db.attach(new MarketSchema());
      final HrSchema hr = db.attach(new HrSchema());
      final UserSchema u = db.attach(new UserSchema());
      final Table<String, String> notes = db.table(PLAIN, KeyCodecs.STRING, ValueCodecs.STRING);
      final Instant t0 = Instant.parse("2026-01-05T09:00:00.123456789Z");
      db.write(
          txn -> {
            final List<UUID> exchanges = new ArrayList<>();
            for (int e = 0; e < EXCHANGES; e++) {
              final UUID id = uuid(random);
              exchanges.add(id);
              m.exchanges.put(txn, id, new Exchange("exchange " + e, "DE", "https://x" + e));
            }
            for (int k = 0; k < MARKETS; k++) {
              final UUID pair = uuid(random);
              m.putPair(txn, pair, "C" + k, "EUR");
              final UUID market = uuid(random);
              m.putMarket(
                  txn,
                  market,
                  exchanges.get(k % EXCHANGES),
                  pair,
                  "C" + k + "-EUR",
                  0.01 * (k + 1),
                  t0.minusSeconds(86_400L * k));
              for (int i = 0; i < TICKS_PER_MARKET; i++) {
                final double p = 100 + random.nextInt(1000) / 10.0;
                m.recordTick(
                    txn, market, t0.plusMillis(100L * i), p - 0.5, p + 0.5, p, random.nextInt(9));
              }
              for (int i = 0; i < TRADES_PER_MARKET; i++) {
                m.trades.put(
                    txn,
                    org.lodestore.core.key.Tuple2.of(market, t0.plusMillis(333L * i)),
                    new Trade(i, 100 + i * 0.25, 0.5 * (i + 1), i % 2 == 0 ? Side.BUY : Side.SELL));
              }
            }
            final List<UUID> companies = new ArrayList<>();
            for (int c = 0; c < COMPANIES; c++) {
              final UUID id = uuid(random);
              companies.add(id);
              hr.companies.put(txn, id, new Company("company " + c, c % 2 == 0 ? "DE" : "FR"));
            }
            for (int e = 0; e < EMPLOYEES; e++) {
              hr.employees.put(
                  txn,
                  uuid(random),
                  new Employee(
                      companies.get(e % COMPANIES),
                      "person" + e + "@example.com",
                      "Person " + e,
                      e % 3 == 0 ? "engineer" : "analyst"));
            }
            for (int i = 0; i < USERS; i++) {
              final UUID id = uuid(random);
              u.users.put(
                  txn,
                  id,
                  new User(
                      "user " + i,
                      "user" + i + "@example.org",
                      i % 3 == 0 ? "DE" : i % 3 == 1 ? "US" : "JP",
                      18 + random.nextInt(60),
                      t0.minusSeconds(3_600L * i)));
              u.logins.increment(txn, id, 1 + random.nextInt(50));
              if (i % 2 == 0) {
                u.flags.setBit(txn, id, UserSchema.VERIFIED_BIT);
              }
            }
            for (int i = 0; i < NOTES; i++) {
              notes.put(txn, "note " + i, "text of note " + i + " \u00e9\u00e8");
            }
          });
    }
  }

  private static UUID uuid(final Random random) {
    return new UUID(random.nextLong(), random.nextLong());
  }
}
