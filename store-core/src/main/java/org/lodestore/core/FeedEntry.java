package org.lodestore.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * One committed write transaction as the change feed recorded it: its sequence number (dense: 1, 2,
 * 3, ... in commit order), the database's feed generation, its commit time, the hash chain, and its
 * changes. Immutable; {@link #bytes()} is the on-disk and on-the-wire form, which {@link #decode}
 * reads back and checks.
 *
 * <pre>
 *  offset  size
 *       0     1  format (1)
 *       1     8  seq, big-endian
 *       9    16  generation (UUID: most, then least significant 8 bytes)
 *      25     8  commit time, microseconds since the epoch
 *      33    32  the previous entry's hash (zeros before the first entry of a generation)
 *      65     2  n tables; n times: u16 length, UTF-8 name
 *             4  m changes; m times: u8 op, u16 table index, u16 key length, key,
 *                                     i32 value length (-1: none), value
 *     end    32  hash: SHA-256 of every byte before it
 * </pre>
 *
 * <p>Hash chain: each entry's hash covers the previous entry's hash (at offset 33), so {@code h(n)
 * = SHA-256(h(n-1) || entry n)}. A follower that applied entry {@code n-1} with hash {@code h}
 * accepts entry {@code n} only if it {@link #follows} it: a lost, reordered, altered or foreign
 * entry is seen at once.
 */
public final class FeedEntry {

  /** The format byte this version writes and reads. */
  public static final int FORMAT = 1;

  /** The length of a hash in bytes (SHA-256). */
  public static final int HASH_LENGTH = 32;

  static final int HEADER = 65;

  private final byte[] bytes;
  private final long seq;
  private final UUID generation;
  private final long commitMicros;

  /** Read from the bytes when first asked for: a shipper only ever needs the bytes. */
  private volatile List<FeedChange> changes;

  private FeedEntry(
      final byte[] bytes, final long seq, final UUID generation, final long commitMicros) {
    this.bytes = bytes;
    this.seq = seq;
    this.generation = generation;
    this.commitMicros = commitMicros;
  }

  /**
   * Reads an entry from its {@link #bytes()} and checks its header and hash. Its changes are read
   * from the bytes when first asked for ({@link #changes()}).
   *
   * @param bytes the encoded entry (not copied: do not change it afterwards)
   * @return the entry
   * @throws CorruptValueException if the bytes are not an entry of this format or the hash does not
   *     match them
   */
  public static FeedEntry decode(final byte[] bytes) {
    if (bytes.length < HEADER + 2 + 4 + HASH_LENGTH || (bytes[0] & 0xFF) != FORMAT) {
      throw corrupt("not a change feed entry of format " + FORMAT, -1);
    }
    final ByteBuffer b = ByteBuffer.wrap(bytes);
    final long seq = b.getLong(1);
    final UUID generation = new UUID(b.getLong(9), b.getLong(17));
    final long micros = b.getLong(25);
    if (!Arrays.equals(
        sha256(bytes, bytes.length - HASH_LENGTH),
        0,
        HASH_LENGTH,
        bytes,
        bytes.length - HASH_LENGTH,
        bytes.length)) {
      throw corrupt("its hash does not match its bytes", seq);
    }
    return new FeedEntry(bytes, seq, generation, micros);
  }

  /** The changes in {@link #bytes}, checked for structure. */
  private List<FeedChange> readChanges() {
    try {
      final ByteBuffer b = ByteBuffer.wrap(bytes, 0, bytes.length - HASH_LENGTH);
      b.position(HEADER);
      final String[] tables = new String[b.getShort() & 0xFFFF];
      for (int i = 0; i < tables.length; i++) {
        final byte[] name = new byte[b.getShort() & 0xFFFF];
        b.get(name);
        tables[i] = new String(name, StandardCharsets.UTF_8);
      }
      final int count = b.getInt();
      if (count < 0) {
        throw corrupt("negative change count", seq);
      }
      final List<FeedChange> out = new ArrayList<>(Math.min(count, 1 << 16));
      for (int i = 0; i < count; i++) {
        final FeedChange.Op op = FeedChange.Op.of(b.get());
        final int table = b.getShort() & 0xFFFF;
        if (op == null || table >= tables.length) {
          throw corrupt("change " + i + " has an unknown op or table", seq);
        }
        final int keyLength = b.getShort() & 0xFFFF;
        byte[] key = null;
        if (op != FeedChange.Op.TRUNCATE
            && op != FeedChange.Op.DROP
            && op != FeedChange.Op.CREATE) {
          key = new byte[keyLength];
          b.get(key);
        } else if (keyLength != 0) {
          throw corrupt("change " + i + " (" + op + ") has a key", seq);
        }
        final int valueLength = b.getInt();
        byte[] value = null;
        if (valueLength >= 0) {
          value = new byte[valueLength];
          b.get(value);
        } else if (valueLength != -1) {
          throw corrupt("change " + i + " has a negative value length", seq);
        }
        out.add(new FeedChange(op, tables[table], key, value));
      }
      if (b.hasRemaining()) {
        throw corrupt("trailing bytes after its changes", seq);
      }
      return Collections.unmodifiableList(out);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new CorruptValueException(
          "change feed entry " + seq + " is truncated", FeedLog.ENTRIES, seq, e);
    }
  }

  /**
   * An entry about to be written, for {@link FeedLog#append}: its length first (to reserve the
   * space in LMDB), then its bytes written once, straight into the reserved space. The hash is
   * computed over the parts, without a contiguous copy on the heap.
   */
  static final class Encoder {
    private final byte[] header = new byte[HEADER];
    private final byte[] tables;
    private final byte[] count;
    private final FeedRecorder changes;
    private final byte[] hash;

    Encoder(
        final long seq,
        final UUID generation,
        final long commitMicros,
        final byte[] previousHash,
        final FeedRecorder changes) {
      ByteBuffer.wrap(header)
          .put((byte) FORMAT)
          .putLong(seq)
          .putLong(generation.getMostSignificantBits())
          .putLong(generation.getLeastSignificantBits())
          .putLong(commitMicros)
          .put(previousHash);
      this.tables = changes.encodedTables();
      this.count = ByteBuffer.allocate(4).putInt(changes.count()).array();
      this.changes = changes;
      final MessageDigest digest = SHA256.get();
      digest.reset();
      digest.update(header);
      digest.update(tables);
      digest.update(count);
      digest.update(changes.changes(), 0, changes.size());
      this.hash = digest.digest();
    }

    /** The entry's length in bytes. */
    int length() {
      return HEADER + tables.length + 4 + changes.size() + HASH_LENGTH;
    }

    /** The entry's hash (its last {@value #HASH_LENGTH} bytes). */
    byte[] hash() {
      return hash;
    }

    /** Writes the entry at {@code out}'s position: {@link #length()} bytes. */
    void writeTo(final ByteBuffer out) {
      out.put(header).put(tables).put(count).put(changes.changes(), 0, changes.size()).put(hash);
    }
  }

  /** One digest per thread: looking one up per entry costs more than hashing a small entry. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java platform has SHA-256", e);
            }
          });

  static byte[] sha256(final byte[] bytes, final int length) {
    final MessageDigest digest = SHA256.get();
    digest.reset();
    digest.update(bytes, 0, length);
    return digest.digest();
  }

  private static CorruptValueException corrupt(final String why, final long seq) {
    return new CorruptValueException(
        "change feed entry" + (seq < 0 ? "" : " " + seq) + " is damaged: " + why,
        FeedLog.ENTRIES,
        seq < 0 ? null : seq,
        null);
  }

  /**
   * Its sequence number: 1 for the first entry of the database's feed, then dense.
   *
   * @return the sequence number
   */
  public long seq() {
    return seq;
  }

  /**
   * The feed generation it belongs to (see {@link ChangeFeed#generation()}).
   *
   * @return the generation id
   */
  public UUID generation() {
    return generation;
  }

  /**
   * When its transaction committed (this machine's clock, to the microsecond).
   *
   * @return the commit time
   */
  public Instant commitTime() {
    return Instant.ofEpochSecond(
        Math.floorDiv(commitMicros, 1_000_000L), Math.floorMod(commitMicros, 1_000_000L) * 1_000);
  }

  /**
   * The hash of the entry before it (zeros for the first of a generation).
   *
   * @return a copy of the 32 bytes
   */
  public byte[] previousHash() {
    return Arrays.copyOfRange(bytes, 33, 33 + HASH_LENGTH);
  }

  /**
   * Its own hash: SHA-256 of everything before it in {@link #bytes()}.
   *
   * @return a copy of the 32 bytes
   */
  public byte[] hash() {
    return Arrays.copyOfRange(bytes, bytes.length - HASH_LENGTH, bytes.length);
  }

  /**
   * Whether this entry is the one after {@code previous}: the next sequence number of the same
   * generation, chained to its hash.
   *
   * @param previous the entry before, as applied
   * @return true if it follows
   */
  public boolean follows(final FeedEntry previous) {
    return follows(previous.seq, previous.generation, previous.hash());
  }

  /**
   * Whether this entry follows the entry {@code seq} of {@code generation} whose hash was {@code
   * hash} (what a follower records of the last entry it applied).
   *
   * @param seq the sequence number of the entry before
   * @param generation its generation
   * @param hash its hash
   * @return true if it follows
   */
  public boolean follows(final long seq, final UUID generation, final byte[] hash) {
    return this.seq == seq + 1
        && this.generation.equals(generation)
        && Arrays.equals(bytes, 33, 33 + HASH_LENGTH, hash, 0, hash.length);
  }

  /**
   * Its changes, in the order its transaction made them.
   *
   * @return the changes; unmodifiable
   * @throws CorruptValueException if they are malformed (which a matching hash rules out, unless
   *     the bytes were made to match)
   */
  public List<FeedChange> changes() {
    List<FeedChange> c = changes;
    if (c == null) {
      c = readChanges(); // (two threads may both read them: the same list either way)
      changes = c;
    }
    return c;
  }

  /**
   * Its encoded form (see the class comment).
   *
   * @return a copy of the bytes
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The length of its encoded form.
   *
   * @return bytes
   */
  public int size() {
    return bytes.length;
  }

  @Override
  public String toString() {
    return "FeedEntry[seq "
        + seq
        + ", "
        + changes().size()
        + " changes, "
        + bytes.length
        + " bytes, "
        + commitTime()
        + "]";
  }
}
