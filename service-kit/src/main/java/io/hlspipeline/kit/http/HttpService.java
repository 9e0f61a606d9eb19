package io.hlspipeline.kit.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP server of a service: the JDK's {@link HttpServer} on a fixed pool of {@code threads}
 * handler threads. Request bodies are streamed to handlers as they arrive (chunked PUT/POST
 * included, via {@link HttpExchange#getRequestBody()}), and responses may be streamed (pass length
 * 0 to {@code sendResponseHeaders} for chunked encoding), so a handler may hold its thread for the
 * whole of a long upload or a blocking playlist request; size {@code threads} for that.
 *
 * <p>Routes are path prefixes ({@code /hls/} matches {@code /hls/a/index.m3u8}); the longest
 * matching prefix wins; unmatched paths get 404. A handler that throws gets a 500 (if it had not
 * sent headers yet) and its exchange closed; a handler that returns normally owns closing its
 * exchange (the {@link Responses} helpers do it).
 *
 * <p>On {@link #stop()} the server stops accepting, waits up to the stop grace for exchanges in
 * flight, then interrupts the handler threads. Thread-safe; start and stop are idempotent.
 */
public final class HttpService implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(HttpService.class);
  private static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(1);

  private final String bindHost;
  private final int requestedPort;
  private final int threads;
  private final Duration stopGrace;
  private final Map<String, HttpHandler> routes = new LinkedHashMap<>();

  private HttpServer server;
  private ExecutorService executor;
  private int boundPort = -1;

  /**
   * @param bindHost address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port TCP port, 0 for any free port (see {@link #port()})
   * @param threads handler threads, at least 1
   */
  public HttpService(String bindHost, int port, int threads) {
    this(bindHost, port, threads, DEFAULT_STOP_GRACE);
  }

  /**
   * @param stopGrace how long {@link #stop()} waits for exchanges in flight (whole seconds are
   *     used, rounded up)
   */
  public HttpService(String bindHost, int port, int threads, Duration stopGrace) {
    this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " out of range");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.requestedPort = port;
    this.threads = threads;
    this.stopGrace = Objects.requireNonNull(stopGrace, "stopGrace");
  }

  /**
   * Routes requests whose path starts with {@code pathPrefix} to {@code handler}.
   *
   * @throws IllegalStateException after {@link #start()} or for a prefix routed twice
   */
  public synchronized HttpService route(String pathPrefix, HttpHandler handler) {
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(handler, "handler");
    if (!pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException("path prefix must start with /: " + pathPrefix);
    }
    if (server != null) {
      throw new IllegalStateException("route " + pathPrefix + " added after start");
    }
    if (routes.putIfAbsent(pathPrefix, handler) != null) {
      throw new IllegalStateException("route " + pathPrefix + " defined twice");
    }
    return this;
  }

  @Override
  public synchronized void start() throws IOException {
    if (server != null) {
      return;
    }
    HttpServer s = HttpServer.create(new InetSocketAddress(bindHost, requestedPort), 0);
    int port = s.getAddress().getPort();
    AtomicInteger threadCount = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> new Thread(r, "http-" + port + "-" + threadCount.incrementAndGet()));
    s.setExecutor(pool);
    routes.forEach((prefix, handler) -> s.createContext(prefix, new Guarded(handler)));
    s.start();
    server = s;
    executor = pool;
    boundPort = port;
    log.info(
        "HTTP listening on {}:{} with {} threads, routes {}",
        bindHost,
        port,
        threads,
        routes.keySet());
  }

  /**
   * The port the server listens on.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public synchronized int port() {
    if (boundPort < 0) {
      throw new IllegalStateException("HTTP service not started");
    }
    return boundPort;
  }

  @Override
  public synchronized void stop() throws InterruptedException {
    if (server == null) {
      return;
    }
    long graceSeconds = Math.max(0, (stopGrace.toMillis() + 999) / 1000);
    server.stop((int) Math.min(Integer.MAX_VALUE, graceSeconds));
    executor.shutdownNow();
    if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
      log.warn("HTTP handler threads still busy 5 s after stop");
    }
    log.info("HTTP on port {} stopped", boundPort);
    server = null;
    executor = null;
  }

  /** Turns a handler's exception into a 500 and a closed exchange instead of a dropped socket. */
  private record Guarded(HttpHandler delegate) implements HttpHandler {
    @Override
    public void handle(HttpExchange ex) {
      try {
        delegate.handle(ex);
      } catch (Exception | Error e) {
        log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
        try {
          if (ex.getResponseCode() == -1) {
            Responses.problem(ex, 500, "internal error");
          }
        } catch (RuntimeException ignored) {
          // The client is gone; nothing more to tell it.
        } finally {
          ex.close();
        }
        if (e instanceof Error err) {
          throw err;
        }
      }
    }
  }
}
