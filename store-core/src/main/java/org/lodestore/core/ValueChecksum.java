package org.lodestore.core;

/**
 * Whether a table's stored values carry a checksum, and which. A property of the table on disk:
 * every {@link Table} object over one LMDB database must use the same setting (store-schema records
 * it in its catalog and checks it at attach; for a plain {@link Database#table} table it is the
 * caller's to keep). Choose it with {@link Table#withValueChecksum}.
 *
 * <h2>Layout of a checksummed value ({@link #CRC32C})</h2>
 *
 * <pre>
 *  LMDB key:   | encoded key (the key codec's bytes, 1..511)      |
 *  LMDB value: | value bytes (the value codec's, n >= 0) | crc32c |
 *               0                                  n - 1   n .. n+3
 *
 *  crc32c = CRC-32C (Castagnoli, java.util.zip.CRC32C) of the encoded key bytes followed by the
 *           n value bytes, stored as 4 bytes big-endian (unsigned)
 * </pre>
 *
 * The key is part of the checksum, so a value found under another key than the one it was written
 * under (a misdirected write, a page mix-up) fails too. The value codec sees only the {@code n}
 * value bytes: a zero-copy view (FlatBuffers, {@link org.lodestore.core.codec.ValueCodecs#VIEW},
 * {@link Table#rawView}) covers them without the trailer. Every read that returns a value checks
 * the trailer first, one CRC pass over key and value (the JDK's intrinsic: a few nanoseconds per
 * 100 bytes), and a mismatch, or a stored value shorter than the trailer, is a {@link
 * CorruptValueException} naming the table and the key. {@link Table#contains} and {@link
 * Table#count(Txn, KeyRange)} do not read values and do not check. A CRC-32C detects every single
 * flipped bit and every burst of up to 32 damaged bits, and any other damage with probability 1 -
 * 2<sup>-32</sup>.
 *
 * <p>With {@link #NONE} the value is stored as the codec's bytes alone, as before checksums
 * existed: tables written by earlier versions read unchanged.
 */
public enum ValueChecksum {

  /** No checksum: the stored value is the codec's bytes alone. */
  NONE("none"),

  /** A 4-byte big-endian CRC-32C of key and value after the value bytes (see the class comment). */
  CRC32C("crc32c");

  /** Bytes a {@link #CRC32C} checksum adds after the value. */
  static final int TRAILER = 4;

  private final String id;

  ValueChecksum(final String id) {
    this.id = id;
  }

  /**
   * The stable identifier recorded on disk (e.g. in store-schema's catalog); never derived from the
   * constant's Java name.
   *
   * @return {@code "none"} or {@code "crc32c"}
   */
  public String id() {
    return id;
  }

  /**
   * The checksum of a recorded identifier.
   *
   * @param id an identifier from {@link #id()}, or null for none (a record from before checksums)
   * @return the checksum
   * @throws IllegalArgumentException if {@code id} is not known to this version
   */
  public static ValueChecksum ofId(final String id) {
    if (id == null) {
      return NONE;
    }
    for (final ValueChecksum c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown value checksum '" + id + "'");
  }
}
