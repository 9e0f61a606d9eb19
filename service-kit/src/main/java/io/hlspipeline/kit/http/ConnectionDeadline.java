package io.hlspipeline.kit.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The time limits of one connection, first in its pipeline (after TLS), so it sees every byte:
 *
 * <ul>
 *   <li>a request header must be complete within the header timeout of the connection's first byte
 *       (or of the first byte after a keep-alive pause): a client that trickles a header
 *       (slowloris) is disconnected, and it costs no thread meanwhile;
 *   <li>a keep-alive connection with no request in flight is closed after the idle timeout;
 *   <li>while a request is in flight (held, or uploading) no connection timer runs: the request's
 *       own timeout applies;
 *   <li>an HTTP/2 connection is closed after the idle timeout without a frame either way.
 * </ul>
 *
 * Event-loop confined.
 */
final class ConnectionDeadline extends ChannelDuplexHandler {
  private enum State {
    HEADER,
    IDLE,
    BUSY,
    HTTP2
  }

  private final HttpService.Shared shared;
  private final long headerTimeoutNanos;
  private final long idleTimeoutNanos;
  private ChannelHandlerContext ctx;
  private State state = State.HEADER;
  private ScheduledFuture<?> timer;
  private long lastActivityNanos = System.nanoTime();

  ConnectionDeadline(HttpService.Shared shared, Duration headerTimeout, Duration idleTimeout) {
    this.shared = shared;
    this.headerTimeoutNanos = headerTimeout.toNanos();
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      arm(headerTimeoutNanos);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (timer == null && state == State.HEADER) {
      arm(headerTimeoutNanos);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    lastActivityNanos = System.nanoTime();
    if (state == State.IDLE) {
      state = State.HEADER;
      arm(headerTimeoutNanos);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    lastActivityNanos = System.nanoTime();
    super.write(ctx, msg, promise);
  }

  /** A request header arrived: no connection timer while it is in flight. */
  void requestStarted() {
    if (state != State.HTTP2) {
      state = State.BUSY;
      cancel();
    }
  }

  /** Its answer went out: the keep-alive pause begins. */
  void requestFinished() {
    if (state != State.HTTP2) {
      state = State.IDLE;
      arm(idleTimeoutNanos);
    }
  }

  /** The connection now speaks HTTP/2: only the idle rule applies. */
  void http2() {
    state = State.HTTP2;
    arm(idleTimeoutNanos);
  }

  private void arm(long nanos) {
    cancel();
    timer = ctx.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
  }

  private void expired() {
    timer = null;
    switch (state) {
      case HEADER -> {
        shared.rejected("header_timeout");
        ctx.close();
      }
      case IDLE -> ctx.close();
      case HTTP2 -> {
        long quietNanos = System.nanoTime() - lastActivityNanos;
        if (quietNanos >= idleTimeoutNanos) {
          ctx.close();
        } else {
          arm(idleTimeoutNanos - quietNanos);
        }
      }
      case BUSY -> {}
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }
}
