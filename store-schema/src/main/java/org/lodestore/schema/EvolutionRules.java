package org.lodestore.schema;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.lodestore.core.SchemaMismatchException;
import org.lodestore.core.Txn;
import org.lodestore.core.ValueChecksum;
import org.lodestore.core.codec.TypeFingerprint;

/**
 * Every rule by which a declaration may differ from its table's catalog entry, in one place (as
 * FoundationDB Record Layer's {@code MetaDataEvolutionValidator}). {@link Schema}'s attach, {@link
 * TableMigration} and {@link CatalogGeneration}'s check of every write ask these rules; none of
 * them writes anything.
 *
 * <h2>The rules</h2>
 *
 * <table>
 *   <caption>What an attach allows and refuses</caption>
 *   <tr><th>rule</th><th>allowed</th><th>refused with {@link SchemaMismatchException}</th></tr>
 *   <tr><td>{@link #formatVersion}</td><td>entries of format 1..{@value Catalog#FORMAT}</td>
 *       <td>an entry written by a newer format</td></tr>
 *   <tr><td>{@link #noUnfinishedMigration}</td><td>-</td>
 *       <td>any attach while a migration of the table's values is unfinished</td></tr>
 *   <tr><td>{@link #sameDefinition}</td><td>-</td>
 *       <td>another kind (table/set), key codec or value codec</td></tr>
 *   <tr><td>{@link #valueType}</td><td>the same class with properties added or removed; a renamed
 *       class whose shared properties keep their types (at least one shared); an entry without a
 *       type (adopted)</td><td>a shared property whose type changed; no property in common; another
 *       type without named properties (a FlatBuffers root class, a scalar, a map)</td></tr>
 *   <tr><td>{@link #valueChecksum}</td><td>no declaration, or the recorded one</td>
 *       <td>another checksum than the recorded one</td></tr>
 *   <tr><td>{@link #noUndeclaredIndex}</td><td>new indexes (backfilled)</td>
 *       <td>an index in the catalog that the schema does not declare</td></tr>
 *   <tr><td>{@link #indexDefinition}</td><td>the same key codec and uniqueness</td>
 *       <td>another key codec or uniqueness</td></tr>
 *   <tr><td>{@link #indexNullability}</td><td>an index made nullable</td>
 *       <td>a nullable index made non-nullable</td></tr>
 *   <tr><td>{@link #referenceTarget}</td><td>new references (their key codec is the target's)</td>
 *       <td>a target neither declared in the schema nor attached</td></tr>
 *   <tr><td>{@link #readOnlyUnchanged} and the other {@code readOnly...} rules</td>
 *       <td>on a read-only database, exactly what the catalog records (a compatible value type
 *       included, which needs no record to be read)</td>
 *       <td>anything the attach would have to create or record</td></tr>
 * </table>
 *
 * <p>Names, descriptions and properties may change freely: a table's identity is its oid, and its
 * data is stored under the oid. Each refusal says what changed and what is allowed instead.
 *
 * <p>{@link #staleness} is the rule for a declaration attached before a newer one changed its table
 * (a rolling deploy): which changes make its writes wrong, so that {@link CatalogGeneration}
 * refuses them.
 *
 * <h2>Value types</h2>
 *
 * The value codec's {@link TypeFingerprint} (the class name, and for records and POJOs written by
 * Jackson the name and type of every property it writes) is recorded per table. Stored values were
 * written as the recorded type, so a declared type may only read them as far as the two agree:
 *
 * <ul>
 *   <li>properties are compared by name; a shared property must keep exactly its type name
 *       (Jackson's canonical form: {@code long}, {@code java.lang.String}, {@code
 *       java.util.List<java.util.UUID>}), since a changed type reads stored values wrongly or not
 *       at all. {@code int} and {@code java.lang.Integer} count as different (one reads null as 0);
 *   <li>a property added reads as null/0/empty from old values, a property removed is ignored (the
 *       default mappers ignore unknown properties): both allowed;
 *   <li>a type whose properties share none with the recorded one would read every stored value as
 *       empty, which is what a table of {@code Market} reopened as {@code User} did before this
 *       rule: refused, also for the same class name (when both have properties);
 *   <li>a renamed class (moved package, new name) is allowed when it keeps at least one property;
 *   <li>types without named properties (a FlatBuffers table class, a scalar, a collection, a map)
 *       must keep their name; one written as properties cannot become one written otherwise, or the
 *       reverse.
 * </ul>
 *
 * Nested types are recorded by name only: a record inside a property may evolve like any other
 * without this rule seeing it. To change a table's value type beyond these rules, migrate its
 * values with {@link TableMigration}.
 */
final class EvolutionRules {

  /** The way out named by every type refusal. */
  static final String MIGRATE =
      "to change a table's value type otherwise, migrate its values with TableMigration "
          + "(a transform from the old type to the new one, run in batches)";

  private EvolutionRules() {}

  // ------------------------------------------------------------ the table as a whole

  /**
   * Every rule of a table's own definition, in the order an attach applies them: format, no
   * unfinished migration, kind and codecs, value type.
   *
   * @param recorded the catalog's entry
   * @param table the table's declared name, for messages
   * @param kind {@link Catalog.TableEntry#TABLE} or {@link Catalog.TableEntry#SET}
   * @param keyCodec the declared key codec id
   * @param valueCodec the declared value (or member) codec id
   * @param type the declared value type, or null if the codec gives none
   * @throws SchemaMismatchException if one of them refuses
   */
  static void table(
      final Catalog.TableEntry recorded,
      final String table,
      final String kind,
      final String keyCodec,
      final String valueCodec,
      final TypeFingerprint type) {
    formatVersion(recorded, table);
    noUnfinishedMigration(recorded, table);
    sameDefinition(recorded, table, kind, keyCodec, valueCodec);
    valueType(recorded, table, type);
  }

  /** Refuses an entry written by a newer on-disk format than this version reads. */
  static void formatVersion(final Catalog.TableEntry recorded, final String table) {
    if (recorded.format() > Catalog.FORMAT) {
      throw new SchemaMismatchException(
          "table was written by a newer on-disk format "
              + recorded.format()
              + " (this version "
              + "reads formats up to "
              + Catalog.FORMAT
              + "); open it with the version of "
              + "Lodestore that wrote it, or a newer one",
          table,
          null,
          null);
    }
  }

  /**
   * Refuses every attach of a table whose values are being migrated: some are of the old type, some
   * of the new, so no declaration reads them all.
   */
  static void noUnfinishedMigration(final Catalog.TableEntry recorded, final String table) {
    final Catalog.MigrationEntry m = recorded.migration();
    if (m != null) {
      throw new SchemaMismatchException(
          "a migration of the table's values from "
              + describe(recorded.valueCodec(), recorded.fingerprint())
              + " to "
              + describe(m.valueCodec(), fingerprint(m))
              + " is unfinished ("
              + m.rows()
              + " rows migrated): the table holds values of both "
              + "types, so it cannot be attached with either; resume the migration (run the same "
              + "TableMigration again: it continues after the last migrated key), then attach",
          table,
          null,
          null);
    }
  }

  /** Refuses another kind (table or set), key codec or value codec; names both definitions. */
  static void sameDefinition(
      final Catalog.TableEntry recorded,
      final String table,
      final String kind,
      final String keyCodec,
      final String valueCodec) {
    if (!recorded.kind().equals(kind)
        || !recorded.keyCodec().equals(keyCodec)
        || !recorded.valueCodec().equals(valueCodec)) {
      throw new SchemaMismatchException(
          "table's definition differs from the catalog: catalog has "
              + recorded.kind()
              + " key "
              + recorded.keyCodec()
              + ", value "
              + recorded.valueCodec()
              + "; schema declares "
              + kind
              + " key "
              + keyCodec
              + ", value "
              + valueCodec
              + "; a table keeps its kind "
              + "and key codec for good (declare a new table under a new oid); "
              + (recorded.kind().equals(kind) && recorded.keyCodec().equals(keyCodec)
                  ? "to change the value codec, migrate the values with TableMigration"
                  : "declare what the catalog has"),
          table,
          null,
          null);
    }
  }

  /**
   * The value type rule (see the class comment): refuses a declared type that cannot read the
   * values stored as the recorded one, naming both types and what conflicts. An entry without a
   * recorded type (from before fingerprints) and a codec without a fingerprint are accepted.
   */
  static void valueType(
      final Catalog.TableEntry recorded, final String table, final TypeFingerprint declared) {
    final TypeFingerprint old = recorded.fingerprint();
    final String conflict = typeConflict(old, declared);
    if (conflict != null) {
      throw new SchemaMismatchException(
          "table's value type is not compatible with the catalog's: catalog has "
              + old
              + ", schema declares "
              + declared
              + "; "
              + conflict
              + ". Allowed: the same class "
              + "with properties added or removed, or a renamed class whose shared properties keep "
              + "their types (at least one shared); "
              + MIGRATE,
          table,
          null,
          null);
    }
  }

  /**
   * Why values stored as {@code recorded} cannot be read as {@code declared}, or null if they can
   * (or either is unknown). See the class comment for the rule.
   */
  static String typeConflict(final TypeFingerprint recorded, final TypeFingerprint declared) {
    if (recorded == null || declared == null || recorded.equals(declared)) {
      return null;
    }
    final boolean sameName = recorded.type().equals(declared.type());
    if (!recorded.hasProperties() || !declared.hasProperties()) {
      if (recorded.hasProperties() != declared.hasProperties()) {
        return (recorded.hasProperties() ? recorded.type() : declared.type())
            + " is written as named properties on one side and as a single value on the other";
      }
      return sameName
          ? null
          : "they are different types without named properties (such as two FlatBuffers root "
              + "table classes), so nothing of one reads as the other";
    }
    final List<String> changed = new ArrayList<>();
    int shared = 0;
    for (final Map.Entry<String, String> p : recorded.properties().entrySet()) {
      final String now = declared.properties().get(p.getKey());
      if (now != null) {
        shared++;
        if (!now.equals(p.getValue())) {
          changed.add("property '" + p.getKey() + "' changed type: " + p.getValue() + " -> " + now);
        }
      }
    }
    if (!changed.isEmpty()) {
      return String.join(", ", changed) + " (stored values hold the old type)";
    }
    final boolean bothHaveProperties =
        !recorded.properties().isEmpty() && !declared.properties().isEmpty();
    if (shared == 0 && (!sameName || bothHaveProperties)) {
      return "they share no property, so every stored value would read as an empty "
          + declared.type();
    }
    return null;
  }

  /**
   * The value checksum a table is opened with: for a new table ({@code recorded} null) the declared
   * one, else the default for its value codec; for a table in the catalog the recorded one (none
   * for an entry from before checksums), which a declaration cannot change, since every stored
   * value carries the trailer or not.
   *
   * @throws SchemaMismatchException if the declaration contradicts the recorded checksum
   */
  static ValueChecksum valueChecksum(
      final Catalog.TableEntry recorded, final SchemaTable<?, ?> table) {
    final ValueChecksum declared = table.declaredValueChecksum();
    if (recorded == null) {
      return declared != null ? declared : SchemaTable.defaultChecksum(table.valueCodec());
    }
    final ValueChecksum stored = recorded.checksum();
    if (declared != null && declared != stored) {
      throw new SchemaMismatchException(
          "table's value checksum differs from the catalog: catalog has "
              + stored.id()
              + ", schema declares "
              + declared.id()
              + "; it is fixed when the table is created "
              + "(every stored value carries it or not): declare "
              + stored.id()
              + " or leave it undeclared to follow the catalog",
          table.name(),
          null,
          null);
    }
    return stored;
  }

  // ------------------------------------------------------------ migrations

  /**
   * Whether values stored as {@code recorded} says are what {@code codec} with {@code type} reads.
   */
  static boolean readsAs(
      final Catalog.TableEntry recorded, final String codec, final TypeFingerprint type) {
    return recorded.valueCodec().equals(codec)
        && typeConflict(recorded.fingerprint(), type) == null;
  }

  /**
   * Refuses a migration whose old codec does not read the stored values (those not migrated yet, if
   * it is unfinished): its id must be the recorded value codec, its type compatible with the
   * recorded one.
   */
  static void migrationSource(
      final Catalog.TableEntry recorded,
      final String table,
      final String oldCodec,
      final TypeFingerprint oldType,
      final String newCodec,
      final TypeFingerprint newType) {
    if (readsAs(recorded, oldCodec, oldType)) {
      return;
    }
    final String conflict =
        recorded.valueCodec().equals(oldCodec)
            ? typeConflict(recorded.fingerprint(), oldType)
            : "the codec differs";
    throw new SchemaMismatchException(
        "the migration's old codec does not read the stored values: catalog has "
            + describe(recorded.valueCodec(), recorded.fingerprint())
            + ", the migration reads "
            + describe(oldCodec, oldType)
            + " ("
            + conflict
            + ")"
            + (recorded.migration() == null
                ? ", and the values are not of its new type "
                    + describe(newCodec, newType)
                    + " either"
                : "")
            + "; give the migration the codec and type the values were written with",
        table,
        null,
        null);
  }

  /**
   * Refuses to resume an unfinished migration with another target: the values migrated so far are
   * of the recorded target's codec and type, which the declared ones must read (a compatible type
   * is accepted).
   */
  static void sameMigration(
      final Catalog.TableEntry recorded,
      final String table,
      final String newCodec,
      final TypeFingerprint newType) {
    final Catalog.MigrationEntry m = recorded.migration();
    final TypeFingerprint target = fingerprint(m);
    if (!m.valueCodec().equals(newCodec) || typeConflict(target, newType) != null) {
      throw new SchemaMismatchException(
          "another migration of the table is unfinished: it migrates the values to "
              + describe(m.valueCodec(), target)
              + " ("
              + m.rows()
              + " rows so far), this one to "
              + describe(newCodec, newType)
              + "; resume that one (declare the table with its "
              + "target codec and type) before migrating the table anew",
          table,
          null,
          null);
    }
  }

  /**
   * For a migration that found its table's migration removed between two of its transactions (by
   * another process running it to the end): refuses unless the table now holds the new type.
   */
  static void migrationFinishedElsewhere(
      final Catalog.TableEntry recorded,
      final String table,
      final String newCodec,
      final TypeFingerprint newType) {
    if (recorded == null || !readsAs(recorded, newCodec, newType)) {
      throw new SchemaMismatchException(
          "the table's migration was ended by someone else and the table does not hold the "
              + "migration's new type "
              + describe(newCodec, newType)
              + " (catalog has "
              + (recorded == null
                  ? "no such table"
                  : describe(recorded.valueCodec(), recorded.fingerprint()))
              + "); check the table before migrating it again",
          table,
          null,
          null);
    }
  }

  // ------------------------------------------------------------ indexes

  /**
   * Refuses an index of the catalog that {@code table} does not declare: nothing would maintain it.
   */
  static void noUndeclaredIndex(final Catalog.TableEntry recorded, final SchemaTable<?, ?> table) {
    for (final Catalog.IndexEntry index : orEmpty(recorded.indexes())) {
      if (table.indexes().stream().noneMatch(i -> i.name().equals(index.name()))) {
        throw new SchemaMismatchException(
            "index '"
                + index.name()
                + "' is in the catalog but not declared; nothing would "
                + "maintain it: declare it, or remove it with Schema.dropIndex",
            table.name(),
            null,
            null);
      }
    }
  }

  /** Refuses an index whose key codec or uniqueness changed. */
  static void indexDefinition(
      final SchemaTable<?, ?> table,
      final Index<?, ?, ?> index,
      final Catalog.IndexEntry recorded) {
    if (!recorded.keyCodec().equals(index.keyCodec().id())
        || recorded.unique() != index.isUnique()) {
      throw new SchemaMismatchException(
          "index '"
              + index.name()
              + "' changed: catalog has "
              + describeIndex(recorded.unique(), recorded.keyCodec())
              + ", schema declares "
              + describeIndex(index.isUnique(), index.keyCodec().id())
              + "; give the new definition a new name and Schema.dropIndex the old one",
          table.name(),
          null,
          null);
    }
  }

  /** Refuses a nullable index declared non-nullable: rows with a null key may exist. */
  static void indexNullability(
      final SchemaTable<?, ?> table,
      final Index<?, ?, ?> index,
      final Catalog.IndexEntry recorded) {
    if (recorded.nullable() && !index.isNullable()) {
      throw new SchemaMismatchException(
          "index '"
              + index.name()
              + "' was nullable and is declared non-nullable; rows with a "
              + "null key may exist: keep it nullable, or add it under a new name",
          table.name(),
          null,
          null);
    }
  }

  /**
   * The index rules for every index {@code table} declares, before storage is opened (a changed
   * index would otherwise fail as a kind mismatch of its LMDB database, without naming the index or
   * the way out): none undeclared, and each recorded one unchanged and still nullable if it was. In
   * a read-only transaction, an index not in the catalog is refused too.
   */
  static void indexes(
      final Catalog.TableEntry recorded, final SchemaTable<?, ?> table, final Txn txn) {
    noUndeclaredIndex(recorded, table);
    for (final Index<?, ?, ?> index : table.indexes()) {
      final Catalog.IndexEntry entry = recorded.index(index.name());
      if (entry != null) {
        indexDefinition(table, index, entry);
        indexNullability(table, index, entry);
      } else if (txn.isReadOnly()) {
        throw readOnly(table.name(), "index '" + index.name() + "' is not in the catalog");
      }
    }
  }

  // ------------------------------------------------------------ references

  /**
   * Refuses a reference to a table that is neither this one nor in the catalog (declared in this
   * schema, which attaches it first, or attached by another).
   */
  static void referenceTarget(
      final Txn txn,
      final Catalog catalog,
      final SchemaTable<?, ?> table,
      final Reference<?, ?, ?, ?> reference) {
    if (reference.to != table
        && (reference.to.oid() == null || catalog.get(txn, reference.to.oid()) == null)) {
      throw new SchemaMismatchException(
          "reference '"
              + reference.name
              + "' points to table '"
              + reference.to.name()
              + "', which is neither in this schema nor attached; declare the target in this "
              + "schema or attach its schema first",
          table.name(),
          null,
          null);
    }
  }

  // ------------------------------------------------------------ declarations attached before

  /**
   * What changed between {@code attached} (the entry a declaration was attached with) and {@code
   * current} (the catalog's entry now) that a write through that declaration would get wrong, or
   * null if nothing did. Names and descriptions do not matter to a write, nor does an index made
   * nullable (the old declaration is stricter), nor a value type changed compatibly (see {@link
   * EvolutionRules#valueType}: values of the old type read as the new one); indexes, codecs,
   * storage, format, properties, references, the value checksum, an incompatible value type and an
   * unfinished migration do.
   */
  static String staleness(final Catalog.TableEntry attached, final Catalog.TableEntry current) {
    if (current == null) {
      return "the table is no longer in the catalog";
    }
    final List<String> changes = new ArrayList<>();
    final Map<String, Catalog.IndexEntry> mine = indexesByName(attached);
    final Map<String, Catalog.IndexEntry> now = indexesByName(current);
    for (final Catalog.IndexEntry index : now.values()) {
      final Catalog.IndexEntry known = mine.get(index.name());
      if (known == null) {
        changes.add(
            "the catalog has index '"
                + index.name()
                + "', which this declaration does not "
                + "maintain (a newer declaration added it)");
      } else if (!sameIndex(known, index)) {
        changes.add("index '" + index.name() + "' changed in the catalog");
      }
    }
    for (final String name : mine.keySet()) {
      if (!now.containsKey(name)) {
        changes.add("index '" + name + "' of this declaration is no longer in the catalog");
      }
    }
    if (!Objects.equals(attached.kind(), current.kind())
        || !Objects.equals(attached.keyCodec(), current.keyCodec())
        || !Objects.equals(attached.valueCodec(), current.valueCodec())
        || !Objects.equals(attached.dbi(), current.dbi())
        // a migration's format is reported as the migration, below
        || (attached.format() != current.format() && current.migration() == null)) {
      changes.add(
          "its definition changed: "
              + describeStorage(attached)
              + " -> "
              + describeStorage(current));
    }
    if (!orEmpty(attached.properties()).equals(orEmpty(current.properties()))) {
      changes.add(
          "its properties changed: "
              + orEmpty(attached.properties())
              + " -> "
              + orEmpty(current.properties()));
    }
    if (!orEmpty(attached.references()).equals(orEmpty(current.references()))) {
      changes.add("its references changed");
    }
    if (current.migration() != null) {
      changes.add("a migration of its values to another type is unfinished");
    }
    final String typeChange = typeConflict(attached.fingerprint(), current.fingerprint());
    if (typeChange != null) {
      changes.add(
          "its value type changed incompatibly: "
              + attached.fingerprint()
              + " -> "
              + current.fingerprint()
              + " ("
              + typeChange
              + ")");
    }
    if (!Objects.equals(attached.valueChecksum(), current.valueChecksum())) {
      changes.add(
          "its value checksum changed: "
              + attached.valueChecksum()
              + " -> "
              + current.valueChecksum());
    }
    return changes.isEmpty() ? null : String.join("; ", changes);
  }

  private static Map<String, Catalog.IndexEntry> indexesByName(final Catalog.TableEntry entry) {
    final Map<String, Catalog.IndexEntry> out = new TreeMap<>();
    for (final Catalog.IndexEntry index : orEmpty(entry.indexes())) {
      out.put(index.name(), index);
    }
    return out;
  }

  private static boolean sameIndex(final Catalog.IndexEntry a, final Catalog.IndexEntry b) {
    return Objects.equals(a.dbi(), b.dbi())
        && Objects.equals(a.keyCodec(), b.keyCodec())
        && a.unique() == b.unique();
  }

  private static String describeStorage(final Catalog.TableEntry e) {
    return e.kind()
        + " "
        + e.keyCodec()
        + " -> "
        + e.valueCodec()
        + " in '"
        + e.dbi()
        + "', format "
        + e.format();
  }

  // ------------------------------------------------------------ read-only attach

  /** What a read-only attach cannot do: {@code what} would need a write. */
  static SchemaMismatchException readOnly(final String table, final String what) {
    return new SchemaMismatchException(
        what + ", and the database is read-only: attach this schema once to a writable database",
        table,
        null,
        null);
  }

  /** Refuses, on a read-only database, a table or set table that is not in the catalog. */
  static void readOnlyInCatalog(
      final Catalog.TableEntry recorded, final String table, final String what) {
    if (recorded == null) {
      throw readOnly(table, what + " is not in the catalog");
    }
  }

  /**
   * On a read-only database: refuses {@code declared} (what a writable attach would record) unless
   * the catalog holds it already ({@code recorded}), naming every difference. Kind, codecs, value
   * type and index definitions were checked by their rules already; a value type that differs
   * compatibly, or that the entry lacks, needs no record to be read and is accepted.
   */
  static void readOnlyUnchanged(
      final Catalog.TableEntry recorded, final Catalog.TableEntry declared) {
    final List<String> changes = new ArrayList<>();
    if (declared.format() != recorded.format()) {
      changes.add("format " + recorded.format() + " -> " + declared.format());
    }
    if (!Objects.equals(declared.dbi(), recorded.dbi())) {
      changes.add("storage '" + recorded.dbi() + "' -> '" + declared.dbi() + "'");
    }
    if (!Objects.equals(declared.name(), recorded.name())) {
      changes.add("name '" + recorded.name() + "' -> '" + declared.name() + "'");
    }
    if (!Objects.equals(declared.description(), recorded.description())) {
      changes.add("description");
    }
    if (!orEmpty(declared.properties()).equals(orEmpty(recorded.properties()))) {
      changes.add(
          "properties " + orEmpty(recorded.properties()) + " -> " + orEmpty(declared.properties()));
    }
    for (final Catalog.IndexEntry index : orEmpty(declared.indexes())) {
      if (!index.equals(recorded.index(index.name()))) {
        changes.add("index '" + index.name() + "' made nullable");
      }
    }
    if (!orEmpty(declared.references()).equals(orEmpty(recorded.references()))) {
      changes.add(
          "references "
              + describeReferences(orEmpty(recorded.references()))
              + " -> "
              + describeReferences(orEmpty(declared.references())));
    }
    if (!changes.isEmpty()) {
      throw readOnly(
          declared.name(), "the catalog needs a change (" + String.join(", ", changes) + ")");
    }
  }

  // ------------------------------------------------------------ helpers

  private static TypeFingerprint fingerprint(final Catalog.MigrationEntry m) {
    return m.valueType() == null ? null : m.valueType().fingerprint();
  }

  /** A codec and type for messages: {@code cbor com.example.Market{...}}. */
  static String describe(final String codec, final TypeFingerprint type) {
    return codec + (type == null ? "" : " " + type);
  }

  private static String describeIndex(final boolean unique, final String codec) {
    return (unique ? "unique " : "non-unique ") + codec;
  }

  private static List<String> describeReferences(final List<Catalog.ReferenceEntry> references) {
    final List<String> out = new ArrayList<>();
    for (final Catalog.ReferenceEntry r : references) {
      out.add(r.name() + " to " + r.target() + " (on delete " + r.onDelete() + ")");
    }
    return out;
  }

  static <T> List<T> orEmpty(final List<T> list) {
    return list == null ? List.of() : list;
  }

  static Map<String, String> orEmpty(final Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  /**
   * What recording {@code entry} over {@code old} changes, in words, for the attach's INFO log:
   * {@code "table 'users' (oid ...): new, 2 indexes"} or {@code "... : index by_email added"}.
   */
  static String describeChange(final Catalog.TableEntry old, final Catalog.TableEntry entry) {
    final String what =
        (Catalog.TableEntry.SET.equals(entry.kind()) ? "set table '" : "table '")
            + entry.name()
            + "' ("
            + entry.oid()
            + "): ";
    if (old == null) {
      final int indexes = entry.indexes() == null ? 0 : entry.indexes().size();
      return what + "new, " + indexes + (indexes == 1 ? " index" : " indexes");
    }
    final List<String> changes = new ArrayList<>();
    if (!Objects.equals(old.name(), entry.name())) {
      changes.add("renamed from '" + old.name() + "'");
    }
    final Set<String> before = indexNames(old);
    final Set<String> after = indexNames(entry);
    for (final String name : after) {
      if (!before.contains(name)) {
        changes.add("index " + name + " added");
      }
    }
    for (final String name : before) {
      if (!after.contains(name)) {
        changes.add("index " + name + " removed");
      }
    }
    if (!Objects.equals(old.valueChecksum(), entry.valueChecksum())) {
      changes.add(
          "value checksum "
              + (old.valueChecksum() == null ? "none" : old.valueChecksum())
              + " -> "
              + (entry.valueChecksum() == null ? "none" : entry.valueChecksum()));
    }
    if (!Objects.equals(old.valueType(), entry.valueType())) {
      changes.add(
          old.valueType() == null
              ? "value type recorded"
              : "value type " + old.valueType().type() + " evolved");
    }
    if (!Objects.equals(old.valueCodec(), entry.valueCodec())) {
      changes.add("value codec " + old.valueCodec() + " -> " + entry.valueCodec());
    }
    if (!Objects.equals(old.references(), entry.references())) {
      changes.add("references updated");
    }
    if (changes.isEmpty()) {
      changes.add("entry updated (format " + old.format() + " -> " + entry.format() + ")");
    }
    return what + String.join(", ", changes);
  }

  private static Set<String> indexNames(final Catalog.TableEntry entry) {
    final Set<String> names = new LinkedHashSet<>();
    if (entry.indexes() != null) {
      for (final Catalog.IndexEntry index : entry.indexes()) {
        names.add(index.name());
      }
    }
    return names;
  }
}
