package io.hlspipeline.kit.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * The operational endpoints every service exposes (Kubernetes probes and Prometheus scraping):
 *
 * <ul>
 *   <li>{@code /health/live}: 200 while the process serves HTTP at all.
 *   <li>{@code /health/ready}: 200 when every {@link ReadinessChecks} check passes, else 503 with
 *       the failing check names, one per line.
 *   <li>{@code /metrics}: the registry in the Prometheus text format 0.0.4.
 * </ul>
 *
 * Only GET and HEAD are accepted (405 otherwise); paths must match exactly.
 *
 * <p>They live on a listener of their own ({@link #listener}, port {@code ADMIN_PORT} of {@link
 * io.hlspipeline.kit.config.CommonSettings#defineAdmin}), never on the public one: a load balancer
 * that routes only the public port to viewers cannot expose them. The ports are listed in
 * docs/architecture.md.
 */
public final class AdminEndpoints {
  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";
  public static final String METRICS_PATH = "/metrics";
  static final String PROMETHEUS_TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";

  /** Name of the admin listener, its {@code listener} meter tag and thread names. */
  public static final String LISTENER = "admin";

  /** Probes and scrapes are short and rare: two workers are plenty. */
  static final int WORKER_THREADS = 2;

  private AdminEndpoints() {}

  /**
   * A listener serving only the three endpoints (every other path 404), cleartext HTTP with the
   * default limits. The caller starts it before awaiting its dependencies, so probes answer from
   * the start, and stops it last.
   *
   * @param bind address to bind ({@code HTTP_BIND})
   * @param port {@code ADMIN_PORT}, 0 for any free port
   */
  public static HttpService listener(
      String bind, int port, PrometheusMeterRegistry registry, ReadinessChecks checks) {
    HttpService admin =
        new HttpService(
            LISTENER, HttpSettings.of(bind, port).withWorkerThreads(WORKER_THREADS), registry);
    install(admin, registry, checks);
    return admin;
  }

  /** Routes the three endpoints on {@code http}; call before {@link HttpService#start()}. */
  public static void install(
      HttpService http, PrometheusMeterRegistry registry, ReadinessChecks checks) {
    http.route(
        LIVE_PATH, exact(LIVE_PATH, ex -> Responses.sendText(ex, 200, "text/plain", "live\n")));
    http.route(
        READY_PATH,
        exact(
            READY_PATH,
            ex -> {
              List<String> failing = checks.failing();
              if (failing.isEmpty()) {
                Responses.sendText(ex, 200, "text/plain", "ready\n");
              } else {
                Responses.sendText(
                    ex, 503, "text/plain", "not ready:\n" + String.join("\n", failing) + "\n");
              }
            }));
    http.route(
        METRICS_PATH,
        exact(
            METRICS_PATH,
            ex ->
                Responses.sendText(
                    ex, 200, PROMETHEUS_TEXT_004, registry.scrape(PROMETHEUS_TEXT_004))));
  }

  private static HttpHandler exact(String path, HttpHandler handler) {
    return ex -> {
      if (!path.equals(ex.rawPath())) {
        Responses.problem(ex, 404, "not found");
      } else if (!isGetOrHead(ex)) {
        ex.setHeader("Allow", "GET, HEAD");
        Responses.problem(ex, 405, "method not allowed");
      } else {
        handler.handle(ex);
      }
    };
  }

  private static boolean isGetOrHead(Exchange ex) {
    String m = ex.method();
    return "GET".equals(m) || "HEAD".equals(m);
  }
}
