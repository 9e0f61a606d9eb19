package io.hlspipeline.kit.config;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Checks one parsed configuration value. Runs after type parsing, on defaults (at definition time)
 * and on values from the environment. Messages must not contain the value of a string, since it may
 * be a secret.
 */
@FunctionalInterface
public interface Validator {

  /**
   * @param name the variable name, for the exception
   * @param value the parsed value (its Java type follows the key's {@link ConfigType}), never null
   * @throws ConfigException naming {@code name} when the value is not acceptable
   */
  void ensureValid(String name, Object value);

  /** Short human description for {@link ConfigDef#describe()}, e.g. {@code [1, 65535]}. */
  default String description() {
    return "";
  }

  /**
   * A number (INT or LONG) in {@code [min, max]}, inclusive; for a DURATION, its length in
   * milliseconds.
   */
  static Validator range(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException("min " + min + " > max " + max);
    }
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        long v;
        if (value instanceof Number n) {
          v = n.longValue();
        } else if (value instanceof Duration d) {
          v = d.toMillis();
        } else {
          throw new IllegalArgumentException("range() does not apply to " + value.getClass());
        }
        if (v < min || v > max) {
          throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + v);
        }
      }

      @Override
      public String description() {
        return "[" + min + ", " + max + "]";
      }
    };
  }

  /** A duration in {@code [min, max]}, inclusive. */
  static Validator durationRange(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        Duration d = (Duration) value;
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
          throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + d);
        }
      }

      @Override
      public String description() {
        return "[" + min + ", " + max + "]";
      }
    };
  }

  /**
   * A STRING matching {@code regex} entirely, or every element of a LIST matching it. The message
   * names the pattern, not the value.
   */
  static Validator pattern(String regex) {
    Pattern p = Pattern.compile(regex);
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        Collection<?> items = value instanceof Collection<?> c ? c : List.of(value);
        for (Object item : items) {
          if (!p.matcher(String.valueOf(item)).matches()) {
            throw new ConfigException(name, "must match " + regex);
          }
        }
      }

      @Override
      public String description() {
        return "matches `" + regex + "`";
      }
    };
  }

  /** A STRING that is not blank, or a LIST with at least one element. */
  static Validator nonEmpty() {
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        boolean empty =
            value instanceof Collection<?> c ? c.isEmpty() : String.valueOf(value).isBlank();
        if (empty) {
          throw new ConfigException(name, "must not be empty");
        }
      }

      @Override
      public String description() {
        return "non-empty";
      }
    };
  }

  /** A value equal (case-sensitive) to one of {@code allowed}. */
  static Validator oneOf(String... allowed) {
    List<String> values = List.of(allowed);
    return new Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (!values.contains(String.valueOf(value))) {
          throw new ConfigException(name, "must be one of " + values);
        }
      }

      @Override
      public String description() {
        return "one of " + String.join(", ", values);
      }
    };
  }
}
