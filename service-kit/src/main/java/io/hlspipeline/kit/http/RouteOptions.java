package io.hlspipeline.kit.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a route's requests are run.
 *
 * @param worker run the handler on the bounded worker pool (it may block) instead of the event loop
 * @param streamingBody hand the request body to the handler as it arrives ({@link
 *     Exchange#bodyStream()}, with back-pressure: the connection stops reading while the handler
 *     lags) instead of collecting it first; needs {@code blocking}
 * @param requestTimeout overrides {@link HttpSettings#requestTimeout()}; empty for none (a live
 *     upload lasts as long as the broadcast)
 * @param secretPathTail the path below the route's prefix is a secret (a stream key): logs show the
 *     prefix and {@code [hidden]}
 */
public record RouteOptions(
    boolean worker,
    boolean streamingBody,
    Optional<Duration> requestTimeout,
    boolean useDefaultTimeout,
    boolean secretPathTail) {

  public RouteOptions {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (streamingBody && !worker) {
      throw new IllegalArgumentException("a streaming body needs a blocking route");
    }
  }

  /** On the event loop, the service's request timeout. */
  public static RouteOptions inline() {
    return new RouteOptions(false, false, Optional.empty(), true, false);
  }

  /** On the worker pool, the service's request timeout. */
  public static RouteOptions blocking() {
    return new RouteOptions(true, false, Optional.empty(), true, false);
  }

  /** On the worker pool, body streamed with back-pressure, no request timeout. */
  public static RouteOptions streamingUpload() {
    return new RouteOptions(true, true, Optional.empty(), false, false);
  }

  /** Same options with the path below the prefix kept out of logs. */
  public RouteOptions withSecretPathTail() {
    return new RouteOptions(worker, streamingBody, requestTimeout, useDefaultTimeout, true);
  }

  /** Same options with their own request timeout. */
  public RouteOptions withRequestTimeout(Duration timeout) {
    return new RouteOptions(worker, streamingBody, Optional.of(timeout), false, secretPathTail);
  }

  Optional<Duration> effectiveTimeout(HttpSettings settings) {
    return useDefaultTimeout ? Optional.of(settings.requestTimeout()) : requestTimeout;
  }
}
