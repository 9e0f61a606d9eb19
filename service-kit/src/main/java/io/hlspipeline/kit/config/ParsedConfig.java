package io.hlspipeline.kit.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Typed values of a {@link ConfigDef}, immutable and thread-safe. Getters take the variable name;
 * asking for an undeclared name or with the wrong type is a programming error ({@link
 * IllegalArgumentException}). Services usually copy the values into their own config record right
 * after parsing.
 */
public final class ParsedConfig {
  private final Map<String, ConfigDef.Key> keys;
  private final Map<String, Object> values;

  ParsedConfig(Map<String, ConfigDef.Key> keys, Map<String, Object> values) {
    this.keys = keys;
    this.values = values;
  }

  public String getString(String name) {
    return (String) get(name, ConfigType.STRING);
  }

  /**
   * A STRING value turned into a richer type by {@code parser} (e.g. a list of storage endpoints);
   * the parser's {@link IllegalArgumentException} becomes a {@link ConfigException} naming the
   * variable, with the parser's message (which must not echo a secret).
   */
  public <T> T getString(String name, Function<String, T> parser) {
    String text = getString(name);
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, e.getMessage());
    }
  }

  public int getInt(String name) {
    return (Integer) get(name, ConfigType.INT);
  }

  public long getLong(String name) {
    return (Long) get(name, ConfigType.LONG);
  }

  public boolean getBoolean(String name) {
    return (Boolean) get(name, ConfigType.BOOLEAN);
  }

  public Duration getDuration(String name) {
    return (Duration) get(name, ConfigType.DURATION);
  }

  /** Unmodifiable; empty when the key's default is an empty list and the variable is unset. */
  @SuppressWarnings("unchecked")
  public List<String> getList(String name) {
    return (List<String>) get(name, ConfigType.LIST);
  }

  public URI getUri(String name) {
    return (URI) get(name, ConfigType.URI);
  }

  private Object get(String name, ConfigType expected) {
    ConfigDef.Key key = keys.get(name);
    if (key == null) {
      throw new IllegalArgumentException("config " + name + " is not defined");
    }
    if (key.type() != expected) {
      throw new IllegalArgumentException(
          "config " + name + " is " + key.type() + ", not " + expected);
    }
    return values.get(name);
  }

  /** {@code {NAME=value, SECRET=[hidden], ...}} in definition order; safe to log. */
  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", "{", "}");
    for (ConfigDef.Key key : keys.values()) {
      Object value = values.get(key.name());
      String text = key.secret() ? ConfigDef.HIDDEN : ConfigDef.format(value);
      j.add(key.name() + "=" + text);
    }
    return j.toString();
  }
}
