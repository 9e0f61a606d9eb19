package io.hlspipeline.ingest.session;

import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.ingest.gop.KeyframeIntervals;
import io.hlspipeline.ingest.publish.IngestPublisher;
import io.micrometer.core.instrument.Counter;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One publish session of one stream: from its PublishStarted to its PublishEnded record. Its
 * records carry sequence numbers 0 (PublishStarted), 1, 2, ... A session is ended exactly once;
 * after that it sends nothing, so a publisher that was replaced cannot interleave chunks with its
 * successor. Thread-safe: the connection's thread sends chunks, a take-over, the idle watchdog or
 * shutdown may end it concurrently.
 */
public final class PublishSession {
  private final IngestPublisher publisher;
  private final Clock clock;
  private final String streamId;
  private final String sessionId;
  private final Instant startedAt;
  private final Runnable disconnect;
  private final String source;
  private final KeyframeIntervals keyframes;
  private final Counter streamBytes;
  private final java.util.concurrent.atomic.AtomicLong bytes =
      new java.util.concurrent.atomic.AtomicLong();
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  private final CompletableFuture<String> ended = new CompletableFuture<>();

  private long nextSequence = 1;
  private volatile long lastActivityNanos;

  PublishSession(
      IngestPublisher publisher,
      Clock clock,
      String streamId,
      String sessionId,
      Instant startedAt,
      String source,
      KeyframeIntervals keyframes,
      Counter streamBytes,
      Runnable disconnect) {
    this.publisher = publisher;
    this.clock = clock;
    this.streamId = Objects.requireNonNull(streamId, "streamId");
    this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
    this.startedAt = startedAt;
    this.disconnect = disconnect;
    this.source = Objects.requireNonNull(source, "source");
    this.keyframes = Objects.requireNonNull(keyframes, "keyframes");
    this.streamBytes = Objects.requireNonNull(streamBytes, "streamBytes");
    this.lastActivityNanos = System.nanoTime();
  }

  public String streamId() {
    return streamId;
  }

  public String sessionId() {
    return sessionId;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** {@code http} or {@code rtmp}. */
  public String source() {
    return source;
  }

  /** The keyframe intervals measured on this session's media. */
  public KeyframeIntervals keyframes() {
    return keyframes;
  }

  /** MPEG-TS bytes handed to Kafka so far. */
  public long bytes() {
    return bytes.get();
  }

  /** Completes with the end reason once the session has ended. */
  public CompletableFuture<String> endedFuture() {
    return ended;
  }

  /** The first failed send, if any: the session cannot continue without losing data. */
  public Exception sendFailure() {
    return sendFailure.get();
  }

  /** {@link System#nanoTime()} of the last chunk received (or of the start). */
  long lastActivityNanos() {
    return lastActivityNanos;
  }

  /** Marks the connection as active (a read returned data). */
  public void touch() {
    lastActivityNanos = System.nanoTime();
  }

  synchronized void sendStarted(SegmentFormat segmentFormat) {
    publisher.publishStarted(
        new IngestControl.PublishStarted(
            IngestControl.SCHEMA_VERSION,
            streamId,
            sessionId,
            startedAt,
            source,
            false,
            segmentFormat),
        this::recordFailure);
  }

  /**
   * Sends one chunk of whole TS packets and counts its bytes in the stream's {@value
   * PublishSessions#STREAM_BYTES} counter.
   *
   * @return false when the session has ended (replaced, timed out, shut down): nothing was sent
   */
  public synchronized boolean sendChunk(byte[] chunk) {
    if (ended.isDone()) {
      return false;
    }
    bytes.addAndGet(chunk.length);
    streamBytes.increment(chunk.length);
    publisher.chunk(
        streamId, sessionId, nextSequence++, clock.instant(), chunk, this::recordFailure);
    return true;
  }

  /**
   * Ends the session: sends PublishEnded once, then disconnects the publisher unless the end came
   * from the connection itself.
   *
   * @param reason {@code eof}, {@code error}, {@code replaced}, {@code timeout}, {@code shutdown},
   *     {@code revoked}
   * @param disconnectPublisher whether to close the publisher's connection
   * @return the PublishEnded send; null when the session had already ended
   */
  synchronized CompletableFuture<RecordMetadata> end(String reason, boolean disconnectPublisher) {
    if (ended.isDone()) {
      return null;
    }
    CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
    publisher.publishEnded(
        new IngestControl.PublishEnded(
            IngestControl.SCHEMA_VERSION, streamId, sessionId, clock.instant(), reason),
        nextSequence++,
        (metadata, e) -> {
          if (e != null) {
            recordFailure(metadata, e);
            sent.completeExceptionally(e);
          } else {
            sent.complete(metadata);
          }
        });
    ended.complete(reason);
    if (disconnectPublisher) {
      disconnect.run();
    }
    return sent;
  }

  private void recordFailure(RecordMetadata metadata, Exception e) {
    if (e != null) {
      sendFailure.compareAndSet(null, e);
    }
  }
}
