package org.lodestore.schema;

import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodec;

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

  /** The counter as a field of its own value: an absent key counts as 0. */
  private final LongField<K, Long> field = new LongField<>(this, "value", v -> v, (v, n) -> n, 0L);

  /**
   * The counter's value.
   *
   * @param txn the transaction
   * @param key the counter
   * @return its value, 0 if absent
   */
  public long value(final Txn txn, final K key) {
    return field.get(txn, key).getAsLong();
  }

  /**
   * Adds {@code delta} (may be negative) and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param delta the amount
   * @return the new value
   * @throws ConstraintViolationException on overflow (nothing is written)
   */
  public long increment(final Txn txn, final K key, final long delta) {
    return field.increment(txn, key, delta).getAsLong();
  }

  /**
   * Subtracts {@code delta} and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param delta the amount
   * @return the new value
   * @throws ConstraintViolationException on overflow (nothing is written)
   */
  public long decrement(final Txn txn, final K key, final long delta) {
    return field.decrement(txn, key, delta).getAsLong();
  }

  /**
   * Keeps only the bits of {@code mask} and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param mask the bits to keep
   * @return the new value
   */
  public long and(final Txn txn, final K key, final long mask) {
    return field.and(txn, key, mask).getAsLong();
  }

  /**
   * Sets the bits of {@code mask} and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param mask the bits to set
   * @return the new value
   */
  public long or(final Txn txn, final K key, final long mask) {
    return field.or(txn, key, mask).getAsLong();
  }

  /**
   * Flips the bits of {@code mask} and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param mask the bits to flip
   * @return the new value
   */
  public long xor(final Txn txn, final K key, final long mask) {
    return field.xor(txn, key, mask).getAsLong();
  }

  /**
   * Sets bit {@code bit} (0..63) and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param bit the bit index
   * @return the new value
   * @throws IllegalArgumentException if {@code bit} is not 0..63
   */
  public long setBit(final Txn txn, final K key, final int bit) {
    return field.setBit(txn, key, bit).getAsLong();
  }

  /**
   * Clears bit {@code bit} (0..63) and returns the new value.
   *
   * @param txn a write transaction
   * @param key the counter
   * @param bit the bit index
   * @return the new value
   * @throws IllegalArgumentException if {@code bit} is not 0..63
   */
  public long clearBit(final Txn txn, final K key, final int bit) {
    return field.clearBit(txn, key, bit).getAsLong();
  }

  /**
   * Whether bit {@code bit} (0..63) is set.
   *
   * @param txn the transaction
   * @param key the counter
   * @param bit the bit index
   * @return true if set
   * @throws IllegalArgumentException if {@code bit} is not 0..63
   */
  public boolean testBit(final Txn txn, final K key, final int bit) {
    return field.testBit(txn, key, bit);
  }
}
