package io.hlspipeline.ingest.admin;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.ingest.keys.KeyAdmin;
import io.hlspipeline.ingest.session.PublishSession;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ingest's own routes on its admin listener (never the public port: they issue keys):
 *
 * <ul>
 *   <li>{@code GET /streams}: {@code {"streams": [StreamStatus...]}}, the streams publishing on
 *       this instance;
 *   <li>{@code GET /streams/{streamId}}: its {@link StreamStatus} (404 when it is not publishing on
 *       this instance);
 *   <li>{@code POST /streams/{streamId}/key}: a key at the stream's current epoch, {@code
 *       {"streamId", "epoch", "key"}};
 *   <li>{@code POST /streams/{streamId}/revoke}: raises the stream's epoch (every earlier key stops
 *       working on every replica, its publisher is disconnected) and answers a key of the new
 *       epoch.
 * </ul>
 *
 * An invalid stream id is a 400, another method a 405, with a one-line reason. Keys appear in
 * answers only, never in a log. Blocking route (a revocation waits for Kafka).
 */
public final class IngestAdminHandler implements HttpHandler {
  public static final String PATH = "/streams";
  private static final Logger log = LoggerFactory.getLogger(IngestAdminHandler.class);

  private final PublishSessions sessions;
  private final KeyAdmin keys;

  public IngestAdminHandler(PublishSessions sessions, KeyAdmin keys) {
    this.sessions = sessions;
    this.keys = keys;
  }

  @Override
  public void handle(Exchange ex) throws Exception {
    String path = ex.rawPath();
    if (path.equals(PATH) || path.equals(PATH + "/")) {
      if (requireMethod(ex, "GET")) {
        List<StreamStatus> all =
            sessions.sessions().stream()
                .sorted(Comparator.comparing(PublishSession::streamId))
                .map(StreamStatus::of)
                .toList();
        Responses.sendJson(ex, 200, Map.of("streams", all));
      }
      return;
    }
    if (!path.startsWith(PATH + "/")) {
      Responses.problem(ex, 404, "not found");
      return;
    }
    String[] parts = path.substring(PATH.length() + 1).split("/", -1);
    String streamId = parts[0];
    if (!StreamIds.isValid(streamId)) {
      Responses.problem(ex, 400, "invalid stream id: expected [a-z0-9][a-z0-9_-]{0,63}");
      return;
    }
    if (parts.length == 1) {
      if (requireMethod(ex, "GET")) {
        Optional<PublishSession> s = sessions.session(streamId);
        if (s.isEmpty()) {
          Responses.problem(ex, 404, "stream " + streamId + " is not publishing on this instance");
        } else {
          Responses.sendJson(ex, 200, StreamStatus.of(s.get()));
        }
      }
    } else if (parts.length == 2 && parts[1].equals("key")) {
      if (requireMethod(ex, "POST")) {
        log.info("issued a stream key for {}", streamId);
        Responses.sendJson(ex, 200, keys.issue(streamId));
      }
    } else if (parts.length == 2 && parts[1].equals("revoke")) {
      if (requireMethod(ex, "POST")) {
        KeyAdmin.IssuedKey issued;
        try {
          issued = keys.revoke(streamId);
        } catch (IllegalStateException e) {
          log.warn("cannot revoke the keys of {}: {}", streamId, e.getMessage());
          Responses.problem(ex, 503, "Kafka did not take the revocation; retry");
          return;
        }
        log.info("revoked the keys of {}: epoch {}", streamId, issued.epoch());
        Responses.sendJson(ex, 200, issued);
      }
    } else {
      Responses.problem(ex, 404, "not found");
    }
  }

  private static boolean requireMethod(Exchange ex, String method) {
    if (method.equals(ex.method()) || ("GET".equals(method) && ex.isHead())) {
      return true;
    }
    ex.setHeader("Allow", method);
    Responses.problem(ex, 405, "use " + method);
    return false;
  }
}
