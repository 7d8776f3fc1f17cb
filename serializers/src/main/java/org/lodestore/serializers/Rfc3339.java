package org.lodestore.serializers;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;

/**
 * RFC 3339 timestamps in UTC for CBOR tag 0, without going through {@link DateTimeFormatter} on the
 * common path.
 *
 * <p>Written form, identical to {@link Instant#toString()} for the years it covers:
 *
 * <pre>
 *   YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z      (0, 3, 6 or 9 fraction digits; 20..30 ASCII bytes)
 * </pre>
 *
 * RFC 3339 has four-digit years only, so instants before 0000-01-01 or after 9999-12-31 are
 * refused. Reading accepts the strict form above on a fast path and any other RFC 3339 form (1..9
 * fraction digits, a numeric offset such as {@code +02:00}, lower-case {@code t}/{@code z}) through
 * {@link OffsetDateTime}.
 */
final class Rfc3339 {

  /** Longest written form: {@code 2024-01-02T03:04:05.123456789Z}. */
  static final int MAX_LENGTH = 30;

  /** 0000-01-01T00:00:00Z. */
  static final long MIN_SECOND = -62_167_219_200L;

  /** 9999-12-31T23:59:59Z. */
  static final long MAX_SECOND = 253_402_300_799L;

  private static final int SECONDS_PER_DAY = 86_400;

  private static final DateTimeFormatter GENERAL_FORM =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toFormatter()
          .withResolverStyle(ResolverStyle.STRICT)
          .withChronology(IsoChronology.INSTANCE);

  private Rfc3339() {}

  /**
   * Writes {@code instant} as ASCII into {@code out}.
   *
   * @return the number of bytes written
   * @throws IllegalArgumentException if the year is outside 0000..9999
   */
  static int format(final Instant instant, final byte[] out) {
    final long seconds = instant.getEpochSecond();
    if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
      throw new IllegalArgumentException(
          "CBOR tag 0 (RFC 3339) holds years 0000..9999 only, got " + instant);
    }
    final long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
    final int secondOfDay = Math.floorMod(seconds, SECONDS_PER_DAY);

    // Civil date from days since the epoch (H. Hinnant, "chrono-Compatible Low-Level Date
    // Algorithms").
    final long z = days + 719_468;
    final long era = Math.floorDiv(z, 146_097);
    final long dayOfEra = z - era * 146_097;
    final long yearOfEra =
        (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    final long mp = (5 * dayOfYear + 2) / 153;
    final int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
    final int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    final int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));

    digits(out, 0, year, 4);
    out[4] = '-';
    digits(out, 5, month, 2);
    out[7] = '-';
    digits(out, 8, day, 2);
    out[10] = 'T';
    digits(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    digits(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, secondOfDay % 60, 2);
    int at = 19;
    final int nanos = instant.getNano();
    if (nanos != 0) {
      out[at++] = '.';
      if (nanos % 1_000_000 == 0) {
        digits(out, at, nanos / 1_000_000, 3);
        at += 3;
      } else if (nanos % 1000 == 0) {
        digits(out, at, nanos / 1000, 6);
        at += 6;
      } else {
        digits(out, at, nanos, 9);
        at += 9;
      }
    }
    out[at++] = 'Z';
    return at;
  }

  /**
   * Parses an RFC 3339 date-time.
   *
   * @throws DateTimeException if {@code text} is not one
   */
  static Instant parse(final String text) {
    final Instant fast = parseStrictUtc(text);
    if (fast != null) {
      return fast;
    }
    final int dot = text.indexOf('.');
    if (dot >= 0
        && (dot + 1 == text.length() || text.charAt(dot + 1) < '0' || text.charAt(dot + 1) > '9')) {
      throw new DateTimeException("RFC 3339 needs a digit after the decimal point: " + text);
    }
    return OffsetDateTime.parse(text, GENERAL_FORM).toInstant();
  }

  /** The strict {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z} form, or null for anything else. */
  private static Instant parseStrictUtc(final String s) {
    final int n = s.length();
    if (n < 20
        || n > MAX_LENGTH
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || s.charAt(n - 1) != 'Z') {
      return null;
    }
    final int year = number(s, 0, 4);
    final int month = number(s, 5, 2);
    final int day = number(s, 8, 2);
    final int hour = number(s, 11, 2);
    final int minute = number(s, 14, 2);
    final int second = number(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0
        || month < 1
        || month > 12
        || day < 1
        || day > daysInMonth(year, month)
        || hour > 23
        || minute > 59
        || second > 59) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      final int fraction = n - 21;
      if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      nanos = number(s, 20, fraction);
      if (nanos < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    } else if (n != 20) {
      return null;
    }
    final long seconds =
        daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
  private static long daysFromCivil(final int year, final int month, final int day) {
    final long y = month <= 2 ? year - 1 : year;
    final long era = Math.floorDiv(y, 400);
    final long yearOfEra = y - era * 400;
    final long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    final long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097 + dayOfEra - 719_468;
  }

  private static int daysInMonth(final int year, final int month) {
    final boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return switch (month) {
      case 2 -> leap ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** The decimal number in {@code s[from, from + count)}, or -1 if a character is not a digit. */
  private static int number(final String s, final int from, final int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      final int digit = s.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  private static void digits(final byte[] out, final int at, int value, final int count) {
    for (int i = at + count - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
