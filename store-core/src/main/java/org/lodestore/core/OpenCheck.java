package org.lodestore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The check {@code Database.open} runs on an existing {@code data.mdb} before LMDB maps it: the
 * meta pages, the main table and every table's record and root page ({@link PageWalk#atOpen}), a
 * few positional reads per table. Damage there is then a {@link CorruptDatabaseException} naming
 * the path and the table at open, instead of an abort or a wrong answer at the first use.
 *
 * <p>A file shorter than its two meta pages is left to LMDB: it may be a new one another process is
 * creating this very moment, and LMDB reads it only once that process is done.
 *
 * <p>A writer in another process may commit while the check reads: its result counts only if both
 * meta pages and the file size are the same before and after (a commit changes a meta page, and
 * never rewrites a page of the snapshot the current meta page describes). After five changed
 * attempts the check gives up and leaves the file to LMDB, which reads it consistently itself.
 */
final class OpenCheck {

  private static final int ATTEMPTS = 5;

  private OpenCheck() {}

  /**
   * Checks the database in {@code dir}, if it has one.
   *
   * @param dir the database directory
   * @throws CorruptDatabaseException if the file is damaged
   */
  static void run(final Path dir) {
    final Path data = dir.resolve("data.mdb");
    if (!Files.isRegularFile(data)) {
      return; // a new database
    }
    try (PageFile file = PageFile.open(data)) {
      if (beingCreated(file)) {
        return; // LMDB writes the meta pages of a new file, under its lock: it decides
      }
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        final ByteBuffer before = stamp(file);
        final PageWalk.Result result = PageWalk.atOpen(file);
        if (result.ok()) {
          return;
        }
        if (before.equals(stamp(file))) {
          throw damaged(dir, result);
        }
      }
    } catch (IOException e) {
      // unreadable here: LMDB opens it next and reports why
    }
  }

  /**
   * Whether the file is shorter than its two meta pages: empty, or being created by another process
   * right now (LMDB checks such a file itself once it holds the lock).
   */
  private static boolean beingCreated(final PageFile file) throws IOException {
    final PageFile.Meta m0 = file.meta(0, 0);
    final int psize = m0 == null ? 0 : m0.pageSize();
    final boolean sane = psize >= 512 && psize <= 65536 && Integer.bitCount(psize) == 1;
    return file.size() < 2L * (sane ? psize : 4096);
  }

  /** Both meta pages' transaction ids and the file size. */
  private static ByteBuffer stamp(final PageFile file) throws IOException {
    final ByteBuffer stamp = ByteBuffer.allocate(24);
    final PageFile.Meta m0 = file.meta(0, 0);
    stamp.putLong(m0 == null ? -1 : m0.txnid());
    final int psize = m0 == null ? 0 : m0.pageSize();
    final PageFile.Meta m1 = psize > 0 && psize <= 65536 ? file.meta(1, psize) : null;
    stamp.putLong(m1 == null ? -1 : m1.txnid());
    stamp.putLong(file.size());
    return stamp.flip();
  }

  private static CorruptDatabaseException damaged(final Path dir, final PageWalk.Result result) {
    final PageWalk.Problem first = result.problems().get(0);
    final int more = result.problemCount() - 1;
    return new CorruptDatabaseException(
        "the database file is damaged: "
            + first.text()
            + (more > 0 ? " (and " + more + " more problems)" : "")
            + "; Verify.run checks the whole file",
        dir.resolve("data.mdb"),
        first.table(),
        null);
  }
}
