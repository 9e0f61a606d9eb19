package io.hlspipeline.edge.auth;

import io.hlspipeline.edge.http.RecordingHandler;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * Signed playback: serves {@code /s/{token}/hls/...} (see {@link SignedPath}) when the token signs
 * the path's stream and has not expired, and refuses plain {@code /hls/...}. Routed on both
 * prefixes only when {@code EDGE_PLAYBACK_SECRET} is set; without it the edge serves {@code /hls/}
 * as before. Thread-safe.
 *
 * <p>A good token hands the request to the {@link RecordingHandler} with the path below the token
 * and {@code /s/{token}} as the prefix of the absolute URLs it writes (the recordings list's {@code
 * playlist}, {@code latest}'s {@code Location}); relative URIs in playlists keep the prefix by
 * themselves. So one check per request, no session and no call elsewhere.
 *
 * <p>Answers: 403 with a one-line reason for a missing, malformed, wrong (another stream's, another
 * secret's, altered) or expired token; 400 for a path that is not {@code /s/{token}/hls/{stream}/};
 * {@code OPTIONS} (a CORS preflight carries no token) as unsigned. The route keeps the path below
 * {@code /s/} out of logs ({@code RouteOptions.withSecretPathTail()}); no reason names the token.
 *
 * <p>Meter: {@code hls.edge.playback.denied} (tag {@code
 * reason=missing|malformed|invalid|expired}).
 */
public final class SignedPlaybackHandler implements HttpHandler {
  static final String TEXT = "text/plain; charset=utf-8";
  static final String MISSING = "playback token required: use /s/{token}/hls/...";

  private final RecordingHandler hls;
  private final PlaybackTokens tokens;
  private final Clock clock;
  private final MeterRegistry registry;

  public SignedPlaybackHandler(
      RecordingHandler hls, PlaybackTokens tokens, Clock clock, MeterRegistry registry) {
    this.hls = hls;
    this.tokens = tokens;
    this.clock = clock;
    this.registry = registry;
  }

  @Override
  public void handle(Exchange ex) {
    if ("OPTIONS".equals(ex.method())) {
      hls.handle(ex);
      return;
    }
    String raw = ex.rawPath();
    if (!raw.startsWith(SignedPath.PREFIX)) {
      deny(ex, "missing", MISSING);
      return;
    }
    SignedPath path;
    try {
      path = SignedPath.parse(raw);
    } catch (IllegalArgumentException e) {
      ex.setHeader("Access-Control-Allow-Origin", "*");
      ex.setHeader("Cache-Control", "no-store");
      Responses.sendText(ex, 400, TEXT, e.getMessage() + "\n");
      return;
    }
    PlaybackTokens.Denial denial = tokens.verify(path.streamId(), path.token(), clock.instant());
    if (denial != null) {
      deny(ex, denial.name().toLowerCase(java.util.Locale.ROOT), denial.reason());
      return;
    }
    hls.handle(ex, path.hlsPath(), path.urlPrefix());
  }

  private void deny(Exchange ex, String tag, String reason) {
    registry.counter("hls.edge.playback.denied", "reason", tag).increment();
    ex.setHeader("Access-Control-Allow-Origin", "*");
    ex.setHeader("Cache-Control", "no-store");
    Responses.sendText(ex, 403, TEXT, reason + "\n");
  }
}
