package org.lodestore.core;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * The check {@link Verify} runs in a JVM of its own: first {@link PageWalk#full} (every page,
 * without LMDB), then, only if that found nothing, LMDB itself reads every entry of every table,
 * every key and value byte, in a read-only environment without a lock file ({@code
 * MDB_RDONLY|MDB_NOLOCK}: nothing is written, not even {@code lock.mdb}). A page LMDB cannot
 * survive ends this JVM, not the caller's.
 *
 * <p>Protocol on stdout, one line each, texts URL-encoded:
 *
 * <pre>
 *   VERIFY begin
 *   VERIFY problem &lt;table or -&gt; &lt;text&gt;
 *   VERIFY reading &lt;table&gt;              before LMDB reads it (names the table of a crash)
 *   VERIFY table &lt;table&gt; &lt;entries&gt;
 *   VERIFY end                           the check finished (ok if no problem line came)
 * </pre>
 *
 * <p>Usage: {@code VerifyChild <database directory>}.
 */
final class VerifyChild {

  static final String PREFIX = "VERIFY ";

  private final PrintStream out;

  private VerifyChild(final PrintStream out) {
    this.out = out;
  }

  /**
   * Checks the database in {@code args[0]}.
   *
   * @param args the database directory
   */
  public static void main(final String[] args) {
    final PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    out.println(PREFIX + "begin");
    final VerifyChild child = new VerifyChild(out);
    try {
      child.run(Path.of(args[0]));
    } catch (Exception | Error e) {
      child.problem(null, "the check failed: " + e);
    }
    out.println(PREFIX + "end");
    out.flush();
  }

  private void run(final Path dir) throws Exception {
    final PageWalk.Result walk;
    try (PageFile file = PageFile.open(dir.resolve("data.mdb"))) {
      walk = PageWalk.full(file);
    }
    for (final PageWalk.Problem p : walk.problems()) {
      problem(p.table(), p.text());
    }
    if (walk.problemCount() > walk.problems().size()) {
      problem(null, (walk.problemCount() - walk.problems().size()) + " more problems");
    }
    if (!walk.ok()) {
      return; // LMDB would only crash on it, or read it wrong
    }
    readWithLmdb(dir, walk);
  }

  private void readWithLmdb(final Path dir, final PageWalk.Result walk) {
    final long used = (walk.meta().lastPage() + 1) * walk.meta().pageSize();
    try (Env<ByteBuffer> env =
        Env.create(ByteBufferProxy.PROXY_OPTIMAL)
            .setMapSize(used)
            .setMaxDbs(walk.tables().size() + 2)
            .open(dir.toFile(), EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOLOCK)) {
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        for (final PageWalk.TableCount table : walk.tables()) {
          out.println(PREFIX + "reading " + encode(table.name()));
          final long entries = readTable(env, txn, table.name());
          if (entries != table.entries()) {
            problem(
                table.name(),
                "LMDB read " + entries + " entries, the pages hold " + table.entries());
          }
          out.println(PREFIX + "table " + encode(table.name()) + " " + entries);
        }
      }
    } catch (RuntimeException e) {
      problem(null, "LMDB: " + e.getMessage());
    }
  }

  /** Reads every entry of a table, every byte of its keys and values; returns how many. */
  private long readTable(final Env<ByteBuffer> env, final Txn<ByteBuffer> txn, final String name) {
    final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    final Dbi<ByteBuffer> dbi = env.openDbi(txn, Arrays.copyOf(utf8, utf8.length + 1), null, false);
    final CRC32C crc = new CRC32C();
    long entries = 0;
    try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
      for (boolean more = c.first(); more; more = c.next()) {
        crc.update(c.key());
        crc.update(c.val());
        entries++;
      }
    }
    final long stat = dbi.stat(txn).entries;
    if (stat != entries) {
      problem(name, "LMDB read " + entries + " entries, its record says " + stat);
    }
    return entries;
  }

  private void problem(final String table, final String text) {
    out.println(PREFIX + "problem " + (table == null ? "-" : encode(table)) + " " + encode(text));
  }

  static String encode(final String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
