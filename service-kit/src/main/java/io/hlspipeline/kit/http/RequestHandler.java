package io.hlspipeline.kit.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Turns the decoded HTTP messages of one HTTP/1.1 connection, or of one HTTP/2 stream, into {@link
 * Exchange}s: routes them, collects or streams the body, dispatches the handler, and enforces the
 * request timeout. On HTTP/1.1 one request is in flight at a time: the connection stops reading
 * once a request is complete and resumes after its answer, so pipelined requests are answered in
 * order and a held request holds no buffer beyond the socket's.
 *
 * <p>An answer sent before the request body ended (an upload cut short, a body too large, a
 * timeout) ends the request without destroying that answer: on HTTP/2 the stream is reset with
 * {@code NO_ERROR} after the answer (RFC 9113 §8.1: the client stops sending and keeps the answer);
 * on HTTP/1.1 the answer says {@code Connection: close}, then the connection lingers: it
 * half-closes (cleartext) and reads and drops what the client still sends until the client closes,
 * {@link #LINGER_TIME} passes or {@link #LINGER_MAX_BYTES} came, and only then closes. Closing at
 * once with unread bytes in the socket would make the kernel send a reset, which can destroy the
 * answer before the client read it.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  /** Pipelined messages kept while a request is in flight; more closes the connection. */
  private static final int MAX_PENDING_MESSAGES = 1024;

  /** Longest an HTTP/1.1 connection lingers after an answer sent before the body's end. */
  static final Duration LINGER_TIME = Duration.ofSeconds(2);

  /** Most body bytes dropped while lingering; past them the connection closes. */
  static final long LINGER_MAX_BYTES = 8L * 1024 * 1024;

  private final ListenerContext shared;
  private final boolean http2Stream;
  private final ArrayDeque<Object> pending = new ArrayDeque<>();

  private ChannelHandlerContext ctx;
  private Exchange current;
  private boolean currentRequestRead;
  private CompositeByteBuf collecting;
  private boolean discardingBody;
  private ScheduledFuture<?> timeout;

  RequestHandler(ListenerContext shared, boolean http2Stream) {
    this.shared = shared;
    this.http2Stream = http2Stream;
  }

  /** This connection's deadline (HTTP/1.1 only), looked up once. */
  private ConnectionDeadline deadline;

  /** Reading was paused because a pipelined request waits behind the one in flight. */
  private boolean readPaused;

  /** The body of the current request is being collected (non-streaming route). */
  private boolean collectingBody;

  /** HTTP/1.1, answered before the body ended: everything read is dropped until the close. */
  private boolean lingering;

  private long lingerBytes;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.deadline = http2Stream ? null : ctx.pipeline().get(ConnectionDeadline.class);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) {
      if (msg instanceof HttpContent content) {
        lingerBytes += content.content().readableBytes();
      }
      ReferenceCountUtil.release(msg);
      if (lingerBytes > LINGER_MAX_BYTES) {
        ctx.close();
      }
      return;
    }
    if (!(msg instanceof HttpRequest) && !(msg instanceof HttpContent)) {
      // HTTP/2 connection-level frames that reach the parent after an upgrade.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (current != null && currentRequestRead) {
      // Pipelined behind a request in flight: keep it for later, stop reading meanwhile.
      if (pending.size() >= MAX_PENDING_MESSAGES) {
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      pending.add(msg);
      if (!readPaused) {
        readPaused = true;
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    process(msg);
  }

  private void process(Object msg) {
    try {
      if (msg instanceof HttpRequest request) {
        onRequest(request);
      }
      if (msg instanceof HttpContent content) {
        onContent(content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(HttpRequest request) {
    if (deadline != null) {
      deadline.requestStarted();
    }
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      Throwable cause = decoded.cause();
      int status =
          cause instanceof TooLongHttpLineException
              ? 414
              : cause instanceof TooLongHttpHeaderException
                  ? 431
                  : cause instanceof TooLongFrameException ? 431 : 400;
      shared.rejected(status == 400 ? "malformed" : "too_large");
      rejectAndClose(request, status, status == 400 ? "malformed request" : "request too large");
      return;
    }
    String uri = request.uri();
    int scheme = uri.indexOf("://");
    if (scheme > 0 && scheme < 6) {
      // Absolute form (RFC 9112 §3.2.2): keep the path and query.
      int slash = uri.indexOf('/', scheme + 3);
      uri = slash < 0 ? "/" : uri.substring(slash);
    }
    if (!uri.startsWith("/")) {
      rejectAndClose(request, 400, "malformed request target");
      return;
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String rawQuery = q < 0 ? null : uri.substring(q + 1);
    HttpService.Route route = shared.match(rawPath);
    boolean keepAlive = http2Stream || HttpUtil.isKeepAlive(request);
    String logPath =
        route.options().secretPathTail() ? route.prefix() + "[hidden]" : truncate(rawPath);
    long declared = HttpUtil.getContentLength(request, -1L);
    if (!route.options().streamingBody() && declared > shared.settings().maxBodyBytes()) {
      shared.rejected("too_large");
      rejectAndClose(request, 413, "request body too large");
      return;
    }
    BodyStream stream = route.options().streamingBody() ? new BodyStream(ctx.channel()) : null;
    Exchange ex =
        newExchange(request, rawPath, rawQuery, stream, route.prefix(), route.prefix(), logPath);
    ex.closeAfter = !keepAlive || shared.draining();
    current = ex;
    currentRequestRead = false;
    discardingBody = false;
    timeoutNanos =
        route.options().effectiveTimeout(shared.settings()).map(d -> d.toNanos()).orElse(-1L);
    boolean hasBody =
        HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    if (hasBody || stream != null) {
      // The limit covers receiving the body too.
      armTimeout(ex);
    }
    if (stream != null) {
      dispatch(route, ex);
    } else {
      // Collected lazily: a GET allocates nothing for its (absent) body.
      collectingBody = true;
      pendingRoute = route;
    }
  }

  private HttpService.Route pendingRoute;

  private void onContent(HttpContent content) {
    Exchange ex = current;
    if (ex == null) {
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      // Before the stream sees its end: a worker reading it may answer at once, and that answer
      // must not count as one sent before the body's end.
      ex.requestRead = true;
    }
    BodyStream stream = ex.streamingBody();
    if (stream != null) {
      stream.offer(content.content().retain());
      if (last) {
        stream.end();
      }
    } else if (!discardingBody && collectingBody) {
      int size = collecting == null ? 0 : collecting.readableBytes();
      if (size + content.content().readableBytes() > shared.settings().maxBodyBytes()) {
        shared.rejected("too_large");
        if (collecting != null) {
          collecting.release();
          collecting = null;
        }
        collectingBody = false;
        ex.closeAfter = true;
        discardingBody = true;
        Responses.problem(ex, 413, "request body too large");
      } else if (content.content().isReadable()) {
        if (collecting == null) {
          collecting = ctx.alloc().compositeBuffer();
        }
        collecting.addComponent(true, content.content().retain());
      }
    }
    if (last) {
      // One request in flight per HTTP/1.1 connection: whatever the client pipelines behind it
      // is kept (reading paused) until it is answered.
      currentRequestRead = true;
      if (collectingBody && !discardingBody) {
        collectingBody = false;
        ByteBuf body = collecting;
        collecting = null;
        if (body != null) {
          ex.attachBody(body);
        }
        dispatch(pendingRoute, ex);
      }
    }
  }

  private Exchange newExchange(
      HttpRequest request,
      String rawPath,
      String rawQuery,
      BodyStream stream,
      String routePrefix,
      String routeTag,
      String logPath) {
    return new Exchange(
        ctx.channel(),
        request,
        rawPath,
        rawQuery,
        stream,
        routeTag,
        logPath,
        shared.workers(),
        this::completed);
  }

  private void dispatch(HttpService.Route route, Exchange ex) {
    if (shared.active.get() >= shared.settings().maxActiveRequests()) {
      shared.rejected("too_many_requests");
      ex.setHeader(HttpHeaderNames.RETRY_AFTER, "1");
      ex.setHeader(HttpHeaderNames.CACHE_CONTROL, "no-store");
      Responses.problem(ex, 503, "too many requests in flight, retry later");
      return;
    }
    ex.counted = true;
    shared.requestStarted();
    if (route.options().worker()) {
      armTimeout(ex);
      shared.workers().run(ex, route.handler());
    } else {
      shared.workers().runInline(ex, route.handler());
      // Most inline answers are immediate: a timer only for those held.
      armTimeout(ex);
    }
  }

  /** Answers 503 if {@code ex} is still unanswered after the route's request timeout. */
  private void armTimeout(Exchange ex) {
    if (timeoutNanos < 0 || timeout != null || ex.isAnswered() || current != ex) {
      return;
    }
    timeout =
        ctx.executor()
            .schedule(
                () -> {
                  if (!ex.isAnswered()) {
                    shared.timedOut();
                    ex.respondAsServer(
                        503,
                        "request timed out",
                        new io.netty.handler.codec.http.DefaultHttpHeaders()
                            .set(HttpHeaderNames.RETRY_AFTER, "1")
                            .set(HttpHeaderNames.CACHE_CONTROL, "no-store"));
                  }
                },
                timeoutNanos,
                TimeUnit.NANOSECONDS);
  }

  private long timeoutNanos = -1;

  /** Any thread: the answer went out (or the exchange was abandoned). */
  private void completed(Exchange ex, int status, long bodyBytes, boolean aborted) {
    if (ctx.executor().inEventLoop()) {
      afterAnswer(ex, status, bodyBytes, aborted);
    } else {
      ctx.executor().execute(() -> afterAnswer(ex, status, bodyBytes, aborted));
    }
  }

  private void afterAnswer(Exchange ex, int status, long bodyBytes, boolean aborted) {
    shared.requestFinished(ex, status, bodyBytes, aborted);
    if (timeout != null && current == ex) {
      timeout.cancel(false);
      timeout = null;
    }
    ex.releaseBody();
    if (current != ex) {
      return;
    }
    if (aborted) {
      // No answer: HTTP/1.1 drops the connection, HTTP/2 resets the stream (CANCEL).
      ctx.close();
      current = null;
      return;
    }
    if (!currentRequestRead) {
      current = null;
      endAfterEarlyAnswer(ex);
      return;
    }
    if (ex.closeAfter || shared.draining()) {
      ctx.close();
      current = null;
      return;
    }
    current = null;
    if (http2Stream) {
      return;
    }
    if (deadline != null) {
      deadline.requestFinished();
    }
    // Replay what was pipelined until a request is complete and in flight again.
    while (!pending.isEmpty() && (current == null || !currentRequestRead)) {
      process(pending.poll());
    }
    if (readPaused && pending.isEmpty() && (current == null || !currentRequestRead)) {
      readPaused = false;
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  /**
   * The answer went out before the request body ended: the handler reads no more of it, and the
   * client is told to stop sending without losing the answer (see the class comment).
   */
  private void endAfterEarlyAnswer(Exchange ex) {
    BodyStream stream = ex.streamingBody();
    if (stream != null) {
      stream.answeredEarly();
    }
    if (collecting != null) {
      collecting.release();
      collecting = null;
    }
    collectingBody = false;
    discardingBody = true;
    if (http2Stream) {
      // After the answer's END_STREAM: the stream closes here (no CANCEL when the channel closes)
      // and the codec drops the DATA frames still on their way, returning their flow-control
      // credit. A stream the client ended meanwhile is closed already: no frame is due on it.
      if (ctx.channel() instanceof Http2StreamChannel child
          && child.stream().state() != Http2Stream.State.CLOSED) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))
            .addListener(f -> ctx.close());
      } else {
        ctx.close();
      }
      return;
    }
    lingering = true;
    pending.forEach(ReferenceCountUtil::release);
    pending.clear();
    Channel channel = ctx.channel();
    if (channel.pipeline().get(SslHandler.class) == null && channel instanceof DuplexChannel d) {
      // FIN after the answer: the client reads the answer and then the end of the connection.
      d.shutdownOutput();
    }
    lingerClose =
        ctx.executor().schedule(() -> ctx.close(), LINGER_TIME.toNanos(), TimeUnit.NANOSECONDS);
    channel.config().setAutoRead(true);
    readPaused = false;
    ctx.read();
  }

  private ScheduledFuture<?> lingerClose;

  private void rejectAndClose(HttpRequest request, int status, String message) {
    Exchange ex = newExchange(request, "/", null, null, "none", "none", "/");
    ex.closeAfter = true;
    current = ex;
    currentRequestRead = false;
    discardingBody = true;
    ex.respond(
        status,
        "text/plain; charset=utf-8",
        Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Exchange ex = current;
    current = null;
    if (ex != null) {
      BodyStream stream = ex.streamingBody();
      if (stream != null) {
        stream.fail(new IOException("connection closed by the client"));
      }
      if (ex.abandon()) {
        shared.requestFinished(ex, 0, 0, true);
      }
    }
    if (collecting != null) {
      collecting.release();
      collecting = null;
    }
    collectingBody = false;
    pending.forEach(ReferenceCountUtil::release);
    pending.clear();
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (lingerClose != null) {
      lingerClose.cancel(false);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    shared.connectionError(cause);
    ctx.close();
  }

  private static String truncate(String path) {
    return path.length() <= 200 ? path : path.substring(0, 200) + "...";
  }
}
