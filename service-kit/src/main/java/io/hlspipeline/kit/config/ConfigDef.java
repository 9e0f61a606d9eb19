package io.hlspipeline.kit.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The configuration keys of one service, each declared once with its type, default, validator and
 * documentation; {@link #parse} turns an environment map into a typed {@link ParsedConfig}, {@link
 * #describe} documents them.
 *
 * <p>Rules: names are environment-variable style ({@code [A-Z][A-Z0-9_]*}); a {@code null} default
 * makes the key required; a value that is empty or only whitespace counts as unset (Kubernetes and
 * Compose files often set empty strings), so it falls back to the default. Defaults are
 * type-checked and validated when defined, so a bad default fails at build time of the definition,
 * not in production.
 *
 * <p>Not thread-safe while being defined; build it once (typically in a static factory of the
 * service's config record) and only parse/describe afterwards.
 */
public final class ConfigDef {
  /** Shown instead of a secret's value. */
  public static final String HIDDEN = "[hidden]";

  private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

  /**
   * One declared key.
   *
   * @param defaultValue parsed default, in the Java type of {@code type}; null when required
   * @param validator null when any value of the type is accepted
   */
  public record Key(
      String name,
      ConfigType type,
      Object defaultValue,
      Validator validator,
      String doc,
      boolean secret) {
    public Key {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(doc, "doc");
    }

    public boolean required() {
      return defaultValue == null;
    }
  }

  private final Map<String, Key> keys = new LinkedHashMap<>();

  /**
   * Declares a key.
   *
   * @param envName the environment variable, e.g. {@code SEGMENT_TARGET_DURATION}
   * @param defaultValue null for a required key; else the text form (as it would appear in the
   *     environment) or a value of the type's Java type ({@code Integer}, {@code Duration}, ...)
   * @param validator nullable
   * @throws IllegalArgumentException on a bad name, a duplicate, or a default that does not fit the
   *     type or fails the validator
   */
  public ConfigDef define(
      String envName, ConfigType type, Object defaultValue, Validator validator, String doc) {
    return add(envName, type, defaultValue, validator, doc, false);
  }

  /** Declares a required key without validator. */
  public ConfigDef define(String envName, ConfigType type, String doc) {
    return add(envName, type, null, null, doc, false);
  }

  /**
   * Declares a STRING key whose value never appears in {@link ParsedConfig#toString()}, {@link
   * #describe()} or error messages. Pass {@code ""} as default for an optional secret.
   */
  public ConfigDef defineSecret(String envName, Object defaultValue, String doc) {
    return add(envName, ConfigType.STRING, defaultValue, null, doc, true);
  }

  private ConfigDef add(
      String name,
      ConfigType type,
      Object defaultValue,
      Validator validator,
      String doc,
      boolean secret) {
    Objects.requireNonNull(name, "envName");
    Objects.requireNonNull(type, "type");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "config name " + name + " is not an environment variable name [A-Z][A-Z0-9_]*");
    }
    if (keys.containsKey(name)) {
      throw new IllegalArgumentException("config " + name + " defined twice");
    }
    Object parsedDefault = null;
    if (defaultValue != null) {
      try {
        parsedDefault = type.coerceDefault(defaultValue);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config " + name + ": " + e.getMessage(), e);
      }
      // An empty default of an optional key is "no value", so validators see only real values.
      if (validator != null && !isEmptyValue(parsedDefault)) {
        try {
          validator.ensureValid(name, parsedDefault);
        } catch (ConfigException e) {
          throw new IllegalArgumentException("default of " + e.getMessage(), e);
        }
      }
    }
    keys.put(name, new Key(name, type, parsedDefault, validator, doc == null ? "" : doc, secret));
    return this;
  }

  /** The declared keys in definition order. */
  public List<Key> keys() {
    return List.copyOf(keys.values());
  }

  /**
   * Reads every declared key from {@code env} (typically {@code System.getenv()} passed down from a
   * service's main). Variables not declared here are ignored.
   *
   * @throws ConfigException for the first missing or invalid key in definition order, with any
   *     further ones attached as suppressed exceptions
   */
  public ParsedConfig parse(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    Map<String, Object> values = new LinkedHashMap<>();
    List<ConfigException> problems = new ArrayList<>();
    for (Key key : keys.values()) {
      String raw = env.get(key.name());
      try {
        values.put(key.name(), valueOf(key, raw));
      } catch (ConfigException e) {
        problems.add(e);
      }
    }
    if (!problems.isEmpty()) {
      ConfigException first = problems.get(0);
      problems.subList(1, problems.size()).forEach(first::addSuppressed);
      throw first;
    }
    return new ParsedConfig(Collections.unmodifiableMap(keys), values);
  }

  private static Object valueOf(Key key, String raw) {
    if (raw == null || raw.isBlank()) {
      if (key.required()) {
        throw new ConfigException(key.name(), "is required but not set (" + key.doc() + ")");
      }
      return key.defaultValue();
    }
    Object value;
    try {
      value = key.type().parseText(raw.trim());
    } catch (IllegalArgumentException e) {
      // Secrets are STRINGs, which always parse, so echoing the input here never leaks a secret.
      throw new ConfigException(key.name(), e.getMessage() + ", got '" + raw.trim() + "'");
    }
    if (key.validator() != null) {
      key.validator().ensureValid(key.name(), value);
    }
    return value;
  }

  private static boolean isEmptyValue(Object value) {
    return (value instanceof String s && s.isEmpty())
        || (value instanceof List<?> l && l.isEmpty());
  }

  /**
   * A Markdown table of the keys: variable, type, default ({@code *required*} when none, {@code
   * [hidden]} for a secret's non-empty default), accepted values, description.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("| Variable | Type | Default | Valid values | Description |\n");
    sb.append("|---|---|---|---|---|\n");
    for (Key key : keys.values()) {
      sb.append("| `")
          .append(key.name())
          .append("` | ")
          .append(key.type())
          .append(key.secret() ? " (secret)" : "")
          .append(" | ")
          .append(cell(describeDefault(key)))
          .append(" | ")
          .append(cell(key.validator() == null ? "" : key.validator().description()))
          .append(" | ")
          .append(cell(key.doc()))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String describeDefault(Key key) {
    if (key.required()) {
      return "*required*";
    }
    Object d = key.defaultValue();
    if (isEmptyValue(d)) {
      return "(empty)";
    }
    if (key.secret()) {
      return HIDDEN;
    }
    return "`" + format(d) + "`";
  }

  /** The text form of a parsed value, as it could be written back into the environment. */
  static String format(Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    return String.valueOf(value);
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
