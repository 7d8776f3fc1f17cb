package org.lodestore.core.key;

/**
 * The key codec of {@link Tuple4} keys, made by {@link KeyCodecs#tuple(KeyCodec, KeyCodec,
 * KeyCodec, KeyCodec)}: the concatenation of the components' encodings (layout in {@link
 * KeyCodecs}). It is a {@code KeyCodec<Tuple4<A, B, C, D>>} that also names the component types,
 * which is what types a prefix range of one to four leading components ({@code KeyRange.prefix(key,
 * a)}, {@code KeyRange.prefix(key, a, b)}, ...).
 *
 * <p>Immutable and thread-safe.
 *
 * @param <A> type of component 1
 * @param <B> type of component 2
 * @param <C> type of component 3
 * @param <D> type of component 4
 */
public final class Tuple4KeyCodec<A, B, C, D> extends TupleKeyCodec<Tuple4<A, B, C, D>> {

  Tuple4KeyCodec(
      final KeyCodec<A> a, final KeyCodec<B> b, final KeyCodec<C> c, final KeyCodec<D> d) {
    super(
        Tuple4.class,
        t -> new Object[] {t.first(), t.second(), t.third(), t.fourth()},
        x ->
            new Tuple4<>(
                KeyCodecs.uncheckedCast(x[0]),
                KeyCodecs.uncheckedCast(x[1]),
                KeyCodecs.uncheckedCast(x[2]),
                KeyCodecs.uncheckedCast(x[3])),
        a,
        b,
        c,
        d);
  }
}
