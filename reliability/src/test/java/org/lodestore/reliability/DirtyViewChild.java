package org.lodestore.reliability;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Views of values written in the same write transaction: LMDB serves them from the transaction's
 * dirty pages (malloc'd memory that commit frees, and for a large value gives back to the system),
 * not from the map. A {@code duplicate()} of such a view, read after commit, must not crash. Prints
 * {@code RESULT rounds=<n> wrongBytes=<n> bytesRead=<n>}; a byte is right if it is the written one
 * or zero.
 */
public final class DirtyViewChild {

  private DirtyViewChild() {}

  /**
   * Runs the scenario.
   *
   * @param args {@code dir rounds}
   */
  public static void main(final String[] args) {
    final int rounds = Integer.parseInt(args[1]);
    long wrong = 0;
    long read = 0;
    try (Database db =
        Database.open(
            Path.of(args[0]), DatabaseOptions.builder().durability(Durability.NO_SYNC).build())) {
      final Table<String, ByteBuffer> t = db.table("blobs", KeyCodecs.STRING, ValueCodecs.VIEW);
      for (int round = 0; round < rounds; round++) {
        final int size = (round % 2 == 0 ? 4 << 20 : 1000) + round;
        final byte fill = (byte) (round + 1);
        final ByteBuffer derived;
        final ByteBuffer derivedKey;
        try (Txn txn = db.beginWrite()) {
          final byte[] value = new byte[size];
          java.util.Arrays.fill(value, fill);
          t.put(txn, "k" + round, ByteBuffer.wrap(value));
          derived = t.get(txn, "k" + round).duplicate();
          try (var c = t.select(txn, org.lodestore.core.KeyRange.all())) {
            c.next();
            derivedKey = c.keyView().duplicate();
          }
          txn.commit();
        }
        for (int i = 0; i < derived.capacity(); i++) {
          final byte b = derived.get(i);
          if (b != fill && b != 0) {
            wrong++;
          }
          read++;
        }
        for (int i = 0; i < derivedKey.capacity(); i++) {
          derivedKey.get(i);
          read++;
        }
        // the next transactions free and reuse those pages; the database stays small
        final String written = "k" + round;
        db.write(txn -> t.delete(txn, written));
      }
    }
    System.out.println("RESULT rounds=" + rounds + " wrongBytes=" + wrong + " bytesRead=" + read);
  }
}
