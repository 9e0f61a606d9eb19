package io.hlspipeline.kit.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named readiness conditions (Kafka consumer assigned, Cassandra session open, ...). Ready when
 * every check returns true; a check that throws counts as not ready. Checks are called on every
 * {@code /health/ready} request, so they must be cheap and non-blocking. Thread-safe.
 */
public final class ReadinessChecks {
  private static final Logger log = LoggerFactory.getLogger(ReadinessChecks.class);

  private final Map<String, BooleanSupplier> checks = new ConcurrentHashMap<>();

  /**
   * Adds a check; a name registered again replaces the earlier check.
   *
   * @param name short, stable, shown to operators in the 503 body, e.g. {@code kafka-consumer}
   */
  public void register(String name, BooleanSupplier check) {
    checks.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(check, "check"));
  }

  /** True when every check passes (also when none is registered). */
  public boolean allReady() {
    return failing().isEmpty();
  }

  /** Names of the checks that do not pass now, sorted. */
  public List<String> failing() {
    List<String> failed = new ArrayList<>();
    checks.forEach(
        (name, check) -> {
          boolean ok;
          try {
            ok = check.getAsBoolean();
          } catch (RuntimeException e) {
            log.debug("readiness check {} threw", name, e);
            ok = false;
          }
          if (!ok) {
            failed.add(name);
          }
        });
    failed.sort(null);
    return failed;
  }
}
