package org.lodestore.core;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import org.lmdbjava.Env;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the reader slots in use right now, through LMDB's {@code mdb_reader_list}, which lmdbjava
 * does not bind. ({@code mdb_env_info}'s reader count is a high-water mark, and reading {@code
 * lock.mdb} from Java is not an option: closing any descriptor of that file drops this process's
 * POSIX locks on it, which LMDB relies on to know that the environment is in use.)
 *
 * <p>The binding loads the very library lmdbjava extracted and loaded (found in {@code
 * /proc/self/maps}, or named by lmdbjava's {@code lmdbjava.native.lib} property), so that it shares
 * its symbols; the environment's native pointer is lmdbjava's private {@code Env.ptr}. Where either
 * cannot be had, {@link #inUse} answers -1.
 */
final class ReaderTable {

  private static final Logger LOG = LoggerFactory.getLogger(ReaderTable.class);

  /** The part of LMDB's C API that lmdbjava leaves out. */
  public interface Lib {
    /**
     * {@code int mdb_reader_list(MDB_env *env, MDB_msg_func *func, void *ctx)}.
     *
     * @param env the environment
     * @param func called with one line of text per reader slot in use, after a header line
     * @param ctx passed to {@code func}
     * @return 0, or -1 if {@code func} failed
     */
    int mdb_reader_list(Pointer env, MessageFunction func, Pointer ctx);

    /** {@code void mdb_txn_abort(MDB_txn *txn)}. */
    void mdb_txn_abort(Pointer txn);
  }

  /** {@code typedef int (MDB_msg_func)(const char *msg, void *ctx)}. */
  public interface MessageFunction {
    /**
     * One line of {@code mdb_reader_list}'s report.
     *
     * @param message the line
     * @param ctx the context
     * @return 0 to go on
     */
    @Delegate
    int call(String message, Pointer ctx);
  }

  private static final Lib LIB = load();
  private static final Field ENV_PTR = envPointerField();

  private ReaderTable() {}

  /**
   * The number of reader slots in use in {@code env}'s reader table, by any process.
   *
   * @param env an open environment
   * @return the count, or -1 if it cannot be read here
   */
  static int inUse(final Env<ByteBuffer> env) {
    if (LIB == null || ENV_PTR == null) {
      return -1;
    }
    final Pointer ptr;
    try {
      ptr = (Pointer) ENV_PTR.get(env);
    } catch (IllegalAccessException e) {
      return -1;
    }
    final AtomicInteger lines = new AtomicInteger();
    final MessageFunction count =
        (message, ctx) -> {
          // a header line "    pid     thread     txnid", or "(no active readers)", then one a slot
          // a slot whose txnid is "-" belongs to a pooled read transaction between uses (reset):
          // it holds no snapshot, so it is not a reader in use
          if (message != null
              && !message.startsWith("(")
              && !message.trim().startsWith("pid")
              && !message.trim().endsWith("-")) {
            lines.incrementAndGet();
          }
          return 0;
        };
    final int rc = LIB.mdb_reader_list(ptr, count, null);
    // the callback is only weakly held by JNR's stub: keep it until the native call returned
    java.lang.ref.Reference.reachabilityFence(count);
    return rc == 0 ? lines.get() : -1;
  }

  /**
   * The reader slots in use in {@code env}'s reader table, by any process, as {@code
   * mdb_reader_list} prints them: {@code "%10d %zx %zu"} (pid, thread, txnid), with {@code "-"} for
   * the txnid of a slot that holds no snapshot.
   *
   * @param env an open environment
   * @return the slots; empty if the list cannot be read here
   */
  static java.util.List<ReaderSlot> list(final Env<ByteBuffer> env) {
    final java.util.List<ReaderSlot> slots = new java.util.ArrayList<>();
    if (LIB == null || ENV_PTR == null) {
      return slots;
    }
    final Pointer ptr;
    try {
      ptr = (Pointer) ENV_PTR.get(env);
    } catch (IllegalAccessException e) {
      return slots;
    }
    final MessageFunction collect =
        (message, ctx) -> {
          final String[] parts = message == null ? new String[0] : message.trim().split("\\s+");
          if (parts.length == 3 && !parts[0].equals("pid")) {
            try {
              final long pid = Long.parseLong(parts[0]);
              final long txnId = parts[2].equals("-") ? -1 : Long.parseUnsignedLong(parts[2]);
              final boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
              slots.add(new ReaderSlot(pid, parts[1], txnId, alive));
            } catch (NumberFormatException e) {
              LOG.debug("unexpected line from mdb_reader_list: {}", message);
            }
          }
          return 0;
        };
    final int rc = LIB.mdb_reader_list(ptr, collect, null);
    java.lang.ref.Reference.reachabilityFence(collect);
    return rc == 0 ? slots : new java.util.ArrayList<>();
  }

  /**
   * Aborts (frees) an LMDB read transaction in whatever state it is, as lmdbjava does only for a
   * ready one; see {@link LmdbReader#discard}.
   *
   * @return false if the function is not bound
   */
  static boolean abortTxn(final Pointer txn) {
    if (LIB == null || txn == null) {
      return false;
    }
    LIB.mdb_txn_abort(txn);
    return true;
  }

  private static Lib load() {
    try {
      String library = System.getProperty("lmdbjava.native.lib");
      if (library == null) {
        library = loadedLmdbjavaLibrary();
      }
      if (library == null) {
        return null;
      }
      return LibraryLoader.create(Lib.class).load(library);
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("cannot bind mdb_reader_list; reader counts are unknown: {}", e.toString());
      return null;
    }
  }

  /** The path of the LMDB library lmdbjava loaded, from this process's memory map. */
  private static String loadedLmdbjavaLibrary() {
    // make sure lmdbjava has loaded its library (its Library class loads it when initialised)
    try {
      Class.forName("org.lmdbjava.Library", true, Env.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
    try {
      for (final String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        final int slash = line.indexOf('/');
        if (slash >= 0 && line.contains("lmdbjava-native-library")) {
          return line.substring(slash);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read /proc/self/maps: {}", e.toString());
    }
    return null;
  }

  private static Field envPointerField() {
    try {
      final Field field = Env.class.getDeclaredField("ptr");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException | RuntimeException e) {
      LOG.debug(
          "cannot reach lmdbjava's environment pointer; reader counts are unknown: {}",
          e.toString());
      return null;
    }
  }
}
