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
 * <p>A detached view has capacity 0: every absolute or relative access fails the buffer's own
 * bounds check ({@link IndexOutOfBoundsException} or {@link java.nio.BufferUnderflowException})
 * before any memory is read. Its address is deliberately kept: a thread that raced the detach
 * (checked the old limit, or holds the address in a register of compiled code) still reads memory
 * that stays mapped, since LMDB keeps the map while the environment is open and {@link
 * UnmappedGuard} puts zero pages there before LMDB unmaps it. Zeroing the address would turn that
 * race into a read of address 0 + index: a SIGSEGV.
 *
 * <h2>The attachment: who may still read a map range</h2>
 *
 * A view's {@code att} field holds its owning {@link Txn}, and once detached that transaction's
 * {@link MapEpoch}; the JDK copies {@code att} into every buffer derived from a direct buffer
 * ({@code duplicate()}, {@code slice()}, {@code asReadOnlyBuffer()}, {@code asLongBuffer()} ...,
 * and the scope of {@code MemorySegment.ofBuffer}), and each access of a direct buffer ends with
 * {@code Reference.reachabilityFence(this)}. So any buffer that can read a map range, and any read
 * of one in progress, keeps that range's {@link MapEpoch} strongly reachable; {@link UnmappedGuard}
 * releases a guarded range only after its epoch became unreachable.
 */
final class Views {

  private static final long ADDRESS = UnsafeApi.objectFieldOffset(Buffer.class, "address");
  private static final long CAPACITY = UnsafeApi.objectFieldOffset(Buffer.class, "capacity");
  private static final ByteBuffer TEMPLATE = ByteBuffer.allocateDirect(1).asReadOnlyBuffer();

  /** The class of every view: read-only direct buffers ({@code java.nio.DirectByteBufferR}). */
  private static final Class<?> VIEW_CLASS = TEMPLATE.getClass();

  /**
   * {@code DirectByteBuffer.att}, the "attachment" that keeps a derived buffer's memory alive. A
   * view's memory belongs to LMDB, so the field is free to record which transaction owns the view
   * (and, once detached, which map it pointed into); it is only ever read here, through Unsafe, and
   * only from buffers of {@link #VIEW_CLASS}.
   */
  private static final long OWNER = UnsafeApi.objectFieldOffset(VIEW_CLASS.getSuperclass(), "att");

  private Views() {}

  /** A new read-only view of {@code length} bytes at {@code address}, owned by {@code owner}. */
  static ByteBuffer create(final long address, final int length, final Txn owner) {
    final ByteBuffer view = TEMPLATE.duplicate();
    UnsafeApi.putReference(view, OWNER, owner);
    return repoint(view, address, length);
  }

  /**
   * The owner recorded by {@link #create}, or the {@link MapEpoch} of a detached view; for another
   * read-only direct buffer its attachment (a buffer derived from a view: that view's); null for
   * any other buffer.
   */
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

  /**
   * Makes {@code view} empty, so that every access fails its bounds check, and marks it detached
   * from a map of {@code epoch}, which it keeps reachable. The address stays (see the class
   * comment).
   */
  static void detach(final ByteBuffer view, final MapEpoch epoch) {
    UnsafeApi.putInt(view, CAPACITY, 0);
    UnsafeApi.putReference(view, OWNER, epoch);
    view.clear();
  }

  /**
   * Makes {@code owner} the owner of a view detached in {@code owner}'s own map (see {@link
   * Txn#reuseView}), which it then re-points.
   */
  static void adopt(final ByteBuffer view, final Txn owner) {
    UnsafeApi.putReference(view, OWNER, owner);
  }

  /** Whether {@code buffer} is a view that was detached (or derived from one after it was). */
  static boolean isDetached(final ByteBuffer buffer) {
    return owner(buffer) instanceof MapEpoch;
  }

  /** The address of the byte at {@code buffer.position()} of a direct buffer. */
  static long address(final ByteBuffer buffer) {
    return UnsafeApi.getLong(buffer, ADDRESS) + buffer.position();
  }
}
