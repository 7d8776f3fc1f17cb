package org.lodestore.core.key;

import java.util.Objects;

/**
 * A composite key of 4 components (a quadruple), encoded by {@link KeyCodecs#tuple} as the
 * concatenation of its components, so that keys sort by the first component, then the second, and
 * so on. A range over a leading part of the components is a prefix range typed by the key's {@link
 * Tuple4KeyCodec}: {@code KeyRange.prefix(keyCodec, first, ...)}.
 *
 * @param first component 1 (not null)
 * @param second component 2 (not null)
 * @param third component 3 (not null)
 * @param fourth component 4 (not null)
 * @param <A> type of component 1
 * @param <B> type of component 2
 * @param <C> type of component 3
 * @param <D> type of component 4
 */
public record Tuple4<A, B, C, D>(A first, B second, C third, D fourth) {

  /**
   * Creates the key; no component may be null.
   *
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param third component 3 (not null)
   * @param fourth component 4 (not null)
   */
  public Tuple4 {
    Objects.requireNonNull(first, "first component of a key");
    Objects.requireNonNull(second, "second component of a key");
    Objects.requireNonNull(third, "third component of a key");
    Objects.requireNonNull(fourth, "fourth component of a key");
  }

  /**
   * Creates a key.
   *
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param third component 3 (not null)
   * @param fourth component 4 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @param <D> type of component 4
   * @return the key
   */
  public static <A, B, C, D> Tuple4<A, B, C, D> of(A first, B second, C third, D fourth) {
    return new Tuple4<>(first, second, third, fourth);
  }
}
