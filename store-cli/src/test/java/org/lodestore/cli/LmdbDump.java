package org.lodestore.cli;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * Every LMDB database of a directory as its flags and its entries in hex, read with plain lmdbjava:
 * what "equal byte for byte" is checked against. No {@code Database} of the directory may be open
 * in this process meanwhile.
 */
final class LmdbDump {

  private LmdbDump() {}

  /** LMDB database name to its flags and entries ("key=value" in hex, in LMDB's order). */
  static Map<String, List<String>> of(final Path dir) {
    final Map<String, List<String>> dump = new TreeMap<>();
    try (Env<ByteBuffer> env =
        Env.create()
            .setMaxDbs(512)
            .setMapSize(1L << 30)
            .open(dir.toFile(), EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOTLS)) {
      final List<byte[]> names = env.getDbiNames();
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        for (final byte[] name : names) {
          final Dbi<ByteBuffer> dbi = env.openDbi(txn, name, null, false);
          final List<String> entries = new ArrayList<>();
          final List<DbiFlags> flags = new ArrayList<>(dbi.listFlags(txn));
          flags.sort(null);
          entries.add("flags " + flags);
          try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
            for (boolean more = c.first(); more; more = c.next()) {
              entries.add(hex(c.key()) + "=" + hex(c.val()));
            }
          }
          dump.put(new String(name, StandardCharsets.UTF_8), entries);
        }
      }
    }
    return dump;
  }

  /** Only the named databases of {@code dump}. */
  static Map<String, List<String>> only(
      final Map<String, List<String>> dump, final java.util.Collection<String> names) {
    final Map<String, List<String>> some = new TreeMap<>();
    for (final String n : names) {
      some.put(n, dump.get(n));
    }
    return some;
  }

  private static String hex(final ByteBuffer b) {
    final byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
