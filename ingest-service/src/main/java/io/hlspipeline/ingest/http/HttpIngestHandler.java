package io.hlspipeline.ingest.http;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.ingest.IngestMetrics;
import io.hlspipeline.ingest.gop.KeyframeIntervals;
import io.hlspipeline.ingest.gop.TsKeyframeScanner;
import io.hlspipeline.ingest.keys.StreamKeyVerifier;
import io.hlspipeline.ingest.publish.LostSyncException;
import io.hlspipeline.ingest.publish.TsChunkReader;
import io.hlspipeline.ingest.session.PublishSession;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.ingest.session.TooManyStreamsException;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code PUT|POST /ingest/{streamKey}} with an MPEG-TS body, typically chunked and as long as the
 * broadcast ({@code ffmpeg -re -i in.ts -c copy -f mpegts -method PUT
 * http://host:8081/ingest/KEY}), or {@code PUT|POST /ingest/{streamId}} with the key in {@code
 * Authorization: Bearer KEY} (as WHIP does: the key stays out of URLs and proxy logs; {@code ffmpeg
 * -headers "Authorization: Bearer KEY" ... http://host:8081/ingest/STREAM_ID}). With the header,
 * the path's last segment must be the key's stream id.
 *
 * <p>The stream key is verified before a byte of the body is read: a wrong key gets 403 and nothing
 * reaches Kafka. The session opens with the first whole TS packet (a body that is not TS gets 400
 * and nothing reaches Kafka), every read's whole packets go to Kafka at once, and the response
 * (204) is sent when the body has ended and Kafka has acknowledged the session's PublishEnded.
 * Status codes: 400 not MPEG-TS, 401 an Authorization that is not Bearer, 403 bad key, 404 no key,
 * 405 method, 409 the session was ended from outside (replaced by a newer publisher, revoked, idle,
 * shutdown; sent as soon as it ends, even while the body is still coming), 503 at the stream limit
 * or Kafka failing.
 */
public final class HttpIngestHandler implements HttpHandler {
  public static final String PATH_PREFIX = "/ingest/";
  private static final Logger log = LoggerFactory.getLogger(HttpIngestHandler.class);

  /** Largest chunk sent to Kafka: a network read rarely exceeds it, so latency stays one read. */
  static final int CHUNK_BYTES = 64 * 1024;

  private static final Duration PUBLISH_ENDED_ACK_TIMEOUT = Duration.ofSeconds(30);

  private static final String BEARER = "Bearer ";

  private final StreamKeyVerifier streamKeys;
  private final Duration segmentTargetDuration;
  private final PublishSessions sessions;
  private final IdleConnections idleConnections;
  private final IngestMetrics metrics;

  public HttpIngestHandler(
      StreamKeyVerifier streamKeys,
      PublishSessions sessions,
      IdleConnections idleConnections,
      IngestMetrics metrics,
      Duration segmentTargetDuration) {
    this.streamKeys = streamKeys;
    this.segmentTargetDuration = segmentTargetDuration;
    this.sessions = sessions;
    this.idleConnections = idleConnections;
    this.metrics = metrics;
  }

  @Override
  public void handle(Exchange ex) {
    String method = ex.method();
    if (!"PUT".equals(method) && !"POST".equals(method)) {
      ex.setHeader("Allow", "PUT, POST");
      Responses.problem(ex, 405, "use PUT or POST with an MPEG-TS body");
      return;
    }
    String path = ex.rawPath();
    String tail = path.substring(PATH_PREFIX.length());
    if (tail.isEmpty() || tail.contains("/")) {
      Responses.problem(ex, 404, "expected " + PATH_PREFIX + "{streamKey}");
      return;
    }
    SegmentFormat format;
    try {
      format = PublishOptions.segmentFormat(ex.rawQuery());
    } catch (IllegalArgumentException e) {
      Responses.problem(ex, 400, e.getMessage());
      return;
    }
    String authorization = ex.requestHeader("Authorization");
    Optional<String> streamId;
    if (authorization == null) {
      streamId = streamKeys.verify(tail);
    } else if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      Responses.problem(ex, 401, "expected Authorization: Bearer {streamKey}");
      return;
    } else if (!StreamIds.isValid(tail)) {
      Responses.problem(ex, 400, "with Authorization the path ends with the stream id");
      return;
    } else {
      // a valid key of another stream is as wrong as a forged one
      streamId =
          streamKeys.verify(authorization.substring(BEARER.length()).trim()).filter(tail::equals);
    }
    if (streamId.isEmpty()) {
      metrics.keyRejected();
      log.info("rejected a publish with an invalid stream key from {}", ex.remoteAddress());
      Responses.problem(ex, 403, "invalid stream key");
      return;
    }
    MDC.put("streamId", streamId.get());
    Connection connection = new Connection(ex);
    try (IdleConnections.Watch watch = idleConnections.watch(connection::idle)) {
      receive(ex, streamId.get(), format, watch, connection);
    } finally {
      MDC.remove("streamId");
    }
  }

  private void receive(
      Exchange ex,
      String streamId,
      SegmentFormat format,
      IdleConnections.Watch watch,
      Connection connection) {
    TsChunkReader reader;
    PublishSession session = null;
    try (InputStream body = ex.bodyStream()) {
      reader = new TsChunkReader(watch.body(body), CHUNK_BYTES);
      KeyframeIntervals keyframes = new KeyframeIntervals(segmentTargetDuration);
      TsKeyframeScanner scanner = new TsKeyframeScanner(keyframes);
      byte[] chunk;
      while ((chunk = reader.next()) != null) {
        metrics.bytesReceived(chunk.length);
        scanner.scan(chunk, 0, chunk.length);
        if (session == null) {
          session = open(ex, streamId, format, keyframes);
          if (session == null) {
            return;
          }
          connection.session = session;
        }
        if (session.sendFailure() != null) {
          log.warn("Kafka rejected a chunk; ending the session", session.sendFailure());
          sessions.end(session, "error", false);
          Responses.problem(ex, 503, "cannot write to Kafka; retry later");
          return;
        }
        if (!session.sendChunk(chunk)) {
          String reason = session.endedFuture().getNow("ended");
          log.info("session {} ended ({}), closing its connection", session.sessionId(), reason);
          Responses.problem(ex, 409, "publish session ended: " + reason);
          return;
        }
      }
      if (session == null) {
        Responses.problem(ex, 400, "empty body: expected MPEG-TS");
        return;
      }
      if (reader.partialPacketBytes() > 0) {
        log.warn(
            "body ended inside a TS packet; dropped its {} bytes", reader.partialPacketBytes());
      }
      CompletableFuture<RecordMetadata> ended = sessions.end(session, "eof", false);
      if (ended == null) {
        Responses.problem(ex, 409, "publish session ended: " + session.endedFuture().getNow(""));
        return;
      }
      if (!awaitAck(ended)) {
        Responses.problem(ex, 503, "Kafka did not acknowledge the end of the session; retry");
        return;
      }
      log.info("session {} ended after {} bytes", session.sessionId(), reader.bytesRead());
      Responses.sendText(ex, 204, "text/plain", "");
    } catch (LostSyncException e) {
      log.warn("rejecting a body that is not MPEG-TS: {}", e.getMessage());
      if (session != null) {
        sessions.end(session, "error", false);
      }
      Responses.problem(ex, 400, e.getMessage());
    } catch (IOException | RuntimeException e) {
      // The publisher went away, or we closed its connection (replaced, idle, shutdown).
      if (session != null) {
        String reason = session.endedFuture().getNow(null);
        if (reason == null) {
          log.info("publisher connection failed: {}", e.toString());
          sessions.end(session, "error", false);
        } else {
          log.info("connection of session {} closed ({})", session.sessionId(), reason);
        }
      }
      ex.abort();
    }
  }

  private PublishSession open(
      Exchange ex, String streamId, SegmentFormat format, KeyframeIntervals keyframes) {
    try {
      PublishSession[] opened = new PublishSession[1];
      PublishSession session =
          sessions.open(streamId, "http", format, () -> answerEnded(ex, opened[0]), keyframes);
      opened[0] = session;
      log.info("session {} started from {}", session.sessionId(), ex.remoteAddress());
      return session;
    } catch (TooManyStreamsException e) {
      log.warn("rejected: {}", e.getMessage());
      Responses.problem(ex, 503, e.getMessage());
      return null;
    }
  }

  /**
   * The session was ended from outside (replaced by a newer publisher, revoked, idle, shutdown):
   * the publisher gets 409 with the reason at once, while its body may still be coming. The HTTP
   * layer then ends the upload without losing that answer, and the handler's blocked read throws.
   */
  private static void answerEnded(Exchange ex, PublishSession session) {
    String reason = session == null ? null : session.endedFuture().getNow(null);
    Responses.problem(
        ex, 409, reason == null ? "publish session ended" : "publish session ended: " + reason);
  }

  private static boolean awaitAck(CompletableFuture<RecordMetadata> sent) {
    try {
      sent.get(PUBLISH_ENDED_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Kafka did not acknowledge PublishEnded: {}", e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * One publisher connection, as the idle watchdog sees it. Ending its session answers 409, and
   * aborting the exchange (no session yet) closes the connection: either wakes the handler thread
   * blocked in read() with an IOException.
   */
  private final class Connection {
    private final Exchange ex;
    private volatile PublishSession session;

    Connection(Exchange ex) {
      this.ex = ex;
    }

    void idle() {
      PublishSession s = session;
      log.info("disconnecting a publisher idle for the configured timeout");
      if (s == null || sessions.end(s, "timeout", true) == null) {
        ex.abort();
      }
    }
  }
}
