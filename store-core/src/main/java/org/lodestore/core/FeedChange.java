package org.lodestore.core;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One byte-level change of a change-feed entry: what a write transaction did to one LMDB table, as
 * stored (keys as encoded by their codec, values with any checksum trailer), so that a follower
 * that applies every change in order is an exact copy, indexes and catalog included, without the
 * codecs.
 *
 * @param op what was done
 * @param table the LMDB table's name (a schema table's oid, {@code ix:<oid>:<index>}, {@code
 *     __lodestore_catalog}, or a plain table's name)
 * @param key the key bytes, or null for {@link Op#TRUNCATE}, {@link Op#DROP}, {@link Op#CREATE}
 * @param value the value bytes ({@link Op#PUT}), the member ({@link Op#SET_ADD}, {@link
 *     Op#SET_REMOVE}), the table's flags ({@link Op#CREATE}: {@link #DUP_SORT}, {@link
 *     #DUP_FIXED}), or null
 */
public record FeedChange(Op op, String table, byte[] key, byte[] value) {

  /** A {@link Op#CREATE} flag: the table is a set table (LMDB {@code MDB_DUPSORT}). */
  public static final int DUP_SORT = 1;

  /** A {@link Op#CREATE} flag: its members have one fixed length (LMDB {@code MDB_DUPFIXED}). */
  public static final int DUP_FIXED = 2;

  /** What a change does; the codes are the on-disk form. */
  public enum Op {
    /** Stores {@code value} under {@code key} (a plain table). */
    PUT(1),
    /** Removes {@code key}: a plain table's row, or a set table's whole set. */
    DELETE(2),
    /** Removes every row; the table stays. */
    TRUNCATE(3),
    /** Removes the table. */
    DROP(4),
    /** Adds member {@code value} to the set of {@code key}. */
    SET_ADD(5),
    /** Removes member {@code value} from the set of {@code key}. */
    SET_REMOVE(6),
    /** Creates the (empty) table, with the flags in {@code value}'s one byte. */
    CREATE(7);

    final byte code;

    Op(final int code) {
      this.code = (byte) code;
    }

    static Op of(final int code) {
      for (final Op op : values()) {
        if (op.code == code) {
          return op;
        }
      }
      return null;
    }
  }

  /**
   * Checks the parts.
   *
   * @param op what was done
   * @param table the LMDB table's name
   * @param key the key bytes, or null
   * @param value the value bytes, or null
   */
  public FeedChange {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(table, "table");
  }

  @Override
  public boolean equals(final Object o) {
    return o instanceof FeedChange
        && ((FeedChange) o).op == op
        && ((FeedChange) o).table.equals(table)
        && Arrays.equals(((FeedChange) o).key, key)
        && Arrays.equals(((FeedChange) o).value, value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, table, Arrays.hashCode(key), Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return op
        + " "
        + table
        + (key == null ? "" : " key " + HexFormat.of().formatHex(key))
        + (value == null ? "" : " (" + value.length + " bytes)");
  }
}
