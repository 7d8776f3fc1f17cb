package org.lodestore.schema;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.function.LongUnaryOperator;
import java.util.function.ToLongFunction;
import org.lodestore.core.Txn;

/**
 * A numeric field of a table's values with mutators that run inside the caller's write transaction
 * (the ActiveRecord seed's {@code inc}, {@code dec}, {@code and}, {@code or}, {@code xor}, {@code
 * set_bit}, {@code clear_bit}): each reads the row, computes the field's new value, and writes the
 * row back through the table's write path, so every index and reference is maintained and checked,
 * and a refused write changes nothing. Atomic with everything else the transaction does, and
 * serialised with every other writer.
 *
 * <pre>{@code
 * final LongField<UUID, User> logins = users.longField("logins", User::logins, User::withLogins);
 * db.write(txn -> logins.increment(txn, userId, 1));
 * }</pre>
 *
 * <p>A mutator of a row that does not exist writes nothing and returns empty; an arithmetic
 * overflow (or a wither that cannot hold the result, e.g. {@code Math.toIntExact}) is refused with
 * {@link ConstraintViolationException} naming the table, key and field.
 *
 * @param <K> the table's key type
 * @param <V> the table's value type
 */
public final class LongField<K, V> {

  private final SchemaTable<K, V> table;
  private final String name;
  private final ToLongFunction<? super V> getter;
  private final BiFunction<? super V, Long, ? extends V> wither;

  /** What an absent row counts as (a counter's 0), or null: absent rows are left alone. */
  private final V absent;

  LongField(
      final SchemaTable<K, V> table,
      final String name,
      final ToLongFunction<? super V> getter,
      final BiFunction<? super V, Long, ? extends V> wither,
      final V absent) {
    this.table = Objects.requireNonNull(table, "table");
    this.name = Objects.requireNonNull(name, "name");
    this.getter = Objects.requireNonNull(getter, "getter");
    this.wither = Objects.requireNonNull(wither, "wither");
    this.absent = absent;
  }

  /**
   * The field's name, for messages.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The field's value in the row {@code key}.
   *
   * @param txn the transaction
   * @param key the row's key
   * @return the value, or empty if there is no row
   */
  public OptionalLong get(final Txn txn, final K key) {
    final V value = current(txn, key);
    return value == null ? OptionalLong.empty() : OptionalLong.of(getter.applyAsLong(value));
  }

  /**
   * Adds {@code delta} (may be negative).
   *
   * @param txn a write transaction
   * @param key the row's key
   * @param delta the amount
   * @return the new value, or empty if there is no row (nothing written)
   * @throws ConstraintViolationException on overflow (nothing written)
   */
  public OptionalLong increment(final Txn txn, final K key, final long delta) {
    return mutate(txn, key, v -> Math.addExact(v, delta), "+ " + delta);
  }

  /**
   * Subtracts {@code delta}.
   *
   * @param txn a write transaction
   * @param key the row's key
   * @param delta the amount
   * @return the new value, or empty if there is no row (nothing written)
   * @throws ConstraintViolationException on overflow (nothing written)
   */
  public OptionalLong decrement(final Txn txn, final K key, final long delta) {
    return mutate(txn, key, v -> Math.subtractExact(v, delta), "- " + delta);
  }

  /**
   * Keeps only the bits of {@code mask} ({@code &= mask}).
   *
   * @param txn a write transaction
   * @param key the row's key
   * @param mask the bits to keep
   * @return the new value, or empty if there is no row
   */
  public OptionalLong and(final Txn txn, final K key, final long mask) {
    return mutate(txn, key, v -> v & mask, "& " + mask);
  }

  /**
   * Sets the bits of {@code mask} ({@code |= mask}).
   *
   * @param txn a write transaction
   * @param key the row's key
   * @param mask the bits to set
   * @return the new value, or empty if there is no row
   */
  public OptionalLong or(final Txn txn, final K key, final long mask) {
    return mutate(txn, key, v -> v | mask, "| " + mask);
  }

  /**
   * Flips the bits of {@code mask} ({@code ^= mask}).
   *
   * @param txn a write transaction
   * @param key the row's key
   * @param mask the bits to flip
   * @return the new value, or empty if there is no row
   */
  public OptionalLong xor(final Txn txn, final K key, final long mask) {
    return mutate(txn, key, v -> v ^ mask, "^ " + mask);
  }

  /**
   * Sets bit {@code bit} (0..63).
   *
   * @param txn a write transaction
   * @param key the row's key
   * @param bit the bit index
   * @return the new value, or empty if there is no row
   * @throws IllegalArgumentException if {@code bit} is not 0..63
   */
  public OptionalLong setBit(final Txn txn, final K key, final int bit) {
    return or(txn, key, bit(bit));
  }

  /**
   * Clears bit {@code bit} (0..63).
   *
   * @param txn a write transaction
   * @param key the row's key
   * @param bit the bit index
   * @return the new value, or empty if there is no row
   * @throws IllegalArgumentException if {@code bit} is not 0..63
   */
  public OptionalLong clearBit(final Txn txn, final K key, final int bit) {
    return and(txn, key, ~bit(bit));
  }

  /**
   * Whether bit {@code bit} (0..63) is set (false if there is no row).
   *
   * @param txn the transaction
   * @param key the row's key
   * @param bit the bit index
   * @return true if set
   * @throws IllegalArgumentException if {@code bit} is not 0..63
   */
  public boolean testBit(final Txn txn, final K key, final int bit) {
    final OptionalLong v = get(txn, key);
    return v.isPresent() && (v.getAsLong() & bit(bit)) != 0;
  }

  private V current(final Txn txn, final K key) {
    final V value = table.get(txn, key);
    return value != null ? value : absent;
  }

  private OptionalLong mutate(
      final Txn txn, final K key, final LongUnaryOperator op, final String what) {
    final V value = current(txn, key);
    if (value == null) {
      return OptionalLong.empty();
    }
    final long before = getter.applyAsLong(value);
    final long after;
    final V next;
    try {
      after = op.applyAsLong(before);
      next = Objects.requireNonNull(wither.apply(value, after), "wither returned null");
    } catch (ArithmeticException e) {
      throw table.refused(
          new ConstraintViolationException(
              "field '" + name + "' cannot be " + before + " " + what + ": " + e.getMessage(),
              table.name(),
              key,
              e));
    }
    table.put(txn, key, next);
    return OptionalLong.of(after);
  }

  private static long bit(final int bit) {
    if (bit < 0 || bit > 63) {
      throw new IllegalArgumentException("bit must be 0..63: " + bit);
    }
    return 1L << bit;
  }
}
