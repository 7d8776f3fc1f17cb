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

  /** The class of every view: read-only direct buffers ({@code java.nio.DirectByteBufferR}). */
  private static final Class<?> VIEW_CLASS = TEMPLATE.getClass();

  /**
   * {@code DirectByteBuffer.att}, the "attachment" that keeps a derived buffer's memory alive. A
   * view's memory belongs to LMDB, so the field is free to record which transaction owns the view;
   * it is only ever read here, through Unsafe, and only from buffers of {@link #VIEW_CLASS}.
   */
  private static final long OWNER = UnsafeApi.objectFieldOffset(VIEW_CLASS.getSuperclass(), "att");

  private Views() {}

  /** A new read-only view of {@code length} bytes at {@code address}, owned by {@code owner}. */
  static ByteBuffer create(final long address, final int length, final Object owner) {
    final ByteBuffer view = TEMPLATE.duplicate();
    UnsafeApi.putReference(view, OWNER, owner);
    return repoint(view, address, length);
  }

  /** The owner recorded by {@link #create}, or null for a detached view or any other buffer. */
  static Object owner(final ByteBuffer buffer) {
    return buffer.getClass() == VIEW_CLASS ? UnsafeApi.getReference(buffer, OWNER) : null;
  }

  /** Points {@code view} at {@code length} bytes at {@code address}: position 0, big-endian. */
  static ByteBuffer repoint(final ByteBuffer view, final long address, final int length) {
    UnsafeApi.putLong(view, ADDRESS, address);
    UnsafeApi.putInt(view, CAPACITY, length);
    view.clear();
    return view.order(ByteOrder.BIG_ENDIAN);
  }

  /** Points {@code view} at nothing, so that every access fails its bounds check; no owner. */
  static void detach(final ByteBuffer view) {
    UnsafeApi.putLong(view, ADDRESS, 0L);
    UnsafeApi.putInt(view, CAPACITY, 0);
    UnsafeApi.putReference(view, OWNER, null);
    view.clear();
  }

  /** The base address of a direct buffer: 0 for a detached view. */
  static long rawAddress(final ByteBuffer buffer) {
    return UnsafeApi.getLong(buffer, ADDRESS);
  }

  /** The address of the byte at {@code buffer.position()} of a direct buffer. */
  static long address(final ByteBuffer buffer) {
    return UnsafeApi.getLong(buffer, ADDRESS) + buffer.position();
  }
}
