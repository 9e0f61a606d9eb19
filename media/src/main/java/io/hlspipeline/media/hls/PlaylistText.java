package io.hlspipeline.media.hls;

/**
 * The text-level rules shared by the model, the writer and the parser: which strings may appear in
 * a playlist, and how decimal numbers are written and read. Package-private; every failure is an
 * {@link IllegalArgumentException} that the parser turns into a line-numbered error.
 */
final class PlaylistText {
  static final long MICROS_PER_SECOND = 1_000_000L;

  /** Integer digits accepted in a decimal-floating-point, enough for ~31,000 years in µs. */
  private static final int MAX_INTEGER_DIGITS = 12;

  /** The largest magnitude, in µs, that twelve integer digits and six decimals can express. */
  static final long MAX_SECONDS_US = 999_999_999_999_999_999L;

  /** decimal-integer is 0 to 2^64-1 (RFC 8216 §4.2); we hold values up to Long.MAX_VALUE. */
  private static final int MAX_DECIMAL_INTEGER_DIGITS = 19;

  private PlaylistText() {}

  /**
   * True for the characters RFC 8216 §4.1 forbids anywhere in a playlist: the C0 and C1 control
   * characters (CR and LF are only line terminators).
   */
  static boolean isForbiddenControl(char c) {
    return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
  }

  /** Rejects a string that cannot sit on one playlist line (any control character). */
  static String requireSingleLine(String value, String what) {
    for (int i = 0; i < value.length(); i++) {
      if (isForbiddenControl(value.charAt(i))) {
        throw new IllegalArgumentException(what + " contains a control character");
      }
    }
    return value;
  }

  /**
   * Rejects a URI that cannot be written both as a URI line and as a quoted-string (RFC 8216 §4.1,
   * §4.2): empty, with surrounding white space, starting with '#', or containing a control
   * character or a double quote.
   */
  static String requireUri(String uri, String what) {
    if (uri.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (uri.charAt(0) == '#') {
      throw new IllegalArgumentException(what + " starts with '#'");
    }
    if (!uri.strip().equals(uri)) {
      throw new IllegalArgumentException(what + " has leading or trailing white space");
    }
    if (uri.indexOf('"') >= 0) {
      throw new IllegalArgumentException(what + " contains a double quote");
    }
    return requireSingleLine(uri, what);
  }

  static long requireNonNegative(long value, String what) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, was " + value);
    }
    return value;
  }

  /**
   * Rejects a microsecond value the parser could not read back: negative (unless {@code signed}) or
   * beyond twelve integer digits of seconds.
   */
  static long requireSecondsUs(long us, boolean signed, String what) {
    if (!signed && us < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, was " + us);
    }
    if (us > MAX_SECONDS_US || us < -MAX_SECONDS_US) {
      throw new IllegalArgumentException(what + " out of range: " + us);
    }
    return us;
  }

  /**
   * Formats microseconds as a decimal-floating-point number of seconds with exactly six decimals
   * (signed-decimal-floating-point if negative), RFC 8216 §4.2: 4_000_000 → "4.000000".
   */
  static String formatSeconds(long us) {
    StringBuilder out = new StringBuilder(20);
    appendSeconds(out, us);
    return out.toString();
  }

  static void appendSeconds(StringBuilder out, long us) {
    if (us < 0) {
      out.append('-');
      us = -us; // model values are far from Long.MIN_VALUE
    }
    out.append(us / MICROS_PER_SECOND).append('.');
    String fraction = Long.toString(us % MICROS_PER_SECOND);
    for (int i = fraction.length(); i < 6; i++) {
      out.append('0');
    }
    out.append(fraction);
  }

  /**
   * Parses a decimal-floating-point (or, if {@code signed}, a signed-decimal-floating-point) number
   * of seconds, RFC 8216 §4.2, into microseconds, rounding half up past the sixth decimal. Accepts
   * {@code 4}, {@code 4.}, {@code 4.5}, {@code 4.000000}; rejects exponents, '+', empty parts and
   * more than twelve integer digits.
   */
  static long parseSecondsToUs(String text, boolean signed) {
    return parseScaled(text, 6, signed);
  }

  /** As {@link #parseSecondsToUs} with {@code fractionDigits} kept: "29.97" → 29970 for 3. */
  static long parseScaled(String text, int fractionDigits, boolean signed) {
    int i = 0;
    int n = text.length();
    boolean negative = false;
    if (signed && n > 0 && text.charAt(0) == '-') {
      negative = true;
      i = 1;
    }
    long integerPart = 0;
    int integerDigits = 0;
    while (i < n && isDigit(text.charAt(i))) {
      if (++integerDigits > MAX_INTEGER_DIGITS) {
        throw new NumberFormatException("number too large: " + abbreviate(text));
      }
      integerPart = integerPart * 10 + (text.charAt(i) - '0');
      i++;
    }
    if (integerDigits == 0) {
      throw new NumberFormatException("not a decimal number: " + abbreviate(text));
    }
    long fraction = 0;
    int kept = 0;
    boolean roundUp = false;
    if (i < n && text.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(text.charAt(i))) {
        int digit = text.charAt(i) - '0';
        if (kept < fractionDigits) {
          fraction = fraction * 10 + digit;
          kept++;
        } else if (kept == fractionDigits) {
          roundUp = digit >= 5;
          kept++; // later digits cannot change a half-up decision on this one
        }
        i++;
      }
    }
    if (i != n) {
      throw new NumberFormatException("not a decimal number: " + abbreviate(text));
    }
    for (int k = Math.min(kept, fractionDigits); k < fractionDigits; k++) {
      fraction *= 10;
    }
    long value = integerPart * pow10(fractionDigits) + fraction + (roundUp ? 1 : 0);
    return negative ? -value : value;
  }

  /** Parses a decimal-integer, RFC 8216 §4.2: digits only, at most {@code Long.MAX_VALUE}. */
  static long parseDecimalInteger(String text) {
    int n = text.length();
    if (n == 0 || n > MAX_DECIMAL_INTEGER_DIGITS) {
      throw new NumberFormatException("not a decimal-integer: " + abbreviate(text));
    }
    long value = 0;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (!isDigit(c)) {
        throw new NumberFormatException("not a decimal-integer: " + abbreviate(text));
      }
      value = value * 10 + (c - '0');
      if (value < 0) {
        throw new NumberFormatException("decimal-integer too large: " + abbreviate(text));
      }
    }
    return value;
  }

  static int parseIntBounded(String text, String what) {
    long value = parseDecimalInteger(text);
    if (value > Integer.MAX_VALUE) {
      throw new NumberFormatException(what + " too large: " + abbreviate(text));
    }
    return (int) value;
  }

  /** Shortens hostile input before it goes into an exception message. */
  static String abbreviate(String text) {
    return text.length() <= 40 ? '"' + text + '"' : '"' + text.substring(0, 40) + "...\"";
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static long pow10(int exponent) {
    long result = 1;
    for (int i = 0; i < exponent; i++) {
      result *= 10;
    }
    return result;
  }
}
