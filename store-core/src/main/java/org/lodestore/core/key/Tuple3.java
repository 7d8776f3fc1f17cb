package org.lodestore.core.key;

import java.util.Objects;

/**
 * A composite key of 3 components (a triple), encoded by {@link KeyCodecs#tuple} as the
 * concatenation of its components, so that keys sort by the first component, then the second, and
 * so on. A range over a leading part of the components is a prefix range typed by the key's {@link
 * Tuple3KeyCodec}: {@code KeyRange.prefix(keyCodec, first, ...)}.
 *
 * @param first component 1 (not null)
 * @param second component 2 (not null)
 * @param third component 3 (not null)
 * @param <A> type of component 1
 * @param <B> type of component 2
 * @param <C> type of component 3
 */
public record Tuple3<A, B, C>(A first, B second, C third) {

  /**
   * Creates the key; no component may be null.
   *
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param third component 3 (not null)
   */
  public Tuple3 {
    Objects.requireNonNull(first, "first component of a key");
    Objects.requireNonNull(second, "second component of a key");
    Objects.requireNonNull(third, "third component of a key");
  }

  /**
   * Creates a key.
   *
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param third component 3 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @param <C> type of component 3
   * @return the key
   */
  public static <A, B, C> Tuple3<A, B, C> of(A first, B second, C third) {
    return new Tuple3<>(first, second, third);
  }
}
