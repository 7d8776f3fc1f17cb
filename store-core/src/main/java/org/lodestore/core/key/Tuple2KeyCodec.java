package org.lodestore.core.key;

/**
 * The key codec of {@link Tuple2} keys, made by {@link KeyCodecs#tuple(KeyCodec, KeyCodec)}: the
 * concatenation of the components' encodings (layout in {@link KeyCodecs}). It is a {@code
 * KeyCodec<Tuple2<A, B>>} that also names the component types, which is what types a prefix range:
 *
 * <pre>{@code
 * static final Tuple2KeyCodec<UUID, Instant> TICK_KEY = KeyCodecs.tuple(UUID, TIMESTAMP);
 * ticks.select(txn, KeyRange.prefix(TICK_KEY, seriesId).reversed().limit(10));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <A> type of component 1
 * @param <B> type of component 2
 */
public final class Tuple2KeyCodec<A, B> extends TupleKeyCodec<Tuple2<A, B>> {

  Tuple2KeyCodec(final KeyCodec<A> a, final KeyCodec<B> b) {
    super(
        Tuple2.class,
        t -> new Object[] {t.first(), t.second()},
        c -> new Tuple2<>(KeyCodecs.uncheckedCast(c[0]), KeyCodecs.uncheckedCast(c[1])),
        a,
        b);
  }
}
