package io.hlspipeline.kit.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The time limits of one connection, first in its pipeline (after TLS), so it sees every byte:
 *
 * <ul>
 *   <li>a request header must be complete within the header timeout of the connection's first byte
 *       (or of the first byte after a keep-alive pause): a client that trickles a header
 *       (slowloris) is disconnected, and it costs no thread meanwhile;
 *   <li>a keep-alive connection with no request in flight is closed after the idle timeout;
 *   <li>while a request is in flight (held, or uploading) no connection limit applies: the
 *       request's own timeout does;
 *   <li>an HTTP/2 connection is closed after the idle timeout without a frame either way.
 * </ul>
 *
 * <p>State changes only write fields: no timer is scheduled per request. One {@link Sweeper} per
 * event loop checks its connections' deadlines periodically (a quarter of the shortest timeout,
 * between 10 ms and 1 s), so a limit is enforced within that much of its expiry. Event-loop
 * confined.
 */
final class ConnectionDeadline extends ChannelDuplexHandler {
  private enum State {
    HEADER,
    IDLE,
    BUSY,
    HTTP2
  }

  private final ListenerContext shared;
  private final long headerTimeoutNanos;
  private final long idleTimeoutNanos;
  private ChannelHandlerContext ctx;
  private Sweeper sweeper;
  private State state = State.HEADER;
  private long deadlineNanos;
  private long lastActivityNanos = System.nanoTime();

  ConnectionDeadline(ListenerContext shared, Duration headerTimeout, Duration idleTimeout) {
    this.shared = shared;
    this.headerTimeoutNanos = headerTimeout.toNanos();
    this.idleTimeoutNanos = idleTimeout.toNanos();
    this.deadlineNanos = System.nanoTime() + headerTimeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    long tickNanos =
        Math.max(
            TimeUnit.MILLISECONDS.toNanos(10),
            Math.min(
                TimeUnit.SECONDS.toNanos(1), Math.min(headerTimeoutNanos, idleTimeoutNanos) / 4));
    sweeper = Sweeper.of(shared, ctx.executor(), tickNanos);
    sweeper.add(this);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    long now = System.nanoTime();
    lastActivityNanos = now;
    if (state == State.IDLE) {
      state = State.HEADER;
      deadlineNanos = now + headerTimeoutNanos;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    lastActivityNanos = System.nanoTime();
    super.write(ctx, msg, promise);
  }

  /** A request header arrived: no connection limit while it is in flight. */
  void requestStarted() {
    if (state != State.HTTP2) {
      state = State.BUSY;
    }
  }

  /** Its answer went out: the keep-alive pause begins. */
  void requestFinished() {
    if (state != State.HTTP2) {
      state = State.IDLE;
      deadlineNanos = System.nanoTime() + idleTimeoutNanos;
    }
  }

  /** The connection now speaks HTTP/2: only the idle rule applies. */
  void http2() {
    state = State.HTTP2;
  }

  /** Called by the sweeper on the event loop; closes the connection past its deadline. */
  private void check(long now) {
    switch (state) {
      case HEADER -> {
        if (now - deadlineNanos >= 0) {
          shared.rejected("header_timeout");
          ctx.close();
        }
      }
      case IDLE -> {
        if (now - deadlineNanos >= 0) {
          ctx.close();
        }
      }
      case HTTP2 -> {
        if (now - lastActivityNanos >= idleTimeoutNanos) {
          ctx.close();
        }
      }
      case BUSY -> {}
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    sweeper.remove(this);
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    sweeper.remove(this);
  }

  /** The connections of one event loop with their periodic check. Confined to that loop. */
  static final class Sweeper {
    private final Set<ConnectionDeadline> connections = new LinkedHashSet<>();

    private Sweeper(EventExecutor loop, long tickNanos) {
      loop.scheduleAtFixedRate(this::sweep, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    static Sweeper of(ListenerContext shared, EventExecutor loop, long tickNanos) {
      return shared.sweepers.computeIfAbsent(loop, l -> new Sweeper(l, tickNanos));
    }

    void add(ConnectionDeadline c) {
      connections.add(c);
    }

    void remove(ConnectionDeadline c) {
      connections.remove(c);
    }

    private void sweep() {
      if (connections.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      List<ConnectionDeadline> snapshot = new ArrayList<>(connections);
      for (ConnectionDeadline c : snapshot) {
        c.check(now);
      }
    }
  }

  /** Sweepers by event loop, one map per listener. */
  static Map<EventExecutor, Sweeper> newSweeperMap() {
    return new ConcurrentHashMap<>();
  }
}
