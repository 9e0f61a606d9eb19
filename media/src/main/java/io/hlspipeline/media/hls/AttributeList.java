package io.hlspipeline.media.hls;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A parsed attribute-list (RFC 8216 §4.2): {@code NAME=value} pairs separated by commas, where a
 * value is a quoted-string ({@code "..."}, no double quote or line break inside) or an unquoted
 * token (no comma). One left-to-right pass, no regular expressions, so the work is linear in the
 * line length. Typed accessors check the value's form; every failure is an {@link
 * IllegalArgumentException} that the parser reports with the line number. Unknown attributes are
 * kept and simply never asked for, as clients must ignore them (RFC 8216 §6.3.1).
 */
final class AttributeList {
  private record Value(String text, boolean quoted) {}

  private final String tag;
  private final Map<String, Value> values;

  private AttributeList(String tag, Map<String, Value> values) {
    this.tag = tag;
    this.values = values;
  }

  /** Parses the part of a tag line after the colon. */
  static AttributeList parse(String tag, String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(tag + " needs an attribute-list");
    }
    Map<String, Value> values = new LinkedHashMap<>();
    int n = text.length();
    int i = 0;
    while (true) {
      int nameStart = i;
      while (i < n && isNameChar(text.charAt(i))) {
        i++;
      }
      if (i == nameStart || i == n || text.charAt(i) != '=') {
        throw new IllegalArgumentException(
            tag + ": expected ATTRIBUTE-NAME= at column " + (nameStart + 1));
      }
      String name = text.substring(nameStart, i);
      i++; // '='
      Value value;
      if (i < n && text.charAt(i) == '"') {
        int close = text.indexOf('"', i + 1);
        if (close < 0) {
          throw new IllegalArgumentException(tag + ": unterminated quoted-string for " + name);
        }
        value = new Value(text.substring(i + 1, close), true);
        i = close + 1;
      } else {
        int valueStart = i;
        while (i < n && text.charAt(i) != ',') {
          if (text.charAt(i) == '"') {
            throw new IllegalArgumentException(tag + ": stray double quote in " + name);
          }
          i++;
        }
        if (i == valueStart) {
          throw new IllegalArgumentException(tag + ": empty value for " + name);
        }
        value = new Value(text.substring(valueStart, i), false);
      }
      // An AttributeName must not occur twice in one list (RFC 8216 §4.2).
      if (values.putIfAbsent(name, value) != null) {
        throw new IllegalArgumentException(tag + ": duplicate attribute " + name);
      }
      if (i == n) {
        return new AttributeList(tag, values);
      }
      if (text.charAt(i) != ',') {
        throw new IllegalArgumentException(tag + ": expected ',' at column " + (i + 1));
      }
      i++;
    }
  }

  /** AttributeName characters: [A-Z0-9-] (RFC 8216 §4.2). */
  private static boolean isNameChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  Optional<String> quotedString(String name) {
    Value value = values.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.quoted()) {
      throw new IllegalArgumentException(tag + ": " + name + " must be a quoted-string");
    }
    return Optional.of(value.text());
  }

  String requiredQuotedString(String name) {
    return quotedString(name).orElseThrow(() -> missing(name));
  }

  /** An enumerated-string or other unquoted token, as written. */
  Optional<String> unquoted(String name) {
    Value value = values.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (value.quoted()) {
      throw new IllegalArgumentException(tag + ": " + name + " must not be quoted");
    }
    return Optional.of(value.text());
  }

  String requiredUnquoted(String name) {
    return unquoted(name).orElseThrow(() -> missing(name));
  }

  OptionalLong decimalInteger(String name) {
    Optional<String> text = unquoted(name);
    return text.isEmpty()
        ? OptionalLong.empty()
        : OptionalLong.of(PlaylistText.parseDecimalInteger(text.get()));
  }

  long requiredDecimalInteger(String name) {
    return decimalInteger(name).orElseThrow(() -> missing(name));
  }

  /** A (signed-)decimal-floating-point number of seconds, in microseconds. */
  OptionalLong secondsUs(String name, boolean signed) {
    return scaled(name, 6, signed);
  }

  long requiredSecondsUs(String name, boolean signed) {
    return secondsUs(name, signed).orElseThrow(() -> missing(name));
  }

  /** A decimal-floating-point number times 10^fractionDigits. */
  OptionalLong scaled(String name, int fractionDigits, boolean signed) {
    Optional<String> text = unquoted(name);
    return text.isEmpty()
        ? OptionalLong.empty()
        : OptionalLong.of(PlaylistText.parseScaled(text.get(), fractionDigits, signed));
  }

  /** An enumerated-string YES or NO; absent reads as NO. */
  boolean yes(String name) {
    Optional<String> text = unquoted(name);
    if (text.isEmpty() || text.get().equals("NO")) {
      return false;
    }
    if (text.get().equals("YES")) {
      return true;
    }
    throw new IllegalArgumentException(tag + ": " + name + " must be YES or NO");
  }

  private IllegalArgumentException missing(String name) {
    return new IllegalArgumentException(tag + ": missing required attribute " + name);
  }
}
