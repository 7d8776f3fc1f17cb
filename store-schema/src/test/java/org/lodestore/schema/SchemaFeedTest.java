package org.lodestore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Instant;
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
import org.lodestore.core.FeedReplica;
import org.lodestore.core.key.Tuple2;

/**
 * A schema over a database with a change feed: every table, index and catalog write is in the feed,
 * {@link Schema#changes} decodes an entry's row changes, and a replica fed the entries reads the
 * same rows through the same schema.
 */
class SchemaFeedTest {

  @TempDir Path dir;

  @Test
  void rowChangesDecodeThroughTheSchemaAndAReplicaReadsThem() {
    final DatabaseOptions leaderOptions =
        DatabaseOptions.builder()
            .durability(Durability.NO_SYNC)
            .changeFeed(FeedOptions.defaults())
            .build();
    final UUID pen = new UUID(7, 1);
    final Shop.Product product = new Shop.Product("pen", "P-1", "office", 150);
    final Instant at = Instant.parse("2026-12-01T12:00:00Z");
    try (Database leader = Database.open(dir.resolve("leader"), leaderOptions)) {
      leader.backupTo(dir.resolve("replica")); // before any schema: the replica gets it all
      final Shop shop = leader.attach(new Shop());
      final long attached = leader.feed().lastSeq();
      final long seq =
          leader
              .feed()
              .write(
                  txn -> {
                    shop.products.put(txn, pen, product);
                    shop.orders.put(txn, Tuple2.of(pen, at), new Shop.Order(pen, 2));
                    shop.tags.add(txn, pen, "blue");
                  });
      leader.write(txn -> shop.tags.remove(txn, pen, "blue"));

      final FeedEntry entry = leader.feed().read(seq, 1).get(0);
      // the entry carries the index entries too, which changes() leaves out
      assertThat(entry.changes())
          .extracting(FeedChange::table)
          .contains("ix:" + Shop.PRODUCTS + ":by_sku");
      final List<SchemaChange> changes = shop.changes(entry);
      assertThat(changes)
          .extracting(SchemaChange::table, SchemaChange::op, SchemaChange::key, SchemaChange::value)
          .containsExactly(
              tuple("products", FeedChange.Op.PUT, pen, product),
              tuple("orders", FeedChange.Op.PUT, Tuple2.of(pen, at), new Shop.Order(pen, 2)),
              tuple("tags", FeedChange.Op.SET_ADD, pen, "blue"));
      assertThat(changes.get(0).is(shop.products)).isTrue();
      assertThat(changes.get(2).is(shop.tags)).isTrue();
      assertThat(attached).as("the attach wrote the catalog through the feed").isGreaterThan(0);

      try (Database replica =
          Database.open(
              dir.resolve("replica"),
              DatabaseOptions.builder().durability(Durability.NO_SYNC).replica(true).build())) {
        FeedReplica.write(replica, FeedReplica::startFromSnapshot);
        FeedReplica.write(
            replica,
            txn -> {
              for (final FeedEntry e : leader.feed().read(1, 1_000)) {
                FeedReplica.apply(txn, e, null);
              }
            });
        final Shop read = replica.attach(new Shop());
        replica.read(
            txn -> {
              assertThat(read.products.get(txn, pen)).isEqualTo(product);
              assertThat(read.bySku.get(txn, "P-1")).isEqualTo(product);
              assertThat(read.product.count(txn, pen)).isEqualTo(1);
              assertThat(read.tags.contains(txn, pen, "blue")).isFalse();
              assertThat(read.check(txn).problems()).isEmpty();
            });
      }
    }
  }
}
