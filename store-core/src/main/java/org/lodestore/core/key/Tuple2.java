package org.lodestore.core.key;

import java.util.Objects;

/**
 * A composite key of 2 components (a pair), encoded by {@link KeyCodecs#tuple} as the concatenation
 * of its components, so that keys sort by the first component, then the second, and so on. A range
 * over a leading part of the components is a prefix range typed by the key's {@link
 * Tuple2KeyCodec}: {@code KeyRange.prefix(keyCodec, first, ...)}.
 *
 * @param first component 1 (not null)
 * @param second component 2 (not null)
 * @param <A> type of component 1
 * @param <B> type of component 2
 */
public record Tuple2<A, B>(A first, B second) {

  /**
   * Creates the key; no component may be null.
   *
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   */
  public Tuple2 {
    Objects.requireNonNull(first, "first component of a key");
    Objects.requireNonNull(second, "second component of a key");
  }

  /**
   * Creates a key.
   *
   * @param first component 1 (not null)
   * @param second component 2 (not null)
   * @param <A> type of component 1
   * @param <B> type of component 2
   * @return the key
   */
  public static <A, B> Tuple2<A, B> of(A first, B second) {
    return new Tuple2<>(first, second);
  }
}
