package org.lodestore.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseStats;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.ReaderSlot;
import org.lodestore.core.TableStats;
import org.lodestore.schema.StoredCatalog;
import org.lodestore.schema.StoredCatalog.StoredIndex;
import org.lodestore.schema.StoredCatalog.StoredTable;

/**
 * What a database holds, as the command shows it: the tables its catalog declares (by declared
 * name, with their indexes) and the LMDB databases no catalog declares (by LMDB name: plain tables
 * and Lodestore's own, whose names start with {@code "__"}), each with its statistics.
 */
final class DatabaseModel {

  /** A declared table: its catalog entry, its statistics (null if its LMDB database is missing). */
  record Declared(StoredTable table, TableStats stats, List<DeclaredIndex> indexes) {}

  /** An index of a declared table and its statistics (null if missing). */
  record DeclaredIndex(StoredIndex index, TableStats stats) {}

  final DatabaseStats stats;
  final StoredCatalog catalog;
  final List<Declared> declared;

  /** Tables no catalog declares, by LMDB name, not Lodestore's own. */
  final List<TableStats> plain;

  /** Lodestore's own tables (catalog, owners). */
  final List<TableStats> internal;

  final List<ReaderSlot> readers;

  private DatabaseModel(
      final DatabaseStats stats,
      final StoredCatalog catalog,
      final List<Declared> declared,
      final List<TableStats> plain,
      final List<TableStats> internal,
      final List<ReaderSlot> readers) {
    this.stats = stats;
    this.catalog = catalog;
    this.declared = declared;
    this.plain = plain;
    this.internal = internal;
    this.readers = readers;
  }

  /** Reads the catalog, statistics and reader table of {@code db}. */
  static DatabaseModel of(final Database db) {
    final StoredCatalog catalog = readCatalog(db);
    final DatabaseStats stats = db.stats();
    final Map<String, TableStats> byDbi = stats.tables();
    final Set<String> claimed = new HashSet<>();
    final List<Declared> declared = new ArrayList<>();
    for (final StoredTable t : catalog.tables()) {
      claimed.add(t.dbi());
      final List<DeclaredIndex> indexes = new ArrayList<>();
      for (final StoredIndex i : t.indexes()) {
        claimed.add(i.dbi());
        indexes.add(new DeclaredIndex(i, byDbi.get(i.dbi())));
      }
      declared.add(new Declared(t, byDbi.get(t.dbi()), List.copyOf(indexes)));
    }
    final List<TableStats> plain = new ArrayList<>();
    final List<TableStats> internal = new ArrayList<>();
    for (final String name : db.tableNames()) {
      final TableStats s = byDbi.get(name);
      if (s == null || claimed.contains(name)) {
        continue;
      }
      (name.startsWith("__") ? internal : plain).add(s);
    }
    return new DatabaseModel(
        stats,
        catalog,
        List.copyOf(declared),
        List.copyOf(plain),
        List.copyOf(internal),
        db.readers());
  }

  /** The catalog, with a damaged one reported as the database's problem. */
  static StoredCatalog readCatalog(final Database db) {
    try {
      return StoredCatalog.read(db);
    } catch (LodestoreException e) {
      throw CliException.failed(
          "cannot read the catalog of " + db.path() + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code tables} ordered so that each comes after the tables its references point to (and
   * otherwise by name): the order in which an import can write them, each reference resolving.
   * Tables in a cycle of references keep name order.
   */
  static List<Declared> referencesFirst(final List<Declared> tables) {
    final Map<String, Declared> byOid = new java.util.LinkedHashMap<>();
    for (final Declared d : tables) {
      byOid.put(d.table().oid(), d);
    }
    final List<Declared> ordered = new ArrayList<>();
    final Set<String> placed = new HashSet<>();
    final Set<String> visiting = new HashSet<>();
    for (final Declared d : tables) {
      place(d, byOid, placed, visiting, ordered);
    }
    return ordered;
  }

  private static void place(
      final Declared d,
      final Map<String, Declared> byOid,
      final Set<String> placed,
      final Set<String> visiting,
      final List<Declared> ordered) {
    final String oid = d.table().oid();
    if (placed.contains(oid) || !visiting.add(oid)) {
      return;
    }
    for (final StoredCatalog.StoredReference r : d.table().references()) {
      final Declared target = byOid.get(r.target());
      if (target != null && !r.target().equals(oid)) {
        place(target, byOid, placed, visiting, ordered);
      }
    }
    visiting.remove(oid);
    placed.add(oid);
    ordered.add(d);
  }

  /** The declared table named {@code name}, by declared name or, failing that, by oid. */
  Declared declared(final String name) {
    for (final Declared d : declared) {
      if (d.table().name().equals(name)) {
        return d;
      }
    }
    for (final Declared d : declared) {
      if (d.table().oid().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The plain table named {@code name} (an LMDB name no catalog declares). */
  TableStats plain(final String name) {
    for (final TableStats t : plain) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** Bytes of a table's pages. */
  long bytes(final TableStats t) {
    return t == null ? 0 : (t.branchPages() + t.leafPages() + t.overflowPages()) * stats.pageSize();
  }

  /** Reader slots holding a snapshot now. */
  long readersInUse() {
    return readers.stream().filter(r -> r.txnId() >= 0 && !r.stale()).count();
  }

  /** Reader slots of processes that are gone. */
  long staleReaders() {
    return readers.stream().filter(ReaderSlot::stale).count();
  }
}
