package io.hlspipeline.kit.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a configuration value and how its text form (an environment variable's value) is
 * parsed. Parsing trims surrounding whitespace; the Java type of each parsed value is given per
 * constant.
 */
public enum ConfigType {
  /** {@link String}, as given (trimmed). */
  STRING {
    @Override
    Object parseText(String text) {
      return text;
    }
  },
  /** {@link Integer}, decimal. */
  INT {
    @Override
    Object parseText(String text) {
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a 32-bit integer");
      }
    }
  },
  /** {@link Long}, decimal. */
  LONG {
    @Override
    Object parseText(String text) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a 64-bit integer");
      }
    }
  },
  /** {@link Boolean}: {@code true} or {@code false}, case-insensitive; nothing else. */
  BOOLEAN {
    @Override
    Object parseText(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw new IllegalArgumentException("must be true or false");
      };
    }
  },
  /**
   * {@link Duration}, not negative: a whole number with a unit ({@code 500ms}, {@code 4s}, {@code
   * 2m}, {@code 1h}, {@code 7d}; also {@code us}) or ISO-8601 ({@code PT4S}). A bare number is
   * rejected because its unit would be a guess.
   */
  DURATION {
    @Override
    Object parseText(String text) {
      return parseDuration(text);
    }
  },
  /**
   * Unmodifiable {@code List<String>}: comma-separated, each element trimmed, empty elements
   * dropped ({@code "a, b,,c"} is {@code [a, b, c]}).
   */
  LIST {
    @Override
    Object parseText(String text) {
      return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
  },
  /** Absolute {@link URI} (it has a scheme), e.g. {@code http://rgw-1:7480}. */
  URI {
    @Override
    Object parseText(String text) {
      java.net.URI uri;
      try {
        uri = new java.net.URI(text);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("must be a URI: " + e.getReason());
      }
      if (!uri.isAbsolute()) {
        throw new IllegalArgumentException("must be an absolute URI with a scheme, e.g. http://");
      }
      return uri;
    }
  };

  private static final Pattern DURATION_WITH_UNIT = Pattern.compile("(\\d+)\\s*(us|ms|s|m|h|d)");

  /**
   * Parses trimmed, non-empty text.
   *
   * @throws IllegalArgumentException with a reason meant to follow the variable name
   */
  abstract Object parseText(String text);

  /**
   * Converts a default value given in {@link ConfigDef#define} (either the text form or the Java
   * type of this constant) to the Java type.
   */
  Object coerceDefault(Object value) {
    if (value instanceof String text) {
      return this == STRING ? text : parseText(text.trim());
    }
    boolean fits =
        switch (this) {
          case STRING -> false;
          case INT -> value instanceof Integer;
          case LONG -> value instanceof Integer || value instanceof Long;
          case BOOLEAN -> value instanceof Boolean;
          case DURATION -> value instanceof Duration d && !d.isNegative();
          case LIST -> value instanceof List<?>;
          case URI -> value instanceof java.net.URI;
        };
    if (!fits) {
      throw new IllegalArgumentException(
          "default " + value + " (" + value.getClass().getSimpleName() + ") does not fit " + this);
    }
    if (this == LONG) {
      return ((Number) value).longValue();
    }
    if (this == LIST) {
      return ((List<?>) value).stream().map(String::valueOf).toList();
    }
    return value;
  }

  private static Duration parseDuration(String text) {
    Matcher m = DURATION_WITH_UNIT.matcher(text);
    if (m.matches()) {
      long amount;
      try {
        amount = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("duration out of range");
      }
      try {
        return switch (m.group(2)) {
          case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1000L));
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          case "d" -> Duration.ofDays(amount);
          default -> throw new AssertionError(m.group(2));
        };
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("duration out of range");
      }
    }
    if (text.length() > 1 && (text.charAt(0) == 'P' || text.charAt(0) == 'p')) {
      Duration d;
      try {
        d = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(DURATION_HINT);
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException("must not be negative");
      }
      return d;
    }
    throw new IllegalArgumentException(DURATION_HINT);
  }

  private static final String DURATION_HINT =
      "must be a duration such as 500ms, 4s, 2m, 1h, 7d or ISO-8601 PT4S";
}
