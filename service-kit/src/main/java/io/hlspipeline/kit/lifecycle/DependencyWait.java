package io.hlspipeline.kit.lifecycle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a dependency (Kafka, Cassandra, S3) during start-up: repeats an attempt with
 * exponential backoff until it succeeds, so a service whose dependency is down keeps serving its
 * health endpoints instead of exiting. Interrupting the waiting thread (as {@code
 * ServiceRunner.stop()} does on SIGTERM) ends the wait at once with {@link InterruptedException}.
 *
 * <p>Logging: the first failure at WARN, later ones at WARN about every tenth attempt, the recovery
 * at INFO. Immutable and thread-safe.
 */
public final class DependencyWait {
  private static final Logger log = LoggerFactory.getLogger(DependencyWait.class);

  /** 200 ms doubling to 5 s. */
  public static final DependencyWait DEFAULT =
      new DependencyWait(Duration.ofMillis(200), Duration.ofSeconds(5));

  private final Duration initialBackoff;
  private final Duration maxBackoff;

  public DependencyWait(Duration initialBackoff, Duration maxBackoff) {
    this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff < initialBackoff");
    }
  }

  /** An attempt that may block; it should bound its own blocking (a client timeout). */
  @FunctionalInterface
  public interface Attempt {
    void run() throws Exception;
  }

  /**
   * Runs {@code attempt} until it returns normally.
   *
   * @param dependency what is waited for, for the log ({@code kafka topics}, {@code cassandra})
   * @throws InterruptedException when the thread is interrupted, during the backoff or an attempt
   */
  public void until(String dependency, Attempt attempt) throws InterruptedException {
    untilValue(
        dependency,
        () -> {
          attempt.run();
          return Boolean.TRUE;
        });
  }

  /** {@link #until} for an attempt that yields a value (a connected client). */
  public <T> T untilValue(String dependency, Callable<T> attempt) throws InterruptedException {
    long backoffMs = initialBackoff.toMillis();
    long t0 = System.nanoTime();
    for (int attempts = 1; ; attempts++) {
      try {
        T value = attempt.call();
        if (attempts > 1) {
          log.info(
              "{} available after {} attempts, {} ms",
              dependency,
              attempts,
              (System.nanoTime() - t0) / 1_000_000);
        }
        return value;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if (Thread.currentThread().isInterrupted() || causedByInterrupt(e)) {
          // Kafka clients turn an interrupt into their own runtime InterruptException.
          InterruptedException ie = new InterruptedException(dependency + ": wait interrupted");
          ie.initCause(e);
          throw ie;
        }
        if (attempts == 1 || attempts % 10 == 0) {
          log.warn(
              "{} not available (attempt {}), retrying in {} ms: {}",
              dependency,
              attempts,
              backoffMs,
              e.toString());
        } else {
          log.debug("{} not available (attempt {})", dependency, attempts, e);
        }
      }
      Thread.sleep(backoffMs);
      backoffMs = Math.min(maxBackoff.toMillis(), backoffMs * 2);
    }
  }

  private static boolean causedByInterrupt(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException
          || t.getClass().getName().equals("org.apache.kafka.common.errors.InterruptException")) {
        return true;
      }
    }
    return false;
  }
}
