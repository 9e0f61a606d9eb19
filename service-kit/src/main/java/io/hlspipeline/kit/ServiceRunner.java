package io.hlspipeline.kit;

import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@link ServiceMain#run} without process-wide effects (exit, shutdown hook), so they
 * can be tested in-process: build, start, and later stop one service.
 */
final class ServiceRunner {
  static final int EXIT_START_FAILED = 1;
  static final int EXIT_CONFIG_ERROR = 2;

  /** How long {@link #stop()} waits for an interrupted start to leave. */
  static final Duration START_ABANDON_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(ServiceRunner.class);

  private final String serviceName;
  private final PrintStream stderr;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private volatile Lifecycle service;

  /** The thread inside {@link #start()}, null when no start is under way. Guarded by this. */
  private Thread startingThread;

  private final CountDownLatch startLeft = new CountDownLatch(1);

  ServiceRunner(String serviceName, PrintStream stderr) {
    this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
    this.stderr = Objects.requireNonNull(stderr, "stderr");
  }

  /** Builds the service; returns 0, or the exit code when that failed. */
  int create(Map<String, String> env, ServiceMain.ServiceFactory factory) {
    PrometheusMeterRegistry registry = Metrics.newRegistry(serviceName);
    try {
      service = Objects.requireNonNull(factory.create(env, registry), "factory returned null");
      return 0;
    } catch (ConfigException e) {
      reportConfigError(e);
      return EXIT_CONFIG_ERROR;
    } catch (Exception e) {
      log.error("{} could not be built", serviceName, e);
      return EXIT_START_FAILED;
    }
  }

  /**
   * Starts the built service; returns 0, or the exit code after stopping what had started. A {@link
   * #stop()} during the start interrupts the calling thread, so a start blocked on a dependency
   * returns promptly.
   */
  int start() {
    synchronized (this) {
      if (stopRequested.get()) {
        startLeft.countDown();
        return EXIT_START_FAILED;
      }
      startingThread = Thread.currentThread();
    }
    try {
      return doStart();
    } finally {
      synchronized (this) {
        startingThread = null;
      }
      startLeft.countDown();
    }
  }

  private int doStart() {
    long t0 = System.nanoTime();
    log.info(
        "starting {} (pid {}, java {})",
        serviceName,
        ProcessHandle.current().pid(),
        Runtime.version());
    try {
      service.start();
    } catch (Exception e) {
      if (stopRequested.get()) {
        log.info("start of {} abandoned: stop requested ({})", serviceName, e.toString());
        return EXIT_START_FAILED;
      }
      if (e instanceof ConfigException ce) {
        reportConfigError(ce);
      }
      log.error("{} failed to start", serviceName, e);
      stop();
      return e instanceof ConfigException ? EXIT_CONFIG_ERROR : EXIT_START_FAILED;
    }
    log.info("{} started in {} ms", serviceName, (System.nanoTime() - t0) / 1_000_000);
    return 0;
  }

  /**
   * Stops the service once; later calls return at once. Never throws. A start still under way is
   * interrupted first (its dependency waits end with {@link InterruptedException}), and its thread
   * given {@link #START_ABANDON_TIMEOUT} to leave before the service is stopped.
   */
  void stop() {
    if (!stopRequested.compareAndSet(false, true)) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      Thread starting;
      synchronized (this) {
        starting = startingThread;
      }
      if (starting != null && starting != Thread.currentThread()) {
        log.info("stop requested while {} is starting: interrupting the start", serviceName);
        starting.interrupt();
        if (!startLeft.await(START_ABANDON_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn(
              "start of {} still running {} after the interrupt",
              serviceName,
              START_ABANDON_TIMEOUT);
        }
      }
      Lifecycle s = service;
      if (s != null) {
        log.info("stopping {}", serviceName);
        s.stop();
        log.info("{} stopped cleanly in {} ms", serviceName, (System.nanoTime() - t0) / 1_000_000);
      }
    } catch (Exception e) {
      log.error("{} failed to stop cleanly", serviceName, e);
    } finally {
      stopped.countDown();
    }
  }

  /** Blocks until {@link #stop()} has finished. */
  void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  private void reportConfigError(ConfigException e) {
    stderr.println("configuration error: " + e.variable() + ": " + e.reason());
    for (Throwable more : e.getSuppressed()) {
      if (more instanceof ConfigException ce) {
        stderr.println("configuration error: " + ce.variable() + ": " + ce.reason());
      }
    }
    stderr.flush();
  }
}
