package org.lodestore.core;

/**
 * Statistics of one table (an LMDB named database), as of a read transaction.
 *
 * @param name the table's name
 * @param setTable whether it is a set table (LMDB {@code DUPSORT})
 * @param entries the number of rows (for a set table: of key/member pairs)
 * @param depth the B+tree depth
 * @param branchPages the number of internal pages
 * @param leafPages the number of leaf pages
 * @param overflowPages the number of overflow pages (large values)
 */
public record TableStats(
    String name,
    boolean setTable,
    long entries,
    int depth,
    long branchPages,
    long leafPages,
    long overflowPages) {}
