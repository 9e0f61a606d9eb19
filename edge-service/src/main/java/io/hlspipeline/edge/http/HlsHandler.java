package io.hlspipeline.edge.http;

import io.hlspipeline.edge.cache.SegmentLoader;
import io.hlspipeline.edge.catalog.CatalogBootstrap;
import io.hlspipeline.edge.catalog.CatalogUnavailableException;
import io.hlspipeline.edge.playlist.PlaylistBuilder;
import io.hlspipeline.edge.window.WindowKey;
import io.hlspipeline.edge.window.WindowSnapshot;
import io.hlspipeline.edge.window.WindowStore;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MultivariantPlaylist;
import io.hlspipeline.media.hls.PlaylistWriter;
import io.hlspipeline.media.hls.RenditionReport;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The viewer-facing HLS endpoints below {@code /hls/} (see {@link HlsPathParser} for the URLs).
 * Thread-safe; one instance serves every request.
 *
 * <p>Responses: playlists as {@code application/vnd.apple.mpegurl}, segments as {@code video/mp2t}
 * ({@code .ts}) or {@code video/iso.segment} ({@code .m4s}), fMP4 init segments as {@code
 * video/mp4}; every response allows any origin (hls.js in a browser). Cache headers fit a CDN: a
 * segment or init segment never changes ({@code public, max-age=31536000, immutable}; an init's URI
 * names its content hash); a live playlist changes every segment ({@code max-age=1}); an ended
 * stream's playlist is stable unless a new session starts on the same stream id ({@code
 * max-age=60}); errors are {@code no-store}.
 *
 * <p>Serving path: the handler runs on the connection's event loop. A media playlist is rendered
 * once per change of its window (with its {@code ETag} and a gzip variant) and served as ready
 * bytes; {@code If-None-Match} gets 304. A cached segment is written from its off-heap cache buffer
 * without a copy; {@code Range} requests get 206 (or 416). Anything that may block (a catalog
 * bootstrap, a storage read on a cache miss) runs on the HTTP worker pool, so a hung storage server
 * never delays a playlist.
 *
 * <p>Held requests: a request for the next segment of a live rendition (newest msn + 1), and a
 * media playlist request with {@code _HLS_msn=N} (blocking reload, RFC 8216bis §6.2.5.2) for a
 * segment not yet listed, wait without a thread until the segment is announced or the session ends,
 * for at most {@link #HOLD_TARGET_DURATIONS} target durations; then the segment (or 404) or the
 * playlist is sent. {@code _HLS_msn} more than two segments ahead is a 400.
 *
 * <p>Low-Latency HLS (a rendition whose window holds parts, see {@link PlaylistBuilder}): parts
 * ({@code {msn}.{part}.ts|m4s}) are served, the hinted part is held until announced, blocking
 * reloads take {@code _HLS_part} and answer 503 after three target durations, and {@code
 * _HLS_skip=YES|v2} gets the delta update (draft-pantos-hls-rfc8216bis §6.2.5, §6.2.6).
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
  public static final String SEGMENT_CONTENT_TYPE = SegmentFormat.TS.contentType();
  public static final String INIT_CONTENT_TYPE = SegmentFormat.INIT_CONTENT_TYPE;
  public static final String SEGMENT_CACHE_CONTROL = "public, max-age=31536000, immutable";
  public static final String LIVE_PLAYLIST_CACHE_CONTROL = "public, max-age=1";
  public static final String ENDED_PLAYLIST_CACHE_CONTROL = "public, max-age=60";
  static final String ERROR_CACHE_CONTROL = "no-store";
  static final String TEXT = "text/plain; charset=utf-8";

  /** A held request waits at most this many target durations (RFC 8216bis advises three). */
  static final int HOLD_TARGET_DURATIONS = 3;

  /** Held requests per rendition; more are answered at once. */
  static final int MAX_HELD_PER_RENDITION = 50_000;

  private final HlsPathParser parser = new HlsPathParser();
  private final WindowStore windows;
  private final CatalogBootstrap bootstrap;
  private final PlaylistBuilder playlists;
  private final SegmentLoader loader;
  private final MeterRegistry registry;
  private final Timer playlistTimer;
  private final Timer segmentTimer;
  private final io.micrometer.core.instrument.Counter playlistBytes;
  private final io.micrometer.core.instrument.Counter segmentBytes;

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
    this.playlistTimer = timer("playlist", "2xx");
    this.segmentTimer = timer("segment", "2xx");
    this.playlistBytes = registry.counter("hls.edge.served.bytes", "kind", "playlist");
    this.segmentBytes = registry.counter("hls.edge.served.bytes", "kind", "segment");
  }

  @Override
  public void handle(Exchange ex) {
    handle(ex, ex.rawPath());
  }

  /**
   * Serves {@code hlsPath} (raw, a {@code /hls/...} path) in place of the request's own path: the
   * path below a signed-playback token ({@code io.hlspipeline.edge.auth}).
   */
  public void handle(Exchange ex, String hlsPath) {
    long t0 = System.nanoTime();
    ex.setHeader("Access-Control-Allow-Origin", "*");
    String method = ex.method();
    if ("OPTIONS".equals(method)) {
      ex.setHeader("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      ex.setHeader("Access-Control-Allow-Headers", "Range, If-None-Match");
      ex.setHeader("Access-Control-Max-Age", "86400");
      ex.respond(204, null, new byte[0]);
      return;
    }
    HlsRequest request;
    try {
      request = parser.parse(hlsPath);
    } catch (BadPathException e) {
      error(ex, t0, "invalid", e.status(), e.getMessage());
      return;
    }
    String kind =
        request instanceof HlsRequest.Segment
                || request instanceof HlsRequest.Part
                || request instanceof HlsRequest.Init
            ? "segment"
            : "playlist";
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      ex.setHeader("Allow", "GET, HEAD, OPTIONS");
      error(ex, t0, kind, 405, "method not allowed");
      return;
    }
    if (request instanceof HlsRequest.MediaPlaylist p) {
      mediaPlaylist(ex, t0, new WindowKey(p.streamId(), p.rendition()));
    } else if (request instanceof HlsRequest.Segment s) {
      segment(ex, t0, new WindowKey(s.streamId(), s.rendition()), s.msn(), s.format());
    } else if (request instanceof HlsRequest.Part p) {
      part(ex, t0, new WindowKey(p.streamId(), p.rendition()), p);
    } else if (request instanceof HlsRequest.Init i) {
      init(ex, t0, new WindowKey(i.streamId(), i.rendition()), i.fileName());
    } else {
      ex.offload(e -> multivariant(e, t0, request.streamId()));
    }
  }

  // --- media playlists ---

  private void mediaPlaylist(Exchange ex, long t0, WindowKey key) {
    Directives directives;
    try {
      directives = Directives.parse(ex.rawQuery());
    } catch (IllegalArgumentException e) {
      error(ex, t0, "playlist", 400, e.getMessage());
      return;
    }
    Optional<RenderedPlaylist> rendered = view(key);
    if (rendered.isEmpty()) {
      // Unknown to this edge: ask the catalog, off the event loop.
      ex.offload(
          e -> {
            try {
              if (!bootstrap.ensureLoaded(key)) {
                error(e, t0, "playlist", 404, "unknown stream or rendition");
                return;
              }
            } catch (CatalogUnavailableException c) {
              catalogDown(e, t0, "playlist", c);
              return;
            }
            Optional<RenderedPlaylist> loaded = view(key);
            if (loaded.isEmpty()) {
              error(e, t0, "playlist", 404, "no segment yet");
            } else {
              sendPlaylist(e, t0, loaded.get(), livePreload(loaded.get()));
            }
          });
      return;
    }
    RenderedPlaylist r = rendered.get();
    if (r.lowLatency()) {
      lowLatencyPlaylist(ex, t0, key, r, directives);
      return;
    }
    long wantedMsn = directives.msn();
    if (wantedMsn < 0 || wantedMsn <= r.newestMsn() || r.ended()) {
      sendPlaylist(ex, t0, r, livePreload(r));
      return;
    }
    if (wantedMsn > r.newestMsn() + 2) {
      error(ex, t0, "playlist", 400, "_HLS_msn is too far in the future");
      return;
    }
    hold(
        ex,
        windows.await(key, wantedMsn, MAX_HELD_PER_RENDITION),
        r.targetSec(),
        ok ->
            view(key)
                .ifPresentOrElse(
                    latest -> sendPlaylist(ex, t0, latest, livePreload(latest)),
                    () -> error(ex, t0, "playlist", 404, "unknown stream or rendition")));
  }

  /**
   * A playlist with parts: delta updates and blocking reloads with {@code _HLS_part}
   * (draft-pantos-hls-rfc8216bis §6.2.5). Every directive is ignored once the playlist has {@code
   * EXT-X-ENDLIST} (§6.2.5.1, §6.2.5.2); a request that cannot be answered within three target
   * durations gets 503 (§6.2.5.2).
   */
  private void lowLatencyPlaylist(
      Exchange ex, long t0, WindowKey key, RenderedPlaylist r, Directives d) {
    if (r.ended()) {
      sendPlaylist(ex, t0, r, livePreload(r));
      return;
    }
    if (d.part() >= 0 && d.msn() < 0) {
      error(ex, t0, "playlist", 400, "_HLS_part needs _HLS_msn");
      return;
    }
    if (d.msn() < 0) {
      sendPlaylist(ex, t0, d.skip() && r.delta() != null ? r.delta() : r, livePreload(r));
      return;
    }
    if (d.msn() > r.newestMsn() + 2) {
      error(ex, t0, "playlist", 400, "_HLS_msn is too far in the future");
      return;
    }
    if (d.part() >= 0 && partTooFar(r, d.msn(), d.part())) {
      error(ex, t0, "playlist", 400, "_HLS_part is too far in the future");
      return;
    }
    hold(
        ex,
        windows.awaitPlaylist(key, d.msn(), d.part(), MAX_HELD_PER_RENDITION),
        r.targetSec(),
        ok -> {
          Optional<RenderedPlaylist> latest = view(key);
          if (latest.isEmpty()) {
            error(ex, t0, "playlist", 404, "unknown stream or rendition");
          } else if (!ok) {
            ex.setHeader("Retry-After", "1");
            error(ex, t0, "playlist", 503, "the requested part did not come in time");
          } else {
            RenderedPlaylist l = latest.get();
            sendPlaylist(ex, t0, d.skip() && l.delta() != null ? l.delta() : l, livePreload(l));
          }
        });
  }

  /**
   * Whether part {@code part} of {@code msn} lies past the last listed part by more than the
   * Advance Part Limit: 3 / PART-TARGET when that is under a second, else 3 (rfc8216bis §6.2.5.2).
   */
  static boolean partTooFar(RenderedPlaylist r, long msn, int part) {
    long limit =
        r.partTargetUs() < 1_000_000 ? (3_000_000 + r.partTargetUs() - 1) / r.partTargetUs() : 3;
    long lastMsn = r.lastPartMsn() < 0 ? r.newestMsn() : r.lastPartMsn();
    if (msn < lastMsn) {
      return false;
    }
    long ahead = msn == lastMsn ? part - (long) r.lastPartIndex() : part + 1L;
    return ahead > limit;
  }

  /**
   * The Delivery Directives of a playlist request (rfc8216bis §6.2.5): {@code _HLS_msn}, {@code
   * _HLS_part} (-1 when absent) and {@code _HLS_skip=YES|v2}. Other parameters are ignored.
   */
  record Directives(long msn, int part, boolean skip) {
    static final Directives NONE = new Directives(-1, -1, false);

    /**
     * @throws IllegalArgumentException with a one-line reason for a malformed directive
     */
    static Directives parse(String rawQuery) {
      if (rawQuery == null || rawQuery.isEmpty()) {
        return NONE;
      }
      long msn = -1;
      int part = -1;
      boolean skip = false;
      for (String pair : rawQuery.split("&", 16)) {
        if (pair.startsWith("_HLS_msn=")) {
          String v = pair.substring("_HLS_msn=".length());
          if (!v.matches("\\d{1,18}")) {
            throw new IllegalArgumentException("_HLS_msn must be a non-negative integer");
          }
          msn = Long.parseLong(v);
        } else if (pair.startsWith("_HLS_part=")) {
          String v = pair.substring("_HLS_part=".length());
          if (!v.matches("\\d{1,6}")) {
            throw new IllegalArgumentException("_HLS_part must be a non-negative integer");
          }
          part = Integer.parseInt(v);
        } else if (pair.startsWith("_HLS_skip=")) {
          String v = pair.substring("_HLS_skip=".length());
          if (!v.equals("YES") && !v.equals("v2")) {
            throw new IllegalArgumentException("_HLS_skip must be YES or v2");
          }
          skip = true;
        }
      }
      return new Directives(msn, part, skip);
    }
  }

  /** {@code _HLS_msn} of the query, or -1 when absent. */
  static long blockingReloadMsn(String rawQuery) {
    return Directives.parse(rawQuery).msn();
  }

  /**
   * The rendered playlist of {@code key}, with the {@code EXT-X-RENDITION-REPORT}s of its stream's
   * other renditions (rendered again when one of them changes).
   */
  private Optional<RenderedPlaylist> view(WindowKey key) {
    List<WindowKey> siblings = windows.siblings(key);
    if (siblings.isEmpty()) {
      return windows.view(key, s -> render(s, List.of()));
    }
    long outside = windows.versions(siblings);
    return windows.view(
        key,
        s -> {
          List<RenditionReport> reports = new ArrayList<>();
          for (WindowKey k : siblings) {
            windows
                .report(k, "../" + PlaylistBuilder.mediaPlaylistUri(k.rendition()))
                .ifPresent(reports::add);
          }
          return render(s, reports);
        },
        outside);
  }

  private RenderedPlaylist render(WindowSnapshot snapshot, List<RenditionReport> reports) {
    Optional<MediaPlaylist> playlist = playlists.media(snapshot, reports, false);
    if (playlist.isEmpty()) {
      return null;
    }
    MediaPlaylist delta = null;
    if (snapshot.lowLatency() && !snapshot.ended()) {
      MediaPlaylist skipped = playlists.media(snapshot, reports, true).orElseThrow();
      delta = skipped.skippedSegments() > 0 ? skipped : null;
    }
    return RenderedPlaylist.of(playlist.get(), delta, snapshot.newestMsn());
  }

  /** A live playlist preloads its newest segment (the one a player starts near); null if ended. */
  private static String livePreload(RenderedPlaylist r) {
    return r.ended() || r.newestUri() == null ? null : preloadLink(List.of(r.newestUri()));
  }

  /**
   * {@code Link} header value naming segments for a CDN or an HTTP/2-aware client to fetch ahead:
   * {@code <42.ts>; rel=preload, <43.ts>; rel=preload} (RFC 8288; URIs as the playlist lists them,
   * relative to it).
   */
  static String preloadLink(List<String> uris) {
    StringBuilder out = new StringBuilder();
    for (String uri : uris) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append('<').append(uri).append(">; rel=preload");
    }
    return out.toString();
  }

  /**
   * @param link a {@code Link} header value, or null for none
   */
  void sendPlaylist(Exchange ex, long t0, RenderedPlaylist r, String link) {
    if (link != null && !link.isEmpty()) {
      ex.setHeader("Link", link);
    }
    ex.setHeader(
        "Cache-Control", r.ended() ? ENDED_PLAYLIST_CACHE_CONTROL : LIVE_PLAYLIST_CACHE_CONTROL);
    ex.setHeader("ETag", r.etag());
    ex.setHeader("Vary", "Accept-Encoding");
    String ifNoneMatch = ex.requestHeader("If-None-Match");
    if (ifNoneMatch != null && (ifNoneMatch.contains(r.etag()) || ifNoneMatch.trim().equals("*"))) {
      ex.respond(304, null, new byte[0]);
      playlistTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      return;
    }
    byte[] body = r.body();
    String accept = ex.requestHeader("Accept-Encoding");
    if (r.gzip() != null && accept != null && accept.contains("gzip")) {
      ex.setHeader("Content-Encoding", "gzip");
      body = r.gzip();
    }
    ex.respond(200, PLAYLIST_CONTENT_TYPE, body);
    if (!ex.isHead()) {
      playlistBytes.increment(body.length);
    }
    playlistTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
  }

  // --- multivariant playlists (worker pool: may bootstrap from the catalog) ---

  private void multivariant(Exchange ex, long t0, String streamId) {
    try {
      List<String> renditions = windows.renditions(streamId);
      if (renditions.isEmpty()) {
        // Without transcoding every stream has exactly the source rendition.
        if (!bootstrap.ensureLoaded(new WindowKey(streamId, StreamIds.SOURCE_RENDITION))) {
          error(ex, t0, "playlist", 404, "unknown stream");
          return;
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
        error(ex, t0, "playlist", 404, "no segment yet");
        return;
      }
      ex.setHeader(
          "Cache-Control", ended ? ENDED_PLAYLIST_CACHE_CONTROL : LIVE_PLAYLIST_CACHE_CONTROL);
      byte[] body = PlaylistWriter.write(playlist.get()).getBytes(StandardCharsets.UTF_8);
      ex.respond(200, PLAYLIST_CONTENT_TYPE, body);
      playlistTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    } catch (CatalogUnavailableException e) {
      catalogDown(ex, t0, "playlist", e);
    }
  }

  // --- segments ---

  private void segment(Exchange ex, long t0, WindowKey key, long msn, SegmentFormat format) {
    Optional<SegmentReady> held = windows.find(key, msn);
    if (held.isPresent()) {
      serveSegment(ex, t0, held.get(), format);
      return;
    }
    Optional<RenderedPlaylist> rendered = view(key);
    if (rendered.isPresent() && !rendered.get().ended() && msn == rendered.get().newestMsn() + 1) {
      // The next segment of a live rendition: hold the request until it is announced.
      hold(
          ex,
          windows.await(key, msn, MAX_HELD_PER_RENDITION),
          rendered.get().targetSec(),
          ok ->
              windows
                  .find(key, msn)
                  .ifPresentOrElse(
                      arrived -> serveSegment(ex, t0, arrived, format),
                      () -> error(ex, t0, "segment", 404, "no such segment")));
      return;
    }
    ex.offload(e -> findAndSend(e, t0, key, msn, format));
  }

  // --- low-latency parts ---

  /**
   * A part: served when held; the hinted part, or one a little ahead of the last listed part of a
   * live rendition (within the Advance Part Limit), is held until it is announced, then served, or
   * answered 404 when its segment completed without it (a hint the segmenter did not fill,
   * rfc8216bis §6.2.6) and 503 after three target durations. Parts are never looked up in the
   * catalog: they exist only near the live edge.
   */
  private void part(Exchange ex, long t0, WindowKey key, HlsRequest.Part p) {
    Optional<PartReady> held = windows.findPart(key, p.msn(), p.part());
    if (held.isPresent()) {
      servePart(ex, t0, held.get(), p.format());
      return;
    }
    Optional<RenderedPlaylist> rendered = view(key);
    if (rendered.isEmpty()
        || !rendered.get().lowLatency()
        || rendered.get().ended()
        || p.msn() <= rendered.get().newestMsn()
        || p.msn() > rendered.get().newestMsn() + 2
        || partTooFar(rendered.get(), p.msn(), p.part())) {
      error(ex, t0, "segment", 404, "no such part");
      return;
    }
    hold(
        ex,
        windows.awaitPart(key, p.msn(), p.part(), MAX_HELD_PER_RENDITION),
        rendered.get().targetSec(),
        ok ->
            windows
                .findPart(key, p.msn(), p.part())
                .ifPresentOrElse(
                    arrived -> servePart(ex, t0, arrived, p.format()),
                    () -> {
                      if (ok) {
                        error(ex, t0, "segment", 404, "no such part");
                      } else {
                        ex.setHeader("Retry-After", "1");
                        error(ex, t0, "segment", 503, "the part did not come in time");
                      }
                    }));
  }

  private void servePart(Exchange ex, long t0, PartReady part, SegmentFormat format) {
    if (part.segmentFormat() != format) {
      error(ex, t0, "segment", 404, "no such part");
      return;
    }
    serveObject(ex, t0, part.storageKey(), part.servers(), format.contentType());
  }

  /** Worker pool: a segment not in the window (older, or a stream unknown to this edge). */
  private void findAndSend(Exchange ex, long t0, WindowKey key, long msn, SegmentFormat format) {
    try {
      if (!bootstrap.ensureLoaded(key)) {
        error(ex, t0, "segment", 404, "unknown stream or rendition");
        return;
      }
      Optional<SegmentReady> segment = windows.find(key, msn);
      if (segment.isEmpty()) {
        Optional<WindowSnapshot> snapshot = windows.snapshot(key);
        List<SegmentReady> held = snapshot.map(WindowSnapshot::segments).orElse(List.of());
        // Older than the window (or in a gap of it): ask the catalog. Newer than anything held:
        // not announced yet, so the catalog has nothing either.
        boolean announced = !held.isEmpty() && msn < held.get(held.size() - 1).msn();
        segment = announced ? bootstrap.findSegment(key, msn) : Optional.empty();
      }
      if (segment.isEmpty()) {
        error(ex, t0, "segment", 404, "no such segment");
        return;
      }
      serveSegment(ex, t0, segment.get(), format);
    } catch (CatalogUnavailableException e) {
      catalogDown(ex, t0, "segment", e);
    }
  }

  /**
   * An fMP4 init segment, found through a segment of the rendition's window that names it (the
   * newest first); a stream unknown to this edge is loaded from the catalog first.
   */
  private void init(Exchange ex, long t0, WindowKey key, String fileName) {
    Optional<SegmentReady> named = namingInit(key, fileName);
    if (named.isPresent()) {
      serveObject(ex, t0, named.get().initKey(), named.get().initServers(), INIT_CONTENT_TYPE);
      return;
    }
    ex.offload(
        e -> {
          try {
            Optional<SegmentReady> loaded =
                bootstrap.ensureLoaded(key) ? namingInit(key, fileName) : Optional.empty();
            if (loaded.isEmpty()) {
              error(e, t0, "segment", 404, "no such init segment");
              return;
            }
            serveObject(
                e, t0, loaded.get().initKey(), loaded.get().initServers(), INIT_CONTENT_TYPE);
          } catch (CatalogUnavailableException failure) {
            catalogDown(e, t0, "segment", failure);
          }
        });
  }

  private Optional<SegmentReady> namingInit(WindowKey key, String fileName) {
    List<SegmentReady> held = windows.snapshot(key).map(WindowSnapshot::segments).orElse(List.of());
    for (int i = held.size() - 1; i >= 0; i--) {
      SegmentReady s = held.get(i);
      if (s.initKey() != null && s.initKey().endsWith("/" + fileName)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The segment if it is in the requested container, else 404. */
  private void serveSegment(Exchange ex, long t0, SegmentReady segment, SegmentFormat format) {
    if (segment.segmentFormat() != format) {
      error(ex, t0, "segment", 404, "no such segment");
      return;
    }
    serveObject(ex, t0, segment.storageKey(), segment.servers(), format.contentType());
  }

  /** An fMP4 init segment named by {@code segment} (the recordings' route). */
  void serveInit(Exchange ex, long t0, SegmentReady segment) {
    serveObject(ex, t0, segment.initKey(), segment.initServers(), INIT_CONTENT_TYPE);
  }

  /** A segment in its own container (the recordings' route). */
  void serveSegment(Exchange ex, long t0, SegmentReady segment) {
    serveObject(
        ex, t0, segment.storageKey(), segment.servers(), segment.segmentFormat().contentType());
  }

  /** From the cache at once, else when the (shared) storage read on the read pool completes. */
  private void serveObject(
      Exchange ex, long t0, String storageKey, List<String> servers, String contentType) {
    Optional<ByteBuffer> cached = loader.cached(storageKey);
    if (cached.isPresent()) {
      sendSegment(ex, t0, cached.get(), contentType);
      return;
    }
    loader
        .fetch(storageKey, servers)
        .whenComplete(
            (bytes, failure) -> {
              if (failure == null) {
                sendSegment(ex, t0, bytes, contentType);
                return;
              }
              Throwable cause =
                  failure instanceof java.util.concurrent.CompletionException
                          && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              if (cause instanceof java.util.concurrent.RejectedExecutionException) {
                ex.setHeader("Retry-After", "1");
                error(ex, t0, "segment", 503, "busy, retry later");
                return;
              }
              StorageException e = SegmentLoader.asStorageException(cause);
              if (e.notFound()) {
                log.warn("segment {} is announced but missing on {}", storageKey, servers);
                error(ex, t0, "segment", 404, "no such segment");
                return;
              }
              log.warn("segment {} unreadable: {}", storageKey, e.getMessage());
              error(ex, t0, "segment", 502, "storage unavailable");
            });
  }

  private void sendSegment(Exchange ex, long t0, ByteBuffer bytes, String contentType) {
    ex.setHeader("Cache-Control", SEGMENT_CACHE_CONTROL);
    ex.setHeader("Accept-Ranges", "bytes");
    int length = bytes.remaining();
    String range = ex.requestHeader("Range");
    ByteBuffer body = bytes;
    int status = 200;
    if (range != null) {
      long[] span = ByteRange.parse(range, length);
      if (span == null) {
        // Not a single byte range we serve: answer the whole object (RFC 9110 §14.2).
      } else if (span.length == 0) {
        ex.setHeader("Content-Range", "bytes */" + length);
        ex.setHeader("Cache-Control", ERROR_CACHE_CONTROL);
        ex.respond(416, TEXT, "range not satisfiable\n".getBytes(StandardCharsets.UTF_8));
        count("segment", 416, t0);
        return;
      } else {
        status = 206;
        ex.setHeader("Content-Range", "bytes " + span[0] + "-" + span[1] + "/" + length);
        body = bytes.duplicate().position((int) span[0]).limit((int) span[1] + 1).slice();
      }
    }
    int sent = body.remaining();
    ex.respond(status, contentType, Unpooled.wrappedBuffer(body));
    if (!ex.isHead()) {
      segmentBytes.increment(sent);
    }
    segmentTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
  }

  // --- holding ---

  /**
   * Answers through {@code then} once {@code ready} completes, or after the hold limit; costs no
   * thread meanwhile. {@code then} gets true when {@code ready} completed true, false when it timed
   * out or was refused (too many held).
   */
  private void hold(
      Exchange ex, CompletableFuture<Boolean> ready, int targetSec, Consumer<Boolean> then) {
    if (ready.isDone()) {
      then.accept(ready.getNow(false));
      return;
    }
    registry.counter("hls.edge.held", "result", "held").increment();
    long limitMs = Duration.ofSeconds((long) targetSec * HOLD_TARGET_DURATIONS).toMillis();
    ready
        .orTimeout(limitMs, TimeUnit.MILLISECONDS)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                ready.cancel(false);
              }
              then.accept(failure == null && Boolean.TRUE.equals(ok));
            });
  }

  // --- errors ---

  void catalogDown(Exchange ex, long t0, String kind, CatalogUnavailableException e) {
    log.warn("catalog unavailable: {}", e.getMessage());
    ex.setHeader("Retry-After", "1");
    error(ex, t0, kind, 503, "catalog unavailable");
  }

  void error(Exchange ex, long t0, String kind, int status, String message) {
    ex.setHeader("Cache-Control", ERROR_CACHE_CONTROL);
    Responses.sendText(ex, status, TEXT, message + "\n");
    count(kind, status, t0);
  }

  void count(String kind, int status, long t0) {
    timer(kind, status / 100 + "xx").record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
  }

  private Timer timer(String kind, String status) {
    return Timer.builder("hls.edge.requests")
        .tag("kind", kind)
        .tag("status", status)
        .register(registry);
  }
}
