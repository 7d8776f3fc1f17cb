package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The self-delimiting form of variable-length components (strings, byte arrays) inside composite
 * keys.
 *
 * <pre>
 *  content byte 0x00   ->  0x00 0xFF
 *  any other byte      ->  itself
 *  end of component    ->  0x00 0x01
 * </pre>
 *
 * <p>The terminator {@code 00 01} sorts below every escaped or plain content byte that could follow
 * at the same position, so a component sorts before every longer component it is a prefix of, and
 * the unsigned order of the delimited form equals the unsigned order of the raw bytes.
 */
final class Escaping {

  static final byte ESCAPE = 0x00;
  static final byte ESCAPED_ZERO = (byte) 0xFF;
  static final byte TERMINATOR = 0x01;

  private Escaping() {}

  static void putEscaped(final byte b, final ByteBuffer dst) {
    if (b == ESCAPE) {
      dst.put(ESCAPE).put(ESCAPED_ZERO);
    } else {
      dst.put(b);
    }
  }

  static void putTerminator(final ByteBuffer dst) {
    dst.put(ESCAPE).put(TERMINATOR);
  }

  /**
   * Reads one delimited component and returns its raw bytes, leaving {@code src} after the
   * terminator.
   */
  static byte[] readDelimited(final ByteBuffer src, final String codecId) {
    byte[] out = new byte[Math.min(32, src.remaining())];
    int n = 0;
    while (true) {
      if (!src.hasRemaining()) {
        throw new IllegalArgumentException(codecId + " component is not terminated");
      }
      byte b = src.get();
      if (b == ESCAPE) {
        if (!src.hasRemaining()) {
          throw new IllegalArgumentException(codecId + " component ends inside an escape");
        }
        final byte next = src.get();
        if (next == TERMINATOR) {
          return n == out.length ? out : Arrays.copyOf(out, n);
        }
        if (next != ESCAPED_ZERO) {
          throw new IllegalArgumentException(
              codecId
                  + " component has an invalid escape 0x00 0x"
                  + Integer.toHexString(next & 0xFF));
        }
        b = 0;
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, Math.max(16, n * 2));
      }
      out[n++] = b;
    }
  }
}
