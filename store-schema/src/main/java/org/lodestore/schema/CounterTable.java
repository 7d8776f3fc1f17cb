package org.lodestore.schema;

import java.util.UUID;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;

/**
 * A table of 64-bit counters and bit sets with atomic mutators: each runs inside the caller's write
 * transaction, so it is atomic with everything else the transaction does and serialised with all
 * other writers. An absent key counts as 0.
 *
 * @param <K> the key type
 */
public final class CounterTable<K> extends SchemaTable<K, Long> {

  /** A declaration keyed by {@code keyCodec}; made by {@code Schema.counterTable}. */
  CounterTable(final KeyCodec<K> keyCodec) {
    super(keyCodec, ValueCodecs.LONG);
  }

  /**
   * The counter's value.
   *
   * @param txn the transaction
   * @param key the counter
   * @return its value, 0 if absent
   */
  public long value(final Txn txn, final K key) {
    final Long v = get(txn, key);
    return v == null ? 0 : v;
  }

  /**
   * Adds {@code delta} (may be negative) and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param delta the amount
   * @return the new value
   * @throws ArithmeticException on overflow (nothing is written)
   */
  public long increment(final Txn txn, final K key, final long delta) {
    final long next = Math.addExact(value(txn, key), delta);
    put(txn, key, next);
    return next;
  }

  /**
   * Subtracts {@code delta} and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param delta the amount
   * @return the new value
   * @throws ArithmeticException on overflow (nothing is written)
   */
  public long decrement(final Txn txn, final K key, final long delta) {
    return increment(txn, key, Math.negateExact(delta));
  }

  /**
   * Sets bit {@code bit} (0..63) and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param bit the bit index
   * @return the new value
   */
  public long setBit(final Txn txn, final K key, final int bit) {
    final long next = value(txn, key) | mask(bit);
    put(txn, key, next);
    return next;
  }

  /**
   * Clears bit {@code bit} (0..63) and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param bit the bit index
   * @return the new value
   */
  public long clearBit(final Txn txn, final K key, final int bit) {
    final long next = value(txn, key) & ~mask(bit);
    put(txn, key, next);
    return next;
  }

  /**
   * Whether bit {@code bit} (0..63) is set.
   *
   * @param txn the transaction
   * @param key the counter
   * @param bit the bit index
   * @return true if set
   */
  public boolean testBit(final Txn txn, final K key, final int bit) {
    return (value(txn, key) & mask(bit)) != 0;
  }

  private static long mask(final int bit) {
    if (bit < 0 || bit > 63) {
      throw new IllegalArgumentException("bit must be 0..63: " + bit);
    }
    return 1L << bit;
  }
}
