package org.lodestore.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.lodestore.core.Attachable;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseListener;
import org.lodestore.core.FeedChange;
import org.lodestore.core.FeedEntry;
import org.lodestore.core.InvalidStateException;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of tables, indexes and references declared as fields, attached to a {@link Database} in one
 * call.
 *
 * <pre>{@code
 * final class Shop extends Schema {
 *   final SchemaTable<UUID, Customer> customers = table(
 *       "0b2f6e9c-5d7e-4d6a-9a55-8f0e9f1a2b3c", "customers", KeyCodecs.UUID, CborCodec.of(Customer.class));
 *   final UniqueIndex<String, UUID, Customer> customerByEmail =
 *       uniqueIndex(customers, "by_email", KeyCodecs.STRING, Customer::email);
 * }
 *
 * Shop shop = db.attach(new Shop());
 * db.write(txn -> shop.customers.put(txn, id, customer));   // by_email updated in the same txn
 * }</pre>
 *
 * <h2>Attach</h2>
 *
 * {@link Database#attach} runs one write transaction that, for each table (tables referenced by
 * others first): reads its catalog entry, checks it against the declaration, creates missing tables
 * and indexes, backfills indexes new to a populated table, and records the result in the catalog.
 * It either all happens or none of it does; another process attaching at the same time waits for
 * the write lock and then sees the result.
 *
 * <p>On a database opened {@code readOnly(true)}, attach runs one read transaction instead: it
 * checks every declaration against the catalog by the same rules and binds the tables and indexes
 * that exist. Anything the schema would have to create or record (a table or index not in the
 * catalog, a changed name, description, property, nullability or reference) is refused with {@link
 * SchemaMismatchException} naming it; nothing is written. Attach the schema once to a writable
 * database to create or evolve it.
 *
 * <h2>Evolution rules</h2>
 *
 * Every check between a table's catalog entry and its declaration is one named rule of {@link
 * EvolutionRules}; each refusal names the table, what changed and what is allowed instead.
 *
 * <ul>
 *   <li>Allowed: new tables; new indexes (backfilled from existing rows; a unique violation among
 *       them fails the attach); new references; changed names, descriptions and properties (a
 *       table's identity is its oid, and its data is stored under the oid, so a rename keeps it);
 *       an index made nullable; a value type changed compatibly: the same class with properties
 *       added or removed, or a renamed class whose shared properties keep their types (at least one
 *       shared).
 *   <li>Refused with {@link SchemaMismatchException}: a table whose oid exists with another key or
 *       value codec or kind (the message names both); a value type the stored values cannot be read
 *       as (a shared property whose type changed, no property in common, another FlatBuffers root
 *       class: the message names both types; migrate the values with {@link TableMigration}); a
 *       table whose migration is unfinished (resume it); an index whose key codec or uniqueness
 *       changed (give it a new name, which builds it afresh, and {@link #dropIndex} the old one);
 *       an index made non-nullable; an index in the catalog that the schema no longer declares
 *       (nothing would maintain it: declare it, or {@link #dropIndex} it); a reference to a table
 *       neither in the schema nor attached; a catalog written by a newer format version; a declared
 *       value checksum other than the one recorded for the table (see below).
 *   <li>Tables in the catalog that a schema does not declare are left alone: several schemas may
 *       share a database.
 * </ul>
 *
 * <h2>Value types</h2>
 *
 * The catalog records each table's value type as its codec describes it ({@link
 * org.lodestore.core.codec.ValueCodec#typeFingerprint()}): the class name and, for records and
 * POJOs written by Jackson (CBOR, JSON), the name and type of every property the mapper writes; the
 * generated class for FlatBuffers. A table reopened with another type is checked against it, so a
 * table of one record type is never read silently as another. An entry recorded before value types
 * existed is adopted: the first writable attach records the declared type, a read-only attach
 * accepts the entry as it is.
 *
 * <h2>Value checksums</h2>
 *
 * A new table's values carry a CRC-32C of key and value (see {@link ValueChecksum}) if its value
 * codec copies (CBOR, JSON, strings, numbers: on by default) and none if it is zero-copy
 * (FlatBuffers: opt in with {@link SchemaTable#valueChecksum(ValueChecksum)}). The catalog records
 * the setting, and it stays the table's for good: a table attached again with no declaration keeps
 * the recorded setting (a table created before checksums existed keeps having none, so existing
 * data reads unchanged), and a declaration that contradicts the record is refused, since the stored
 * values would be misread. Index tables carry no checksum: their entries are derived from the rows
 * and can be rebuilt from them.
 *
 * <h2>Stale declarations</h2>
 *
 * A schema object keeps the declaration it was attached with. If a newer declaration of one of its
 * tables attaches later (in this process or another, say during a rolling deploy) and changes what
 * a write must maintain (a new index, a dropped one, another property or reference), every later
 * write through this object to that table is refused with {@link SchemaMismatchException} naming
 * the table and what changed (for example the index it does not maintain), and nothing of that
 * write is done; attach the current declaration instead. Reads stay allowed, and so do writes to
 * tables the newer declaration did not change. Each write transaction pays one catalog lookup for
 * this (see {@link CatalogGeneration}).
 *
 * <h2>Ownership</h2>
 *
 * Attach claims every table, index and set table of the schema ({@link OwnerAccess#claim}): plain
 * {@code Database.table(...)} objects of those names, in any process, may read them but refuse to
 * write or drop them, since such a write would bypass the indexes. The catalog's name is reserved.
 *
 * <p>Declare tables and indexes in field initializers (or the constructor); a schema is attached
 * once.
 */
public abstract class Schema implements Attachable {

  private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

  private final List<SchemaTable<?, ?>> tables = new ArrayList<>();
  private final List<SchemaSetTable<?, ?>> setTables = new ArrayList<>();

  /** What the last attach changed in the catalog, a line per table: logged once it committed. */
  private final List<String> evolved = new ArrayList<>();

  private final Set<String> oids = new HashSet<>();
  private volatile Database db;
  private volatile OwnerAccess access;

  /** The catalog's generation record, read by {@link #generation}; null before attach. */
  private volatile CatalogGeneration catalogGeneration;

  /**
   * The generation one write transaction saw: {@link #generation} reads it once per transaction.
   */
  private record Seen(Txn txn, long generation) {}

  private volatile Seen seen;

  /** Creates an empty schema; subclasses declare their tables as fields. */
  protected Schema() {}

  /**
   * Declares a table: the one way to declare one. The codecs say what zlmdb's class names say
   * ({@code MapUuidTimestampFlatBuffers} is {@code KeyCodecs.tuple(KeyCodecs.UUID,
   * KeyCodecs.TIMESTAMP)} and a {@code FlatBuffersCodec}); any key codec works, composite ones
   * included.
   *
   * <pre>{@code
   * final SchemaTable<Tuple2<UUID, Instant>, Tick> ticks = table(
   *     "d2e884ce-812a-46a4-8d4e-9994ee7a9a2f", "ticks",
   *     KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP), CborCodec.of(Tick.class));
   * }</pre>
   *
   * @param oid the table's stable identity: a UUID string, never to change
   * @param name the table's name (may change; the oid is what identifies it)
   * @param keyCodec how keys are encoded and ordered
   * @param valueCodec how values are encoded
   * @param <K> the key type
   * @param <V> the value type
   * @return the table, to assign to a field (options such as {@code valueChecksum} chain on it)
   */
  protected final <K, V> SchemaTable<K, V> table(
      final String oid,
      final String name,
      final KeyCodec<K> keyCodec,
      final ValueCodec<V> valueCodec) {
    return declare(oid, name, new SchemaTable<>(keyCodec, valueCodec));
  }

  /**
   * Declares a counter table: keys to 64-bit numbers changed in place inside the transaction
   * ({@link CounterTable#increment}, bit operations).
   *
   * @param oid the table's stable identity: a UUID string
   * @param name the table's name
   * @param keyCodec how keys are encoded and ordered
   * @param <K> the key type
   * @return the table
   */
  protected final <K> CounterTable<K> counterTable(
      final String oid, final String name, final KeyCodec<K> keyCodec) {
    return declare(oid, name, new CounterTable<>(keyCodec));
  }

  private <T extends SchemaTable<?, ?>> T declare(
      final String oid, final String name, final T table) {
    requireUnattached();
    table.declare(this, oid, name);
    claim(table.oid(), name);
    tables.add(table);
    return table;
  }

  /**
   * Declares a set table: each key maps to an ordered set of members, maintained by you.
   *
   * @param oid the table's stable identity: a UUID string
   * @param name the table's name
   * @param keyCodec how keys are encoded and ordered
   * @param memberCodec how members are encoded and ordered
   * @param <K> the key type
   * @param <M> the member type
   * @return the set table
   */
  protected final <K, M> SchemaSetTable<K, M> setTable(
      final String oid,
      final String name,
      final KeyCodec<K> keyCodec,
      final KeyCodec<M> memberCodec) {
    requireUnattached();
    final SchemaSetTable<K, M> table = new SchemaSetTable<>(keyCodec, memberCodec);
    table.declare(this, oid, name);
    claim(table.oid(), name);
    setTables.add(table);
    return table;
  }

  private void claim(final String oid, final String name) {
    if (!oids.add(oid)) {
      throw new IllegalArgumentException(
          "two tables of this schema use oid " + oid + " ('" + name + "')");
    }
  }

  /**
   * Declares a unique index on {@code table}: each index key maps to at most one row.
   *
   * @param table the indexed table
   * @param name the index's name, unique within the table
   * @param keyCodec how index keys are encoded and ordered
   * @param key computes a row's index key (null only if the index is made {@code nullable()})
   * @param <I> the index key type
   * @param <K> the table's key type
   * @param <V> the table's value type
   * @return the index, to assign to a field
   */
  protected final <I, K, V> UniqueIndex<I, K, V> uniqueIndex(
      final SchemaTable<K, V> table,
      final String name,
      final KeyCodec<I> keyCodec,
      final Function<? super V, ? extends I> key) {
    requireOwn(table);
    requireIndexName(name);
    return table.addUnique(name, keyCodec, key);
  }

  /**
   * Declares a non-unique index on {@code table}: each index key maps to the set of rows that have
   * it. A composite key codec (e.g. {@code tuple(UUID, descending(TIMESTAMP))}) filters by its
   * leading components and orders by the rest.
   *
   * @param table the indexed table
   * @param name the index's name, unique within the table
   * @param keyCodec how index keys are encoded and ordered
   * @param key computes a row's index key (null only if the index is made {@code nullable()})
   * @param <I> the index key type
   * @param <K> the table's key type
   * @param <V> the table's value type
   * @return the index, to assign to a field
   */
  protected final <I, K, V> MultiIndex<I, K, V> index(
      final SchemaTable<K, V> table,
      final String name,
      final KeyCodec<I> keyCodec,
      final Function<? super V, ? extends I> key) {
    requireOwn(table);
    requireIndexName(name);
    return table.addIndex(name, keyCodec, key);
  }

  /**
   * Declares that a field of {@code from}'s values holds keys of {@code to} (a foreign key), kept
   * true in both directions: writes to {@code from} must reference an existing row, and deleting a
   * referenced row acts as the reference's {@link Reference#onDelete} says (RESTRICT unless
   * declared otherwise). The key codec is {@code to}'s; {@code to} is created before {@code from}.
   *
   * <pre>{@code
   * final Reference<UUID, Employee, UUID, Company> employer =
   *     reference(employees, "company", Employee::company, companies)
   *         .onDelete(Reference.OnDelete.CASCADE);
   * }</pre>
   *
   * @param from the referencing table
   * @param name the reference's name, unique among its table's references
   * @param field extracts the referenced key from a value (null: no reference, if nullable)
   * @param to the referenced table: of this schema, or of another schema object (attached before or
   *     after this one). Deletes from {@code to} act on the reference only through schema objects
   *     of this process that declare it: declare the reference in every service that deletes from
   *     {@code to}
   * @param <K> the referencing table's key type
   * @param <V> the referencing table's value type
   * @param <R> the referenced key type
   * @param <T> the referenced table's value type
   * @return the reference, to assign to a field (navigation) or configure
   */
  protected final <K, V, R, T> Reference<K, V, R, T> reference(
      final SchemaTable<K, V> from,
      final String name,
      final Function<? super V, ? extends R> field,
      final SchemaTable<R, T> to) {
    requireOwn(from);
    Objects.requireNonNull(to, "to");
    for (final Reference<K, V, ?, ?> existing : from.references()) {
      if (existing.name.equals(name)) {
        throw new IllegalArgumentException(
            "table '" + from.name() + "' already has a reference named '" + name + "'");
      }
    }
    final Reference<K, V, R, T> reference = new Reference<>(name, from, field, to);
    SchemaTable.addReference(reference);
    return reference;
  }

  private static void requireIndexName(final String name) {
    if (name != null && name.startsWith(Reference.INDEX_PREFIX)) {
      throw new IllegalArgumentException(
          "index names starting with '"
              + Reference.INDEX_PREFIX
              + "' are reserved for the "
              + "indexes of references: "
              + name);
    }
  }

  private void requireOwn(final SchemaTable<?, ?> table) {
    requireUnattached();
    if (!tables.contains(Objects.requireNonNull(table, "table"))) {
      throw new IllegalArgumentException(
          "declare the table with table(...) in this schema before its indexes and references");
    }
  }

  private void requireUnattached() {
    if (db != null) {
      throw new IllegalStateException("schema is attached; declare everything before attach");
    }
  }

  /**
   * The set tables of this schema, in declaration order.
   *
   * @return them
   */
  public final List<SchemaSetTable<?, ?>> setTables() {
    return Collections.unmodifiableList(setTables);
  }

  /**
   * The database this schema is attached to.
   *
   * @return the database, or null before attach
   */
  public final Database database() {
    return db;
  }

  /**
   * Tells the database's listener that a write is refused with {@code error} (see {@link
   * OwnerAccess#writeRefused}), which the caller then throws.
   *
   * @return {@code error}
   */
  final <E extends ConstraintViolationException> E refused(final E error) {
    final OwnerAccess owner = access;
    if (owner == null) {
      return error;
    }
    return owner.writeRefused(
        error instanceof UniqueViolationException
            ? DatabaseListener.Refusal.UNIQUE
            : DatabaseListener.Refusal.CONSTRAINT,
        error);
  }

  /**
   * The tables of this schema, in declaration order.
   *
   * @return them
   */
  public final List<SchemaTable<?, ?>> tables() {
    return Collections.unmodifiableList(tables);
  }

  /**
   * The changes of a change-feed entry to this schema's tables, decoded: rows of its tables and
   * members of its set tables, in the entry's order; changes of index, catalog and other tables are
   * left out (they follow from the rows). Works on any database the schema is attached to, such as
   * a replica that applied the entry, or the source itself.
   *
   * <pre>{@code
   * db.feed().subscribe(db.feed().lastSeq() + 1, entry -> {
   *   for (SchemaChange c : shop.changes(entry)) {
   *     if (c.is(shop.orders) && c.op() == FeedChange.Op.PUT) {
   *       notifyNewOrder((Order) c.value());
   *     }
   *   }
   * });
   * }</pre>
   *
   * @param entry an entry of the feed of the database this schema's tables live in
   * @return the decoded changes
   * @throws InvalidStateException if the schema is not attached
   * @throws org.lodestore.core.CorruptValueException if a row's bytes cannot be decoded
   */
  public final List<SchemaChange> changes(final FeedEntry entry) {
    if (db == null) {
      throw new InvalidStateException("the schema is not attached: call db.attach(schema) first");
    }
    final Map<String, SchemaTable<?, ?>> byDbi = new HashMap<>();
    for (final SchemaTable<?, ?> table : tables) {
      byDbi.put(table.dbiName(), table);
    }
    final Map<String, SchemaSetTable<?, ?>> setsByDbi = new HashMap<>();
    for (final SchemaSetTable<?, ?> set : setTables) {
      setsByDbi.put(set.oid(), set);
    }
    final List<SchemaChange> out = new ArrayList<>();
    for (final FeedChange change : entry.changes()) {
      final SchemaTable<?, ?> table = byDbi.get(change.table());
      if (table != null) {
        out.add(table.decode(change));
        continue;
      }
      final SchemaSetTable<?, ?> set = setsByDbi.get(change.table());
      if (set != null) {
        out.add(set.decode(change));
      }
    }
    return out;
  }

  /**
   * Checks everything this schema keeps in its database against its declarations: every value
   * decodes (and matches its checksum), every index holds exactly the entries its rows derive,
   * every reference resolves, and the catalog records what is declared. See {@link SchemaCheck} for
   * what each problem means. Changes nothing; in a read transaction it sees one snapshot.
   *
   * <pre>{@code
   * try (Txn txn = db.beginRead()) {
   *   SchemaCheck check = shop.check(txn);
   *   check.problems().forEach(p -> log.error("{}", p));
   * }
   * }</pre>
   *
   * <p>A value so damaged that reading it faults the process cannot be caught here: check a file
   * you do not trust with {@code org.lodestore.core.Verify} first (or {@code lodestore verify},
   * which runs both in a child JVM).
   *
   * @param txn a transaction of the database this schema is attached to
   * @return what was found
   * @throws InvalidStateException if the schema is not attached
   */
  public final SchemaCheck check(final Txn txn) {
    return check(txn, rows -> {});
  }

  /**
   * As {@link #check(Txn)}, telling {@code progress} how many rows were read, about every {@value
   * SchemaCheck#PROGRESS_EVERY} rows and once at the end.
   *
   * @param txn a transaction of the database this schema is attached to
   * @param progress called with the rows read so far, on this thread
   * @return what was found
   * @throws InvalidStateException if the schema is not attached
   */
  public final SchemaCheck check(final Txn txn, final LongConsumer progress) {
    Objects.requireNonNull(txn, "txn");
    if (db == null) {
      throw new InvalidStateException("the schema is not attached: call db.attach(schema) first");
    }
    return SchemaCheck.run(this, tables, setTables, txn, progress);
  }

  /**
   * Creates or validates every table, index and reference in one write transaction (in one read
   * transaction, validating only, on a read-only database); see the class comment for the evolution
   * rules. Called by {@link Database#attach}, which alone creates {@code access}.
   *
   * @param database the database
   * @param access opens and claims this schema's tables; kept for their writes
   * @throws SchemaMismatchException if the catalog contradicts the declarations, or the database is
   *     read-only and the schema needs a table, index or catalog change it does not have
   * @throws UniqueViolationException if a new unique index finds duplicates among existing rows
   */
  @Override
  public final void attachTo(final Database database, final OwnerAccess access) {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(access, "access");
    if (access.database() != database) {
      throw new IllegalArgumentException("access is for another database: " + access.database());
    }
    synchronized (this) {
      if (db != null) {
        throw new IllegalStateException("schema is already attached to " + db.path());
      }
      final List<SchemaTable<?, ?>> ordered = dependencyOrder();
      this.access = access;
      final long started = System.nanoTime();
      try {
        if (database.options().readOnly() || database.options().replica()) {
          attachReadOnly(database, ordered);
        } else {
          database.write(txn -> attachAll(database, txn, ordered));
        }
      } catch (RuntimeException | Error e) {
        // the attach transaction rolled back: nothing it bound may be used
        for (final SchemaSetTable<?, ?> set : setTables) {
          set.unbind();
        }
        for (final SchemaTable<?, ?> table : tables) {
          table.unbind();
        }
        this.access = null;
        this.catalogGeneration = null;
        evolved.clear();
        throw e;
      }
      db = database;
      logAttach(database, started);
    }
  }

  /** The INFO lines of a successful attach: each catalog change, then a summary with its time. */
  private void logAttach(final Database database, final long started) {
    if (!LOG.isInfoEnabled()) {
      evolved.clear();
      return;
    }
    for (final String change : evolved) {
      LOG.info("{}: {}", database.path(), change);
    }
    int indexes = 0;
    for (final SchemaTable<?, ?> table : tables) {
      indexes += table.indexes().size();
    }
    LOG.info(
        "attached {} to {}{}: {} tables, {} set tables, {} indexes, {} catalog changes, in {} ms",
        getClass().getSimpleName().isEmpty() ? getClass().getName() : getClass().getSimpleName(),
        database.path(),
        database.options().readOnly() ? " (read-only)" : "",
        tables.size(),
        setTables.size(),
        indexes,
        evolved.size(),
        (System.nanoTime() - started) / 1_000_000);
    evolved.clear();
  }

  /**
   * The catalog's generation as {@code txn} (a write transaction) sees it: read from the catalog
   * once per transaction, then cached for it (write transactions of a database run one at a time,
   * so remembering the last one suffices).
   */
  final long generation(final Txn txn) {
    final Seen last = seen;
    if (last != null && last.txn == txn) {
      return last.generation;
    }
    final long generation = catalogGeneration.read(txn);
    seen = new Seen(txn, generation);
    return generation;
  }

  /** The catalog's entry of table {@code oid} as {@code txn} sees it. */
  final Catalog.TableEntry catalogEntry(final Txn txn, final String oid) {
    return Catalog.open(access, txn).get(txn, oid);
  }

  /**
   * The read-only attach: the same checks as {@link #attachTo} in a read transaction, which then
   * commits so that the tables it opened stay bound.
   */
  private void attachReadOnly(final Database database, final List<SchemaTable<?, ?>> ordered) {
    if (!database.tableNames().contains(Catalog.DBI)) {
      if (!tables.isEmpty()) {
        throw EvolutionRules.readOnly(tables.get(0).name(), "the database has no catalog yet");
      }
      if (!setTables.isEmpty()) {
        throw EvolutionRules.readOnly(setTables.get(0).name(), "the database has no catalog yet");
      }
      return;
    }
    try (Txn txn = database.beginRead()) {
      attachAll(database, txn, ordered);
      txn.commit();
    }
  }

  /**
   * Attaches every set table and table in {@code txn}: writing the catalog, or only reading it. A
   * writable attach that changed the catalog increases its generation (and records it if the
   * catalog had none yet); every table remembers the generation it was checked at.
   */
  private void attachAll(
      final Database database, final Txn txn, final List<SchemaTable<?, ?>> ordered) {
    final OwnerAccess owner = access;
    final Catalog catalog = Catalog.open(owner, txn);
    final CatalogGeneration generation = CatalogGeneration.open(owner, txn);
    evolved.clear(); // a re-run after map growth starts over
    boolean changed = false;
    for (final SchemaSetTable<?, ?> set : setTables) {
      changed |= attachSet(owner, txn, catalog, set, evolved);
    }
    for (final SchemaTable<?, ?> table : ordered) {
      changed |= attachTable(owner, txn, catalog, table, evolved);
    }
    long now = generation.read(txn);
    if (!txn.isReadOnly() && (changed || !generation.recorded(txn))) {
      now = changed ? now + 1 : now;
      generation.write(txn, now);
    }
    for (final SchemaSetTable<?, ?> set : setTables) {
      set.attached().checkedAt(now);
    }
    for (final SchemaTable<?, ?> table : tables) {
      table.attached().checkedAt(now);
    }
    catalogGeneration = generation;
    seen = null;
  }

  /**
   * Records {@code entry} in the catalog unless it holds it already ({@code old}); in a read-only
   * transaction, checks instead that it does ({@link EvolutionRules#readOnlyUnchanged}). Returns
   * whether the catalog changed.
   */
  private static boolean record(
      final Txn txn,
      final Catalog catalog,
      final Catalog.TableEntry old,
      final Catalog.TableEntry entry,
      final List<String> evolved) {
    if (txn.isReadOnly()) {
      EvolutionRules.readOnlyUnchanged(old, entry);
      return false;
    }
    if (entry.equals(old)) {
      return false;
    }
    evolved.add(EvolutionRules.describeChange(old, entry));
    catalog.put(txn, entry);
    return true;
  }

  /** Tables referenced by others first (a cycle is refused). */
  private List<SchemaTable<?, ?>> dependencyOrder() {
    final Map<SchemaTable<?, ?>, Integer> state = new LinkedHashMap<>();
    final List<SchemaTable<?, ?>> out = new ArrayList<>();
    for (final SchemaTable<?, ?> table : tables) {
      visit(table, state, out);
    }
    return out;
  }

  private void visit(
      final SchemaTable<?, ?> table,
      final Map<SchemaTable<?, ?>, Integer> state,
      final List<SchemaTable<?, ?>> out) {
    final Integer s = state.get(table);
    if (s != null) {
      if (s == 1) {
        throw new IllegalArgumentException(
            "references form a cycle through table '" + table.name() + "'");
      }
      return;
    }
    state.put(table, 1);
    for (final Reference<?, ?, ?, ?> reference : table.references()) {
      // a table referring to itself (an employee's manager) puts no constraint on creation order
      if (reference.to != table && tables.contains(reference.to)) {
        visit(reference.to, state, out);
      }
    }
    state.put(table, 2);
    out.add(table);
  }

  private static boolean attachSet(
      final OwnerAccess access,
      final Txn txn,
      final Catalog catalog,
      final SchemaSetTable<?, ?> set,
      final List<String> evolved) {
    final Catalog.TableEntry old = catalog.get(txn, set.oid());
    if (old != null) {
      EvolutionRules.table(
          old,
          set.name(),
          Catalog.TableEntry.SET,
          set.keyCodec().id(),
          set.memberCodec().id(),
          null);
    } else if (txn.isReadOnly()) {
      EvolutionRules.readOnlyInCatalog(old, set.name(), "set table " + set.oid());
    }
    set.open(access, txn);
    if (!txn.isReadOnly()) {
      access.claim(txn, set.oid(), "schema set table '" + set.name() + "'");
    }
    final Catalog.TableEntry entry =
        Catalog.TableEntry.set(set.oid(), set.name(), set.keyCodec().id(), set.memberCodec().id());
    final boolean changed = record(txn, catalog, old, entry, evolved);
    set.attached().entry(txn.isReadOnly() ? old : entry);
    return changed;
  }

  private static <K, V> boolean attachTable(
      final OwnerAccess access,
      final Txn txn,
      final Catalog catalog,
      final SchemaTable<K, V> table,
      final List<String> evolved) {
    final Catalog.TableEntry old = catalog.get(txn, table.oid());
    final TypeFingerprint type = table.valueCodec().typeFingerprint();
    if (old == null) {
      if (txn.isReadOnly()) {
        EvolutionRules.readOnlyInCatalog(old, table.name(), "table " + table.oid());
      }
    } else {
      EvolutionRules.table(
          old,
          table.name(),
          Catalog.TableEntry.TABLE,
          table.keyCodec().id(),
          table.valueCodec().id(),
          type);
      EvolutionRules.indexes(old, table, txn);
    }
    final ValueChecksum checksum = EvolutionRules.valueChecksum(old, table);
    final Catalog.TableEntry entry =
        bind(access, txn, catalog, table, old, checksum, false)
            // a codec without a fingerprint keeps the recorded one
            .withValueType(
                type != null ? Catalog.TypeEntry.of(type) : old == null ? null : old.valueType());
    final boolean changed = record(txn, catalog, old, entry, evolved);
    table.attached().entry(txn.isReadOnly() ? old : entry);
    return changed;
  }

  /**
   * Opens {@code table}'s storage (claiming it in a write transaction), fills its indexes that
   * {@code old} does not record (or, with {@code rebuildAll}, every index) from the rows, checks
   * its references, and returns the entry that records it all, without a value type.
   */
  static <K, V> Catalog.TableEntry bind(
      final OwnerAccess access,
      final Txn txn,
      final Catalog catalog,
      final SchemaTable<K, V> table,
      final Catalog.TableEntry old,
      final ValueChecksum checksum,
      final boolean rebuildAll) {
    table.open(access, txn, checksum);
    if (!txn.isReadOnly()) {
      access.claim(txn, table.dbiName(), "schema table '" + table.name() + "'");
      for (final Index<?, K, V> index : table.indexes()) {
        access.claim(txn, index.dbiName(), "index '" + index.displayName() + "' of a schema table");
      }
    }
    final List<Catalog.IndexEntry> indexes = new ArrayList<>();
    for (final Index<?, K, V> index : table.indexes()) {
      final Catalog.IndexEntry recorded = old == null ? null : old.index(index.name());
      if (recorded == null || rebuildAll) {
        index.rebuildNow(txn); // new: fill it from the rows already there (none for a new table)
      }
      indexes.add(
          new Catalog.IndexEntry(
              index.name(),
              index.dbiName(),
              index.keyCodec().id(),
              index.isUnique(),
              index.isNullable()));
    }
    final List<Catalog.ReferenceEntry> references = new ArrayList<>();
    for (final Reference<K, V, ?, ?> reference : table.references()) {
      EvolutionRules.referenceTarget(txn, catalog, table, reference);
      references.add(Catalog.ReferenceEntry.of(reference));
    }
    return Catalog.TableEntry.table(
            table.oid(), table.name(), table.keyCodec().id(), table.valueCodec().id())
        .withDbi(table.dbiName())
        .withDescription(table.description())
        .withProperties(table.properties())
        .withIndexes(indexes)
        .withReferences(references)
        .withValueChecksum(checksum);
  }

  /**
   * Deletes an index and its catalog record, so that a schema that no longer declares it can
   * attach. Runs in its own write transaction. Schemas still attached with a declaration of the
   * index refuse later writes to its table ({@link SchemaMismatchException}).
   *
   * @param db the database
   * @param tableOid the indexed table's oid
   * @param indexName the index's name
   * @return true if the index existed
   */
  public static boolean dropIndex(
      final Database db, final String tableOid, final String indexName) {
    return db.attach(new IndexDrop(tableOid, indexName)).dropped;
  }

  /** Drops an index through the owner access that only {@link Database#attach} hands out. */
  private static final class IndexDrop implements Attachable {
    private final String tableOid;
    private final String indexName;
    private boolean dropped;

    IndexDrop(final String tableOid, final String indexName) {
      this.tableOid = Objects.requireNonNull(tableOid, "tableOid");
      this.indexName = Objects.requireNonNull(indexName, "indexName");
    }

    @Override
    public void attachTo(final Database db, final OwnerAccess access) {
      dropped = db.writeAndGet(txn -> drop(access, txn, tableOid, indexName));
    }
  }

  private static boolean drop(
      final OwnerAccess access, final Txn txn, final String tableOid, final String indexName) {
    final Catalog catalog = Catalog.open(access, txn);
    final Catalog.TableEntry entry = catalog.get(txn, tableOid);
    if (entry == null || entry.index(indexName) == null) {
      return false;
    }
    access.dropTable(txn, entry.index(indexName).dbi());
    final List<Catalog.IndexEntry> remaining = new ArrayList<>(entry.indexes());
    remaining.removeIf(i -> i.name().equals(indexName));
    catalog.put(txn, entry.withIndexes(remaining));
    CatalogGeneration.open(access, txn).bump(txn);
    return true;
  }
}
