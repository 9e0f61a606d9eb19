package io.hlspipeline.ingest.rtmp;

import io.hlspipeline.events.ingest.IngestLimits;
import io.hlspipeline.ingest.IngestMetrics;
import io.hlspipeline.ingest.gop.KeyframeIntervals;
import io.hlspipeline.ingest.gop.TsKeyframeScanner;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.flv.FlvToTs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One RTMP publisher connection, on its Netty event loop: handshake, chunk stream, the
 * NetConnection and NetStream commands OBS and ffmpeg send (RTMP specification 1.0 §7.2: connect,
 * createStream, publish, deleteStream; plus releaseStream, FCPublish and FCUnpublish of Flash Media
 * Server), and the media of an accepted publish remuxed to MPEG-TS and handed to a {@link
 * SessionPipe}.
 *
 * <p>Answers: a wrong application gets {@code _error NetConnection.Connect.Rejected}, a wrong
 * stream key {@code onStatus NetStream.Publish.BadName} (ffmpeg prints "Server error: invalid
 * stream key"), a full instance {@code NetStream.Publish.Failed}; the connection then closes.
 * Protocol errors and broken media close it at once. The stream key never reaches a log. Memory:
 * before a publish is accepted messages are limited to {@link #COMMAND_MESSAGE_BYTES}; after, to
 * the configured frame size. Not thread-safe: Netty calls it on one event loop.
 */
final class RtmpConnection extends ChannelInboundHandlerAdapter implements ChunkDecoder.Listener {
  private static final Logger log = LoggerFactory.getLogger(RtmpConnection.class);

  /** The one application: {@code rtmp://host/live/{streamKey}}. */
  static final String APP = "live";

  /** Largest message before a publish is accepted: commands are a few hundred bytes. */
  static final int COMMAND_MESSAGE_BYTES = 64 * 1024;

  /** Our outgoing chunk size, announced right after connect. */
  static final int OUT_CHUNK_SIZE = 4096;

  /** Window Acknowledgement Size and peer bandwidth we announce (as nginx-rtmp does). */
  static final long WINDOW_ACK_BYTES = 5_000_000;

  /** After an error status the client gets this long to read it and hang up itself. */
  static final long CLOSE_AFTER_ERROR_MS = 2000;

  /** TS bytes gathered before they go to the session within one network read. */
  static final int FLUSH_BYTES = 64 * 1024;

  private enum State {
    COMMANDS,
    PUBLISHING,
    DONE
  }

  private final Handshake handshake = new Handshake();
  private final ChunkDecoder decoder;
  private final RtmpConfig config;
  private final Function<String, Optional<String>> keyVerifier;
  private final PublishSessions sessions;
  private final Executor publishExecutor;
  private final IngestMetrics metrics;
  private final AtomicInteger connections;
  private final java.time.Duration segmentTargetDuration;
  private TsKeyframeScanner keyframeScanner;

  /** TS of the remuxed media; made at publish, so a connection that never publishes costs none. */
  private ByteArrayOutputStream ts;

  private ChannelHandlerContext ctx;
  private State state = State.COMMANDS;
  private int outChunkSize = ChunkDecoder.DEFAULT_CHUNK_SIZE;
  private long peerWindowBytes;
  private long ackedBytes;
  private int nextMessageStreamId = 1;
  private String streamId;
  private SessionPipe pipe;
  private FlvToTs remux;
  private String endReason = "error";

  RtmpConnection(
      RtmpConfig config,
      Function<String, Optional<String>> keyVerifier,
      PublishSessions sessions,
      Executor publishExecutor,
      IngestMetrics metrics,
      AtomicInteger connections,
      java.time.Duration segmentTargetDuration) {
    this.config = config;
    this.segmentTargetDuration = segmentTargetDuration;
    this.connections = connections;
    this.keyVerifier = keyVerifier;
    this.sessions = sessions;
    this.publishExecutor = publishExecutor;
    this.metrics = metrics;
    this.decoder =
        new ChunkDecoder(
            config.maxChunkSize(), COMMAND_MESSAGE_BYTES, 2 * COMMAND_MESSAGE_BYTES, this);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (connections.incrementAndGet() > config.maxConnections()) {
      log.warn(
          "closing an RTMP connection from {}: {} connections open already",
          ctx.channel().remoteAddress(),
          config.maxConnections());
      state = State.DONE;
      ctx.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    if (streamId != null) {
      MDC.put("streamId", streamId);
    }
    try {
      if (state == State.DONE) {
        return;
      }
      ByteBuffer in = buf.nioBuffer();
      if (!handshake.done()) {
        byte[] reply = handshake.feed(in);
        if (reply != null) {
          ctx.write(Unpooled.wrappedBuffer(reply));
        }
      }
      if (handshake.done() && in.hasRemaining()) {
        decoder.feed(in);
        acknowledge();
      }
    } catch (RtmpProtocolException e) {
      log.warn(
          "closing the RTMP connection from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
      ctx.close();
    } finally {
      buf.release();
      MDC.remove("streamId");
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (streamId != null) {
      MDC.put("streamId", streamId); // the GOP check may warn while the TS is scanned
    }
    try {
      flushTs();
    } finally {
      MDC.remove("streamId");
    }
    ctx.flush();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (!ctx.channel().config().isAutoRead()) {
        // reads were paused for Kafka all that time: a Kafka outage, not a silent publisher
        log.warn(
            "Kafka has not taken the stream's data for the idle timeout; disconnecting the"
                + " publisher at {}",
            ctx.channel().remoteAddress());
        endReason = "error";
      } else {
        log.info("disconnecting an idle RTMP connection from {}", ctx.channel().remoteAddress());
        endReason = "timeout";
      }
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.info("RTMP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connections.decrementAndGet();
    if (state == State.PUBLISHING) {
      finishRemux();
      pipe.end(endReason);
      state = State.DONE;
    }
  }

  @Override
  public void onMessage(RtmpMessage m) throws RtmpProtocolException {
    switch (m.typeId()) {
      case RtmpMessage.COMMAND_AMF0 -> command(m, 0);
      // §7.1.1: an AMF3 command message starts with a format byte, then AMF0 in practice
      case RtmpMessage.COMMAND_AMF3 -> command(m, 1);
      case RtmpMessage.VIDEO, RtmpMessage.AUDIO -> media(m);
      case RtmpMessage.WINDOW_ACK_SIZE -> {
        if (m.payload().length >= 4) {
          peerWindowBytes = ChunkDecoder.readU32(m.payload(), 0);
        }
      }
      default -> {
        // data (@setDataFrame onMetaData), user control, acknowledgements, peer bandwidth
      }
    }
  }

  private void media(RtmpMessage m) throws RtmpProtocolException {
    if (state != State.PUBLISHING) {
      return;
    }
    try {
      if (m.typeId() == RtmpMessage.VIDEO) {
        remux.videoTag(m.timestampMs(), m.payload(), 0, m.payload().length);
      } else {
        remux.audioTag(m.timestampMs(), m.payload(), 0, m.payload().length);
      }
    } catch (MalformedMediaException e) {
      throw new RtmpProtocolException("unusable media: " + e.getMessage());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    if (ts.size() >= FLUSH_BYTES) {
      flushTs();
    }
  }

  private void command(RtmpMessage m, int skip) throws RtmpProtocolException {
    byte[] p = m.payload();
    List<Object> v =
        Amf0.decodeAll(p, Math.min(skip, p.length), p.length - Math.min(skip, p.length));
    if (v.isEmpty() || !(v.get(0) instanceof String name)) {
      throw new RtmpProtocolException("command message without a command name");
    }
    double txn = v.size() > 1 && v.get(1) instanceof Double d ? d : 0;
    switch (name) {
      case "connect" -> connect(txn, v.size() > 2 ? v.get(2) : null);
      case "releaseStream", "FCPublish" -> {
        if (txn != 0) {
          reply(Amf0.encode("_result", txn, null));
        }
      }
      case "createStream" ->
          reply(Amf0.encode("_result", txn, null, (double) nextMessageStreamId++));
      case "publish" -> publish(m.messageStreamId(), v.size() > 3 ? v.get(3) : null);
      case "FCUnpublish", "deleteStream", "closeStream" -> unpublish();
      default -> log.debug("ignoring RTMP command {}", name);
    }
  }

  private void connect(double txn, Object commandObject) {
    String app =
        commandObject instanceof Map<?, ?> props && props.get("app") instanceof String s ? s : "";
    int query = app.indexOf('?');
    app = (query >= 0 ? app.substring(0, query) : app).replaceAll("/+$", "");
    if (!APP.equals(app)) {
      log.info(
          "rejected an RTMP connect to an unknown application from {}",
          ctx.channel().remoteAddress());
      reply(
          Amf0.encode(
              "_error",
              txn,
              null,
              status(
                  "error",
                  "NetConnection.Connect.Rejected",
                  "unknown application: use rtmp://host/" + APP + "/{streamKey}")));
      closeSoon();
      return;
    }
    ctx.write(
        wrap(ChunkEncoder.control(RtmpMessage.WINDOW_ACK_SIZE, WINDOW_ACK_BYTES, outChunkSize)));
    ctx.write(wrap(ChunkEncoder.setPeerBandwidth(WINDOW_ACK_BYTES, outChunkSize)));
    ctx.write(wrap(ChunkEncoder.control(RtmpMessage.SET_CHUNK_SIZE, OUT_CHUNK_SIZE, outChunkSize)));
    outChunkSize = OUT_CHUNK_SIZE;
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("fmsVer", "FMS/3,0,1,123");
    server.put("capabilities", 31.0);
    Map<String, Object> info =
        status("status", "NetConnection.Connect.Success", "Connection succeeded.");
    info.put("objectEncoding", 0.0);
    reply(Amf0.encode("_result", txn, server, info));
  }

  private void publish(int messageStreamId, Object name) throws RtmpProtocolException {
    if (state != State.COMMANDS) {
      throw new RtmpProtocolException("publish twice on one connection");
    }
    String key = name instanceof String s ? s : "";
    int query = key.indexOf('?');
    if (query >= 0) {
      key = key.substring(0, query);
    }
    Optional<String> id = keyVerifier.apply(key);
    if (id.isEmpty()) {
      metrics.keyRejected();
      log.info(
          "rejected an RTMP publish with an invalid stream key from {}",
          ctx.channel().remoteAddress());
      onStatus(messageStreamId, "error", "NetStream.Publish.BadName", "invalid stream key");
      closeSoon();
      return;
    }
    streamId = id.get();
    MDC.put("streamId", streamId);
    state = State.PUBLISHING;
    decoder.setMessageLimits(config.maxMessageBytes(), 2 * config.maxMessageBytes());
    ts = new ByteArrayOutputStream(FLUSH_BYTES * 2);
    remux = new FlvToTs(ts);
    KeyframeIntervals keyframes = new KeyframeIntervals(segmentTargetDuration);
    keyframeScanner = new TsKeyframeScanner(keyframes);
    pipe =
        new SessionPipe(
            sessions,
            publishExecutor,
            ctx.channel(),
            streamId,
            reason -> ctx.executor().execute(() -> endedElsewhere(messageStreamId, reason)));
    pipe.open(
        keyframes,
        () ->
            ctx.executor()
                .execute(
                    () -> {
                      ctx.write(wrap(ChunkEncoder.streamBegin(messageStreamId, outChunkSize)));
                      onStatus(messageStreamId, "status", "NetStream.Publish.Start", "publishing");
                      ctx.flush();
                    }),
        reason ->
            ctx.executor()
                .execute(
                    () -> {
                      state = State.DONE;
                      onStatus(messageStreamId, "error", "NetStream.Publish.Failed", reason);
                      closeSoon();
                    }));
  }

  /**
   * The session was ended from outside the connection (a newer publisher, a revoked key, shutdown):
   * an {@code onStatus} error saying why (ffmpeg prints "Server error: ..." and exits), then the
   * connection closes unless the publisher hangs up first (closing at once, with its media unread,
   * would reset the connection and the publisher might never read why). Event loop only.
   */
  private void endedElsewhere(int messageStreamId, String reason) {
    if (state != State.PUBLISHING) {
      ctx.close();
      return;
    }
    state = State.DONE;
    log.info("publish session ended ({}); telling the publisher and disconnecting", reason);
    onStatus(messageStreamId, "error", "NetStream.Publish.Failed", describeEnd(reason));
    closeSoon();
  }

  private static String describeEnd(String reason) {
    return switch (reason) {
      case "replaced" -> "replaced by a newer publisher of this stream";
      case "revoked" -> "stream key revoked";
      case "shutdown" -> "server shutting down; reconnect";
      case "timeout" -> "no media for the idle timeout";
      default -> "publish session ended: " + reason;
    };
  }

  private void unpublish() {
    if (state == State.PUBLISHING) {
      finishRemux();
      pipe.end("eof");
      state = State.DONE;
    }
  }

  /** Writes frames the remuxer still holds, then hands all TS to the session. */
  private void finishRemux() {
    try {
      remux.finish();
    } catch (MalformedMediaException e) {
      log.warn("dropping the last frames of the stream: {}", e.getMessage());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    flushTs();
  }

  /** Hands the TS gathered so far to the session, in chunks of whole packets. */
  private void flushTs() {
    if (state != State.PUBLISHING || ts.size() == 0) {
      return;
    }
    byte[] all = ts.toByteArray();
    ts.reset();
    keyframeScanner.scan(all, 0, all.length);
    metrics.bytesReceived(all.length);
    for (int p = 0; p < all.length; p += IngestLimits.MAX_CHUNK_BYTES) {
      int n = Math.min(IngestLimits.MAX_CHUNK_BYTES, all.length - p);
      byte[] chunk = new byte[n];
      System.arraycopy(all, p, chunk, 0, n);
      pipe.send(chunk);
    }
  }

  /** §5.4.3: an Acknowledgement each time the peer's window of bytes has arrived. */
  private void acknowledge() {
    long received = decoder.bytesReceived();
    if (peerWindowBytes > 0 && received - ackedBytes >= peerWindowBytes) {
      ackedBytes = received;
      ctx.write(
          wrap(
              ChunkEncoder.control(
                  RtmpMessage.ACKNOWLEDGEMENT, received & 0xFFFFFFFFL, outChunkSize)));
    }
  }

  private void reply(byte[] amf) {
    ctx.write(
        wrap(
            ChunkEncoder.encode(
                ChunkEncoder.COMMAND_CHUNK_STREAM,
                RtmpMessage.COMMAND_AMF0,
                0,
                amf,
                outChunkSize)));
  }

  private void onStatus(int messageStreamId, String level, String code, String description) {
    ctx.write(
        wrap(
            ChunkEncoder.encode(
                ChunkEncoder.STATUS_CHUNK_STREAM,
                RtmpMessage.COMMAND_AMF0,
                messageStreamId,
                Amf0.encode("onStatus", 0.0, null, status(level, code, description)),
                outChunkSize)));
  }

  private static Map<String, Object> status(String level, String code, String description) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("level", level);
    info.put("code", code);
    info.put("description", description);
    return info;
  }

  /** Stops reading, flushes what we wrote, and closes unless the client hangs up first. */
  private void closeSoon() {
    state = State.DONE;
    ctx.flush();
    ctx.executor().schedule(() -> ctx.close(), CLOSE_AFTER_ERROR_MS, TimeUnit.MILLISECONDS);
  }

  private static ByteBuf wrap(byte[] bytes) {
    return Unpooled.wrappedBuffer(bytes);
  }
}
