package org.lodestore.core;

import java.lang.reflect.Field;
import org.agrona.UnsafeApi;
import org.lmdbjava.Env;

/**
 * The address of an environment's memory map, which LMDB does not report ({@code mdb_env_info}
 * gives the fixed address of {@code MDB_FIXEDMAP} only): read from LMDB 0.9's {@code MDB_env}
 * struct, and trusted only if the fields around it prove the layout.
 *
 * <pre>
 *  MDB_env, LP64 with int handles (Linux, macOS):
 *   fd @0 | lfd @4 | mfd @8 | flags @12 | psize @16 | os psize @20 | maxreaders @24 |
 *   close readers @28 | numdbs @32 | maxdbs @36 | pid @40 | path @48 | map @56 | txns @64 |
 *   metas[0] @72 (= map + 16) | metas[1] @80 (= map + page size + 16)
 * </pre>
 *
 * The layout is proven when the page size, the reader table size and the process id are this
 * environment's and the two meta pointers point right after the headers of the map's first two
 * pages (where LMDB keeps its meta records). On any other layout
 * (another LMDB build, Windows handles) the address is unknown and {@link StoredBounds} falls back
 * to its checks that need no address.
 */
final class MapAddress {

  private static final Field ENV_POINTER = pointerField();
  private static final long PID = ProcessHandle.current().pid();

  private MapAddress() {}

  private static Field pointerField() {
    try {
      final Field f = Env.class.getDeclaredField("ptr");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The map's address; the environment must be open (call under the database's gate).
   *
   * @param env the environment
   * @param pageSize its page size
   * @param maxReaders its reader table size
   * @return the address, or 0 if it cannot be proven
   */
  static long of(final Env<?> env, final int pageSize, final int maxReaders) {
    if (ENV_POINTER == null) {
      return 0;
    }
    final long struct;
    try {
      struct = ((jnr.ffi.Pointer) ENV_POINTER.get(env)).address();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return 0;
    }
    if (struct == 0
        || UnsafeApi.getInt(struct + 16) != pageSize
        || UnsafeApi.getInt(struct + 24) != maxReaders
        || UnsafeApi.getInt(struct + 40) != PID) {
      return 0;
    }
    final long map = UnsafeApi.getLong(struct + 56);
    if (map == 0
        || UnsafeApi.getLong(struct + 72) != map + DataFile.HEADER
        || UnsafeApi.getLong(struct + 80) != map + pageSize + DataFile.HEADER) {
      return 0;
    }
    return map;
  }
}
