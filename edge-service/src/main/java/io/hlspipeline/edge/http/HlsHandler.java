package io.hlspipeline.edge.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.hlspipeline.edge.cache.SegmentLoader;
import io.hlspipeline.edge.catalog.CatalogBootstrap;
import io.hlspipeline.edge.catalog.CatalogUnavailableException;
import io.hlspipeline.edge.playlist.PlaylistBuilder;
import io.hlspipeline.edge.window.WindowKey;
import io.hlspipeline.edge.window.WindowSnapshot;
import io.hlspipeline.edge.window.WindowStore;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.kit.http.Responses;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MultivariantPlaylist;
import io.hlspipeline.media.hls.PlaylistWriter;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The viewer-facing HLS endpoints below {@code /hls/} (see {@link HlsPathParser} for the URLs).
 * Thread-safe; one instance serves every request.
 *
 * <p>Responses: playlists as {@code application/vnd.apple.mpegurl}, segments as {@code video/mp2t};
 * every response allows any origin (hls.js in a browser). Cache headers fit a CDN: a segment never
 * changes ({@code public, max-age=31536000, immutable}); a live playlist changes every segment
 * ({@code max-age=1}); an ended stream's playlist is stable unless a new session starts on the same
 * stream id ({@code max-age=60}); errors are {@code no-store}.
 *
 * <p>Statuses: 400 for a malformed path; 404 for an unknown stream or rendition, for a stream with
 * no segment yet (players retry a 404 playlist until the first segment exists, while an empty live
 * playlist would be an RFC 8216 error) and for an unknown segment; 405 for methods other than
 * GET/HEAD/OPTIONS; 502 when storage fails; 503 when the catalog is needed and unavailable. Error
 * bodies are one short line of text, never a stack trace or an echo of the path.
 *
 * <p>Meters: {@code hls.edge.requests} (timer; tags {@code kind=playlist|segment|invalid}, {@code
 * status=2xx|4xx|5xx}), {@code hls.edge.served.bytes} (tag {@code kind}).
 */
public final class HlsHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(HlsHandler.class);

  public static final String PLAYLIST_CONTENT_TYPE = "application/vnd.apple.mpegurl";
  public static final String SEGMENT_CONTENT_TYPE = "video/mp2t";
  public static final String SEGMENT_CACHE_CONTROL = "public, max-age=31536000, immutable";
  public static final String LIVE_PLAYLIST_CACHE_CONTROL = "public, max-age=1";
  public static final String ENDED_PLAYLIST_CACHE_CONTROL = "public, max-age=60";
  static final String ERROR_CACHE_CONTROL = "no-store";

  private final HlsPathParser parser = new HlsPathParser();
  private final WindowStore windows;
  private final CatalogBootstrap bootstrap;
  private final PlaylistBuilder playlists;
  private final SegmentLoader loader;
  private final MeterRegistry registry;

  public HlsHandler(
      WindowStore windows,
      CatalogBootstrap bootstrap,
      PlaylistBuilder playlists,
      SegmentLoader loader,
      MeterRegistry registry) {
    this.windows = windows;
    this.bootstrap = bootstrap;
    this.playlists = playlists;
    this.loader = loader;
    this.registry = registry;
  }

  /** An answer to send: status, headers, body. */
  private record Reply(int status, String contentType, String cacheControl, byte[] body) {
    static Reply error(int status, String message) {
      return new Reply(
          status,
          "text/plain; charset=utf-8",
          ERROR_CACHE_CONTROL,
          (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static Reply playlist(String text, boolean ended) {
      return new Reply(
          200,
          PLAYLIST_CONTENT_TYPE,
          ended ? ENDED_PLAYLIST_CACHE_CONTROL : LIVE_PLAYLIST_CACHE_CONTROL,
          text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public void handle(HttpExchange ex) {
    long t0 = System.nanoTime();
    ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
    String method = ex.getRequestMethod();
    if ("OPTIONS".equals(method)) {
      ex.getResponseHeaders().set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      ex.getResponseHeaders().set("Access-Control-Allow-Headers", "Range");
      ex.getResponseHeaders().set("Access-Control-Max-Age", "86400");
      Responses.sendBytes(ex, 204, "text/plain", new byte[0]);
      return;
    }
    String kind = "invalid";
    Reply reply;
    try {
      HlsRequest request = parser.parse(ex.getRequestURI().getRawPath());
      kind = request instanceof HlsRequest.Segment ? "segment" : "playlist";
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD, OPTIONS");
        reply = Reply.error(405, "method not allowed");
      } else {
        MDC.put("streamId", request.streamId());
        reply = answer(request);
      }
    } catch (BadPathException e) {
      reply = Reply.error(e.status(), e.getMessage());
    } catch (CatalogUnavailableException e) {
      log.warn("catalog unavailable: {}", e.getMessage());
      ex.getResponseHeaders().set("Retry-After", "1");
      reply = Reply.error(503, "catalog unavailable");
    } finally {
      MDC.remove("streamId");
    }
    ex.getResponseHeaders().set("Cache-Control", reply.cacheControl());
    try {
      Responses.sendBytes(ex, reply.status(), reply.contentType(), reply.body());
      if (reply.status() == 200 && !"HEAD".equals(method)) {
        registry.counter("hls.edge.served.bytes", "kind", kind).increment(reply.body().length);
      }
    } finally {
      Timer.builder("hls.edge.requests")
          .tag("kind", kind)
          .tag("status", reply.status() / 100 + "xx")
          .register(registry)
          .record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private Reply answer(HlsRequest request) throws CatalogUnavailableException {
    if (request instanceof HlsRequest.Multivariant m) {
      return multivariant(m.streamId());
    }
    if (request instanceof HlsRequest.MediaPlaylist p) {
      return mediaPlaylist(new WindowKey(p.streamId(), p.rendition()));
    }
    HlsRequest.Segment s = (HlsRequest.Segment) request;
    return segment(new WindowKey(s.streamId(), s.rendition()), s.msn());
  }

  private Reply multivariant(String streamId) throws CatalogUnavailableException {
    List<String> renditions = windows.renditions(streamId);
    if (renditions.isEmpty()) {
      // Without transcoding every stream has exactly the source rendition.
      if (!bootstrap.ensureLoaded(new WindowKey(streamId, StreamIds.SOURCE_RENDITION))) {
        return Reply.error(404, "unknown stream");
      }
      renditions = windows.renditions(streamId);
    }
    Map<String, WindowSnapshot> snapshots = new LinkedHashMap<>();
    boolean ended = true;
    for (String rendition : renditions) {
      Optional<WindowSnapshot> snapshot = windows.snapshot(new WindowKey(streamId, rendition));
      if (snapshot.isPresent()) {
        snapshots.put(rendition, snapshot.get());
        ended &= snapshot.get().ended();
      }
    }
    Optional<MultivariantPlaylist> playlist = playlists.multivariant(snapshots);
    if (playlist.isEmpty()) {
      return Reply.error(404, "no segment yet");
    }
    return Reply.playlist(PlaylistWriter.write(playlist.get()), ended);
  }

  private Reply mediaPlaylist(WindowKey key) throws CatalogUnavailableException {
    if (!bootstrap.ensureLoaded(key)) {
      return Reply.error(404, "unknown stream or rendition");
    }
    Optional<WindowSnapshot> snapshot = windows.snapshot(key);
    Optional<MediaPlaylist> playlist = snapshot.flatMap(playlists::media);
    if (playlist.isEmpty()) {
      return Reply.error(404, "no segment yet");
    }
    return Reply.playlist(PlaylistWriter.write(playlist.get()), playlist.get().endList());
  }

  private Reply segment(WindowKey key, long msn) throws CatalogUnavailableException {
    if (!bootstrap.ensureLoaded(key)) {
      return Reply.error(404, "unknown stream or rendition");
    }
    Optional<SegmentReady> segment = windows.find(key, msn);
    if (segment.isEmpty()) {
      Optional<WindowSnapshot> snapshot = windows.snapshot(key);
      List<SegmentReady> held = snapshot.map(WindowSnapshot::segments).orElse(List.of());
      // Older than the window (or in a gap of it): ask the catalog. Newer than anything held: not
      // announced yet, so the catalog has nothing either.
      boolean announced = !held.isEmpty() && msn < held.get(held.size() - 1).msn();
      segment = announced ? bootstrap.findSegment(key, msn) : Optional.empty();
    }
    if (segment.isEmpty()) {
      return Reply.error(404, "no such segment");
    }
    try {
      byte[] bytes = loader.load(segment.get());
      return new Reply(200, SEGMENT_CONTENT_TYPE, SEGMENT_CACHE_CONTROL, bytes);
    } catch (StorageException e) {
      if (e.notFound()) {
        log.warn(
            "segment {} is announced but missing on {}",
            segment.get().storageKey(),
            segment.get().servers());
        return Reply.error(404, "no such segment");
      }
      log.warn("segment {} unreadable: {}", segment.get().storageKey(), e.getMessage());
      return Reply.error(502, "storage unavailable");
    }
  }
}
