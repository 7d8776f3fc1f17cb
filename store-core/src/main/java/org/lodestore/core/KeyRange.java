package org.lodestore.core;

import java.util.Objects;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.core.key.Tuple3;
import org.lodestore.core.key.Tuple3KeyCodec;
import org.lodestore.core.key.Tuple4;
import org.lodestore.core.key.Tuple4KeyCodec;

/**
 * Which keys a scan visits, in which direction, and how many. Immutable.
 *
 * <pre>{@code
 * static final Tuple2KeyCodec<UUID, Instant> TICK_KEY = KeyCodecs.tuple(UUID, TIMESTAMP);
 *
 * KeyRange.all()                                             // every key, ascending
 * KeyRange.closedOpen(from, to)                              // from <= key < to
 * KeyRange.prefix(TICK_KEY, seriesId)                        // the keys (seriesId, *)
 * KeyRange.prefix(TICK_KEY, seriesId).reversed().limit(10)   // the latest 10 rows of one series
 * KeyRange.prefix("user:")                                   // string keys starting with "user:"
 * KeyRange.closed(Tuple2.of(m, t0), Tuple2.of(m, t1)).offset(100).limit(50)
 * }</pre>
 *
 * <p>Bounds compare in the order of the table's key codec ({@link
 * org.lodestore.core.key.KeyCodec#comparator()}), which is the order rows are stored in. A prefix
 * range holds the leading components of a composite key (or, for a string or byte-array key, the
 * leading characters or bytes); every key that starts with them is in the range, and no other. The
 * offset skips that many rows in scan direction before the first returned row; the limit caps the
 * rows returned.
 *
 * <p><b>Typed prefixes.</b> A prefix range of a composite key is made from the key's tuple codec
 * ({@link Tuple2KeyCodec}, {@link Tuple3KeyCodec}, {@link Tuple4KeyCodec}, returned by {@link
 * org.lodestore.core.key.KeyCodecs#tuple}), because the codec is where the component types are
 * written down: {@code prefix(TICK_KEY, seriesId)} compiles only if {@code seriesId} is a {@code
 * UUID}, and its type {@code KeyRange<Tuple2<UUID, Instant>>} is known before {@code .reversed()}
 * or {@code .limit(n)} is chained, so no type witness is needed. (A factory typed by the component
 * alone, {@code <A, B> KeyRange<Tuple2<A, B>> prefix(A)}, could not learn {@code B} once a modifier
 * is chained, and could not exist beside the one for three-component keys, as both erase to {@code
 * prefix(Object)}.) The codec only types the range: the components are encoded by the codec of the
 * table or index the range is used on, so a prefix made with {@code tuple(UUID, TIMESTAMP)} also
 * selects from an index keyed by {@code tuple(UUID, descending(TIMESTAMP))}.
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
   * String keys that start with {@code start} (all of them for {@code ""}). For a {@code
   * descending(STRING)} key the encoding is terminated, so the range holds {@code start} alone.
   *
   * @param start the leading characters (not null)
   * @return the range
   * @throws NullPointerException if {@code start} is null
   */
  public static KeyRange<String> prefix(final String start) {
    return prefixOf(Objects.requireNonNull(start, "prefix"));
  }

  /**
   * Byte-array keys that start with {@code start} (all of them for an empty array). For a
   * fixed-length key ({@code fixedBytes(n)}) the prefix must be the whole key.
   *
   * @param start the leading bytes (not null; not copied, so do not change it while in use)
   * @return the range
   * @throws NullPointerException if {@code start} is null
   */
  public static KeyRange<byte[]> prefix(final byte[] start) {
    return prefixOf(Objects.requireNonNull(start, "prefix"));
  }

  /**
   * Keys {@code (first, *)} of a two-component key.
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B> KeyRange<Tuple2<A, B>> prefix(
      final Tuple2KeyCodec<A, B> key, final A first) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first);
  }

  /**
   * Keys {@code (first, second...)} of a two-component key: the first component equal to {@code
   * first}, the second starting with {@code second}, which for a string or byte-array component
   * means its leading characters or bytes and for any other component equality.
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param second component 2, or its leading part (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B> KeyRange<Tuple2<A, B>> prefix(
      final Tuple2KeyCodec<A, B> key, final A first, final B second) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first, second);
  }

  /**
   * Keys {@code (first, *, *)} of a three-component key.
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B, C> KeyRange<Tuple3<A, B, C>> prefix(
      final Tuple3KeyCodec<A, B, C> key, final A first) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first);
  }

  /**
   * Keys {@code (first, second, *)} of a three-component key.
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B, C> KeyRange<Tuple3<A, B, C>> prefix(
      final Tuple3KeyCodec<A, B, C> key, final A first, final B second) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first, second);
  }

  /**
   * Keys {@code (first, second, third...)} of a three-component key: the last component starting
   * with {@code third} (leading characters or bytes of a string or byte-array component, equality
   * for any other).
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param third component 3, or its leading part (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B, C> KeyRange<Tuple3<A, B, C>> prefix(
      final Tuple3KeyCodec<A, B, C> key, final A first, final B second, final C third) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first, second, third);
  }

  /**
   * Keys {@code (first, *, *, *)} of a four-component key.
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @param <D> type of component 4
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B, C, D> KeyRange<Tuple4<A, B, C, D>> prefix(
      final Tuple4KeyCodec<A, B, C, D> key, final A first) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first);
  }

  /**
   * Keys {@code (first, second, *, *)} of a four-component key.
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @param <D> type of component 4
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B, C, D> KeyRange<Tuple4<A, B, C, D>> prefix(
      final Tuple4KeyCodec<A, B, C, D> key, final A first, final B second) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first, second);
  }

  /**
   * Keys {@code (first, second, third, *)} of a four-component key.
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param third component 3 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @param <D> type of component 4
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B, C, D> KeyRange<Tuple4<A, B, C, D>> prefix(
      final Tuple4KeyCodec<A, B, C, D> key, final A first, final B second, final C third) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first, second, third);
  }

  /**
   * Keys {@code (first, second, third, fourth...)} of a four-component key: the last component
   * starting with {@code fourth} (leading characters or bytes of a string or byte-array component,
   * equality for any other).
   *
   * @param key the key codec of the table or index, which types the range (see the class comment)
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param third component 3 (not null)
   * @param fourth component 4, or its leading part (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @param <D> type of component 4
   * @return the range
   * @throws NullPointerException if an argument is null
   */
  public static <A, B, C, D> KeyRange<Tuple4<A, B, C, D>> prefix(
      final Tuple4KeyCodec<A, B, C, D> key,
      final A first,
      final B second,
      final C third,
      final D fourth) {
    Objects.requireNonNull(key, "key codec");
    return prefixOf(first, second, third, fourth);
  }

  /** A prefix range of the given components, typed by the public factories above. */
  private static <K> KeyRange<K> prefixOf(final Object... components) {
    for (int i = 0; i < components.length; i++) {
      Objects.requireNonNull(components[i], "prefix component " + i);
    }
    return new KeyRange<>(
        null, Bound.PREFIX, null, Bound.PREFIX, components, false, Long.MAX_VALUE, 0);
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
    return new KeyRange<>(lower, lowerBound, upper, upperBound, prefix, !reversed, limit, offset);
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
      sb.append("prefix (");
      for (int i = 0; i < prefix.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(LodestoreException.describeKey(prefix[i]));
      }
      sb.append(')');
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
