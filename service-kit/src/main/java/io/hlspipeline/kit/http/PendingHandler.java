package io.hlspipeline.kit.http;

import java.time.Duration;
import java.util.Objects;

/**
 * A route whose real handler exists only once the service's dependencies are up (the HTTP server
 * starts before them, so probes answer): until {@link #set} it answers {@code 503} with {@code
 * Retry-After}, so clients back off instead of failing hard. Thread-safe.
 */
public final class PendingHandler implements HttpHandler {
  private final String retryAfterSeconds;
  private volatile HttpHandler delegate;

  /**
   * @param retryAfter sent as {@code Retry-After} (whole seconds, at least 1)
   */
  public PendingHandler(Duration retryAfter) {
    this.retryAfterSeconds =
        Long.toString(Math.max(1, Objects.requireNonNull(retryAfter, "retryAfter").toSeconds()));
  }

  /** From now on requests go to {@code handler}. */
  public void set(HttpHandler handler) {
    delegate = Objects.requireNonNull(handler, "handler");
  }

  /** Back to 503 (the parts behind the handler are stopping). */
  public void clear() {
    delegate = null;
  }

  @Override
  public void handle(Exchange ex) throws Exception {
    HttpHandler h = delegate;
    if (h != null) {
      h.handle(ex);
      return;
    }
    ex.setHeader("Retry-After", retryAfterSeconds);
    ex.setHeader("Cache-Control", "no-store");
    Responses.problem(ex, 503, "not ready: starting, waiting for dependencies");
  }
}
