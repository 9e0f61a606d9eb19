package io.hlspipeline.ingest.session;

import io.hlspipeline.ingest.publish.IngestPublisher;
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
 * sent, so on the stream's partition the old session's records all come first. Thread-safe.
 */
public final class PublishSessions {
  private static final Logger log = LoggerFactory.getLogger(PublishSessions.class);

  private final IngestPublisher publisher;
  private final SessionIds sessionIds;
  private final Clock clock;
  private final int maxStreams;
  private final Map<String, PublishSession> byStream = new HashMap<>();

  public PublishSessions(
      IngestPublisher publisher, SessionIds sessionIds, Clock clock, int maxStreams) {
    this.publisher = publisher;
    this.sessionIds = sessionIds;
    this.clock = clock;
    this.maxStreams = maxStreams;
  }

  /**
   * Opens a session and sends its PublishStarted.
   *
   * @param source {@code http} or {@code rtmp}
   * @param disconnect closes the publisher's connection (called when it is replaced or idle)
   * @throws TooManyStreamsException when {@code maxStreams} other streams are publishing
   */
  public synchronized PublishSession open(String streamId, String source, Runnable disconnect)
      throws TooManyStreamsException {
    PublishSession old = byStream.get(streamId);
    if (old == null && byStream.size() >= maxStreams) {
      throw new TooManyStreamsException(maxStreams);
    }
    if (old != null) {
      log.info("stream {}: new publisher takes over session {}", streamId, old.sessionId());
      old.end("replaced", true);
    }
    PublishSession session =
        new PublishSession(
            publisher, clock, streamId, sessionIds.next(), clock.instant(), disconnect);
    session.sendStarted(source);
    byStream.put(streamId, session);
    return session;
  }

  /**
   * Ends a session (no-op if it already ended) and forgets it.
   *
   * @return the PublishEnded send, or null if the session had already ended
   */
  public synchronized CompletableFuture<RecordMetadata> end(
      PublishSession session, String reason, boolean disconnect) {
    byStream.remove(session.streamId(), session);
    return session.end(reason, disconnect);
  }

  /** Ends (with reason {@code timeout}) and disconnects the sessions idle for {@code idle}. */
  public synchronized List<PublishSession> endIdle(Duration idle) {
    long now = System.nanoTime();
    List<PublishSession> idleSessions = new ArrayList<>();
    for (PublishSession s : byStream.values()) {
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
  public synchronized void endAll() {
    for (PublishSession s : List.copyOf(byStream.values())) {
      end(s, "shutdown", true);
    }
  }

  /** Number of streams publishing now. */
  public synchronized int size() {
    return byStream.size();
  }
}
