package io.hlspipeline.kit.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request and its one answer. The request side (method, raw path and query, headers, body) is
 * immutable; the answer is sent once, by {@link #respond}, from any thread: later calls are ignored
 * and return false. Response headers set before the answer go with it.
 *
 * <p>A handler that wants more time answers later (the request is then "held": it costs no thread),
 * within the route's request timeout, after which the server answers 503 itself. {@link #offload}
 * runs slow work (a storage read, a catalog call) on the service's bounded worker pool.
 *
 * <p>An answer may go out before the request body has ended (an upload refused or cut short): the
 * client gets the whole answer, and then, on HTTP/2, {@code RST_STREAM} with {@code NO_ERROR} asks
 * it to stop sending (RFC 9113 §8.1); on HTTP/1.1 the answer carries {@code Connection: close}, the
 * server half-closes (cleartext; over TLS it keeps its side open) and reads and drops what the
 * client still sends, for at most 2 s and 8 MiB (or until the client closes), before it closes (so
 * the kernel does not reset the connection over unread bytes before the client read the answer).
 * Reads of a streamed body throw once the answer is out.
 */
public final class Exchange {
  /** What the connection learns when the answer has gone out, or the exchange was abandoned. */
  interface Completion {
    void completed(Exchange exchange, int status, long bodyBytes, boolean aborted);
  }

  private final Channel channel;
  private final HttpRequest request;
  private final String rawPath;
  private final String rawQuery;
  private ByteBuf body;
  private final BodyStream bodyStream;
  private final String route;
  private final String logPath;
  private final Workers workers;
  private final Completion completion;
  private final HttpHeaders responseHeaders = new DefaultHttpHeaders();
  private final AtomicBoolean answered = new AtomicBoolean();
  final long startNanos = System.nanoTime();
  volatile boolean closeAfter;

  /** The request, body included, has been read to its end (set on the event loop). */
  volatile boolean requestRead;

  boolean counted;

  Exchange(
      Channel channel,
      HttpRequest request,
      String rawPath,
      String rawQuery,
      BodyStream bodyStream,
      String route,
      String logPath,
      Workers workers,
      Completion completion) {
    this.channel = channel;
    this.request = request;
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
    this.bodyStream = bodyStream;
    this.route = route;
    this.logPath = logPath;
    this.workers = workers;
    this.completion = completion;
  }

  /** The method as sent, e.g. {@code GET}. */
  public String method() {
    return request.method().name();
  }

  public boolean isHead() {
    return HttpMethod.HEAD.equals(request.method());
  }

  /** The path as sent, still percent-encoded, without the query. Starts with {@code /}. */
  public String rawPath() {
    return rawPath;
  }

  /** The query as sent (after {@code ?}), still percent-encoded; null when there is none. */
  public String rawQuery() {
    return rawQuery;
  }

  /** A request header's first value, or null. */
  public String requestHeader(CharSequence name) {
    return request.headers().get(name);
  }

  /** The route prefix that matched. */
  public String route() {
    return route;
  }

  /** The path as logs may show it (a secret tail hidden). */
  public String logPath() {
    return logPath;
  }

  public SocketAddress remoteAddress() {
    Channel c = channel.parent() != null ? channel.parent() : channel;
    SocketAddress a = c.remoteAddress();
    return a != null ? a : new InetSocketAddress(0);
  }

  /** The whole body of a non-streaming route (empty when none), as a new array. */
  public byte[] bodyBytes() {
    ByteBuf b = body;
    return b == null ? new byte[0] : ByteBufUtil.getBytes(b);
  }

  /**
   * The body of a streaming route as it arrives; reads block until bytes come, and end at the
   * body's end. Closing the connection (client gone, {@link #abort()}) or answering before the
   * body's end makes reads throw.
   *
   * @throws IllegalStateException on a route that does not stream bodies
   */
  public InputStream bodyStream() {
    if (bodyStream == null) {
      throw new IllegalStateException("route " + route + " does not stream request bodies");
    }
    return bodyStream;
  }

  /** Sets a response header, replacing an earlier value. */
  public Exchange setHeader(CharSequence name, Object value) {
    responseHeaders.set(name, value);
    return this;
  }

  /** Whether an answer was sent (or the exchange abandoned). */
  public boolean isAnswered() {
    return answered.get();
  }

  /**
   * Sends the answer: status, {@code Content-Type} (unless null), {@code Content-Length} and the
   * body, which this call owns (released if the answer is not sent). For {@code HEAD} and for
   * 1xx/204/304 no body is sent.
   *
   * @return false if an answer had been sent already
   */
  public boolean respond(int status, String contentType, ByteBuf content) {
    return respond(status, contentType, content, responseHeaders);
  }

  /**
   * The server's own answer (a timeout) with only {@code headers}: the handler may be setting its
   * headers on another thread meanwhile, so they are not touched.
   */
  boolean respondAsServer(int status, String message, HttpHeaders headers) {
    return respond(
        status,
        "text/plain; charset=utf-8",
        Unpooled.copiedBuffer(message + "\n", java.nio.charset.StandardCharsets.UTF_8),
        headers);
  }

  private boolean respond(int status, String contentType, ByteBuf content, HttpHeaders headers) {
    if (!answered.compareAndSet(false, true)) {
      content.release();
      return false;
    }
    boolean noBody = isHead() || status == 204 || status == 304 || status < 200;
    long length = content.readableBytes();
    ByteBuf sent = content;
    if (noBody) {
      content.release();
      sent = Unpooled.EMPTY_BUFFER;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), sent);
    response.headers().set(headers);
    if (contentType != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    if (status != 204 && status != 304 && status >= 200) {
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    }
    if (closeAfter || !requestRead || workers.draining()) {
      // Not read to its end: the rest of an HTTP/1.1 body cannot be skipped, the connection ends
      // after this answer (HTTP/2 drops this header: its stream is reset instead).
      response.headers().set(HttpHeaderNames.CONNECTION, "close");
    }
    long bodyBytes = noBody ? 0 : length;
    channel
        .writeAndFlush(response)
        .addListener(
            f -> completion.completed(this, status, f.isSuccess() ? bodyBytes : 0, !f.isSuccess()));
    return true;
  }

  /** {@link #respond(int, String, ByteBuf)} with an array (wrapped, not copied). */
  public boolean respond(int status, String contentType, byte[] content) {
    return respond(status, contentType, Unpooled.wrappedBuffer(content));
  }

  /**
   * Runs {@code task} on the service's bounded worker pool; when the pool is full, answers 503 with
   * {@code Retry-After} instead. A task that throws before answering gets a 500.
   */
  public void offload(HttpHandler task) {
    workers.run(this, task);
  }

  /**
   * Drops the connection (HTTP/1.1) or resets the stream (HTTP/2, {@code CANCEL}) without an
   * answer: for a publisher to be disconnected. Does nothing once an answer was sent: that answer
   * ends the request as the class comment says, and closing now could destroy it unread.
   */
  public void abort() {
    if (answered.compareAndSet(false, true)) {
      completion.completed(this, 0, 0, true);
      channel.close();
    }
  }

  /** Marks the exchange answered without sending (the connection is gone). */
  boolean abandon() {
    return answered.compareAndSet(false, true);
  }

  /** Event loop: the collected body, owned from now on by this exchange. */
  void attachBody(ByteBuf collected) {
    body = collected;
  }

  /** Event loop, after the answer: frees the collected body. */
  void releaseBody() {
    ByteBuf b = body;
    body = null;
    if (b != null) {
      b.release();
    }
  }

  BodyStream streamingBody() {
    return bodyStream;
  }

  Channel channel() {
    return channel;
  }
}
