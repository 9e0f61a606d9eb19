package io.hlspipeline.ingest.whip;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.ingest.IngestMetrics;
import io.hlspipeline.ingest.keys.StreamKeyVerifier;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * WHIP signaling (RFC 9725) on the public HTTP port.
 *
 * <ul>
 *   <li>{@code POST /whip/{streamId}} with {@code Authorization: Bearer {streamKey}} and an {@code
 *       application/sdp} offer: the key is verified before anything is allocated (401 without a
 *       Bearer, 403 for a wrong key or one of another stream), then the offer is read (400 with a
 *       one-line reason), the media side allocated and {@code 201 Created} sent with the SDP
 *       answer, {@code Location: /whip/{streamId}/{resourceId}}, an {@code ETag} and one {@code
 *       Link: <url>; rel="ice-server"} per configured STUN/TURN server (TURN ones with credentials
 *       minted for this publisher, §4.6).
 *   <li>{@code PATCH /whip/{streamId}/{resourceId}} with an {@code application/trickle-ice-sdpfrag}
 *       body (RFC 8840): its candidates are added, 204; an ICE restart (new ufrag/pwd) is refused
 *       with 422, the session untouched.
 *   <li>{@code DELETE /whip/{streamId}/{resourceId}}: ends the session, 200.
 *   <li>{@code OPTIONS}: CORS preflight, 204; every answer carries {@code
 *       Access-Control-Allow-Origin: *} and exposes {@code Location}, {@code Link}, {@code ETag}.
 * </ul>
 *
 * The resource id is 128 random bits: knowing it is what allows PATCH and DELETE. Thread-safe.
 */
public final class WhipHandler implements HttpHandler {
  public static final String PATH_PREFIX = "/whip/";

  private static final Logger log = LoggerFactory.getLogger(WhipHandler.class);
  private static final String BEARER = "Bearer ";
  private static final String SDP = "application/sdp";
  private static final String SDPFRAG = "application/trickle-ice-sdpfrag";

  private final StreamKeyVerifier streamKeys;
  private final WhipMedia media;
  private final WhipConfig config;
  private final IngestMetrics metrics;
  private final Clock clock;
  private final int maxSessions;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Resource> resources = new ConcurrentHashMap<>();

  private record Resource(String streamId, WhipPeer peer, String etag, String remoteUfrag) {}

  /**
   * @param maxSessions most WHIP sessions at once (connecting or publishing); more get 503
   */
  public WhipHandler(
      StreamKeyVerifier streamKeys,
      WhipMedia media,
      WhipConfig config,
      IngestMetrics metrics,
      Clock clock,
      int maxSessions) {
    this.streamKeys = streamKeys;
    this.media = media;
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.maxSessions = maxSessions;
  }

  /** WHIP sessions open now (connecting or publishing). */
  public int sessions() {
    return resources.size();
  }

  @Override
  public void handle(Exchange ex) {
    cors(ex);
    String method = ex.method();
    String[] path = ex.rawPath().substring(PATH_PREFIX.length()).split("/", -1);
    if ("OPTIONS".equals(method)) {
      ex.setHeader("Access-Control-Allow-Methods", "POST, PATCH, DELETE, OPTIONS");
      ex.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
      ex.setHeader("Access-Control-Max-Age", "86400");
      ex.setHeader("Accept-Post", SDP);
      Responses.sendText(ex, 204, "text/plain", "");
      return;
    }
    if (path.length == 1 && !path[0].isEmpty()) {
      if (!"POST".equals(method)) {
        ex.setHeader("Allow", "POST, OPTIONS");
        Responses.problem(ex, 405, "use POST with an SDP offer");
        return;
      }
      post(ex, path[0]);
    } else if (path.length == 2 && !path[0].isEmpty() && !path[1].isEmpty()) {
      Resource r = resources.get(path[1]);
      if (r == null || !r.streamId().equals(path[0])) {
        Responses.problem(ex, 404, "no such WHIP session");
        return;
      }
      switch (method) {
        case "DELETE" -> {
          r.peer().close("eof");
          Responses.sendText(ex, 200, "text/plain", "");
        }
        case "PATCH" -> patch(ex, r);
        default -> {
          ex.setHeader("Allow", "PATCH, DELETE, OPTIONS");
          Responses.problem(ex, 405, "use PATCH (trickle ICE) or DELETE on a WHIP session");
        }
      }
    } else {
      Responses.problem(ex, 404, "expected " + PATH_PREFIX + "{streamId}");
    }
  }

  private void post(Exchange ex, String streamId) {
    String authorization = ex.requestHeader("Authorization");
    if (authorization == null
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      ex.setHeader("WWW-Authenticate", "Bearer");
      Responses.problem(ex, 401, "expected Authorization: Bearer {streamKey}");
      return;
    }
    if (!StreamIds.isValid(streamId)) {
      Responses.problem(ex, 400, "the path ends with the stream id");
      return;
    }
    // a valid key of another stream is as wrong as a forged one
    Optional<String> verified =
        streamKeys.verify(authorization.substring(BEARER.length()).trim()).filter(streamId::equals);
    if (verified.isEmpty()) {
      metrics.keyRejected();
      log.info("rejected a WHIP offer with an invalid stream key from {}", ex.remoteAddress());
      Responses.problem(ex, 403, "invalid stream key");
      return;
    }
    if (!mediaType(ex).equals(SDP)) {
      Responses.problem(ex, 415, "expected Content-Type: application/sdp");
      return;
    }
    WhipOffer offer;
    try {
      offer = WhipOffer.of(SessionDescription.parse(ex.bodyBytes()));
    } catch (MalformedSdpException e) {
      log.info("rejected a WHIP offer for {}: {}", streamId, e.getMessage());
      Responses.problem(ex, 400, e.getMessage());
      return;
    }
    if (resources.size() >= maxSessions) {
      Responses.problem(ex, 503, "too many WHIP sessions on this instance");
      return;
    }
    String resourceId = randomHex(16);
    MDC.put("streamId", streamId);
    try {
      WhipPeer peer = media.open(streamId, resourceId, offer);
      String etag = "\"" + randomHex(8) + "\"";
      resources.put(resourceId, new Resource(streamId, peer, etag, offer.iceUfrag()));
      peer.closed().whenComplete((reason, e) -> resources.remove(resourceId));
      String answer =
          SdpAnswer.write(
              offer,
              random.nextLong() & Long.MAX_VALUE,
              peer.iceUfrag(),
              peer.icePwd(),
              media.fingerprintSha256(),
              media.hostCandidates());
      ex.setHeader("Location", PATH_PREFIX + streamId + "/" + resourceId);
      ex.setHeader("ETag", etag);
      String links = iceServerLinks(streamId);
      if (!links.isEmpty()) {
        ex.setHeader("Link", links);
      }
      log.info("WHIP session {} offered from {}", resourceId, ex.remoteAddress());
      Responses.sendBytes(ex, 201, SDP, answer.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      log.warn("cannot set up the media of a WHIP session: {}", e.toString());
      Responses.problem(ex, 503, "cannot set up the media session; retry");
    } finally {
      MDC.remove("streamId");
    }
  }

  private void patch(Exchange ex, Resource r) {
    if (!mediaType(ex).equals(SDPFRAG)) {
      Responses.problem(ex, 415, "expected Content-Type: " + SDPFRAG);
      return;
    }
    String ifMatch = ex.requestHeader("If-Match");
    if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(r.etag())) {
      Responses.problem(ex, 412, "ETag does not match the session (an ICE restart happened?)");
      return;
    }
    String body = new String(ex.bodyBytes(), StandardCharsets.UTF_8);
    List<String> candidates = new ArrayList<>();
    for (String line : body.split("\n")) {
      line = line.strip();
      if (line.startsWith("a=ice-ufrag:")
          && !line.substring("a=ice-ufrag:".length()).equals(r.remoteUfrag())) {
        // RFC 8840 §4.4: new credentials mean an ICE restart, which this ingest does not do
        Responses.problem(ex, 422, "ICE restart is not supported; start a new session");
        return;
      } else if (line.startsWith("a=candidate:")) {
        candidates.add(line.substring("a=candidate:".length()));
      }
    }
    candidates.forEach(r.peer()::addRemoteCandidate);
    Responses.sendText(ex, 204, "text/plain", "");
  }

  /** The ice-server Link header values (RFC 9725 §4.6), joined as one header. */
  String iceServerLinks(String streamId) {
    List<String> links = new ArrayList<>();
    for (String url : config.iceServers()) {
      StringBuilder link = new StringBuilder("<").append(url).append(">; rel=\"ice-server\"");
      if (!url.startsWith("stun:") && !config.turnSecret().isEmpty()) {
        TurnCredentials c =
            TurnCredentials.mint(
                config.turnSecret(), streamId, clock.instant().plus(config.turnCredentialTtl()));
        link.append("; username=\"")
            .append(c.username())
            .append("\"; credential=\"")
            .append(c.credential())
            .append("\"; credential-type=\"password\"");
      }
      links.add(link.toString());
    }
    return String.join(", ", links);
  }

  private static String mediaType(Exchange ex) {
    String type = ex.requestHeader("Content-Type");
    if (type == null) {
      return "";
    }
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static void cors(Exchange ex) {
    ex.setHeader("Access-Control-Allow-Origin", "*");
    ex.setHeader("Access-Control-Expose-Headers", "Location, Link, ETag");
  }

  private String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
