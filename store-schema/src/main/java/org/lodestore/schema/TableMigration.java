package org.lodestore.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lodestore.core.Attachable;
import org.lodestore.core.Cursor;
import org.lodestore.core.Database;
import org.lodestore.core.InvalidValueException;
import org.lodestore.core.KeyRange;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migrates a table's stored values from one type to another with a transform, in batches, so that a
 * declaration the evolution rules refuse (see {@link Schema}: a table of {@code Market} declared as
 * {@code User}, a shared property whose type changed, CBOR values becoming FlatBuffers) can attach
 * afterwards.
 *
 * <pre>{@code
 * final class ShopV2 extends Schema {                 // users: was SchemaTable<UUID, UserV1>
 *   final SchemaTable<UUID, UserV2> users =
 *       table(USERS_OID, "users", SchemaTable.of(KeyCodecs.UUID, CborCodec.of(UserV2.class)));
 *   final UniqueIndex<String, UUID, UserV2> byEmail =
 *       uniqueIndex(users, "by_email", KeyCodecs.STRING, UserV2::email);
 * }
 *
 * ShopV2 shop = new ShopV2();
 * TableMigration.of(shop.users, CborCodec.of(UserV1.class), v1 -> new UserV2(v1.mail(), v1.age()))
 *     .batchSize(1_000)
 *     .run(db);                                        // resumes where a crashed run stopped
 * db.attach(shop);                                      // now attaches
 * }</pre>
 *
 * <h2>How it runs</h2>
 *
 * <ol>
 *   <li>One write transaction checks the table's catalog entry: the stored values must be what the
 *       old codec reads (its id is the entry's value codec, its type compatible with the recorded
 *       one), the key codec is kept, and the new declaration must pass the index and checksum rules
 *       as an attach would. It then records the migration in the entry ({@code migration:
 *       {valueCodec, valueType, lastKey, rows}}, format 3) and increases the catalog generation.
 *   <li>Each batch is one write transaction: it takes the next {@link #batchSize} keys after the
 *       last migrated key (in key order), reads each value with the old codec, applies the
 *       transform, writes the result with the new codec (the table's value checksum stays what it
 *       is), and records the last key and the row count in the entry, in the same transaction. A
 *       crash at any point loses at most the batch in flight, which the next run does again from
 *       the recorded key: every value is transformed exactly once.
 *   <li>The transaction that finds no more rows finishes: it rebuilds every index the new
 *       declaration declares from the migrated values (creating new ones), records the new value
 *       codec, value type, indexes and the declaration's references in the entry, removes the
 *       migration from it (back to format 1 or 2) and increases the generation. A failure there
 *       leaves every value migrated: the next run only finishes.
 * </ol>
 *
 * <h2>While it is unfinished</h2>
 *
 * The table holds values of both types, so every attach of it, with the old declaration or the new
 * one, is refused with {@link SchemaMismatchException} saying to resume the migration; versions of
 * Lodestore from before migrations refuse the table as written by a newer format. Declarations
 * attached before the migration started refuse writes to the table as stale (reads go on, and may
 * see values of either type). Run the same migration again to resume it: {@link #run} continues
 * after the last migrated key. A different migration of the table (another target type) is refused
 * until this one finishes. Stop processes of Lodestore versions from before migrations that have
 * the table attached: they do not check value types, and would take the finished table for the one
 * they know when the codec id stays.
 *
 * <h2>Indexes: rebuilt at the end, and why</h2>
 *
 * The old index entries were derived from the old values by the old declaration's key functions,
 * which this process does not have (the catalog records an index's name and codec, not its
 * function), so they cannot be removed row by row as values change. The migration therefore leaves
 * the indexes alone while values change (a stale declaration cannot write, no declaration can
 * attach) and rebuilds each one from the new values at the end, in the finishing transaction,
 * through the same backfill an attach runs for an index new to a populated table: one code path for
 * deriving index entries, correct whatever the two declarations' indexes are. A unique violation or
 * a null key in a non-nullable index among the new values fails that transaction ({@link
 * UniqueViolationException}, {@link ConstraintViolationException}); the values stay migrated and
 * the migration unfinished: remove the offending index with {@link Schema#dropIndex} or change the
 * declaration's index, and run again. Checked references are recorded but not verified against the
 * migrated values, as for a reference new to a populated table; the next write of a row verifies
 * it.
 *
 * <h2>The transform</h2>
 *
 * It must return a new value (never null) and keep no reference to the old one, which for
 * FlatBuffers is a view valid only until the row is written; a FlatBuffers result is built with the
 * new codec's {@code build} and is written before the next row is read. It runs inside the batch's
 * write transaction, so it must not begin transactions of its own. An exception from it (or a new
 * value that cannot be encoded) aborts the batch, which writes nothing, and is reported as a {@link
 * LodestoreException} naming the table and key; fix the transform and run again.
 *
 * <p>Not thread-safe: run one migration object from one thread. Two processes running the same
 * migration at once take turns batch by batch (each batch reads the recorded progress inside its
 * own write transaction), and still transform every value once.
 *
 * @param <K> the key type
 * @param <O> the old value type
 * @param <N> the new value type
 */
public final class TableMigration<K, O, N> {

  private static final Logger LOG = LoggerFactory.getLogger(TableMigration.class);

  /** How often a long migration logs its progress. */
  private static final long PROGRESS_NANOS = 5_000_000_000L;

  /** The default number of rows per batch (per write transaction). */
  public static final int DEFAULT_BATCH_SIZE = 1_000;

  private final SchemaTable<K, N> table;
  private final ValueCodec<O> oldCodec;
  private final Function<? super O, ? extends N> transform;
  private int batchSize = DEFAULT_BATCH_SIZE;
  private Consumer<Progress> listener = p -> {};

  /**
   * What a migration has done, after each committed batch.
   *
   * @param table the table's name
   * @param rows rows migrated so far, over every run of this migration
   * @param finished whether the migration finished (indexes rebuilt, new type recorded)
   */
  public record Progress(String table, long rows, boolean finished) {}

  private TableMigration(
      final SchemaTable<K, N> table,
      final ValueCodec<O> oldCodec,
      final Function<? super O, ? extends N> transform) {
    this.table = Objects.requireNonNull(table, "table");
    this.oldCodec = Objects.requireNonNull(oldCodec, "oldCodec");
    this.transform = Objects.requireNonNull(transform, "transform");
  }

  /**
   * A migration of {@code table}'s stored values, which {@code oldCodec} reads, to the values
   * {@code transform} makes of them.
   *
   * @param table the new declaration of the table, declared in a schema that is not attached yet:
   *     its key codec, value codec and indexes are what the table has after the migration
   * @param oldCodec the codec the stored values were written with (its id must be the one the
   *     catalog records; its type compatible with the recorded one)
   * @param transform makes the new value of each old one
   * @param <K> the key type
   * @param <O> the old value type
   * @param <N> the new value type
   * @return the migration, to configure and {@link #run}
   */
  public static <K, O, N> TableMigration<K, O, N> of(
      final SchemaTable<K, N> table,
      final ValueCodec<O> oldCodec,
      final Function<? super O, ? extends N> transform) {
    return new TableMigration<>(table, oldCodec, transform);
  }

  /**
   * Sets how many rows each write transaction migrates (default {@value #DEFAULT_BATCH_SIZE}).
   *
   * @param rows at least 1
   * @return this migration
   * @throws IllegalArgumentException if {@code rows} is below 1
   */
  public TableMigration<K, O, N> batchSize(final int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("batch size must be at least 1: " + rows);
    }
    this.batchSize = rows;
    return this;
  }

  /**
   * Sets what is told after each committed batch (for logging progress); it runs outside the
   * batch's transaction.
   *
   * @param progress the listener
   * @return this migration
   */
  public TableMigration<K, O, N> onBatch(final Consumer<Progress> progress) {
    this.listener = Objects.requireNonNull(progress, "progress");
    return this;
  }

  /**
   * Runs the migration to its end, or resumes it after the last migrated key if an earlier run
   * stopped; see the class comment. Returns at once if the table holds the new type already (a
   * finished migration from another type; one within a type runs again at every call).
   *
   * @param db the database, writable
   * @return the rows migrated, over every run of this migration (0 if it had finished before)
   * @throws IllegalStateException if the table is not declared in a schema, or its schema is
   *     attached
   * @throws SchemaMismatchException if the table is not in the catalog, its stored values are not
   *     what {@code oldCodec} reads, another migration of it is unfinished, its key codec or kind
   *     differs, or the new declaration breaks an index, checksum or reference rule; nothing is
   *     written
   * @throws UniqueViolationException if the new values break a unique index of the new declaration
   *     (at the end: the values stay migrated, the migration unfinished)
   * @throws ConstraintViolationException if a new value has a null key for a non-nullable index (at
   *     the end, as above)
   * @throws LodestoreException if the transform fails or returns a value that cannot be stored
   *     (that batch writes nothing)
   */
  public long run(final Database db) {
    Objects.requireNonNull(db, "db");
    if (table.oid() == null || table.schema() == null) {
      throw new IllegalStateException(
          "declare the table in a schema with table(oid, name, ...) before migrating it");
    }
    try {
      table.requireUnattached();
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "table '" + table.name() + "' is attached: migrate it before attaching its schema", e);
    }
    return db.attach(new Runner()).rows;
  }

  /** Runs the transactions through the owner access that only {@link Database#attach} hands out. */
  private final class Runner implements Attachable {
    long rows;

    @Override
    public void attachTo(final Database db, final OwnerAccess access) {
      try {
        if (!db.writeAndGet(txn -> start(access, txn))) {
          return; // finished before
        }
        final long started = System.nanoTime();
        long logged = started;
        LOG.info(
            "{}: migrating the values of table '{}' to {} in batches of {}",
            db.path(),
            table.name(),
            describe(table.valueCodec()),
            batchSize);
        Progress progress;
        do {
          final long before = rows;
          progress = db.writeAndGet(txn -> batch(access, txn, before));
          rows = progress.rows();
          listener.accept(progress);
          if (!progress.finished() && System.nanoTime() - logged > PROGRESS_NANOS) {
            logged = System.nanoTime();
            LOG.info("migrating table '{}': {} rows so far", table.name(), rows);
          }
        } while (!progress.finished());
        LOG.info(
            "{}: migrated table '{}': {} rows, indexes rebuilt, in {} ms",
            db.path(),
            table.name(),
            rows,
            (System.nanoTime() - started) / 1_000_000);
      } finally {
        table.unbind(); // the finishing transaction binds it to rebuild its indexes
      }
    }
  }

  // ------------------------------------------------------------ the transactions

  /** Checks the entry and records the migration; false if the table holds the new type already. */
  private boolean start(final OwnerAccess access, final Txn txn) {
    final Catalog catalog = Catalog.open(access, txn);
    final Catalog.TableEntry entry = catalog.get(txn, table.oid());
    if (entry == null) {
      throw new SchemaMismatchException(
          "table "
              + table.oid()
              + " is not in the catalog, so there is nothing to migrate; "
              + "attach its schema to create it",
          table.name(),
          null,
          null);
    }
    EvolutionRules.formatVersion(entry, table.name());
    EvolutionRules.sameDefinition(
        entry, table.name(), Catalog.TableEntry.TABLE, table.keyCodec().id(), entry.valueCodec());
    final TypeFingerprint from = oldCodec.typeFingerprint();
    final TypeFingerprint to = table.valueCodec().typeFingerprint();
    if (entry.migration() != null) {
      EvolutionRules.sameMigration(entry, table.name(), table.valueCodec().id(), to);
    } else if (!EvolutionRules.readsAs(entry, oldCodec.id(), from)
        && EvolutionRules.readsAs(entry, table.valueCodec().id(), to)) {
      return false; // migrated before: the stored values are of the new type
    }
    EvolutionRules.migrationSource(
        entry, table.name(), oldCodec.id(), from, table.valueCodec().id(), to);
    EvolutionRules.indexes(entry, table, txn);
    EvolutionRules.valueChecksum(entry, table);
    for (final Reference<K, N, ?, ?> reference : table.references()) {
      EvolutionRules.referenceTarget(txn, catalog, table, reference);
    }
    if (entry.migration() == null) {
      catalog.put(
          txn,
          entry.withMigration(
              new Catalog.MigrationEntry(
                  table.valueCodec().id(), Catalog.TypeEntry.of(to), null, 0)));
      CatalogGeneration.open(access, txn).bump(txn);
    }
    return true;
  }

  /** Migrates the next batch, or finishes if no rows are left. */
  private Progress batch(final OwnerAccess access, final Txn txn, final long rowsBefore) {
    final Catalog catalog = Catalog.open(access, txn);
    final Catalog.TableEntry entry = catalog.get(txn, table.oid());
    final Catalog.MigrationEntry migration = entry == null ? null : entry.migration();
    if (migration == null) {
      // another process running this migration finished it between our transactions
      EvolutionRules.migrationFinishedElsewhere(
          entry, table.name(), table.valueCodec().id(), table.valueCodec().typeFingerprint());
      return new Progress(table.name(), rowsBefore, true);
    }
    EvolutionRules.sameMigration(
        entry, table.name(), table.valueCodec().id(), table.valueCodec().typeFingerprint());
    final ValueChecksum checksum = entry.checksum();
    final KeyCodec<K> keys = table.keyCodec();
    final Table<K, O> before =
        access.table(txn, entry.dbi(), table.name(), keys, oldCodec).withValueChecksum(checksum);
    final Table<K, N> after =
        access
            .table(txn, entry.dbi(), table.name(), keys, table.valueCodec())
            .withValueChecksum(checksum);
    final KeyRange<K> rest =
        migration.lastKey() == null
            ? KeyRange.all()
            : KeyRange.greaterThan(keys.decode(ByteBuffer.wrap(hex(migration.lastKey()))));
    final List<K> next = new ArrayList<>(Math.min(batchSize, 4096));
    try (Cursor<K, O> c = before.select(txn, rest.limit(batchSize))) {
      while (c.next()) {
        next.add(c.key());
      }
    }
    if (next.isEmpty()) {
      finish(access, txn, catalog, entry, migration);
      return new Progress(table.name(), migration.rows(), true);
    }
    for (final K key : next) {
      migrate(txn, before, after, key);
    }
    final long migrated = migration.rows() + next.size();
    catalog.put(
        txn,
        entry.withMigration(
            new Catalog.MigrationEntry(
                migration.valueCodec(),
                migration.valueType(),
                hex(keys, next.get(next.size() - 1)),
                migrated)));
    return new Progress(table.name(), migrated, false);
  }

  private void migrate(
      final Txn txn, final Table<K, O> before, final Table<K, N> after, final K key) {
    final O old = before.get(txn, key); // a CorruptValueException names the row to repair
    final N value;
    try {
      value = transform.apply(old);
    } catch (RuntimeException e) {
      throw stopped(key, "the transform failed for this row (" + e + ")", e);
    }
    if (value == null) {
      throw stopped(key, "the transform returned null for this row", null);
    }
    try {
      after.put(txn, key, value); // the old value (a view for FlatBuffers) is not read after this
    } catch (InvalidValueException e) {
      throw stopped(
          key, "the transform's value for this row cannot be stored (" + e.getMessage() + ")", e);
    }
  }

  private LodestoreException stopped(final K key, final String why, final Throwable cause) {
    return new LodestoreException(
        "migration stopped: "
            + why
            + "; nothing of this batch was written: fix the transform and "
            + "run the migration again",
        table.name(),
        key,
        cause);
  }

  /**
   * The finishing step, in a transaction of its own after the last batch: binds the new
   * declaration, rebuilds all its indexes from the migrated values and records the table as the new
   * declaration has it.
   */
  private void finish(
      final OwnerAccess access,
      final Txn txn,
      final Catalog catalog,
      final Catalog.TableEntry entry,
      final Catalog.MigrationEntry migration) {
    final ValueChecksum checksum = entry.checksum();
    final TypeFingerprint declared = table.valueCodec().typeFingerprint();
    final Catalog.TableEntry migrated =
        Schema.bind(access, txn, catalog, table, entry, checksum, true)
            .withValueType(
                declared != null ? Catalog.TypeEntry.of(declared) : migration.valueType());
    catalog.put(txn, migrated);
    CatalogGeneration.open(access, txn).bump(txn);
  }

  private static final HexFormat HEX = HexFormat.of();

  /** LMDB's key size limit: every stored key fits. */
  private static final int MAX_KEY_BYTES = 511;

  /** The hex of {@code key}'s encoding: how the catalog records the last migrated key. */
  private static <K> String hex(final KeyCodec<K> codec, final K key) {
    final ByteBuffer encoded = ByteBuffer.allocate(MAX_KEY_BYTES);
    codec.encode(key, encoded);
    encoded.flip();
    final byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    return HEX.formatHex(bytes);
  }

  private static byte[] hex(final String text) {
    return HEX.parseHex(text);
  }

  private static String describe(final ValueCodec<?> codec) {
    final TypeFingerprint type = codec.typeFingerprint();
    return codec.id() + (type == null ? "" : " " + type.type());
  }
}
