package org.lodestore.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.lodestore.core.Cursor;
import org.lodestore.core.KeyRange;
import org.lodestore.core.Row;
import org.lodestore.core.Txn;

/**
 * A declared reference (a foreign key): a field of one table's values ({@code from}) that holds the
 * key of a row of another table ({@code to}), kept true in both directions inside the writer's
 * transaction. Declared with {@code Schema.reference(from, name, field, to)}; its key codec is the
 * target's.
 *
 * <ul>
 *   <li><b>Writes to {@code from}</b>: a row whose reference points to no row of {@code to} is
 *       refused with {@link ConstraintViolationException}; so is a null reference unless the
 *       reference is {@link #nullable()}.
 *   <li><b>Deletes from {@code to}</b> (a row, or {@code truncate}) that rows of {@code from} still
 *       reference act as declared by {@link #onDelete}: {@link OnDelete#RESTRICT} (the default)
 *       refuses with {@link ConstraintViolationException} naming both tables and keys; {@link
 *       OnDelete#CASCADE} deletes the referencing rows too (and what references them, as each of
 *       those references says); {@link #onDeleteSetNull} rewrites them with the reference cleared.
 *       Every refusal is found before anything is written, so a refused delete changes nothing.
 *   <li><b>Navigation</b>: {@link #target} resolves a row's reference; {@link #select} and {@link
 *       #page} list the rows that reference a key, through an index the reference maintains on
 *       {@code from} (named {@code ref.<name>}, recorded in the catalog like any index).
 * </ul>
 *
 * @param <K> the referencing table's key type
 * @param <V> the referencing table's value type
 * @param <R> the referenced table's key type
 * @param <T> the referenced table's value type
 */
public final class Reference<K, V, R, T> {

  /** What deleting a referenced row does to the rows that reference it. */
  public enum OnDelete {
    /** The delete is refused while any row references the target. */
    RESTRICT,
    /** The referencing rows are deleted too. */
    CASCADE,
    /** The referencing rows are rewritten with the reference cleared ({@link #onDeleteSetNull}). */
    SET_NULL
  }

  /** The prefix of the name of the index a reference maintains on its table. */
  static final String INDEX_PREFIX = "ref.";

  final String name;
  final SchemaTable<K, V> from;
  private final Function<? super V, ? extends R> field;
  final SchemaTable<R, T> to;
  private final MultiIndex<R, K, V> referencing;
  private OnDelete onDelete = OnDelete.RESTRICT;
  private UnaryOperator<V> clear;

  Reference(
      final String name,
      final SchemaTable<K, V> from,
      final Function<? super V, ? extends R> field,
      final SchemaTable<R, T> to) {
    this.name = Objects.requireNonNull(name, "name");
    this.from = Objects.requireNonNull(from, "from");
    this.field = Objects.requireNonNull(field, "field");
    this.to = Objects.requireNonNull(to, "to");
    if (name.isEmpty() || name.contains(":")) {
      throw new IllegalArgumentException("reference name must be non-empty without ':': " + name);
    }
    this.referencing = from.addIndex(INDEX_PREFIX + name, to.keyCodec(), field);
  }

  /**
   * Allows rows whose reference is null (they reference nothing). Required for {@link
   * #onDeleteSetNull}.
   *
   * @return this reference
   */
  public Reference<K, V, R, T> nullable() {
    from.requireUnattached();
    referencing.nullable();
    return this;
  }

  /**
   * Whether a null reference is allowed.
   *
   * @return true if {@link #nullable()} was declared
   */
  public boolean isNullable() {
    return referencing.isNullable();
  }

  /**
   * Declares what deleting a referenced row does: {@link OnDelete#RESTRICT} (the default) or {@link
   * OnDelete#CASCADE}; for {@link OnDelete#SET_NULL} use {@link #onDeleteSetNull}, which needs the
   * function that clears the field.
   *
   * @param action RESTRICT or CASCADE
   * @return this reference
   * @throws IllegalArgumentException for SET_NULL
   */
  public Reference<K, V, R, T> onDelete(final OnDelete action) {
    from.requireUnattached();
    if (Objects.requireNonNull(action, "action") == OnDelete.SET_NULL) {
      throw new IllegalArgumentException(
          "reference '"
              + name
              + "': SET_NULL needs the function that clears the field: "
              + "use onDeleteSetNull(value -> value.with...(null))");
    }
    this.onDelete = action;
    this.clear = null;
    return this;
  }

  /**
   * Declares that deleting a referenced row rewrites the rows that reference it with {@code clear}
   * applied: it must return the value with this reference's field set to null (and nothing else
   * changed). The reference must be {@link #nullable()}.
   *
   * @param clear returns a copy of a value with the reference cleared
   * @return this reference
   * @throws IllegalStateException if the reference is not nullable
   */
  public Reference<K, V, R, T> onDeleteSetNull(final UnaryOperator<V> clear) {
    from.requireUnattached();
    if (!isNullable()) {
      throw new IllegalStateException(
          "reference '" + name + "' is not nullable: declare nullable() before onDeleteSetNull");
    }
    this.onDelete = OnDelete.SET_NULL;
    this.clear = Objects.requireNonNull(clear, "clear");
    return this;
  }

  /**
   * What deleting a referenced row does.
   *
   * @return the action
   */
  public OnDelete onDelete() {
    return onDelete;
  }

  /**
   * The reference's name, unique within its table.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The key {@code value} references.
   *
   * @param value a value of the referencing table
   * @return the referenced key, or null
   */
  public R targetKey(final V value) {
    return field.apply(value);
  }

  /**
   * The row {@code value} references, resolved.
   *
   * @param txn the transaction
   * @param value a value of the referencing table
   * @return the referenced value (zero-copy values live as long as the transaction), or null if the
   *     reference is null
   */
  public T target(final Txn txn, final V value) {
    final R key = field.apply(value);
    return key == null ? null : to.get(txn, key);
  }

  /**
   * The keys of the rows that reference {@code target}, in key order.
   *
   * @param txn the transaction
   * @param target a key of the referenced table
   * @return a cursor of (target, referencing key); close it
   */
  public Cursor<R, K> select(final Txn txn, final R target) {
    return referencing.select(txn, target);
  }

  /**
   * The rows that reference {@code target}, in key order, paged.
   *
   * @param txn the transaction
   * @param target a key of the referenced table
   * @param offset rows to skip
   * @param limit the most rows to return
   * @return the page of (key, value) rows, and whether more matched
   */
  public Page<Row<K, V>> page(final Txn txn, final R target, final long offset, final long limit) {
    return referencing.page(txn, target, offset, limit);
  }

  /**
   * The number of rows that reference {@code target}, in O(log n).
   *
   * @param txn the transaction
   * @param target a key of the referenced table
   * @return the count
   */
  public long count(final Txn txn, final R target) {
    return referencing.count(txn, target);
  }

  /** The index this reference maintains on {@code from}. */
  MultiIndex<R, K, V> index() {
    return referencing;
  }

  /** Refuses a value whose reference points to no row of {@code to} (null: see nullable). */
  void check(final Txn txn, final K key, final V value) {
    final R target = field.apply(value);
    if (target != null && !to.contains(txn, target)) {
      throw from.refused(
          new ConstraintViolationException(
              "reference '"
                  + name
                  + "' points to "
                  + Index.describe(target)
                  + ", which is not in table '"
                  + to.name()
                  + "'",
              from.name(),
              key,
              null));
    }
  }

  // ------------------------------------------------------------ deletes of the target

  /**
   * Checks that deleting the rows {@code targets} of {@code to} may go ahead as far as this
   * reference is concerned, following cascades (into {@code from}'s own incoming references);
   * writes nothing. {@code going} holds the rows already on the way to deletion.
   */
  void checkDelete(final Txn txn, final List<R> targets, final Deletions going) {
    for (final R target : targets) {
      if (onDelete == OnDelete.RESTRICT) {
        try (Cursor<R, K> c = select(txn, target)) {
          while (c.next()) {
            final K source = c.value();
            if (!going.contains(from, source)) {
              throw to.refused(
                  new ConstraintViolationException(
                      "cannot delete "
                          + Index.describe(target)
                          + " from table '"
                          + to.name()
                          + "': row "
                          + Index.describe(source)
                          + " of table '"
                          + from.name()
                          + "' references it through '"
                          + name
                          + "' (ON DELETE RESTRICT)",
                      to.name(),
                      target,
                      null));
            }
          }
        }
      } else if (onDelete == OnDelete.CASCADE) {
        from.checkDelete(txn, sources(txn, target), going);
      }
    }
  }

  /** Does this reference's action for the rows referencing {@code target}, about to go. */
  void onTargetDeleted(final Txn txn, final R target) {
    if (onDelete == OnDelete.RESTRICT) {
      return; // checked: nothing references it, or what does is being deleted too
    }
    for (final K source : sources(txn, target)) {
      if (onDelete == OnDelete.CASCADE) {
        from.deleteChecked(txn, source);
      } else {
        final V value = from.get(txn, source);
        if (value != null) {
          from.put(txn, source, Objects.requireNonNull(clear.apply(value), "clear returned null"));
        }
      }
    }
  }

  /** The keys of the rows that reference {@code target} (read before any of them is written). */
  private List<K> sources(final Txn txn, final R target) {
    final List<K> out = new ArrayList<>();
    try (Cursor<R, K> c = select(txn, target)) {
      while (c.next()) {
        out.add(c.value());
      }
    }
    return out;
  }

  /** Every key of {@code to} that some row references (for a truncate of {@code to}). */
  List<R> referencedKeys(final Txn txn) {
    final List<R> out = new ArrayList<>();
    try (Cursor<R, K> c = referencing.select(txn, KeyRange.all())) {
      R last = null;
      while (c.next()) {
        final R key = c.key();
        if (last == null || !referencing.sameKey(last, key)) {
          out.add(key);
          last = key;
        }
      }
    }
    return out;
  }
}
