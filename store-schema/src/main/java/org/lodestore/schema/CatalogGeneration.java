package org.lodestore.schema;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
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
 * A schema object keeps the declaration it was attached with. When a newer declaration attaches
 * the same table with an index the old one does not know (a rolling deploy: the old service
 * version still runs, in this process or another), a write through the old object would leave that
 * index wrong: rows missing from it, stale entries, a duplicate under a unique index. So every
 * write through a {@link SchemaTable} or {@link SchemaSetTable} first compares the generation with
 * the one its declaration was checked at ({@link Schema#generation}: one LMDB get per write
 * transaction, cached for that transaction). If it moved, the table's catalog entry is read and
 * compared with the one recorded at attach ({@link #staleness}): when what a write must maintain
 * is unchanged (another table changed, or only a name or description), the write goes on and the
 * newer generation is remembered; otherwise it is refused with {@code SchemaMismatchException}
 * naming the table and what changed, before anything is written. Reads are never refused.
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
      final String change = staleness(entry, schema.catalogEntry(txn, oid));
      if (change != null) {
        throw new SchemaMismatchException(
            "this declaration of the table is stale, so nothing of this write was done: " + change
                + "; attach the current declaration (catalog generation " + generation + ")",
            table,
            null,
            null);
      }
      currentAt = generation;
    }
  }

  /**
   * What changed between {@code attached} (the entry a declaration was attached with) and {@code
   * current} (the catalog's entry now) that a write through that declaration would get wrong, or
   * null if nothing did. Names and descriptions do not matter to a write, nor does an index made
   * nullable (the old declaration is stricter), nor a value type changed compatibly (see {@link
   * EvolutionRules#valueType}: values of the old type read as the new one); indexes, codecs,
   * storage, format, properties, references, the value checksum, an incompatible value type and an
   * unfinished migration do.
   */
  static String staleness(final Catalog.TableEntry attached, final Catalog.TableEntry current) {
    if (current == null) {
      return "the table is no longer in the catalog";
    }
    final List<String> changes = new ArrayList<>();
    final Map<String, Catalog.IndexEntry> mine = indexes(attached);
    final Map<String, Catalog.IndexEntry> now = indexes(current);
    for (final Catalog.IndexEntry index : now.values()) {
      final Catalog.IndexEntry known = mine.get(index.name());
      if (known == null) {
        changes.add(
            "the catalog has index '" + index.name() + "', which this declaration does not "
                + "maintain (a newer declaration added it)");
      } else if (!sameIndex(known, index)) {
        changes.add("index '" + index.name() + "' changed in the catalog");
      }
    }
    for (final String name : mine.keySet()) {
      if (!now.containsKey(name)) {
        changes.add("index '" + name + "' of this declaration is no longer in the catalog");
      }
    }
    if (!Objects.equals(attached.kind(), current.kind())
        || !Objects.equals(attached.keyCodec(), current.keyCodec())
        || !Objects.equals(attached.valueCodec(), current.valueCodec())
        || !Objects.equals(attached.dbi(), current.dbi())
        // a migration's format is reported as the migration, below
        || (attached.format() != current.format() && current.migration() == null)) {
      changes.add(
          "its definition changed: " + describe(attached) + " -> " + describe(current));
    }
    if (!orEmpty(attached.properties()).equals(orEmpty(current.properties()))) {
      changes.add(
          "its properties changed: " + orEmpty(attached.properties()) + " -> "
              + orEmpty(current.properties()));
    }
    if (!orEmpty(attached.references()).equals(orEmpty(current.references()))) {
      changes.add("its references changed");
    }
    if (current.migration() != null) {
      changes.add("a migration of its values to another type is unfinished");
    }
    final String typeChange = EvolutionRules.typeConflict(attached.fingerprint(), current.fingerprint());
    if (typeChange != null) {
      changes.add(
          "its value type changed incompatibly: " + attached.fingerprint() + " -> "
              + current.fingerprint() + " (" + typeChange + ")");
    }
    if (!Objects.equals(attached.valueChecksum(), current.valueChecksum())) {
      changes.add(
          "its value checksum changed: " + attached.valueChecksum() + " -> "
              + current.valueChecksum());
    }
    return changes.isEmpty() ? null : String.join("; ", changes);
  }

  private static Map<String, Catalog.IndexEntry> indexes(final Catalog.TableEntry entry) {
    final Map<String, Catalog.IndexEntry> out = new TreeMap<>();
    for (final Catalog.IndexEntry index : orEmpty(entry.indexes())) {
      out.put(index.name(), index);
    }
    return out;
  }

  private static boolean sameIndex(final Catalog.IndexEntry a, final Catalog.IndexEntry b) {
    return Objects.equals(a.dbi(), b.dbi())
        && Objects.equals(a.keyCodec(), b.keyCodec())
        && a.unique() == b.unique();
  }

  private static String describe(final Catalog.TableEntry e) {
    return e.kind() + " " + e.keyCodec() + " -> " + e.valueCodec() + " in '" + e.dbi()
        + "', format " + e.format();
  }

  private static <T> List<T> orEmpty(final List<T> list) {
    return list == null ? List.of() : list;
  }

  private static Map<String, String> orEmpty(final Map<String, String> map) {
    return map == null ? Map.of() : map;
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
        throw new IllegalArgumentException("a CBOR unsigned integer of " + src.remaining() + " bytes");
      }
      if (width == 0) {
        return (long) info;
      }
      long value = 0;
      for (int i = 1; i <= width; i++) {
        value = (value << 8) | (src.get(i) & 0xff); // big-endian, whatever the buffer's order
      }
      if (value < 0) {
        throw new IllegalArgumentException("generation out of range: " + Long.toUnsignedString(value));
      }
      return value;
    }
  }
}
