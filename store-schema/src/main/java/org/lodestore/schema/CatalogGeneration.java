package org.lodestore.schema;

import java.nio.ByteBuffer;
import org.lodestore.core.OwnerAccess;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.key.KeyCodecs;

/**
 * The catalog's generation: a number in the catalog, under the reserved key {@value #KEY}, that
 * every attach which changes the catalog (and every {@link Schema#dropIndex}) increases, in the
 * same transaction as the change.
 *
 * <h2>Why</h2>
 *
 * A schema object keeps the declaration it was attached with. When a newer declaration attaches the
 * same table with an index the old one does not know (a rolling deploy: the old service version
 * still runs, in this process or another), a write through the old object would leave that index
 * wrong: rows missing from it, stale entries, a duplicate under a unique index. So every write
 * through a {@link SchemaTable} or {@link SchemaSetTable} first compares the generation with the
 * one its declaration was checked at ({@link Schema#generation}: one LMDB get per write
 * transaction, cached for that transaction). If it moved, the table's catalog entry is read and
 * compared with the one recorded at attach ({@link EvolutionRules#staleness}): when what a write
 * must maintain is unchanged (another table changed, or only a name or description), the write goes
 * on and the newer generation is remembered; otherwise it is refused with {@code
 * SchemaMismatchException} naming the table and what changed, before anything is written. Reads are
 * never refused.
 *
 * <h2>Format</h2>
 *
 * A CBOR unsigned integer (major type 0), written with an 8-byte argument; any CBOR decoder reads
 * it. A catalog without the record (written before it existed) is generation 0; the next writable
 * attach records it.
 */
final class CatalogGeneration {

  /** The record's key in the catalog: reserved, since no oid starts with "__". */
  static final String KEY = "__generation";

  private final Table<String, Long> record;

  private CatalogGeneration(final Table<String, Long> record) {
    this.record = record;
  }

  static CatalogGeneration open(final OwnerAccess access, final Txn txn) {
    return new CatalogGeneration(
        access.table(txn, Catalog.DBI, KeyCodecs.STRING, CborUnsigned.INSTANCE));
  }

  /** The generation as {@code txn} sees it; 0 if the catalog has no record (yet). */
  long read(final Txn txn) {
    final Long value = record.get(txn, KEY);
    return value == null ? 0 : value;
  }

  boolean recorded(final Txn txn) {
    return record.contains(txn, KEY);
  }

  void write(final Txn txn, final long generation) {
    record.put(txn, KEY, generation);
  }

  /** Increases the generation in write transaction {@code txn}; returns the new one. */
  long bump(final Txn txn) {
    final long next = read(txn) + 1;
    write(txn, next);
    return next;
  }

  /**
   * One table declaration's view of the catalog: the entry its attach left (or, read-only, found),
   * and the generation at which it was last found current.
   */
  static final class Attached {
    private volatile Catalog.TableEntry entry;
    private volatile long currentAt = -1;

    void entry(final Catalog.TableEntry attached) {
      this.entry = attached;
    }

    void checkedAt(final long generation) {
      this.currentAt = generation;
    }

    /**
     * Refuses a write in {@code txn} to table {@code oid} (named {@code table}) if a newer
     * declaration changed what its writes must maintain: one catalog lookup per write transaction
     * ({@link Schema#generation}), and a read of the table's entry only when the generation moved.
     *
     * @throws SchemaMismatchException naming the table and what changed; nothing was written
     */
    void requireCurrent(final Schema schema, final Txn txn, final String table, final String oid) {
      if (txn.isReadOnly()) {
        return; // the write itself is refused, as in any read transaction
      }
      final long generation = schema.generation(txn);
      if (generation == currentAt) {
        return;
      }
      final String change = EvolutionRules.staleness(entry, schema.catalogEntry(txn, oid));
      if (change != null) {
        throw new SchemaMismatchException(
            "this declaration of the table is stale, so nothing of this write was done: "
                + change
                + "; attach the current declaration (catalog generation "
                + generation
                + ")",
            table,
            null,
            null);
      }
      currentAt = generation;
    }
  }

  /** A CBOR unsigned integer: written with an 8-byte argument, read in any of its widths. */
  private static final class CborUnsigned implements ValueCodec<Long> {

    static final CborUnsigned INSTANCE = new CborUnsigned();

    /** Major type 0 (unsigned integer), additional information 27 (8-byte argument follows). */
    private static final int UINT64 = 0x1b;

    @Override
    public String id() {
      return "cbor-uint";
    }

    @Override
    public ByteBuffer encode(final Long value) {
      if (value < 0) {
        throw new IllegalArgumentException("generation must not be negative: " + value);
      }
      return ByteBuffer.allocate(9).put((byte) UINT64).putLong(value).flip();
    }

    @Override
    public Long decode(final ByteBuffer src) {
      final int initial = src.get(0) & 0xff;
      final int info = initial & 0x1f;
      if (initial >> 5 != 0 || info > UINT64) {
        throw new IllegalArgumentException("not a CBOR unsigned integer: initial byte " + initial);
      }
      final int width = info < 24 ? 0 : 1 << (info - 24);
      if (src.remaining() != 1 + width) {
        throw new IllegalArgumentException(
            "a CBOR unsigned integer of " + src.remaining() + " bytes");
      }
      if (width == 0) {
        return (long) info;
      }
      long value = 0;
      for (int i = 1; i <= width; i++) {
        value = (value << 8) | (src.get(i) & 0xff); // big-endian, whatever the buffer's order
      }
      if (value < 0) {
        throw new IllegalArgumentException(
            "generation out of range: " + Long.toUnsignedString(value));
      }
      return value;
    }
  }
}
