package org.lodestore.serializers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/** Buffers shaped like the ones the store hands to codecs, and hex helpers for fixtures. */
final class TestBuffers {

  private static final VarHandle ADDRESS;
  private static final VarHandle CAPACITY;

  static {
    try {
      final MethodHandles.Lookup lookup =
          MethodHandles.privateLookupIn(Buffer.class, MethodHandles.lookup());
      ADDRESS = lookup.findVarHandle(Buffer.class, "address", long.class);
      CAPACITY = lookup.findVarHandle(Buffer.class, "capacity", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private TestBuffers() {}

  /** A read-only direct buffer holding exactly {@code bytes}: position 0, limit = capacity. */
  static ByteBuffer direct(final byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
  }

  /** The bytes between position and limit, copied without moving the position. */
  static byte[] bytes(final ByteBuffer buffer) {
    final byte[] out = new byte[buffer.remaining()];
    buffer.get(buffer.position(), out);
    return out;
  }

  /** The native address of a direct buffer's first byte (index 0). */
  static long address(final ByteBuffer direct) {
    return (long) ADDRESS.get((Buffer) direct);
  }

  /** Does to {@code view} what the store does when a transaction ends: address 0, capacity 0. */
  static void detach(final ByteBuffer view) {
    ADDRESS.set((Buffer) view, 0L);
    CAPACITY.set((Buffer) view, 0);
    view.clear();
  }

  /** Parses hex, ignoring whitespace: {@code "D8 25 50"}. */
  static byte[] hex(final String text) {
    final String digits = text.replaceAll("\\s+", "");
    if (digits.length() % 2 != 0) {
      throw new IllegalArgumentException("odd number of hex digits: " + text);
    }
    final byte[] out = new byte[digits.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  /** Formats bytes as upper-case hex pairs separated by spaces. */
  static String hex(final byte[] bytes) {
    final StringBuilder sb = new StringBuilder(bytes.length * 3);
    for (final byte b : bytes) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
          .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
    }
    return sb.toString();
  }

  /** Hex of the bytes between position and limit. */
  static String hex(final ByteBuffer buffer) {
    return hex(bytes(buffer));
  }

  /** ASCII text as hex, for readable fixtures: {@code ascii("name")} is {@code "6E 61 6D 65"}. */
  static String ascii(final String text) {
    return hex(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
