package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.FeedChange;
import org.lodestore.core.FeedEntry;
import org.lodestore.core.FeedOptions;
import org.lodestore.examples.users.UserSchema;
import org.lodestore.schema.StoredCatalog;

/**
 * The commands that write a database with a change feed keep the feed whole: {@code import} records
 * its rows in the feed and {@code compact} keeps its generation, so that followers go on rather
 * than miss the rows or bootstrap again.
 */
class ChangeFeedCommandsTest {

  @TempDir Path tmp;

  private static final DatabaseOptions WITH_FEED =
      DatabaseOptions.builder()
          .durability(Durability.NO_SYNC)
          .changeFeed(FeedOptions.defaults())
          .build();

  /** A leader with the feed and the example schemas attached (no rows); returns its generation. */
  private static UUID leader(final Path dir) {
    try (Database db = Database.open(dir, WITH_FEED)) {
      db.attach(new UserSchema());
      return db.feed().generation();
    }
  }

  @Test
  void import_intoADatabaseWithAFeed_recordsItsRowsInTheFeed_andKeepsTheGeneration() {
    final Path source = tmp.resolve("source");
    ExampleData.write(source, 11);
    final Path file = tmp.resolve("users.jsonl");
    final Cli.Result export =
        Cli.run("export", source.toString(), "--table", "users", "--out", file.toString());
    assertThat(export.exitCode()).as(export.describe()).isZero();
    final Path dir = tmp.resolve("leader");
    final UUID generation = leader(dir);
    final long before;
    try (Database db = Database.open(dir, WITH_FEED)) {
      before = db.feed().lastSeq();
    }

    final List<String> args = new ArrayList<>(List.of("import", dir.toString(), file.toString()));
    args.addAll(VerifyCommandTest.schemaArgs());
    final Cli.Result imported = Cli.run(args.toArray(new String[0]));
    assertThat(imported.exitCode()).as(imported.describe()).isZero();

    try (Database db = Database.open(dir, WITH_FEED)) {
      assertThat(db.feed().generation()).isEqualTo(generation);
      final String users =
          StoredCatalog.read(db).tables().stream()
              .filter(t -> t.name().equals("users"))
              .findFirst()
              .orElseThrow()
              .dbi();
      final long puts =
          db.feed().read(before + 1, Integer.MAX_VALUE).stream()
              .map(FeedEntry::changes)
              .flatMap(List::stream)
              .filter(c -> c.op() == FeedChange.Op.PUT && c.table().equals(users))
              .count();
      assertThat(puts).isEqualTo(ExampleData.USERS);
    }
  }

  @Test
  void compact_ofADatabaseWithAFeed_keepsItsGeneration() {
    final Path dir = tmp.resolve("leader");
    final UUID generation = leader(dir);
    final long seq;
    try (Database db = Database.open(dir, WITH_FEED)) {
      final UserSchema u = db.attach(new UserSchema());
      for (int i = 0; i < 50; i++) {
        db.write(txn -> u.logins.increment(txn, UUID.randomUUID(), 1));
      }
      seq = db.feed().lastSeq();
    }
    final Cli.Result r = Cli.run("compact", dir.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    try (Database db = Database.open(dir, WITH_FEED)) {
      assertThat(db.feed().generation()).isEqualTo(generation);
      assertThat(db.feed().lastSeq()).isEqualTo(seq);
    }
  }
}
