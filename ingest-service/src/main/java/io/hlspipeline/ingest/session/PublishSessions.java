package io.hlspipeline.ingest.session;

import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.ingest.gop.KeyframeIntervals;
import io.hlspipeline.ingest.publish.IngestPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams publishing on this instance, at most one session per stream and at most {@code
 * maxStreams} in all. A new session for a stream that is already publishing takes over: the old one
 * is ended with reason {@code replaced} (and disconnected) before the new one's PublishStarted is
 * sent, so on the stream's partition the old session's records all come first.
 *
 * <p>Locking: the instance lock guards only the map of streams (no Kafka call under it); each
 * stream has its own lock, held while its PublishStarted / PublishEnded are handed to the producer
 * (which may block for {@code max.block.ms}), so one stream's slow send never delays another
 * stream's start or end. Thread-safe.
 *
 * <p>Meter {@value #STREAM_BYTES} (tag {@code stream}): the MPEG-TS bytes each stream's sessions
 * handed to Kafka, counted by {@link PublishSession#sendChunk} whatever the protocol (HTTP, RTMP,
 * WHIP). A stream's counter is registered when its first session opens, kept across a take-over,
 * and removed from the registry when the stream's last session ends, so at most {@code maxStreams}
 * of them exist at once however many streams come and go.
 */
public final class PublishSessions {
  private static final Logger log = LoggerFactory.getLogger(PublishSessions.class);

  /** Name of the per-stream byte counter (Prometheus: {@code hls_ingest_stream_bytes_total}). */
  public static final String STREAM_BYTES = "hls.ingest.stream.bytes";

  private final IngestPublisher publisher;
  private final SessionIds sessionIds;
  private final Clock clock;
  private final int maxStreams;
  private final MeterRegistry registry;

  /** Streams with a session or an open in progress; guarded by {@code this}. */
  private final Map<String, Slot> slots = new HashMap<>();

  /** One stream's place: its monitor orders the stream's control records. */
  private static final class Slot {
    /** The stream's {@code hls.ingest.stream.bytes} counter, registered while the slot exists. */
    final Counter bytes;

    Slot(Counter bytes) {
      this.bytes = bytes;
    }

    /** The open session; written under the slot's monitor. */
    volatile PublishSession session;

    /** Opens in progress; guarded by the PublishSessions instance. */
    int opening;
  }

  /** Sessions whose per-stream meters go to a registry of their own (tests). */
  public PublishSessions(
      IngestPublisher publisher, SessionIds sessionIds, Clock clock, int maxStreams) {
    this(publisher, sessionIds, clock, maxStreams, new SimpleMeterRegistry());
  }

  /**
   * @param registry where each publishing stream's {@value #STREAM_BYTES} counter is registered
   *     (and removed from when the stream ends)
   */
  public PublishSessions(
      IngestPublisher publisher,
      SessionIds sessionIds,
      Clock clock,
      int maxStreams,
      MeterRegistry registry) {
    this.publisher = publisher;
    this.sessionIds = sessionIds;
    this.clock = clock;
    this.maxStreams = maxStreams;
    this.registry = registry;
  }

  /**
   * Opens a session and sends its PublishStarted. May block while the producer does, holding up
   * only this stream.
   *
   * @param source {@code http} or {@code rtmp}
   * @param disconnect closes the publisher's connection (called when it is replaced or idle)
   * @throws TooManyStreamsException when {@code maxStreams} other streams are publishing
   */
  public PublishSession open(String streamId, String source, Runnable disconnect)
      throws TooManyStreamsException {
    return open(streamId, source, null, disconnect, new KeyframeIntervals(Duration.ofSeconds(4)));
  }

  /**
   * {@link #open(String, String, Runnable)} with the session's keyframe-interval meter, which the
   * caller feeds and the status endpoint reads.
   */
  public PublishSession open(
      String streamId, String source, Runnable disconnect, KeyframeIntervals keyframes)
      throws TooManyStreamsException {
    return open(streamId, source, null, disconnect, keyframes);
  }

  /**
   * {@link #open(String, String, Runnable)} for a publisher that may have asked for a segment
   * container, with the session's keyframe-interval meter, which the caller feeds and the status
   * endpoint reads.
   *
   * @param segmentFormat carried in PublishStarted; null: the segmenter's default
   */
  public PublishSession open(
      String streamId,
      String source,
      SegmentFormat segmentFormat,
      Runnable disconnect,
      KeyframeIntervals keyframes)
      throws TooManyStreamsException {
    Slot slot;
    synchronized (this) {
      slot = slots.get(streamId);
      if (slot == null) {
        if (slots.size() >= maxStreams) {
          throw new TooManyStreamsException(maxStreams);
        }
        slot =
            new Slot(
                Counter.builder(STREAM_BYTES)
                    .tag("stream", streamId)
                    .baseUnit("bytes")
                    .description("MPEG-TS bytes of one publishing stream handed to Kafka")
                    .register(registry));
        slots.put(streamId, slot);
      }
      slot.opening++;
    }
    try {
      synchronized (slot) {
        PublishSession old = slot.session;
        if (old != null) {
          log.info("stream {}: new publisher takes over session {}", streamId, old.sessionId());
          old.end("replaced", true);
        }
        PublishSession session =
            new PublishSession(
                publisher,
                clock,
                streamId,
                sessionIds.next(),
                clock.instant(),
                source,
                keyframes,
                slot.bytes,
                disconnect);
        slot.session = session;
        session.sendStarted(segmentFormat);
        return session;
      }
    } finally {
      synchronized (this) {
        slot.opening--;
        forgetIfIdle(streamId, slot);
      }
    }
  }

  /**
   * Ends a session (no-op if it already ended) and forgets it.
   *
   * @return the PublishEnded send, or null if the session had already ended
   */
  public CompletableFuture<RecordMetadata> end(
      PublishSession session, String reason, boolean disconnect) {
    Slot slot;
    synchronized (this) {
      slot = slots.get(session.streamId());
    }
    if (slot == null) {
      return session.end(reason, disconnect); // already forgotten: ended before
    }
    CompletableFuture<RecordMetadata> sent;
    synchronized (slot) {
      if (slot.session == session) {
        slot.session = null;
      }
      sent = session.end(reason, disconnect);
    }
    synchronized (this) {
      forgetIfIdle(session.streamId(), slot);
    }
    return sent;
  }

  /** Ends (with reason {@code timeout}) and disconnects the sessions idle for {@code idle}. */
  public List<PublishSession> endIdle(Duration idle) {
    long now = System.nanoTime();
    List<PublishSession> idleSessions = new ArrayList<>();
    for (PublishSession s : open()) {
      if (now - s.lastActivityNanos() >= idle.toNanos()) {
        idleSessions.add(s);
      }
    }
    for (PublishSession s : idleSessions) {
      end(s, "timeout", true);
    }
    return idleSessions;
  }

  /** Ends every session with reason {@code shutdown}. */
  public void endAll() {
    for (PublishSession s : open()) {
      end(s, "shutdown", true);
    }
  }

  /** The session of {@code streamId} publishing now on this instance, if any. */
  public synchronized java.util.Optional<PublishSession> session(String streamId) {
    Slot slot = slots.get(streamId);
    return java.util.Optional.ofNullable(slot == null ? null : slot.session);
  }

  /** The sessions publishing now, in no particular order. */
  public List<PublishSession> sessions() {
    return open();
  }

  /**
   * Ends and disconnects the session of {@code streamId} on this instance, if one is open.
   *
   * @return whether one was open
   */
  public boolean endStream(String streamId, String reason) {
    java.util.Optional<PublishSession> s = session(streamId);
    return s.isPresent() && end(s.get(), reason, true) != null;
  }

  /**
   * Ends and disconnects session {@code sessionId} of {@code streamId} if it is the one open on
   * this instance (a newer session of the stream elsewhere superseded it).
   *
   * @return whether it was open here
   */
  public boolean endSession(String streamId, String sessionId, String reason) {
    java.util.Optional<PublishSession> s = session(streamId);
    return s.isPresent()
        && s.get().sessionId().equals(sessionId)
        && end(s.get(), reason, true) != null;
  }

  /** Number of streams publishing now. */
  public synchronized int size() {
    int n = 0;
    for (Slot slot : slots.values()) {
      if (slot.session != null) {
        n++;
      }
    }
    return n;
  }

  private synchronized List<PublishSession> open() {
    List<PublishSession> sessions = new ArrayList<>();
    for (Slot slot : slots.values()) {
      PublishSession s = slot.session;
      if (s != null) {
        sessions.add(s);
      }
    }
    return sessions;
  }

  /** Caller holds {@code this}. */
  private void forgetIfIdle(String streamId, Slot slot) {
    if (slot.opening == 0 && slot.session == null && slots.get(streamId) == slot) {
      slots.remove(streamId);
      // its sessions have all ended, so none counts into it any more
      registry.remove(slot.bytes);
    }
  }
}
