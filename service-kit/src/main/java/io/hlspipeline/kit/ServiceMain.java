package io.hlspipeline.kit;

import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of every service:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   ServiceMain.run("edge", System.getenv(), (env, registry) -> EdgeService.create(EdgeConfig.parse(env), registry));
 * }
 * }</pre>
 *
 * <ol>
 *   <li>creates the metrics registry ({@link io.hlspipeline.kit.metrics.Metrics#newRegistry}) and
 *       builds the service with the factory, which parses its configuration from {@code env}. A
 *       {@link io.hlspipeline.kit.config.ConfigException} prints {@code configuration error:
 *       <VARIABLE>: <reason>} to stderr (one line per bad variable) and exits with status 2; any
 *       other failure exits with 1;
 *   <li>installs a shutdown hook (SIGTERM, SIGINT) that stops the service gracefully, logging
 *       {@code stopping <name>} and {@code <name> stopped cleanly in N ms}; a start still waiting
 *       for a dependency is interrupted first, so the stop never waits for Kafka or Cassandra;
 *   <li>starts the service; on failure logs at ERROR, stops what started and exits with 1;
 *   <li>blocks until the service has been stopped by the shutdown hook.
 * </ol>
 */
public final class ServiceMain {
  private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

  private ServiceMain() {}

  /** Builds a service from the environment. Called once, on the main thread. */
  @FunctionalInterface
  public interface ServiceFactory {
    /**
     * @param env the process environment, to parse the service's configuration from
     * @param registry the service's meter registry, to bind meters and serve on {@code /metrics}
     * @throws io.hlspipeline.kit.config.ConfigException on missing or invalid configuration
     */
    Lifecycle create(Map<String, String> env, PrometheusMeterRegistry registry) throws Exception;
  }

  /** Runs the service until the JVM is asked to shut down; see the class comment. */
  public static void run(String serviceName, Map<String, String> env, ServiceFactory factory) {
    Thread.setDefaultUncaughtExceptionHandler(
        (t, e) -> log.error("uncaught exception in thread {}", t.getName(), e));
    ServiceRunner runner = new ServiceRunner(serviceName, System.err);
    int code = runner.create(env, factory);
    if (code != 0) {
      System.exit(code);
    }
    // Installed before start, so a SIGTERM during a slow start still stops what has started.
    Runtime.getRuntime().addShutdownHook(new Thread(runner::stop, serviceName + "-shutdown"));
    code = runner.start();
    if (code != 0) {
      System.exit(code);
    }
    try {
      runner.awaitStopped();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
