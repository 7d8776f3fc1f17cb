package org.lodestore.cli;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * Changes a database's bytes with plain lmdbjava, behind Lodestore's back (a {@code Database}
 * refuses writes to a schema's tables): how the tests make the damage {@code verify} must find. No
 * {@code Database} of the directory may be open in this process meanwhile.
 */
final class Damage {

  private Damage() {}

  /**
   * Runs {@code change} in one committed lmdbjava write transaction on the database in {@code dir}.
   */
  static void write(final Path dir, final Consumer<Session> change) {
    try (Env<ByteBuffer> env =
        Env.create().setMaxDbs(256).setMapSize(1L << 30).open(dir.toFile())) {
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        change.accept(new Session(env, txn));
        txn.commit();
      }
    }
  }

  /** An open write transaction. */
  static final class Session {
    private final Env<ByteBuffer> env;
    private final Txn<ByteBuffer> txn;

    Session(final Env<ByteBuffer> env, final Txn<ByteBuffer> txn) {
      this.env = env;
      this.txn = txn;
    }

    /** The stored value of {@code key} in LMDB database {@code dbi}, or null. */
    byte[] get(final String dbi, final byte[] key) {
      final ByteBuffer v = open(dbi).get(txn, direct(key));
      return v == null ? null : bytes(v);
    }

    /** The first key and value of LMDB database {@code dbi}. */
    byte[][] first(final String dbi) {
      try (org.lmdbjava.Cursor<ByteBuffer> c = open(dbi).openCursor(txn)) {
        if (!c.first()) {
          throw new AssertionError(dbi + " is empty");
        }
        return new byte[][] {bytes(c.key()), bytes(c.val())};
      }
    }

    /** Stores {@code value} under {@code key} in plain database {@code dbi}. */
    void put(final String dbi, final byte[] key, final byte[] value) {
      open(dbi).put(txn, direct(key), direct(value));
    }

    /** Deletes {@code key} from plain database {@code dbi}; true if it was there. */
    boolean delete(final String dbi, final byte[] key) {
      return open(dbi).delete(txn, direct(key));
    }

    /**
     * Adds member {@code member} of {@code key} to set database {@code dbi} (fixed-size members).
     */
    void addMember(final String dbi, final byte[] key, final byte[] member) {
      env.openDbi(
              txn,
              dbi.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              null,
              false,
              DbiFlags.MDB_DUPSORT,
              DbiFlags.MDB_DUPFIXED)
          .put(txn, direct(key), direct(member));
    }

    private Dbi<ByteBuffer> open(final String dbi) {
      return env.openDbi(txn, dbi.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, false);
    }
  }

  static ByteBuffer direct(final byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  static byte[] bytes(final ByteBuffer b) {
    final byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
