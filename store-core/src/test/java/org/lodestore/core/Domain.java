package org.lodestore.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.lodestore.core.key.KeyCodec;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;

/**
 * A small domain of keys (or set members) for the model tests, chosen so that equal keys, shared
 * leading components, string prefixes, NULs, high-bit UUIDs, pre-1970 instants and 0xFF bytes are
 * common. It knows its codec, how to draw a value and a prefix, how to make the typed prefix range,
 * and which values a prefix selects (written independently of the encodings). Fixed-length scalar
 * keys (ints, UUIDs) have no prefix range.
 *
 * @param <T> the value type
 */
abstract class Domain<T> {

  final String name;
  final KeyCodec<T> codec;

  Domain(final String name, final KeyCodec<T> codec) {
    this.name = name;
    this.codec = codec;
  }

  /** A random value of the domain. */
  abstract T random(Random r);

  /** Whether the keys have a prefix range ({@code KeyRange.prefix}). */
  boolean hasPrefix() {
    return true;
  }

  /** The components of a random prefix range. */
  Object[] randomPrefix(final Random r) {
    throw new UnsupportedOperationException(name + " has no prefix range");
  }

  /** The typed prefix range of {@code prefix}, from {@link #randomPrefix}. */
  KeyRange<T> prefixRange(final Object[] prefix) {
    throw new UnsupportedOperationException(name + " has no prefix range");
  }

  /** Whether {@code value} is in {@link #prefixRange prefixRange(prefix)}. */
  boolean matchesPrefix(final T value, final Object[] prefix) {
    throw new UnsupportedOperationException(name + " has no prefix range");
  }

  Comparator<T> order() {
    return codec.comparator();
  }

  @Override
  public String toString() {
    return name;
  }

  private static <E> E pick(final Random r, final List<E> values) {
    return values.get(r.nextInt(values.size()));
  }

  /** Strings with NULs, shared prefixes, 2-, 3- and 4-byte UTF-8, and the empty string. */
  static final List<String> STRINGS =
      List.of(
          "",
          "a",
          "a\0",
          "a\0b",
          "a\u0001",
          "aa",
          "ab",
          "ab\0",
          "abc",
          "b",
          "ba",
          "\0",
          "\0a",
          "\u00E9",
          "\u00E9t\u00E9",
          "\uFFFF",
          "\uD83D\uDE00",
          "\uD83D\uDE00a",
          "z");

  /** Leading parts of {@link #STRINGS}, for prefix ranges. */
  static final List<String> STRING_PREFIXES =
      List.of("", "a", "a\0", "ab", "b", "\0", "\u00E9", "\uD83D\uDE00", "q");

  static final List<Integer> INTS =
      List.of(Integer.MIN_VALUE, -1000, -2, -1, 0, 1, 2, 3, 7, 100, 1000, Integer.MAX_VALUE);

  /** UUIDs whose signed and unsigned orders differ. */
  static final List<UUID> UUIDS =
      List.of(
          new UUID(0, 1),
          new UUID(0, 2),
          new UUID(0, Long.MIN_VALUE),
          new UUID(1, 0),
          new UUID(Long.MAX_VALUE, 0),
          new UUID(Long.MIN_VALUE, 5),
          new UUID(-1, -1));

  static final List<Instant> INSTANTS = instants();

  private static List<Instant> instants() {
    final List<Instant> list = new ArrayList<>();
    list.add(KeyCodecs.TIMESTAMP_MIN.plusSeconds(1));
    list.add(KeyCodecs.TIMESTAMP_MAX);
    list.add(Instant.EPOCH);
    list.add(Instant.EPOCH.minusNanos(1));
    list.add(Instant.EPOCH.plusNanos(1));
    for (int i = 0; i < 30; i++) {
      list.add(Instant.ofEpochSecond(i * 1_000L - 15_000L, i * 37L));
    }
    return List.copyOf(list);
  }

  /** (int, string) keys: 12 x 19 of them; prefixes are an int, or an int and a string start. */
  static Domain<Tuple2<Integer, String>> intString() {
    final Tuple2KeyCodec<Integer, String> key = KeyCodecs.tuple(KeyCodecs.INT, KeyCodecs.STRING);
    return new Domain<>("tuple(int32,utf8)", key) {
      @Override
      Tuple2<Integer, String> random(final Random r) {
        return Tuple2.of(pick(r, INTS), pick(r, STRINGS));
      }

      @Override
      Object[] randomPrefix(final Random r) {
        return r.nextBoolean()
            ? new Object[] {pick(r, INTS)}
            : new Object[] {pick(r, INTS), pick(r, r.nextBoolean() ? STRING_PREFIXES : STRINGS)};
      }

      @Override
      KeyRange<Tuple2<Integer, String>> prefixRange(final Object[] prefix) {
        return prefix.length == 1
            ? KeyRange.prefix(key, (Integer) prefix[0])
            : KeyRange.prefix(key, (Integer) prefix[0], (String) prefix[1]);
      }

      @Override
      boolean matchesPrefix(final Tuple2<Integer, String> key, final Object[] prefix) {
        // leading components match exactly; a trailing string component (the key's last, which
        // is stored without terminator) matches as a string prefix, like a scalar string key
        return key.first().equals(prefix[0])
            && (prefix.length == 1 || key.second().startsWith((String) prefix[1]));
      }
    };
  }

  /** (uuid, timestamp) keys: 7 x 35 of them; prefixes are a uuid, or a whole key. */
  static Domain<Tuple2<UUID, Instant>> uuidTime() {
    final Tuple2KeyCodec<UUID, Instant> key = KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);
    return new Domain<>("tuple(uuid,timestamp)", key) {
      @Override
      Tuple2<UUID, Instant> random(final Random r) {
        return Tuple2.of(pick(r, UUIDS), pick(r, INSTANTS));
      }

      @Override
      Object[] randomPrefix(final Random r) {
        return r.nextInt(4) > 0
            ? new Object[] {pick(r, UUIDS)}
            : new Object[] {pick(r, UUIDS), pick(r, INSTANTS)};
      }

      @Override
      KeyRange<Tuple2<UUID, Instant>> prefixRange(final Object[] prefix) {
        return prefix.length == 1
            ? KeyRange.prefix(key, (UUID) prefix[0])
            : KeyRange.prefix(key, (UUID) prefix[0], (Instant) prefix[1]);
      }

      @Override
      boolean matchesPrefix(final Tuple2<UUID, Instant> key, final Object[] prefix) {
        return key.first().equals(prefix[0])
            && (prefix.length == 1 || key.second().equals(prefix[1]));
      }
    };
  }

  private static final byte[] BYTE_ALPHABET = {0x00, 0x01, 0x7F, (byte) 0xFF};

  private static byte[] randomBytes(final Random r, final int length) {
    final byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = BYTE_ALPHABET[r.nextInt(BYTE_ALPHABET.length)];
    }
    return b;
  }

  /**
   * Byte-array keys of 1..4 bytes over {00, 01, 7F, FF} (340 keys); prefixes of 1..4 bytes, so that
   * reverse prefix scans meet prefixes ending in (or made only of) 0xFF.
   */
  static Domain<byte[]> bytes() {
    return new Domain<>("bytes", KeyCodecs.BYTES) {
      @Override
      byte[] random(final Random r) {
        return randomBytes(r, 1 + r.nextInt(4));
      }

      @Override
      Object[] randomPrefix(final Random r) {
        return new Object[] {randomBytes(r, 1 + r.nextInt(r.nextInt(4) == 0 ? 4 : 2))};
      }

      @Override
      KeyRange<byte[]> prefixRange(final Object[] prefix) {
        return KeyRange.prefix((byte[]) prefix[0]);
      }

      @Override
      boolean matchesPrefix(final byte[] key, final Object[] prefix) {
        final byte[] p = (byte[]) prefix[0];
        return key.length >= p.length && Arrays.equals(key, 0, p.length, p, 0, p.length);
      }
    };
  }

  /**
   * Non-empty strings of 1..{@code maxLength} characters over {a, b, NUL, e-acute} (84 of them up
   * to length 3).
   */
  static Domain<String> shortStrings(final int maxLength) {
    final String alphabet = "ab\0\u00E9";
    return new Domain<>("utf8(1.." + maxLength + ")", KeyCodecs.STRING) {
      @Override
      String random(final Random r) {
        final int length = 1 + r.nextInt(maxLength);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
          sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
      }

      @Override
      Object[] randomPrefix(final Random r) {
        final String s = random(r);
        return new Object[] {s.substring(0, Math.min(s.length(), 1 + r.nextInt(2)))};
      }

      @Override
      KeyRange<String> prefixRange(final Object[] prefix) {
        return KeyRange.prefix((String) prefix[0]);
      }

      @Override
      boolean matchesPrefix(final String value, final Object[] prefix) {
        return value.startsWith((String) prefix[0]);
      }
    };
  }

  /** The ints of {@link #INTS}; no prefix range. */
  static Domain<Integer> ints() {
    return ints(INTS);
  }

  /** The given ints; no prefix range. */
  static Domain<Integer> ints(final List<Integer> values) {
    return new Domain<>("int32(" + values.size() + ")", KeyCodecs.INT) {
      @Override
      Integer random(final Random r) {
        return pick(r, values);
      }

      @Override
      boolean hasPrefix() {
        return false;
      }
    };
  }

  /** {@code count} UUIDs: {@link #UUIDS} and others around the sign bits; no prefix range. */
  static Domain<UUID> manyUuids(final int count) {
    final List<UUID> uuids = new ArrayList<>(UUIDS);
    final Random fixed = new Random(count);
    while (uuids.size() < count) {
      final long msb = fixed.nextBoolean() ? fixed.nextLong() : fixed.nextInt(3) - 1L;
      uuids.add(new UUID(msb, fixed.nextLong()));
    }
    return new Domain<>("uuid(" + count + ")", KeyCodecs.UUID) {
      @Override
      UUID random(final Random r) {
        return pick(r, uuids);
      }

      @Override
      boolean hasPrefix() {
        return false;
      }
    };
  }
}
