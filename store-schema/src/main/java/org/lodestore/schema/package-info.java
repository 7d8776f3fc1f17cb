/**
 * The ORM layer: a {@link org.lodestore.schema.Schema} declares typed tables ({@link
 * org.lodestore.schema.SchemaTable}, one declaration form: {@code table(oid, name, keyCodec,
 * valueCodec)}), set tables, counter tables, indexes ({@link org.lodestore.schema.Index}: {@link
 * org.lodestore.schema.UniqueIndex} and {@link org.lodestore.schema.MultiIndex}) and references as
 * fields; {@code db.attach(schema)} creates or validates them against the persistent catalog in one
 * write transaction.
 *
 * <h2>Indexes</h2>
 *
 * Every write to a table has each index prepare its change from the row's old and new values (its
 * own key extraction and checks) and checks every reference first, then writes the row, then
 * applies each index's change, all in the caller's write transaction. A refused write ({@link
 * org.lodestore.schema.UniqueViolationException}, {@link
 * org.lodestore.schema.ConstraintViolationException}, invalid keys or values, an index key too long
 * for LMDB as {@code KeyTooLongException}) leaves the table and its indexes exactly as before.
 *
 * <h2>Stale declarations and ownership</h2>
 *
 * A schema object whose table a newer declaration changed since it attached (an index added or
 * dropped, say during a rolling deploy) refuses writes to that table with {@code
 * SchemaMismatchException} naming what changed; its reads go on. The schema's tables cannot be
 * written or dropped through plain {@code Database.table(...)} objects, and the catalog's name is
 * reserved; see {@link org.lodestore.schema.Schema}.
 *
 * <h2>Evolution and migration</h2>
 *
 * The catalog records each table's codecs, value type, indexes and references; an attach checks the
 * declaration against it by the rules listed in {@link org.lodestore.schema.Schema} (allowed: new
 * tables and indexes, renames, compatible value types; refused with {@code
 * SchemaMismatchException}: anything stored data could be misread under). A value type the rules
 * refuse is reached with {@link org.lodestore.schema.TableMigration}: a transform of every stored
 * value, in batches, resumable after a crash.
 *
 * <h2>Threads and lifetime</h2>
 *
 * Schemas, tables and indexes are thread-safe once attached; declare everything before attaching.
 * Operations take the {@link org.lodestore.core.Txn} they run in and follow its rules: zero-copy
 * values (FlatBuffers) live as long as the transaction, in a write transaction until its next
 * write.
 */
package org.lodestore.schema;
