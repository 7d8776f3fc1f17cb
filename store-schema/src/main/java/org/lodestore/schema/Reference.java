package org.lodestore.schema;

import java.util.function.Function;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodec;

/**
 * A declared foreign key: a field of one table's values that holds the key of a row in another
 * table. Its key codec must equal the target table's (checked at attach); the target is created
 * first; with {@code checked}, every write verifies that the target row exists.
 *
 * @param <K> the source table's key type
 * @param <V> the source table's value type
 * @param <R> the referenced table's key type
 */
final class Reference<K, V, R> {

  final String name;
  final SchemaTable<K, V> from;
  final KeyCodec<R> codec;
  final Function<? super V, ? extends R> field;
  final SchemaTable<R, ?> to;
  final boolean checked;

  Reference(
      final String name,
      final SchemaTable<K, V> from,
      final KeyCodec<R> codec,
      final Function<? super V, ? extends R> field,
      final SchemaTable<R, ?> to,
      final boolean checked) {
    this.name = name;
    this.from = from;
    this.codec = codec;
    this.field = field;
    this.to = to;
    this.checked = checked;
  }

  /** With {@code checked}: refuses a value whose reference is set but points to no row. */
  void check(final Txn txn, final K key, final V value) {
    if (!checked) {
      return;
    }
    final R target = field.apply(value);
    if (target != null && !to.contains(txn, target)) {
      throw new ConstraintViolationException(
          "reference '" + name + "' points to " + AbstractIndex.describe(target)
              + ", which is not in table '" + to.name() + "'",
          from.name(),
          key,
          null);
    }
  }
}
