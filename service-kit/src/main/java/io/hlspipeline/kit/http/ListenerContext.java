package io.hlspipeline.kit.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every connection of one listener shares. Thread-safe. */
final class ListenerContext {
  private static final Logger log = LoggerFactory.getLogger(ListenerContext.class);

  final String name;
  final HttpSettings settings;
  final List<HttpService.Route> routes;
  final HttpService.Route notFound;
  final Workers workers;
  final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  final AtomicInteger openConnections = new AtomicInteger();
  final AtomicLong active = new AtomicLong();
  final Object drained = new Object();
  volatile boolean draining;
  final java.util.Map<io.netty.util.concurrent.EventExecutor, ConnectionDeadline.Sweeper> sweepers =
      ConnectionDeadline.newSweeperMap();
  private final MeterRegistry registry;

  /** Timers by route and status class: looked up once, not built per request. */
  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

  ListenerContext(
      String name, HttpSettings settings, List<HttpService.Route> routes, MeterRegistry registry) {
    this.name = name;
    this.settings = settings;
    this.routes = List.copyOf(routes);
    this.registry = registry;
    this.notFound =
        new HttpService.Route(
            "none", ex -> Responses.problem(ex, 404, "not found"), RouteOptions.inline());
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

  HttpService.Route match(String rawPath) {
    for (HttpService.Route r : routes) {
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
            stream.pipeline().addLast(new RequestHandler(ListenerContext.this, true));
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
