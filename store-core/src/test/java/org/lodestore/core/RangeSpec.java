package org.lodestore.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A random {@link KeyRange} together with the test's own reading of it: which values it contains,
 * and which of them a scan returns (direction, offset, limit). The model tests compare a scan of
 * the store with {@link #apply} over the model.
 *
 * @param <T> the key (or member) type
 */
final class RangeSpec<T> {

  enum Kind {
    ALL,
    AT_LEAST,
    GREATER_THAN,
    AT_MOST,
    LESS_THAN,
    CLOSED,
    OPEN,
    CLOSED_OPEN,
    OPEN_CLOSED,
    PREFIX
  }

  final Domain<T> domain;
  final Kind kind;
  final T lower;
  final T upper;
  final Object[] prefix;
  final boolean reversed;
  final long limit;
  final long offset;
  final KeyRange<T> range;

  private RangeSpec(
      final Domain<T> domain,
      final Kind kind,
      final T lower,
      final T upper,
      final Object[] prefix,
      final boolean reversed,
      final long limit,
      final long offset,
      final Random r) {
    this.domain = domain;
    this.kind = kind;
    this.lower = lower;
    this.upper = upper;
    this.prefix = prefix;
    this.reversed = reversed;
    this.limit = limit;
    this.offset = offset;
    this.range = build(r);
  }

  /**
   * A random range over {@code domain}, bounds drawn from {@code bound} (values of the domain,
   * often ones present in the model): any kind, either direction, sometimes a limit or offset.
   */
  static <T> RangeSpec<T> random(final Domain<T> domain, final Random r, final Supplier<T> bound) {
    // PREFIX is the last kind: domains without a prefix range draw from the others
    final Kind kind = Kind.values()[r.nextInt(Kind.values().length - (domain.hasPrefix() ? 0 : 1))];
    T lower = null;
    T upper = null;
    Object[] prefix = null;
    switch (kind) {
      case AT_LEAST:
      case GREATER_THAN:
        lower = bound.get();
        break;
      case AT_MOST:
      case LESS_THAN:
        upper = bound.get();
        break;
      case CLOSED:
      case OPEN:
      case CLOSED_OPEN:
      case OPEN_CLOSED:
        lower = bound.get();
        upper = bound.get();
        // mostly lower <= upper, sometimes inverted (an empty range)
        if (r.nextInt(8) > 0 && domain.order().compare(lower, upper) > 0) {
          final T t = lower;
          lower = upper;
          upper = t;
        }
        break;
      case PREFIX:
        prefix = domain.randomPrefix(r);
        break;
      default:
        break;
    }
    final boolean reversed = r.nextBoolean();
    final long limit = r.nextInt(3) == 0 ? r.nextInt(r.nextBoolean() ? 4 : 40) : Long.MAX_VALUE;
    final long offset = r.nextInt(3) == 0 ? r.nextInt(r.nextBoolean() ? 4 : 60) : 0;
    return new RangeSpec<>(domain, kind, lower, upper, prefix, reversed, limit, offset, r);
  }

  /** The KeyRange, its modifiers applied in a random order (they must commute). */
  private KeyRange<T> build(final Random r) {
    KeyRange<T> base;
    switch (kind) {
      case ALL:
        base = KeyRange.all();
        break;
      case AT_LEAST:
        base = KeyRange.atLeast(lower);
        break;
      case GREATER_THAN:
        base = KeyRange.greaterThan(lower);
        break;
      case AT_MOST:
        base = KeyRange.atMost(upper);
        break;
      case LESS_THAN:
        base = KeyRange.lessThan(upper);
        break;
      case CLOSED:
        base = KeyRange.closed(lower, upper);
        break;
      case OPEN:
        base = KeyRange.open(lower, upper);
        break;
      case CLOSED_OPEN:
        base = KeyRange.closedOpen(lower, upper);
        break;
      case OPEN_CLOSED:
        base = KeyRange.openClosed(lower, upper);
        break;
      default:
        base = domain.prefixRange(prefix);
    }
    final List<Integer> steps = new ArrayList<>(List.of(0, 1, 2));
    Collections.shuffle(steps, r);
    for (final int step : steps) {
      if (step == 0 && reversed) {
        base = base.reversed();
      } else if (step == 1 && limit != Long.MAX_VALUE) {
        base = base.limit(limit);
      } else if (step == 2 && offset != 0) {
        base = base.offset(offset);
      }
    }
    return base;
  }

  /** Whether {@code value} lies in the range (ignoring direction, offset and limit). */
  boolean contains(final T value) {
    final int lo = lower == null ? 1 : domain.order().compare(value, lower);
    final int hi = upper == null ? -1 : domain.order().compare(value, upper);
    switch (kind) {
      case ALL:
        return true;
      case AT_LEAST:
        return lo >= 0;
      case GREATER_THAN:
        return lo > 0;
      case AT_MOST:
        return hi <= 0;
      case LESS_THAN:
        return hi < 0;
      case CLOSED:
        return lo >= 0 && hi <= 0;
      case OPEN:
        return lo > 0 && hi < 0;
      case CLOSED_OPEN:
        return lo >= 0 && hi < 0;
      case OPEN_CLOSED:
        return lo > 0 && hi <= 0;
      default:
        return domain.matchesPrefix(value, prefix);
    }
  }

  /**
   * What a scan returns, given the matching elements in ascending order: reversed if the range is,
   * then offset and limit applied.
   */
  <E> List<E> apply(final List<E> ascending) {
    final List<E> ordered = new ArrayList<>(ascending);
    if (reversed) {
      Collections.reverse(ordered);
    }
    final int from = (int) Math.min(offset, ordered.size());
    final int to = (int) Math.min(ordered.size(), from + Math.min(limit, Integer.MAX_VALUE));
    return new ArrayList<>(ordered.subList(from, to));
  }

  /** What {@link Cursor#moreAvailable()} must say after the scan of {@code matching} elements. */
  boolean moreAvailable(final int matching) {
    return limit != Long.MAX_VALUE && matching - offset > limit;
  }

  @Override
  public String toString() {
    final StringBuilder sb = new StringBuilder(kind.name());
    if (prefix != null) {
      sb.append(' ').append(TestText.show(prefix));
    }
    if (lower != null) {
      sb.append(" lower=").append(TestText.show(lower));
    }
    if (upper != null) {
      sb.append(" upper=").append(TestText.show(upper));
    }
    if (reversed) {
      sb.append(" reversed");
    }
    if (offset != 0) {
      sb.append(" offset=").append(offset);
    }
    if (limit != Long.MAX_VALUE) {
      sb.append(" limit=").append(limit);
    }
    return sb.toString();
  }
}
