package io.hlspipeline.kit.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one {@link HttpService} listens and what it tolerates. Immutable; build with {@link
 * #of(String, int)} and the {@code with*} methods, or from a service's configuration through {@link
 * io.hlspipeline.kit.config.CommonSettings#httpSettings}.
 *
 * @param bind address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port TCP port, 0 for any free port
 * @param workerThreads threads of the bounded pool that runs blocking handlers, at least 1
 * @param workQueue blocking requests that may wait for a worker; beyond it they get 503 with {@code
 *     Retry-After}
 * @param maxConnections open connections beyond which new ones are closed at once
 * @param headerTimeout from a connection's first byte (or the end of its previous response) to the
 *     end of the next request's header; a client slower than that is disconnected (slowloris)
 * @param idleTimeout a keep-alive connection with no request in flight is closed after this
 * @param requestTimeout a request not answered this long after its header gets 503 (held requests
 *     included), unless its route says otherwise
 * @param maxRequestLineBytes longest request line (method, URI, version); longer gets 414
 * @param maxHeaderBytes largest header block; larger gets 431
 * @param maxBodyBytes largest body a non-streaming route accepts; larger gets 413
 * @param maxConcurrentStreams HTTP/2 streams one connection may have open at once
 * @param maxActiveRequests requests in flight at once over all connections (held ones included);
 *     beyond, 503 with {@code Retry-After}: memory stays bounded whatever clients hold open
 * @param stopGrace how long {@link HttpService#stop()} lets requests in flight finish
 * @param tls certificate chain and private key (PEM); present means the port speaks TLS (HTTP/2 and
 *     HTTP/1.1 by ALPN), absent means cleartext (HTTP/1.1, and HTTP/2 by prior knowledge or {@code
 *     Upgrade: h2c})
 */
public record HttpSettings(
    String bind,
    int port,
    int workerThreads,
    int workQueue,
    int maxConnections,
    Duration headerTimeout,
    Duration idleTimeout,
    Duration requestTimeout,
    int maxRequestLineBytes,
    int maxHeaderBytes,
    int maxBodyBytes,
    int maxConcurrentStreams,
    int maxActiveRequests,
    Duration stopGrace,
    Optional<Tls> tls) {

  /** PEM files: the certificate chain and its PKCS#8 private key. */
  public record Tls(Path certificateChain, Path privateKey) {
    public Tls {
      Objects.requireNonNull(certificateChain, "certificateChain");
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }

  public static final int DEFAULT_WORKER_THREADS = 16;
  public static final int DEFAULT_WORK_QUEUE = 256;
  public static final int DEFAULT_MAX_CONNECTIONS = 16_384;
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_REQUEST_LINE_BYTES = 8 * 1024;
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 1000;

  /** About 160 MB of held requests at the ~3.2 KB each measured by the edge's EdgeLoadIT. */
  public static final int DEFAULT_MAX_ACTIVE_REQUESTS = 50_000;

  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(1);

  public HttpSettings {
    Objects.requireNonNull(bind, "bind");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " out of range");
    }
    positive("workerThreads", workerThreads);
    if (workQueue < 0) {
      throw new IllegalArgumentException("workQueue must be >= 0, got " + workQueue);
    }
    positive("maxConnections", maxConnections);
    positive("headerTimeout", headerTimeout);
    positive("idleTimeout", idleTimeout);
    positive("requestTimeout", requestTimeout);
    positive("maxRequestLineBytes", maxRequestLineBytes);
    positive("maxHeaderBytes", maxHeaderBytes);
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("maxBodyBytes must be >= 0, got " + maxBodyBytes);
    }
    positive("maxConcurrentStreams", maxConcurrentStreams);
    positive("maxActiveRequests", maxActiveRequests);
    Objects.requireNonNull(stopGrace, "stopGrace");
    Objects.requireNonNull(tls, "tls");
  }

  /** Defaults for everything but where to listen. */
  public static HttpSettings of(String bind, int port) {
    return new HttpSettings(
        bind,
        port,
        DEFAULT_WORKER_THREADS,
        DEFAULT_WORK_QUEUE,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_HEADER_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_REQUEST_LINE_BYTES,
        DEFAULT_MAX_HEADER_BYTES,
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_CONCURRENT_STREAMS,
        DEFAULT_MAX_ACTIVE_REQUESTS,
        DEFAULT_STOP_GRACE,
        Optional.empty());
  }

  public HttpSettings withWorkerThreads(int threads) {
    return new HttpSettings(
        bind,
        port,
        threads,
        workQueue,
        maxConnections,
        headerTimeout,
        idleTimeout,
        requestTimeout,
        maxRequestLineBytes,
        maxHeaderBytes,
        maxBodyBytes,
        maxConcurrentStreams,
        maxActiveRequests,
        stopGrace,
        tls);
  }

  public HttpSettings withTimeouts(Duration header, Duration idle, Duration request) {
    return new HttpSettings(
        bind,
        port,
        workerThreads,
        workQueue,
        maxConnections,
        header,
        idle,
        request,
        maxRequestLineBytes,
        maxHeaderBytes,
        maxBodyBytes,
        maxConcurrentStreams,
        maxActiveRequests,
        stopGrace,
        tls);
  }

  public HttpSettings withStopGrace(Duration grace) {
    return new HttpSettings(
        bind,
        port,
        workerThreads,
        workQueue,
        maxConnections,
        headerTimeout,
        idleTimeout,
        requestTimeout,
        maxRequestLineBytes,
        maxHeaderBytes,
        maxBodyBytes,
        maxConcurrentStreams,
        maxActiveRequests,
        grace,
        tls);
  }

  public HttpSettings withTls(Optional<Tls> newTls) {
    return new HttpSettings(
        bind,
        port,
        workerThreads,
        workQueue,
        maxConnections,
        headerTimeout,
        idleTimeout,
        requestTimeout,
        maxRequestLineBytes,
        maxHeaderBytes,
        maxBodyBytes,
        maxConcurrentStreams,
        maxActiveRequests,
        stopGrace,
        newTls);
  }

  public HttpSettings withLimits(int maxConnections, int workQueue, int maxBodyBytes) {
    return new HttpSettings(
        bind,
        port,
        workerThreads,
        workQueue,
        maxConnections,
        headerTimeout,
        idleTimeout,
        requestTimeout,
        maxRequestLineBytes,
        maxHeaderBytes,
        maxBodyBytes,
        maxConcurrentStreams,
        maxActiveRequests,
        stopGrace,
        tls);
  }

  public HttpSettings withMaxActiveRequests(int max) {
    return new HttpSettings(
        bind,
        port,
        workerThreads,
        workQueue,
        maxConnections,
        headerTimeout,
        idleTimeout,
        requestTimeout,
        maxRequestLineBytes,
        maxHeaderBytes,
        maxBodyBytes,
        maxConcurrentStreams,
        max,
        stopGrace,
        tls);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
