package org.lodestore.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the newest of {@code data.mdb}'s two meta pages records, read with plain reads (LMDB 0.9
 * layout, in the machine's byte order, as store-core's {@code DataFiles} documents it): the page
 * size at byte 40 of page 0; in each meta page the map size at byte 32 and the transaction id of
 * its commit at byte 144.
 *
 * @param txnId the id of the file's last commit (a commit in any process raises it)
 * @param mapSize the map size the last writer had (a read-only open maps the file instead)
 */
record MetaPages(long txnId, long mapSize) {

  /** Reads the meta pages of {@code data}. */
  static MetaPages read(final Path data) throws IOException {
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
      final ByteBuffer page0 = read(ch, data, 0);
      final int pageSize = page0.getInt(40);
      if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
        throw CliException.cannotOpen(data + " is not an LMDB file", null);
      }
      final ByteBuffer page1 = read(ch, data, pageSize);
      final ByteBuffer newest = page1.getLong(144) > page0.getLong(144) ? page1 : page0;
      return new MetaPages(newest.getLong(144), newest.getLong(32));
    }
  }

  private static ByteBuffer read(final FileChannel ch, final Path data, final long at)
      throws IOException {
    final ByteBuffer b = ByteBuffer.allocate(152).order(ByteOrder.nativeOrder());
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw CliException.cannotOpen("the meta pages of " + data + " are cut short", null);
      }
    }
    return b.flip();
  }
}
