package io.hlspipeline.ingest.http;

import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.ingest.IngestMetrics;
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
 * http://host:8081/ingest/KEY}).
 *
 * <p>The stream key is verified before a byte of the body is read: a wrong key gets 403 and nothing
 * reaches Kafka. The session opens with the first whole TS packet (a body that is not TS gets 400
 * and nothing reaches Kafka), every read's whole packets go to Kafka at once, and the response
 * (204) is sent when the body has ended and Kafka has acknowledged the session's PublishEnded.
 * Status codes: 400 not MPEG-TS, 403 bad key, 404 no key, 405 method, 409 replaced by a newer
 * publisher, 503 at the stream limit or Kafka failing.
 */
public final class HttpIngestHandler implements HttpHandler {
  public static final String PATH_PREFIX = "/ingest/";
  private static final Logger log = LoggerFactory.getLogger(HttpIngestHandler.class);

  /** Largest chunk sent to Kafka: a network read rarely exceeds it, so latency stays one read. */
  static final int CHUNK_BYTES = 64 * 1024;

  private static final Duration PUBLISH_ENDED_ACK_TIMEOUT = Duration.ofSeconds(30);

  private final StreamKeys streamKeys;
  private final PublishSessions sessions;
  private final IdleConnections idleConnections;
  private final IngestMetrics metrics;

  public HttpIngestHandler(
      StreamKeys streamKeys,
      PublishSessions sessions,
      IdleConnections idleConnections,
      IngestMetrics metrics) {
    this.streamKeys = streamKeys;
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
    String streamKey = path.substring(PATH_PREFIX.length());
    if (streamKey.isEmpty() || streamKey.contains("/")) {
      Responses.problem(ex, 404, "expected " + PATH_PREFIX + "{streamKey}");
      return;
    }
    Optional<String> streamId = streamKeys.verify(streamKey);
    if (streamId.isEmpty()) {
      metrics.keyRejected();
      log.info("rejected a publish with an invalid stream key from {}", ex.remoteAddress());
      Responses.problem(ex, 403, "invalid stream key");
      return;
    }
    MDC.put("streamId", streamId.get());
    Connection connection = new Connection(ex);
    try (IdleConnections.Watch watch = idleConnections.watch(connection::idle)) {
      receive(ex, streamId.get(), watch, connection);
    } finally {
      MDC.remove("streamId");
    }
  }

  private void receive(
      Exchange ex, String streamId, IdleConnections.Watch watch, Connection connection) {
    TsChunkReader reader;
    PublishSession session = null;
    try (InputStream body = ex.bodyStream()) {
      reader = new TsChunkReader(body, CHUNK_BYTES);
      byte[] chunk;
      while ((chunk = reader.next()) != null) {
        watch.touch();
        metrics.bytesReceived(chunk.length);
        if (session == null) {
          session = open(ex, streamId);
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

  private PublishSession open(Exchange ex, String streamId) {
    try {
      PublishSession session = sessions.open(streamId, "http", ex::abort);
      log.info("session {} started from {}", session.sessionId(), ex.remoteAddress());
      return session;
    } catch (TooManyStreamsException e) {
      log.warn("rejected: {}", e.getMessage());
      Responses.problem(ex, 503, e.getMessage());
      return null;
    }
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
   * One publisher connection, as the idle watchdog sees it. Closing the exchange before response
   * headers are sent closes the socket, which wakes the handler thread blocked in read() with an
   * IOException.
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
