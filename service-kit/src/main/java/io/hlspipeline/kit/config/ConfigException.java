package io.hlspipeline.kit.config;

import java.util.Objects;

/**
 * A configuration variable is missing or invalid. The message is {@code "<VARIABLE>: <reason>"};
 * the reason never contains the value of a secret. When several variables are wrong, {@link
 * ConfigDef#parse} throws the first (in definition order) with the others attached as {@linkplain
 * #getSuppressed() suppressed} exceptions, so an operator sees every problem at once.
 *
 * <p>Services throw it themselves for cross-key rules found after parsing, naming the variable the
 * operator should change.
 */
public class ConfigException extends RuntimeException {
  private final String variable;
  private final String reason;

  public ConfigException(String variable, String reason) {
    super(variable + ": " + reason);
    this.variable = Objects.requireNonNull(variable, "variable");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The environment variable at fault, e.g. {@code KAFKA_BOOTSTRAP_SERVERS}. */
  public String variable() {
    return variable;
  }

  /** Why the value was rejected, without the variable name. */
  public String reason() {
    return reason;
  }
}
