package org.lodestore.core.key;

/**
 * The key codec of {@link Tuple3} keys, made by {@link KeyCodecs#tuple(KeyCodec, KeyCodec,
 * KeyCodec)}: the concatenation of the components' encodings (layout in {@link KeyCodecs}). It is a
 * {@code KeyCodec<Tuple3<A, B, C>>} that also names the component types, which is what types a
 * prefix range of one, two or three leading components ({@code KeyRange.prefix(key, a)}, {@code
 * KeyRange.prefix(key, a, b)}, ...).
 *
 * <p>Immutable and thread-safe.
 *
 * @param <A> type of component 1
 * @param <B> type of component 2
 * @param <C> type of component 3
 */
public final class Tuple3KeyCodec<A, B, C> extends TupleKeyCodec<Tuple3<A, B, C>> {

  Tuple3KeyCodec(final KeyCodec<A> a, final KeyCodec<B> b, final KeyCodec<C> c) {
    super(
        Tuple3.class,
        t -> new Object[] {t.first(), t.second(), t.third()},
        x ->
            new Tuple3<>(
                KeyCodecs.uncheckedCast(x[0]),
                KeyCodecs.uncheckedCast(x[1]),
                KeyCodecs.uncheckedCast(x[2])),
        a,
        b,
        c);
  }
}
