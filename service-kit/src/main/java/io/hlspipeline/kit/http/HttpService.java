package io.hlspipeline.kit.http;

import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * http.server.rejected} (tag {@code reason=queue_full|too_many_connections|header_timeout|
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

  private Shared shared;
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
    Shared s = new Shared(name, settings, sorted, registry);
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
            .childHandler(new Connections(s, ssl));
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
    Shared s = shared;
    return s == null ? 0 : s.active.get();
  }

  /** Connections open now. */
  public int openConnections() {
    Shared s = shared;
    return s == null ? 0 : s.openConnections.get();
  }

  @Override
  public void stop() throws InterruptedException {
    Shared s;
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

  /** Builds each accepted connection's pipeline. */
  private static final class Connections extends ChannelInitializer<SocketChannel> {
    private final Shared shared;
    private final SslContext ssl;

    Connections(Shared shared, SslContext ssl) {
      this.shared = shared;
      this.ssl = ssl;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
      if (shared.openConnections.incrementAndGet() > shared.settings.maxConnections()
          || shared.draining) {
        shared.openConnections.decrementAndGet();
        shared.rejected("too_many_connections");
        ch.close();
        return;
      }
      shared.channels.add(ch);
      ch.closeFuture().addListener(f -> shared.openConnections.decrementAndGet());
      ChannelPipeline p = ch.pipeline();
      ConnectionDeadline deadline =
          new ConnectionDeadline(
              shared, shared.settings.headerTimeout(), shared.settings.idleTimeout());
      if (ssl != null) {
        p.addLast(ssl.newHandler(ch.alloc()));
        p.addLast(deadline);
        p.addLast(
            new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
              @Override
              protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                  ctx.pipeline().addLast(shared.http2FrameCodec(), shared.http2Multiplex());
                  deadline.http2();
                } else {
                  ctx.pipeline().addLast(shared.http1Codec());
                  ctx.pipeline().addLast(new HttpServerExpectContinueHandler());
                  ctx.pipeline().addLast(new RequestHandler(shared, false));
                }
              }
            });
        return;
      }
      p.addLast(deadline);
      HttpServerCodec codec = shared.http1Codec();
      HttpServerUpgradeHandler upgrade =
          new HttpServerUpgradeHandler(
              codec,
              protocol -> {
                if (!AsciiString.contentEquals(
                    Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
                  return null;
                }
                deadline.http2();
                return new Http2ServerUpgradeCodec(
                    shared.http2FrameCodec(), shared.http2Multiplex());
              },
              shared.settings.maxHeaderBytes());
      p.addLast(
          new CleartextHttp2ServerUpgradeHandler(
              codec,
              upgrade,
              new io.netty.channel.ChannelHandlerAdapter() {
                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                  // Prior knowledge (the client sent the HTTP/2 preface): the HTTP/2 handlers go
                  // exactly here, before the HTTP/1.1 request handler further down the pipeline.
                  deadline.http2();
                  ChannelHandler codec = shared.http2FrameCodec();
                  ctx.pipeline().addAfter(ctx.name(), null, codec);
                  ctx.pipeline()
                      .addAfter(
                          ctx.pipeline().context(codec).name(), null, shared.http2Multiplex());
                  ctx.pipeline().remove(this);
                }
              }));
      p.addLast(new HttpServerExpectContinueHandler());
      p.addLast(new RequestHandler(shared, false));
    }
  }

  /** What every connection of one listener shares. Thread-safe. */
  static final class Shared {
    final String name;
    final HttpSettings settings;
    final List<Route> routes;
    final Route notFound;
    final Workers workers;
    final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicLong active = new AtomicLong();
    final Object drained = new Object();
    volatile boolean draining;
    final java.util.Map<io.netty.util.concurrent.EventExecutor, ConnectionDeadline.Sweeper>
        sweepers = ConnectionDeadline.newSweeperMap();
    private final MeterRegistry registry;

    /** Timers by route and status class: looked up once, not built per request. */
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers =
        new java.util.concurrent.ConcurrentHashMap<>();

    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

    Shared(String name, HttpSettings settings, List<Route> routes, MeterRegistry registry) {
      this.name = name;
      this.settings = settings;
      this.routes = List.copyOf(routes);
      this.registry = registry;
      this.notFound =
          new Route("none", ex -> Responses.problem(ex, 404, "not found"), RouteOptions.inline());
      this.workers = new Workers(name, settings, this);
      Gauge.builder("http.server.connections", openConnections, AtomicInteger::get)
          .tag("listener", name)
          .register(registry);
      Gauge.builder("http.server.requests.active", active, AtomicLong::get)
          .tag("listener", name)
          .register(registry);
    }

    HttpSettings settings() {
      return settings;
    }

    Workers workers() {
      return workers;
    }

    boolean draining() {
      return draining;
    }

    Route match(String rawPath) {
      for (Route r : routes) {
        if (rawPath.startsWith(r.prefix())) {
          return r;
        }
      }
      return notFound;
    }

    HttpServerCodec http1Codec() {
      return new HttpServerCodec(
          settings.maxRequestLineBytes(), settings.maxHeaderBytes(), 64 * 1024);
    }

    Http2FrameCodec http2FrameCodec() {
      return Http2FrameCodecBuilder.forServer()
          .initialSettings(
              Http2Settings.defaultSettings()
                  .maxConcurrentStreams(settings.maxConcurrentStreams())
                  .maxHeaderListSize(settings.maxHeaderBytes()))
          .build();
    }

    ChannelHandler http2Multiplex() {
      return new Http2MultiplexHandler(
          new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
              stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
              stream.pipeline().addLast(new RequestHandler(Shared.this, true));
            }
          });
    }

    void requestStarted() {
      active.incrementAndGet();
    }

    void requestFinished(Exchange ex, int status, long bodyBytes, boolean aborted) {
      String statusClass =
          aborted || status == 0
              ? "aborted"
              : status / 100 < STATUS_CLASSES.length ? STATUS_CLASSES[status / 100] : "other";
      timers
          .computeIfAbsent(
              ex.route() + ' ' + statusClass,
              k ->
                  Timer.builder("http.server.requests")
                      .tag("listener", name)
                      .tag("route", ex.route())
                      .tag("status", statusClass)
                      .publishPercentileHistogram()
                      .register(registry))
          .record(System.nanoTime() - ex.startNanos, TimeUnit.NANOSECONDS);
      if (ex.counted) {
        ex.counted = false;
        if (active.decrementAndGet() == 0 && draining) {
          synchronized (drained) {
            drained.notifyAll();
          }
        }
      }
    }

    void rejected(String reason) {
      Counter.builder("http.server.rejected")
          .tag("listener", name)
          .tag("reason", reason)
          .register(registry)
          .increment();
    }

    void timedOut() {
      rejected("request_timeout");
    }

    void connectionError(Throwable cause) {
      log.debug("HTTP {}: connection failed: {}", name, cause.toString());
    }
  }

  /** The bounded pool for blocking handlers, and the guard around every handler call. */
  static final class Workers {
    private final ThreadPoolExecutor pool;
    private final Shared shared;

    Workers(String name, HttpSettings settings, Shared shared) {
      this.shared = shared;
      BlockingQueue<Runnable> queue =
          settings.workQueue() == 0
              ? new SynchronousQueue<>()
              : new ArrayBlockingQueue<>(settings.workQueue());
      AtomicInteger n = new AtomicInteger();
      this.pool =
          new ThreadPoolExecutor(
              settings.workerThreads(),
              settings.workerThreads(),
              30,
              TimeUnit.SECONDS,
              queue,
              r -> {
                Thread t = new Thread(r, "http-" + name + "-worker-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      pool.allowCoreThreadTimeOut(true);
    }

    void run(Exchange ex, HttpHandler handler) {
      try {
        pool.execute(() -> runInline(ex, handler));
      } catch (RejectedExecutionException e) {
        shared.rejected("queue_full");
        ex.setHeader(HttpHeaderNames.RETRY_AFTER, "1");
        ex.setHeader(HttpHeaderNames.CACHE_CONTROL, "no-store");
        Responses.problem(ex, 503, "busy, retry later");
      }
    }

    void runInline(Exchange ex, HttpHandler handler) {
      try {
        handler.handle(ex);
      } catch (Exception | Error e) {
        log.warn("{} {} failed", ex.method(), ex.logPath(), e);
        if (!ex.isAnswered()) {
          try {
            Responses.problem(ex, 500, "internal error");
          } catch (RuntimeException ignored) {
            // The connection is gone; nothing more to tell the client.
          }
        }
        if (e instanceof Error err && !(e instanceof AssertionError)) {
          throw err;
        }
      }
    }

    boolean draining() {
      return shared.draining;
    }

    void shutdown() {
      pool.shutdownNow();
      try {
        if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
          log.warn("HTTP workers still busy 5 s after stop");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
