package io.hlspipeline.kit.http;

import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP listener of a service, on Netty: HTTP/1.1 with keep-alive, HTTP/2 (over TLS by ALPN when
 * a certificate is configured, else cleartext h2c by prior knowledge or {@code Upgrade}).
 * Connections are served by a few event-loop threads, so an open connection or a held request costs
 * memory, not a thread; handlers that block run on a bounded worker pool ({@link RouteOptions}).
 * The limits and timeouts of {@link HttpSettings} apply to every connection.
 *
 * <p>Routes are path prefixes matched on the raw path ({@code /hls/} matches {@code
 * /hls/a/index.m3u8}); the longest matching prefix wins; unmatched paths get 404. A handler that
 * throws before answering gets a 500; the log shows the method and the path with any secret route
 * tail hidden.
 *
 * <p>On {@link #stop()} the listener closes (new connections are refused), answers still to come go
 * out with {@code Connection: close}, requests in flight get up to the stop grace to finish, then
 * every connection is closed. Start and stop are idempotent; not restartable.
 *
 * <p>Meters (tag {@code listener}: the name given): {@code http.server.requests} (timer with
 * histogram; tags {@code route}, {@code status=2xx|...|aborted}), {@code http.server.connections}
 * (open), {@code http.server.requests.active} (in flight, held ones included), {@code
 * http.server.rejected} (tag {@code
 * reason=queue_full|too_many_connections|too_many_requests|header_timeout|
 * request_timeout|too_large|malformed}).
 */
public final class HttpService implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(HttpService.class);

  /** One route: the prefix, its handler and how to run it. */
  record Route(String prefix, HttpHandler handler, RouteOptions options) {}

  private final String name;
  private final HttpSettings settings;
  private final MeterRegistry registry;
  private final List<Route> routes = new ArrayList<>();

  private ListenerContext shared;
  private EventLoopGroup bossGroup;
  private EventLoopGroup ioGroup;
  private Channel listener;
  private int boundPort = -1;
  private boolean stopped;

  /**
   * @param name names the listener in logs, thread names and the {@code listener} tag ({@code
   *     public}, {@code admin})
   */
  public HttpService(String name, HttpSettings settings, MeterRegistry registry) {
    this.name = Objects.requireNonNull(name, "name");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** A route run on the worker pool ({@link RouteOptions#blocking()}). */
  public HttpService route(String pathPrefix, HttpHandler handler) {
    return route(pathPrefix, handler, RouteOptions.blocking());
  }

  /**
   * Routes requests whose raw path starts with {@code pathPrefix} to {@code handler}.
   *
   * @throws IllegalStateException after {@link #start()} or for a prefix routed twice
   */
  public synchronized HttpService route(
      String pathPrefix, HttpHandler handler, RouteOptions options) {
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(options, "options");
    if (!pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException("path prefix must start with /: " + pathPrefix);
    }
    if (shared != null) {
      throw new IllegalStateException("route " + pathPrefix + " added after start");
    }
    if (routes.stream().anyMatch(r -> r.prefix().equals(pathPrefix))) {
      throw new IllegalStateException("route " + pathPrefix + " defined twice");
    }
    routes.add(new Route(pathPrefix, handler, options));
    return this;
  }

  @Override
  public synchronized void start() throws IOException {
    if (shared != null) {
      return;
    }
    if (stopped) {
      throw new IllegalStateException("HTTP service " + name + " is not restartable");
    }
    List<Route> sorted = new ArrayList<>(routes);
    sorted.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
    ListenerContext s = new ListenerContext(name, settings, sorted, registry);
    SslContext ssl = settings.tls().isPresent() ? sslContext(settings.tls().get()) : null;
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    int ioThreads = Runtime.getRuntime().availableProcessors();
    bossGroup = new MultiThreadIoEventLoopGroup(1, threads("http-" + name + "-accept"), io);
    ioGroup = new MultiThreadIoEventLoopGroup(ioThreads, threads("http-" + name + "-io"), io);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(bossGroup, ioGroup)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ConnectionInitializer(s, ssl));
    try {
      listener =
          b.bind(new InetSocketAddress(settings.bind(), settings.port()))
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      s.workers.shutdown();
      bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      ioGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IOException(
          "cannot listen on " + settings.bind() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
    boundPort = ((InetSocketAddress) listener.localAddress()).getPort();
    shared = s;
    log.info(
        "HTTP {} listening on {}:{} ({}, {}, {} io threads, {} workers), routes {}",
        name,
        settings.bind(),
        boundPort,
        ssl != null ? "TLS h2+http/1.1" : "http/1.1+h2c",
        epoll ? "epoll" : "nio",
        ioThreads,
        settings.workerThreads(),
        routes.stream().map(Route::prefix).toList());
  }

  /**
   * The port the server listens on.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public synchronized int port() {
    if (boundPort < 0) {
      throw new IllegalStateException("HTTP service " + name + " not started");
    }
    return boundPort;
  }

  /** Requests in flight now (held ones included). */
  public long activeRequests() {
    ListenerContext s = shared;
    return s == null ? 0 : s.active.get();
  }

  /** Connections open now. */
  public int openConnections() {
    ListenerContext s = shared;
    return s == null ? 0 : s.openConnections.get();
  }

  @Override
  public void stop() throws InterruptedException {
    ListenerContext s;
    synchronized (this) {
      if (shared == null || stopped) {
        return;
      }
      stopped = true;
      s = shared;
    }
    s.draining = true;
    listener.close().awaitUninterruptibly();
    long deadline = System.nanoTime() + settings.stopGrace().toNanos();
    synchronized (s.drained) {
      while (s.active.get() > 0 && System.nanoTime() < deadline) {
        long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        s.drained.wait(waitMs);
      }
    }
    long left = s.active.get();
    if (left > 0) {
      log.info("HTTP {}: closing {} requests still in flight after the stop grace", name, left);
    }
    s.channels.close().awaitUninterruptibly();
    s.workers.shutdown();
    bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    log.info("HTTP on port {} stopped ({} listener)", boundPort, name);
  }

  private static io.netty.util.concurrent.DefaultThreadFactory threads(String prefix) {
    return new io.netty.util.concurrent.DefaultThreadFactory(prefix, true);
  }

  private static SslContext sslContext(HttpSettings.Tls tls) throws IOException {
    try {
      return SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile())
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException(
          "cannot load TLS certificate "
              + tls.certificateChain()
              + " and key "
              + tls.privateKey()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
