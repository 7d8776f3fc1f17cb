package org.lodestore.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.lodestore.core.Attachable;
import org.lodestore.core.Database;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SetTable;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;

/**
 * What the schemas attached to a database over time declared, read back from its catalog without
 * their classes: for tools (the {@code lodestore} command, metrics, fixtures) that must show a
 * table by its declared name and decode its rows by the codecs it records.
 *
 * <pre>{@code
 * StoredCatalog catalog = StoredCatalog.read(db);
 * for (StoredCatalog.StoredTable t : catalog.tables()) {
 *   log.info("{}: {} -> {}", t.name(), t.keyCodec(), t.valueCodec());
 * }
 * }</pre>
 *
 * <p>A snapshot: read once, in a read transaction of its own; a later attach that changes the
 * catalog is not seen. Works on read-only databases; a database no schema was ever attached to has
 * an empty catalog.
 */
public final class StoredCatalog {

  private final OwnerAccess access;
  private final List<StoredTable> tables;

  private StoredCatalog(final OwnerAccess access, final List<StoredTable> tables) {
    this.access = access;
    this.tables = tables;
  }

  /**
   * Reads the catalog of {@code db}.
   *
   * @param db an open database, read-only or not
   * @return the declared tables, by declared name
   * @throws org.lodestore.core.CorruptValueException if a catalog entry cannot be decoded
   */
  public static StoredCatalog read(final Database db) {
    Objects.requireNonNull(db, "db");
    final OwnerAccess access = db.attach(new Reader()).access;
    final List<StoredTable> tables = new ArrayList<>();
    if (db.tableNames().contains(Catalog.DBI)) {
      try (Txn txn = db.beginRead()) {
        for (final Catalog.TableEntry entry : Catalog.open(access, txn).all(txn)) {
          tables.add(StoredTable.of(entry));
        }
      }
    }
    tables.sort(Comparator.comparing(StoredTable::name).thenComparing(StoredTable::oid));
    return new StoredCatalog(access, List.copyOf(tables));
  }

  /**
   * Every declared table (plain and set tables), by declared name.
   *
   * @return the tables; unmodifiable
   */
  public List<StoredTable> tables() {
    return tables;
  }

  /**
   * The table declared as {@code name}.
   *
   * @param name a declared name
   * @return the table, or empty
   */
  public Optional<StoredTable> table(final String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /**
   * The rows of plain table {@code table} as stored: keys by {@code keyCodec} (see {@code
   * KeyCodecs.forId(table.keyCodec())}), values as their bytes with any checksum trailer checked
   * and removed (a mismatch throws {@link org.lodestore.core.CorruptValueException} naming the
   * table and key). Read through it; a write through it bypasses the schema's indexes (as every
   * table of {@link OwnerAccess} does): for tools that restore stored bytes on purpose.
   *
   * @param txn the transaction to open it in
   * @param table a plain table of this catalog
   * @param keyCodec the codec of its keys
   * @param <K> the key type
   * @return the table, named by its declared name in messages
   * @throws IllegalArgumentException if {@code table} is a set table
   */
  public <K> Table<K, byte[]> rawTable(
      final Txn txn, final StoredTable table, final KeyCodec<K> keyCodec) {
    if (table.isSet()) {
      throw new IllegalArgumentException("'" + table.name() + "' is a set table: use rawSetTable");
    }
    final Table<K, byte[]> raw =
        access.table(txn, table.dbi(), table.name(), keyCodec, ValueCodecs.BYTES);
    return table.valueChecksum() == null
        ? raw
        : raw.withValueChecksum(ValueChecksum.ofId(table.valueChecksum()));
  }

  /**
   * The members of set table {@code table}, decoded by the given codecs; as {@link #rawTable}, a
   * write through it bypasses the schema.
   *
   * @param txn the transaction to open it in
   * @param table a set table of this catalog
   * @param keyCodec the codec of its keys
   * @param memberCodec the codec of its members ({@code table.valueCodec()} names it)
   * @param <K> the key type
   * @param <M> the member type
   * @return the set table
   * @throws IllegalArgumentException if {@code table} is a plain table
   */
  public <K, M> SetTable<K, M> rawSetTable(
      final Txn txn,
      final StoredTable table,
      final KeyCodec<K> keyCodec,
      final KeyCodec<M> memberCodec) {
    if (!table.isSet()) {
      throw new IllegalArgumentException("'" + table.name() + "' is a plain table: use rawTable");
    }
    return access.setTable(txn, table.dbi(), table.name(), keyCodec, memberCodec);
  }

  /**
   * One declared table as its catalog entry records it.
   *
   * @param oid its permanent id (the catalog key)
   * @param name its declared name
   * @param description its description, possibly empty
   * @param kind {@code "table"} or {@code "set"}
   * @param dbi the name of the LMDB database holding its rows
   * @param keyCodec its key codec's id
   * @param valueCodec its value codec's id (for a set table: its member codec's)
   * @param valueChecksum the checksum every value carries ({@code "crc32c"}), or null for none
   * @param valueType the value type's class name as recorded, or null
   * @param properties its declared properties
   * @param indexes its indexes, references' backing indexes ({@code ref.<name>}) included
   * @param references its references
   * @param migrating whether a migration of its values is unfinished
   */
  public record StoredTable(
      String oid,
      String name,
      String description,
      String kind,
      String dbi,
      String keyCodec,
      String valueCodec,
      String valueChecksum,
      String valueType,
      Map<String, String> properties,
      List<StoredIndex> indexes,
      List<StoredReference> references,
      boolean migrating) {

    /**
     * Copies the collections.
     *
     * @param oid its permanent id (the catalog key)
     * @param name its declared name
     * @param description its description, possibly empty
     * @param kind {@code "table"} or {@code "set"}
     * @param dbi the name of the LMDB database holding its rows
     * @param keyCodec its key codec's id
     * @param valueCodec its value codec's id (for a set table: its member codec's)
     * @param valueChecksum the checksum every value carries, or null for none
     * @param valueType the value type's class name as recorded, or null
     * @param properties its declared properties
     * @param indexes its indexes
     * @param references its references
     * @param migrating whether a migration of its values is unfinished
     */
    public StoredTable {
      properties = properties == null ? Map.of() : Map.copyOf(properties);
      indexes = indexes == null ? List.of() : List.copyOf(indexes);
      references = references == null ? List.of() : List.copyOf(references);
    }

    /**
     * Whether this is a set table.
     *
     * @return true for kind {@code "set"}
     */
    public boolean isSet() {
      return Catalog.TableEntry.SET.equals(kind);
    }

    static StoredTable of(final Catalog.TableEntry e) {
      final List<StoredIndex> indexes = new ArrayList<>();
      if (e.indexes() != null) {
        for (final Catalog.IndexEntry i : e.indexes()) {
          indexes.add(new StoredIndex(i.name(), i.dbi(), i.keyCodec(), i.unique(), i.nullable()));
        }
      }
      final List<StoredReference> references = new ArrayList<>();
      if (e.references() != null) {
        for (final Catalog.ReferenceEntry r : e.references()) {
          references.add(new StoredReference(r.name(), r.target(), r.onDelete()));
        }
      }
      return new StoredTable(
          e.oid(),
          e.name(),
          e.description() == null ? "" : e.description(),
          e.kind(),
          e.dbi() == null ? e.oid() : e.dbi(),
          e.keyCodec(),
          e.valueCodec(),
          e.valueChecksum(),
          e.valueType() == null ? null : e.valueType().type(),
          e.properties(),
          indexes,
          references,
          e.migration() != null);
    }
  }

  /**
   * An index as recorded.
   *
   * @param name its name within its table
   * @param dbi the name of the LMDB database holding it
   * @param keyCodec its index key codec's id
   * @param unique whether it is a unique index
   * @param nullable whether rows with a null index key are allowed (and left out)
   */
  public record StoredIndex(
      String name, String dbi, String keyCodec, boolean unique, boolean nullable) {}

  /**
   * A reference as recorded.
   *
   * @param name its name within its table
   * @param target the oid of the table it points to
   * @param onDelete {@code restrict}, {@code cascade} or {@code set_null}
   */
  public record StoredReference(String name, String target, String onDelete) {}

  /** Attaches only to be handed the access that opens the reserved catalog. */
  private static final class Reader implements Attachable {
    private OwnerAccess access;

    @Override
    public void attachTo(final Database database, final OwnerAccess ownerAccess) {
      this.access = ownerAccess;
    }
  }
}
