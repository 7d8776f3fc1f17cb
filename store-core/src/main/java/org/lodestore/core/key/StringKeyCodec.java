package org.lodestore.core.key;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * String keys: standard UTF-8 (a NUL character is the byte {@code 0x00}).
 *
 * <pre>
 *  as a whole key or last component:   UTF-8 bytes
 *  as a non-last component:            UTF-8 bytes, 0x00 escaped as 0x00 0xFF, then 0x00 0x01
 * </pre>
 *
 * <p><b>Order.</b> Unsigned UTF-8 byte order is Unicode <em>code point</em> order, which differs
 * from {@link String#compareTo} (UTF-16 code units) only for characters above U+FFFF versus
 * U+E000..U+FFFF. {@link #comparator()} is the code-point order Lodestore uses. Strings containing
 * an unpaired surrogate have no UTF-8 form and are refused with {@link IllegalArgumentException}.
 */
final class StringKeyCodec implements KeyCodec<String> {

  static final StringKeyCodec INSTANCE = new StringKeyCodec();

  /** Code point order over UTF-16 strings, without decoding code points. */
  static final Comparator<String> ORDER =
      (a, b) -> {
        final int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
          final char x = a.charAt(i);
          final char y = b.charAt(i);
          if (x != y) {
            return Integer.compare(codePointRank(x), codePointRank(y));
          }
        }
        return Integer.compare(a.length(), b.length());
      };

  /** Moves surrogates above U+E000..U+FFFF, so that char order becomes code point order. */
  private static int codePointRank(final char c) {
    if (c >= 0xD800) {
      return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
    return c;
  }

  @Override
  public String id() {
    return "utf8";
  }

  @Override
  public Comparator<String> comparator() {
    return ORDER;
  }

  @Override
  public int fixedLength() {
    return -1;
  }

  @Override
  public Class<?> keyType() {
    return String.class;
  }

  @Override
  public void encode(final String key, final ByteBuffer dst) {
    putUtf8(key, dst, false);
  }

  @Override
  public boolean hasDelimitedForm() {
    return true;
  }

  @Override
  public void encodeDelimited(final String key, final ByteBuffer dst) {
    putUtf8(key, dst, true);
    Escaping.putTerminator(dst);
  }

  @Override
  public String decode(final ByteBuffer src) {
    final byte[] bytes = new byte[src.remaining()];
    src.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public String decodeDelimited(final ByteBuffer src) {
    return new String(Escaping.readDelimited(src, id()), StandardCharsets.UTF_8);
  }

  private static void putUtf8(final String s, final ByteBuffer dst, final boolean escape) {
    final int length = s.length();
    for (int i = 0; i < length; i++) {
      final char c = s.charAt(i);
      if (c < 0x80) {
        if (c == 0 && escape) {
          Escaping.putEscaped((byte) 0, dst);
        } else {
          dst.put((byte) c);
        }
      } else if (c < 0x800) {
        dst.put((byte) (0xC0 | (c >> 6))).put((byte) (0x80 | (c & 0x3F)));
      } else if (Character.isSurrogate(c)) {
        final char low = i + 1 < length ? s.charAt(i + 1) : 0;
        if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(low)) {
          throw new IllegalArgumentException(
              "string key has an unpaired surrogate at index " + i + " and no UTF-8 form");
        }
        final int cp = Character.toCodePoint(c, low);
        i++;
        dst.put((byte) (0xF0 | (cp >> 18)))
            .put((byte) (0x80 | ((cp >> 12) & 0x3F)))
            .put((byte) (0x80 | ((cp >> 6) & 0x3F)))
            .put((byte) (0x80 | (cp & 0x3F)));
      } else {
        dst.put((byte) (0xE0 | (c >> 12)))
            .put((byte) (0x80 | ((c >> 6) & 0x3F)))
            .put((byte) (0x80 | (c & 0x3F)));
      }
    }
  }
}
