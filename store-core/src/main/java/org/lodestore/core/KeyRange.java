package org.lodestore.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * Which keys a scan visits, in which direction, and how many. Immutable.
 *
 * <pre>{@code
 * KeyRange.all()                                   // every key, ascending
 * KeyRange.closedOpen(from, to)                    // from <= key < to
 * KeyRange.prefix(seriesId)                        // composite keys whose first component is seriesId
 * KeyRange.prefix(seriesId).reversed().limit(10)   // the latest 10 rows of one series
 * KeyRange.closed(Tuple2.of(m, t0), Tuple2.of(m, t1)).offset(100).limit(50)
 * }</pre>
 *
 * <p>Bounds compare in the order of the table's key codec ({@link
 * org.lodestore.core.key.KeyCodec#comparator()}), which is the order rows are stored in. A prefix
 * range holds the leading components of a composite key (or, for a scalar string or byte-array key,
 * the leading bytes); every key that starts with them is in the range, and no other. The offset
 * skips that many rows in scan direction before the first returned row; the limit caps the rows
 * returned.
 *
 * @param <K> the key type
 */
public final class KeyRange<K> {

  enum Bound {
    NONE,
    INCLUSIVE,
    EXCLUSIVE,
    PREFIX
  }

  private static final KeyRange<Object> ALL =
      new KeyRange<>(null, Bound.NONE, null, Bound.NONE, null, false, Long.MAX_VALUE, 0);

  final K lower;
  final Bound lowerBound;
  final K upper;
  final Bound upperBound;
  final Object[] prefix;
  final boolean reversed;
  final long limit;
  final long offset;

  private KeyRange(
      final K lower,
      final Bound lowerBound,
      final K upper,
      final Bound upperBound,
      final Object[] prefix,
      final boolean reversed,
      final long limit,
      final long offset) {
    this.lower = lower;
    this.lowerBound = lowerBound;
    this.upper = upper;
    this.upperBound = upperBound;
    this.prefix = prefix;
    this.reversed = reversed;
    this.limit = limit;
    this.offset = offset;
  }

  /**
   * Every key.
   *
   * @param <K> the key type
   * @return the range
   */
  @SuppressWarnings("unchecked")
  public static <K> KeyRange<K> all() {
    return (KeyRange<K>) ALL;
  }

  /**
   * Keys {@code >= from}.
   *
   * @param from the lower bound, inclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> atLeast(final K from) {
    return bounded(from, Bound.INCLUSIVE, null, Bound.NONE);
  }

  /**
   * Keys {@code > from}.
   *
   * @param from the lower bound, exclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> greaterThan(final K from) {
    return bounded(from, Bound.EXCLUSIVE, null, Bound.NONE);
  }

  /**
   * Keys {@code <= to}.
   *
   * @param to the upper bound, inclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> atMost(final K to) {
    return bounded(null, Bound.NONE, to, Bound.INCLUSIVE);
  }

  /**
   * Keys {@code < to}.
   *
   * @param to the upper bound, exclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> lessThan(final K to) {
    return bounded(null, Bound.NONE, to, Bound.EXCLUSIVE);
  }

  /**
   * Keys {@code from <= key <= to}.
   *
   * @param from the lower bound, inclusive
   * @param to the upper bound, inclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> closed(final K from, final K to) {
    return bounded(from, Bound.INCLUSIVE, to, Bound.INCLUSIVE);
  }

  /**
   * Keys {@code from <= key < to}.
   *
   * @param from the lower bound, inclusive
   * @param to the upper bound, exclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> closedOpen(final K from, final K to) {
    return bounded(from, Bound.INCLUSIVE, to, Bound.EXCLUSIVE);
  }

  /**
   * Keys {@code from < key <= to}.
   *
   * @param from the lower bound, exclusive
   * @param to the upper bound, inclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> openClosed(final K from, final K to) {
    return bounded(from, Bound.EXCLUSIVE, to, Bound.INCLUSIVE);
  }

  /**
   * Keys {@code from < key < to}.
   *
   * @param from the lower bound, exclusive
   * @param to the upper bound, exclusive
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> open(final K from, final K to) {
    return bounded(from, Bound.EXCLUSIVE, to, Bound.EXCLUSIVE);
  }

  /**
   * Keys that start with the given leading components of a composite key (for a scalar string or
   * byte-array key: with the given leading bytes). Component types are checked against the key
   * codec when the range is used.
   *
   * @param components the leading components, at least one, none null
   * @param <K> the key type
   * @return the range
   */
  public static <K> KeyRange<K> prefix(final Object... components) {
    Objects.requireNonNull(components, "components");
    if (components.length == 0) {
      throw new IllegalArgumentException("a prefix needs at least one component");
    }
    for (int i = 0; i < components.length; i++) {
      Objects.requireNonNull(components[i], "prefix component " + i);
    }
    return new KeyRange<>(
        null, Bound.PREFIX, null, Bound.PREFIX, components.clone(), false, Long.MAX_VALUE, 0);
  }

  private static <K> KeyRange<K> bounded(
      final K lower, final Bound lowerBound, final K upper, final Bound upperBound) {
    if (lowerBound != Bound.NONE) {
      Objects.requireNonNull(lower, "lower bound");
    }
    if (upperBound != Bound.NONE) {
      Objects.requireNonNull(upper, "upper bound");
    }
    return new KeyRange<>(lower, lowerBound, upper, upperBound, null, false, Long.MAX_VALUE, 0);
  }

  /**
   * The same range scanned in descending key order (a reversed range reversed is ascending).
   *
   * @return the reversed range
   */
  public KeyRange<K> reversed() {
    return new KeyRange<>(
        lower, lowerBound, upper, upperBound, prefix, !reversed, limit, offset);
  }

  /**
   * The same range returning at most {@code count} rows.
   *
   * @param count the limit, {@code >= 0}
   * @return the limited range
   */
  public KeyRange<K> limit(final long count) {
    if (count < 0) {
      throw new IllegalArgumentException("limit must be >= 0: " + count);
    }
    return new KeyRange<>(lower, lowerBound, upper, upperBound, prefix, reversed, count, offset);
  }

  /**
   * The same range skipping its first {@code count} rows (in scan direction).
   *
   * @param count the rows to skip, {@code >= 0}
   * @return the offset range
   */
  public KeyRange<K> offset(final long count) {
    if (count < 0) {
      throw new IllegalArgumentException("offset must be >= 0: " + count);
    }
    return new KeyRange<>(lower, lowerBound, upper, upperBound, prefix, reversed, limit, count);
  }

  /**
   * Whether the scan runs in descending key order.
   *
   * @return true if reversed
   */
  public boolean isReversed() {
    return reversed;
  }

  /**
   * The maximum number of rows returned ({@link Long#MAX_VALUE} if unlimited).
   *
   * @return the limit
   */
  public long limit() {
    return limit;
  }

  /**
   * The number of rows skipped first.
   *
   * @return the offset
   */
  public long offset() {
    return offset;
  }

  @Override
  public String toString() {
    final StringBuilder sb = new StringBuilder("KeyRange[");
    if (prefix != null) {
      sb.append("prefix ").append(Arrays.toString(prefix));
    } else {
      sb.append(lowerBound == Bound.NONE ? "(-inf" : (lowerBound == Bound.INCLUSIVE ? "[" : "("))
          .append(lowerBound == Bound.NONE ? "" : LodestoreException.describeKey(lower))
          .append(", ")
          .append(upperBound == Bound.NONE ? "+inf)" : LodestoreException.describeKey(upper))
          .append(upperBound == Bound.NONE ? "" : (upperBound == Bound.INCLUSIVE ? "]" : ")"));
    }
    if (reversed) {
      sb.append(" reversed");
    }
    if (offset > 0) {
      sb.append(" offset ").append(offset);
    }
    if (limit != Long.MAX_VALUE) {
      sb.append(" limit ").append(limit);
    }
    return sb.append(']').toString();
  }
}
