package org.lodestore.core;

import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.Map;

/** Unambiguous renderings of keys and values for failure messages. */
public final class TestText {

  private TestText() {}

  /**
   * Renders bytes as hex.
   *
   * @param bytes the bytes
   * @return e.g. {@code [00ff]}
   */
  public static String hex(final byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    final StringBuilder sb = new StringBuilder("[");
    for (final byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return sb.append(']').toString();
  }

  /**
   * Renders a value: strings quoted with non-printable characters escaped, byte arrays and buffers
   * in hex, records (tuples) and arrays component by component.
   *
   * @param value the value, may be null
   * @return its text
   */
  public static String show(final Object value) {
    if (value instanceof byte[] b) {
      return b.length > 64
          ? hex(java.util.Arrays.copyOf(b, 64)) + "...(" + b.length + " bytes)"
          : hex(b);
    }
    if (value instanceof ByteBuffer buffer) {
      final byte[] b = new byte[buffer.remaining()];
      buffer.duplicate().get(b);
      return "buffer" + show(b);
    }
    if (value instanceof String s) {
      final StringBuilder sb = new StringBuilder("\"");
      for (int i = 0; i < s.length(); i++) {
        final char ch = s.charAt(i);
        if (ch >= 0x20 && ch < 0x7F) {
          sb.append(ch);
        } else {
          sb.append(String.format("\\u%04X", (int) ch));
        }
      }
      return sb.append('"').toString();
    }
    if (value instanceof Object[] array) {
      final StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < array.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(show(array[i]));
      }
      return sb.append(']').toString();
    }
    if (value instanceof Map.Entry<?, ?> e) {
      return show(e.getKey()) + "=" + show(e.getValue());
    }
    if (value instanceof Record record) {
      final StringBuilder sb = new StringBuilder("(");
      final RecordComponent[] components = record.getClass().getRecordComponents();
      for (int i = 0; i < components.length; i++) {
        try {
          sb.append(i == 0 ? "" : ", ").append(show(components[i].getAccessor().invoke(record)));
        } catch (ReflectiveOperationException e) {
          sb.append('?');
        }
      }
      return sb.append(')').toString();
    }
    return String.valueOf(value);
  }
}
