package org.lodestore.core;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.UnsafeApi;

/**
 * Read-only direct {@link ByteBuffer}s that point into LMDB's memory map, re-pointed and detached
 * without allocation by writing the buffer's address and capacity fields (as lmdbjava's own buffer
 * proxy does).
 *
 * <p>A detached view has address 0 and capacity 0: every absolute or relative access fails the
 * buffer's own bounds check ({@link IndexOutOfBoundsException} or {@link
 * java.nio.BufferUnderflowException}) before any memory is read. This is how a zero-copy value
 * that outlives its transaction is made harmless even after the map is remapped or closed.
 */
final class Views {

  private static final long ADDRESS = UnsafeApi.objectFieldOffset(Buffer.class, "address");
  private static final long CAPACITY = UnsafeApi.objectFieldOffset(Buffer.class, "capacity");
  private static final ByteBuffer TEMPLATE = ByteBuffer.allocateDirect(1).asReadOnlyBuffer();

  private Views() {}

  /** A new read-only view of {@code length} bytes at {@code address}. */
  static ByteBuffer create(final long address, final int length) {
    return repoint(TEMPLATE.duplicate(), address, length);
  }

  /** Points {@code view} at {@code length} bytes at {@code address}: position 0, big-endian. */
  static ByteBuffer repoint(final ByteBuffer view, final long address, final int length) {
    UnsafeApi.putLong(view, ADDRESS, address);
    UnsafeApi.putInt(view, CAPACITY, length);
    view.clear();
    return view.order(ByteOrder.BIG_ENDIAN);
  }

  /** Points {@code view} at nothing, so that every access fails its bounds check. */
  static void detach(final ByteBuffer view) {
    UnsafeApi.putLong(view, ADDRESS, 0L);
    UnsafeApi.putInt(view, CAPACITY, 0);
    view.clear();
  }

  /** The address of the byte at {@code buffer.position()} of a direct buffer. */
  static long address(final ByteBuffer buffer) {
    return UnsafeApi.getLong(buffer, ADDRESS) + buffer.position();
  }
}
