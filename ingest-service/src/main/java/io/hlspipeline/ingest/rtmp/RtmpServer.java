package io.hlspipeline.ingest.rtmp;

import io.hlspipeline.ingest.IngestMetrics;
import io.hlspipeline.ingest.session.PublishSessions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTMP listener of ingest-service (Netty, NIO transport): one {@link RtmpConnection} per socket
 * on a small event-loop group, Kafka work of every connection on a shared pool of publish threads
 * (see {@link SessionPipe}). A connection that sends nothing for the idle timeout (during the
 * handshake too) is closed. {@link #start()} and {@link #stop()} are idempotent.
 */
public final class RtmpServer {
  private static final Logger log = LoggerFactory.getLogger(RtmpServer.class);

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final RtmpConfig config;
  private final Duration idleTimeout;
  private final Function<String, Optional<String>> keyVerifier;
  private final PublishSessions sessions;
  private final IngestMetrics metrics;
  private final Duration segmentTargetDuration;

  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private ExecutorService publishExecutor;
  private Channel serverChannel;
  private final AtomicInteger connections = new AtomicInteger();

  /**
   * @param keyVerifier stream key → stream id when valid; called on an event loop, must not block
   * @param idleTimeout a connection sending no byte for this long is closed
   * @param segmentTargetDuration keyframe intervals past it are warned about
   */
  public RtmpServer(
      RtmpConfig config,
      Duration idleTimeout,
      Function<String, Optional<String>> keyVerifier,
      PublishSessions sessions,
      IngestMetrics metrics,
      Duration segmentTargetDuration) {
    this.segmentTargetDuration = segmentTargetDuration;
    this.config = config;
    this.idleTimeout = idleTimeout;
    this.keyVerifier = keyVerifier;
    this.sessions = sessions;
    this.metrics = metrics;
  }

  /** Binds the port. */
  public synchronized void start() throws InterruptedException {
    if (serverChannel != null) {
      return;
    }
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    AtomicInteger threads = new AtomicInteger();
    publishExecutor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "rtmp-publish-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      serverChannel =
          new ServerBootstrap()
              .group(bossGroup, workerGroup)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new IdleStateHandler(
                                  idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                              new RtmpConnection(
                                  config,
                                  keyVerifier,
                                  sessions,
                                  publishExecutor,
                                  metrics,
                                  connections,
                                  segmentTargetDuration));
                    }
                  })
              .bind(config.bind(), config.port())
              .sync()
              .channel();
    } catch (InterruptedException | RuntimeException e) {
      stop();
      throw e;
    }
    log.info("RTMP listening on {}", serverChannel.localAddress());
  }

  /** The bound port (useful with {@code RTMP_PORT=0}). */
  public synchronized int port() {
    if (serverChannel == null) {
      throw new IllegalStateException("RTMP server not started");
    }
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Closes the listener and every connection; sessions end through their connections. */
  public synchronized void stop() {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(STOP_TIMEOUT.toMillis());
      serverChannel = null;
    }
    for (EventLoopGroup group : new EventLoopGroup[] {bossGroup, workerGroup}) {
      if (group != null) {
        group
            .shutdownGracefully(0, STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .awaitUninterruptibly(STOP_TIMEOUT.toMillis());
      }
    }
    bossGroup = null;
    workerGroup = null;
    if (publishExecutor != null) {
      publishExecutor.shutdown();
      publishExecutor = null;
    }
  }
}
