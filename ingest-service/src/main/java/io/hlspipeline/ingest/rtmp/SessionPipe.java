package io.hlspipeline.ingest.rtmp;

import io.hlspipeline.ingest.session.PublishSession;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.ingest.session.TooManyStreamsException;
import io.netty.channel.Channel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Carries one RTMP publisher's session work — open, TS chunks, end — to the publish-session path
 * the HTTP ingest uses, in order and off the event loop: a Kafka send may block (a full producer
 * buffer, metadata unavailable for up to {@code max.block.ms}), the event loop must not. Tasks run
 * one at a time on a shared executor. Back-pressure: past {@link #HIGH_WATER_BYTES} of chunks not
 * yet handed to Kafka the channel stops reading (TCP then slows the publisher); below {@link
 * #LOW_WATER_BYTES} it reads again. A failed Kafka send ends the session ({@code error}) and closes
 * the connection with a WARN naming the cause. Thread-safe.
 */
final class SessionPipe {
  private static final Logger log = LoggerFactory.getLogger(SessionPipe.class);

  /** TS bytes queued for Kafka past which the publisher's socket is no longer read. */
  static final long HIGH_WATER_BYTES = 4L * 1024 * 1024;

  static final long LOW_WATER_BYTES = 1024 * 1024;

  private final PublishSessions sessions;
  private final Executor executor;
  private final Channel channel;
  private final String streamId;
  private final Consumer<String> onEndedElsewhere;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong pendingBytes = new AtomicLong();
  private volatile PublishSession session;
  private volatile boolean closed;

  /**
   * @param onEndedElsewhere called with the end reason when the session is ended from outside the
   *     connection (replaced, superseded, revoked, shutdown), to tell the publisher and close
   */
  SessionPipe(
      PublishSessions sessions,
      Executor executor,
      Channel channel,
      String streamId,
      Consumer<String> onEndedElsewhere) {
    this.sessions = sessions;
    this.executor = executor;
    this.channel = channel;
    this.streamId = streamId;
    this.onEndedElsewhere = onEndedElsewhere;
  }

  /**
   * Opens the session (its PublishStarted is sent, a publisher of the same stream is replaced).
   *
   * @param keyframes the session's keyframe-interval meter (fed by the connection)
   * @param onOpened run on the executor once open
   * @param onRejected run on the executor with the reason when the session cannot open
   */
  void open(
      io.hlspipeline.ingest.gop.KeyframeIntervals keyframes,
      Runnable onOpened,
      Consumer<String> onRejected) {
    submit(
        () -> {
          try {
            session = sessions.open(streamId, "rtmp", this::endedElsewhere, keyframes);
            log.info("session {} started from {}", session.sessionId(), channel.remoteAddress());
            onOpened.run();
          } catch (TooManyStreamsException e) {
            log.warn("rejected: {}", e.getMessage());
            closed = true;
            onRejected.accept(e.getMessage());
          } catch (RuntimeException e) {
            log.warn("cannot open a publish session: {}", e.toString());
            closed = true;
            onRejected.accept("cannot open the publish session");
          }
        });
  }

  /** Queues whole TS packets (at most {@code IngestLimits.MAX_CHUNK_BYTES}). Event loop only. */
  void send(byte[] chunk) {
    if (closed) {
      return;
    }
    if (pendingBytes.addAndGet(chunk.length) > HIGH_WATER_BYTES && channel.config().isAutoRead()) {
      log.debug("Kafka is behind by {} bytes: pausing reads", pendingBytes.get());
      channel.config().setAutoRead(false);
    }
    submit(
        () -> {
          try {
            sendNow(chunk);
          } finally {
            if (pendingBytes.addAndGet(-chunk.length) <= LOW_WATER_BYTES) {
              // on the event loop, after any pause it queued before this point
              channel.eventLoop().execute(this::resumeIfDrained);
            }
          }
        });
  }

  private void sendNow(byte[] chunk) {
    PublishSession s = session;
    if (s == null || closed) {
      return;
    }
    if (s.sendFailure() != null) {
      closed = true;
      log.warn(
          "Kafka rejected a chunk of session {}; ending it and disconnecting the publisher: {}",
          s.sessionId(),
          s.sendFailure().toString());
      sessions.end(s, "error", false);
      channel.close();
      return;
    }
    if (!s.sendChunk(chunk)) {
      // Ended already: by this connection (which closes itself) or from outside, whose disconnect
      // callback (endedElsewhere) tells the publisher why and closes. Closing here too raced that
      // message: an immediate close with the publisher's media unread resets the connection.
      closed = true;
      log.info(
          "session {} ended ({}), dropping a chunk",
          s.sessionId(),
          s.endedFuture().getNow("ended"));
    }
  }

  /** The session was ended from outside: nothing more is sent; the publisher is told why. */
  private void endedElsewhere() {
    closed = true;
    PublishSession s = session;
    onEndedElsewhere.accept(s == null ? "ended" : s.endedFuture().getNow("ended"));
  }

  private void resumeIfDrained() {
    if (pendingBytes.get() <= LOW_WATER_BYTES && !channel.config().isAutoRead() && !closed) {
      channel.config().setAutoRead(true);
    }
  }

  /** Ends the session (no-op when it never opened or already ended). */
  void end(String reason) {
    submit(
        () -> {
          closed = true;
          PublishSession s = session;
          if (s != null && sessions.end(s, reason, false) != null) {
            log.info("session {} ended ({})", s.sessionId(), reason);
          }
        });
  }

  private void submit(Runnable task) {
    tasks.add(task);
    if (draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    MDC.put("streamId", streamId);
    try {
      do {
        Runnable task;
        while ((task = tasks.poll()) != null) {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.warn("publish task failed", e);
          }
        }
        draining.set(false);
      } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
    } finally {
      MDC.remove("streamId");
    }
  }
}
