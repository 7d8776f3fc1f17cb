package org.lodestore.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Cursor;
import org.lodestore.core.KeyRange;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The persistent catalog: one reserved LMDB database, {@value #DBI}, mapping each table's oid to a
 * CBOR map that records its identity, codecs, format version, indexes and references. Plain RFC
 * 8949 CBOR, so any CBOR decoder (or {@code mdb_dump}) can read it.
 *
 * <pre>
 *  key   "6f1c...-uuid"      (the table's oid, UTF-8)
 *  value {format: 1|2|3, oid, name, description, kind: "table"|"set", dbi, keyCodec, valueCodec,
 *         properties: {..}, indexes: [{name, dbi, keyCodec, unique, nullable}],
 *         references: [{name, target, keyCodec, checked}],
 *         valueChecksum: "crc32c",         (absent or null: no checksum)
 *         valueType: {type: "com.example.Market",            (absent: not recorded yet)
 *                     properties: {symbol: "java.lang.String", priceCents: "long"}},
 *         migration: {valueCodec, valueType, lastKey: "hex", rows: n}}   (format 3 only)
 *
 *  key   "__generation"      (reserved: no oid starts with "__")
 *  value n                   (a CBOR unsigned integer; see {@link CatalogGeneration})
 * </pre>
 *
 * <p>{@code valueChecksum} says that every value of the table carries a checksum trailer (see
 * {@link ValueChecksum}). Such an entry has format 2, so that a version of Lodestore from before
 * checksums, which would read the trailer as part of each value, refuses the table (as "written by
 * a newer on-disk format") instead of misreading it; every other entry keeps format 1 and stays
 * readable by it.
 *
 * <p>{@code valueType} is the value codec's {@link TypeFingerprint}, checked by {@link
 * EvolutionRules#valueType} at every attach. It changes nothing about how values are stored, so it
 * leaves the format alone, and older versions (whose reader ignores unknown fields) read the entry
 * as before. An entry without it (written before fingerprints) is adopted: the first writable
 * attach records the declared type, a read-only attach accepts the entry as it is.
 *
 * <p>{@code migration} is present while a {@link TableMigration} of the table's values is
 * unfinished. The entry then has format 3, so that versions from before migrations refuse the table
 * instead of reading migrated values as old ones; this version refuses to attach it too ({@link
 * EvolutionRules#noUnfinishedMigration}) until the migration is resumed and finishes, which records
 * the new codec and type and returns the entry to format 1 or 2.
 *
 * <p>The catalog's name is reserved: plain {@code Database.table} access refuses it, and the schema
 * opens it through its {@link OwnerAccess}.
 */
final class Catalog {

  /** The reserved LMDB database name. */
  static final String DBI = "__lodestore_catalog";

  /** The newest on-disk format version of catalog entries and tables that this version reads. */
  static final int FORMAT = 3;

  /** The format of a table without value checksums: what versions before checksums read too. */
  static final int FORMAT_NO_CHECKSUM = 1;

  /** The format of a table whose values carry a checksum trailer. */
  static final int FORMAT_CHECKSUM = 2;

  /**
   * The format of a table whose values are being migrated from one type to another (some old, some
   * new): versions before migrations, which would read the new values as old ones, refuse it as
   * written by a newer format.
   */
  static final int FORMAT_MIGRATING = 3;

  /** The {@code valueChecksum} field recorded for {@code checksum}: null for none. */
  static String checksumId(final ValueChecksum checksum) {
    return checksum == ValueChecksum.NONE ? null : checksum.id();
  }

  private static final ObjectMapper CBOR =
      CBORMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Table<String, byte[]> table;

  private Catalog(final Table<String, byte[]> table) {
    this.table = table;
  }

  static Catalog open(final OwnerAccess access, final Txn txn) {
    return new Catalog(access.table(txn, DBI, KeyCodecs.STRING, ValueCodecs.BYTES));
  }

  TableEntry get(final Txn txn, final String oid) {
    final byte[] bytes = table.get(txn, oid);
    if (bytes == null) {
      return null;
    }
    try {
      final TableEntry entry = CBOR.readValue(bytes, TableEntry.class);
      if (entry.references() == null || entry.references().isEmpty()) {
        return entry;
      }
      final List<ReferenceEntry> references = new ArrayList<>();
      for (final ReferenceEntry r : entry.references()) {
        references.add(r.normalized());
      }
      return entry.withReferences(references);
    } catch (IOException e) {
      throw new CorruptValueException("catalog entry cannot be decoded", DBI, oid, e);
    }
  }

  /** Every table's entry, in oid order (the reserved keys left out). */
  List<TableEntry> all(final Txn txn) {
    final List<TableEntry> entries = new ArrayList<>();
    try (Cursor<String, byte[]> c = table.select(txn, KeyRange.all())) {
      while (c.next()) {
        final String oid = c.key();
        if (!oid.startsWith("__")) {
          entries.add(get(txn, oid));
        }
      }
    }
    return entries;
  }

  void put(final Txn txn, final TableEntry entry) {
    try {
      table.put(txn, entry.oid(), CBOR.writeValueAsBytes(entry));
    } catch (IOException e) {
      throw new IllegalStateException("catalog entry cannot be encoded: " + entry, e);
    }
  }

  /**
   * A table's record, one component per CBOR field (the names are the on-disk field names). Build
   * one with {@link #table} or {@link #set} and the {@code with...} methods rather than the
   * canonical constructor, which is Jackson's (decoding an entry written by any version).
   *
   * @param format the on-disk format version: see {@link Catalog#FORMAT}
   * @param valueChecksum the checksum id every value carries, or null for none
   * @param valueType the value type's fingerprint, or null (an entry from before fingerprints, or a
   *     codec that gives none); left out of the CBOR when null
   * @param migration the unfinished migration of the table's values, or null; left out when null
   */
  record TableEntry(
      int format,
      String oid,
      String name,
      String description,
      String kind,
      String dbi,
      String keyCodec,
      String valueCodec,
      Map<String, String> properties,
      List<IndexEntry> indexes,
      List<ReferenceEntry> references,
      String valueChecksum,
      @JsonInclude(JsonInclude.Include.NON_NULL) TypeEntry valueType,
      @JsonInclude(JsonInclude.Include.NON_NULL) MigrationEntry migration) {

    /** The kind of a plain table. */
    static final String TABLE = "table";

    /** The kind of a set table. */
    static final String SET = "set";

    /**
     * A new plain table's entry, stored under its oid: no description, properties, indexes,
     * references, value checksum, fingerprint or migration (format {@link #FORMAT_NO_CHECKSUM}).
     */
    static TableEntry table(
        final String oid, final String name, final String keyCodec, final String valueCodec) {
      return new TableEntry(
          FORMAT_NO_CHECKSUM,
          oid,
          name,
          "",
          TABLE,
          oid,
          keyCodec,
          valueCodec,
          Map.of(),
          List.of(),
          List.of(),
          null,
          null,
          null);
    }

    /** A set table's entry, stored under its oid: {@code memberCodec} is its value codec. */
    static TableEntry set(
        final String oid, final String name, final String keyCodec, final String memberCodec) {
      return table(oid, name, keyCodec, memberCodec).withKind(SET);
    }

    TableEntry withFormat(final int newFormat) {
      return new TableEntry(
          newFormat,
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withName(final String newName) {
      return new TableEntry(
          format,
          oid,
          newName,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withDescription(final String newDescription) {
      return new TableEntry(
          format,
          oid,
          name,
          newDescription,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withKind(final String newKind) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          newKind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withDbi(final String newDbi) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          kind,
          newDbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withValueCodec(final String newValueCodec) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          newValueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withProperties(final Map<String, String> newProperties) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          Map.copyOf(newProperties),
          indexes,
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withIndexes(final List<IndexEntry> newIndexes) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          List.copyOf(newIndexes),
          references,
          valueChecksum,
          valueType,
          migration);
    }

    TableEntry withReferences(final List<ReferenceEntry> newReferences) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          List.copyOf(newReferences),
          valueChecksum,
          valueType,
          migration);
    }

    /** The entry with {@code checksum}'s id, and the format that goes with it. */
    TableEntry withValueChecksum(final ValueChecksum checksum) {
      final String id = checksumId(checksum);
      return new TableEntry(
          formatOf(id, migration),
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          id,
          valueType,
          migration);
    }

    /**
     * The entry with a raw {@code valueChecksum} field (tests of unknown ids); format unchanged.
     */
    TableEntry withValueChecksumId(final String id) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          id,
          valueType,
          migration);
    }

    TableEntry withValueType(final TypeEntry newValueType) {
      return new TableEntry(
          format,
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          newValueType,
          migration);
    }

    /**
     * The entry with {@code newMigration} (null: none), and the format that goes with it: {@link
     * #FORMAT_MIGRATING} while one is unfinished, else the checksum's.
     */
    TableEntry withMigration(final MigrationEntry newMigration) {
      return new TableEntry(
          formatOf(valueChecksum, newMigration),
          oid,
          name,
          description,
          kind,
          dbi,
          keyCodec,
          valueCodec,
          properties,
          indexes,
          references,
          valueChecksum,
          valueType,
          newMigration);
    }

    /**
     * The table's value checksum: {@link ValueChecksum#NONE} if the entry records none (every entry
     * written before checksums existed).
     *
     * @throws SchemaMismatchException if it names a checksum this version does not know
     */
    ValueChecksum checksum() {
      try {
        return ValueChecksum.ofId(valueChecksum);
      } catch (IllegalArgumentException e) {
        throw new SchemaMismatchException(
            "table's values carry checksum '" + valueChecksum + "', unknown to this version",
            name,
            null,
            e);
      }
    }

    /** The recorded value type, or null if the entry has none. */
    TypeFingerprint fingerprint() {
      return valueType == null ? null : valueType.fingerprint();
    }

    IndexEntry index(final String indexName) {
      if (indexes != null) {
        for (final IndexEntry index : indexes) {
          if (index.name().equals(indexName)) {
            return index;
          }
        }
      }
      return null;
    }
  }

  /** The format of an entry with checksum id {@code checksumId} and {@code migration}. */
  private static int formatOf(final String checksumId, final MigrationEntry migration) {
    if (migration != null) {
      return FORMAT_MIGRATING;
    }
    return checksumId == null ? FORMAT_NO_CHECKSUM : FORMAT_CHECKSUM;
  }

  /** An index's record. */
  record IndexEntry(String name, String dbi, String keyCodec, boolean unique, boolean nullable) {}

  /**
   * A reference's record. {@code onDelete} is {@code restrict}, {@code cascade} or {@code
   * set_null}; entries written before it existed have none and read as {@code restrict}, and every
   * reference counts as checked (this version checks them all).
   */
  record ReferenceEntry(
      String name, String target, String keyCodec, boolean checked, String onDelete) {

    static ReferenceEntry of(final Reference<?, ?, ?, ?> reference) {
      return new ReferenceEntry(
          reference.name(),
          reference.to.oid(),
          reference.to.keyCodec().id(),
          true,
          reference.onDelete().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** As this version reads an entry: checked, with RESTRICT where none is recorded. */
    ReferenceEntry normalized() {
      return checked && onDelete != null
          ? this
          : new ReferenceEntry(
              name, target, keyCodec, true, onDelete == null ? "restrict" : onDelete);
    }
  }

  /**
   * A value type's fingerprint as recorded: {@code {type, properties}}, properties null (left out)
   * for a type without named properties. See {@link TypeFingerprint}.
   */
  record TypeEntry(
      String type, @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> properties) {

    static TypeEntry of(final TypeFingerprint fingerprint) {
      return fingerprint == null
          ? null
          : new TypeEntry(fingerprint.type(), fingerprint.properties());
    }

    TypeFingerprint fingerprint() {
      return new TypeFingerprint(type, properties);
    }
  }

  /**
   * An unfinished migration of a table's values (see {@link TableMigration}): the value codec and
   * type the values are being migrated to (the entry's own {@code valueCodec} and {@code valueType}
   * stay those of the values not yet migrated), the last key migrated, as the hex of its encoding
   * (null before the first batch; every key up to it holds a migrated value, every key after it an
   * old one), and how many rows were migrated so far.
   */
  record MigrationEntry(String valueCodec, TypeEntry valueType, String lastKey, long rows) {}
}
