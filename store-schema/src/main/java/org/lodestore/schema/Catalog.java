package org.lodestore.schema;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * The persistent catalog: one reserved LMDB database, {@value #DBI}, mapping each table's oid to a
 * CBOR map that records its identity, codecs, format version, indexes and references. Plain RFC
 * 8949 CBOR, so any CBOR decoder (or {@code mdb_dump}) can read it.
 *
 * <pre>
 *  key   "6f1c...-uuid"      (the table's oid, UTF-8)
 *  value {format: 1|2, oid, name, description, kind: "table"|"set", dbi, keyCodec, valueCodec,
 *         properties: {..}, indexes: [{name, dbi, keyCodec, unique, nullable}],
 *         references: [{name, target, keyCodec, checked}],
 *         valueChecksum: "crc32c"}        (format 2 only; absent or null: no checksum)
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
 * <p>The catalog's name is reserved: plain {@code Database.table} access refuses it, and the schema
 * opens it through its {@link OwnerAccess}.
 */
final class Catalog {

  /** The reserved LMDB database name. */
  static final String DBI = "__lodestore_catalog";

  /** The newest on-disk format version of catalog entries and tables that this version reads. */
  static final int FORMAT = 2;

  /** The format of a table without value checksums: what versions before checksums read too. */
  static final int FORMAT_NO_CHECKSUM = 1;

  /** The format a table's entry is recorded with. */
  static int format(final ValueChecksum checksum) {
    return checksum == ValueChecksum.NONE ? FORMAT_NO_CHECKSUM : FORMAT;
  }

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
      return CBOR.readValue(bytes, TableEntry.class);
    } catch (IOException e) {
      throw new CorruptValueException("catalog entry cannot be decoded", DBI, oid, e);
    }
  }

  void put(final Txn txn, final TableEntry entry) {
    try {
      table.put(txn, entry.oid(), CBOR.writeValueAsBytes(entry));
    } catch (IOException e) {
      throw new IllegalStateException("catalog entry cannot be encoded: " + entry, e);
    }
  }

  /** A table's record. */
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
      String valueChecksum) {

    /**
     * The table's value checksum: {@link ValueChecksum#NONE} if the entry records none (every
     * entry written before checksums existed).
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

  /** An index's record. */
  record IndexEntry(String name, String dbi, String keyCodec, boolean unique, boolean nullable) {}

  /** A reference's record. */
  record ReferenceEntry(String name, String target, String keyCodec, boolean checked) {}
}
