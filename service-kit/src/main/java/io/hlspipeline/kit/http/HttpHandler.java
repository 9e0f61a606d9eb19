package io.hlspipeline.kit.http;

/**
 * Answers requests of one route. A handler answers through the {@link Exchange} exactly once, at
 * once or later from any thread (a held request costs no thread while it waits); a handler that
 * throws before answering gets a 500.
 *
 * <p>Where it runs depends on the route's {@link RouteOptions}: on the connection's event loop
 * ({@link RouteOptions#inline()}: it must not block, but may hand slow work to {@link
 * Exchange#offload}) or on the service's bounded worker pool ({@link RouteOptions#blocking()}).
 */
@FunctionalInterface
public interface HttpHandler {
  void handle(Exchange exchange) throws Exception;
}
