package io.hlspipeline.edge.http;

import io.hlspipeline.edge.cache.SegmentLoader;
import io.hlspipeline.edge.catalog.CatalogUnavailableException;
import io.hlspipeline.edge.playlist.PlaylistBuilder;
import io.hlspipeline.edge.recording.BadRecordingRequestException;
import io.hlspipeline.edge.recording.RecordingIndex;
import io.hlspipeline.edge.recording.RecordingPlaylists;
import io.hlspipeline.edge.recording.RecordingQuery;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.catalog.RecordingDto;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import io.hlspipeline.media.hls.MultivariantPlaylist;
import io.hlspipeline.media.hls.PlaylistWriter;
import io.hlspipeline.media.hls.Variant;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code /hls/} route: recordings (DVR, seeking, clips) below {@code
 * /hls/{streamId}/recordings}, everything else handed to the {@link HlsHandler}. Thread-safe.
 *
 * <ul>
 *   <li>{@code GET /hls/{streamId}/recordings}: JSON, newest first: {@code id}, {@code started},
 *       {@code ended} (null while live), {@code durationSeconds}, {@code segments}, {@code
 *       playlist} (the recording's multivariant playlist URL).
 *   <li>{@code GET /hls/{streamId}/recordings/{id}/master.m3u8}: one variant per rendition, its URI
 *       carrying the query ({@code t}, {@code start}, {@code end}) on.
 *   <li>{@code GET /hls/{streamId}/recordings/{id}/{rendition}/index.m3u8[?t=|?start=&end=]}: see
 *       {@link RecordingPlaylists}; {@code Link: <msn.ts>; rel=preload} ({@code .m4s} for fMP4)
 *       names the segments a player asks for first.
 *   <li>{@code GET /hls/{streamId}/recordings/{id}/{rendition}/{msn}.ts} or {@code .m4s}: the
 *       segment (404 in the other container); the next {@code readAheadSegments} of the recording
 *       are read into the cache meanwhile.
 *   <li>{@code GET /hls/{streamId}/recordings/{id}/{rendition}/init-{id}.mp4}: an fMP4 init segment
 *       a segment of the recording names.
 *   <li>{@code latest} as {@code {id}}: 302 to the same path and query under the newest recording's
 *       id, so caches key on stable URLs.
 * </ul>
 *
 * <p>History comes from the catalog API only ({@link RecordingIndex}), on the worker pool. Bad
 * values are a 400, unknown streams, recordings and renditions a 404, each with a one-line reason.
 * {@code recordings} is thus a reserved name: no rendition can be reached under it.
 *
 * <p>Meters: {@code hls.edge.recording.segments} (tag {@code result=hit|miss}: served from the
 * cache or read from storage), the loader's {@code hls.edge.readahead}.
 */
public final class RecordingHandler implements HttpHandler {
  static final String RECORDINGS = "recordings";
  static final String LATEST = "latest";

  /** Publish session ids: ingest's {@code 20260101T120000.123Z-1a2b3c4d}, or anything similar. */
  static final Pattern RECORDING_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}");

  /** As an ended live playlist: a recording's segments never change once it ended. */
  static final String VOD_CACHE_CONTROL = HlsHandler.ENDED_PLAYLIST_CACHE_CONTROL;

  private final HlsHandler live;
  private final RecordingIndex index;
  private final RecordingPlaylists playlists;
  private final SegmentLoader loader;
  private final int readAheadSegments;
  private final MeterRegistry registry;

  public RecordingHandler(
      HlsHandler live,
      RecordingIndex index,
      RecordingPlaylists playlists,
      SegmentLoader loader,
      int readAheadSegments,
      MeterRegistry registry) {
    this.live = live;
    this.index = index;
    this.playlists = playlists;
    this.loader = loader;
    this.readAheadSegments = readAheadSegments;
    this.registry = registry;
  }

  /**
   * A parsed recording path; {@code rendition} null for the list and master, msn -1 if none; {@code
   * format} the requested segment's container (null if no segment); {@code init} whether {@code
   * file} names an fMP4 init segment.
   */
  record Target(
      String streamId,
      String id,
      String rendition,
      String file,
      long msn,
      SegmentFormat format,
      boolean init) {
    Target(String streamId, String id, String rendition, String file, long msn) {
      this(streamId, id, rendition, file, msn, null, false);
    }
  }

  @Override
  public void handle(Exchange ex) {
    handle(ex, ex.rawPath(), "");
  }

  /**
   * Serves {@code hlsPath} (raw, a {@code /hls/...} path) in place of the request's own path, and
   * puts {@code urlPrefix} before the absolute URLs it writes: how signed playback ({@code
   * io.hlspipeline.edge.auth}) serves {@code /s/{token}/hls/...} with {@code /s/{token}}.
   */
  public void handle(Exchange ex, String hlsPath, String urlPrefix) {
    String raw = hlsPath;
    String[] parts =
        raw != null && raw.startsWith(HlsPathParser.PREFIX) && raw.length() <= 256
            ? raw.substring(HlsPathParser.PREFIX.length()).split("/", -1)
            : new String[0];
    if (parts.length < 2 || !parts[1].equals(RECORDINGS)) {
      live.handle(ex, hlsPath);
      return;
    }
    long t0 = System.nanoTime();
    ex.setHeader("Access-Control-Allow-Origin", "*");
    if ("OPTIONS".equals(ex.method())) {
      live.handle(ex, hlsPath);
      return;
    }
    Target target;
    try {
      target = parse(parts);
    } catch (BadPathException e) {
      live.error(ex, t0, "invalid", e.status(), e.getMessage());
      return;
    }
    String kind = target.msn() >= 0 || target.init() ? "segment" : "playlist";
    if (!"GET".equals(ex.method()) && !"HEAD".equals(ex.method())) {
      ex.setHeader("Allow", "GET, HEAD, OPTIONS");
      live.error(ex, t0, kind, 405, "method not allowed");
      return;
    }
    ex.offload(
        e -> {
          try {
            serve(e, t0, target, urlPrefix);
          } catch (BadRecordingRequestException b) {
            live.error(e, t0, kind, b.status(), b.getMessage());
          } catch (CatalogUnavailableException c) {
            live.catalogDown(e, t0, kind, c);
          }
        });
  }

  static Target parse(String[] parts) throws BadPathException {
    String streamId = parts[0];
    if (!StreamIds.isValid(streamId)) {
      throw BadPathException.malformed("invalid stream id");
    }
    if (parts.length == 2) {
      return new Target(streamId, null, null, null, -1);
    }
    String id = parts[2];
    if (!RECORDING_ID.matcher(id).matches() || id.contains("..")) {
      throw BadPathException.malformed("invalid recording id");
    }
    if (parts.length == 4 && parts[3].equals(HlsPathParser.MASTER)) {
      return new Target(streamId, id, null, HlsPathParser.MASTER, -1);
    }
    if (parts.length != 5) {
      throw BadPathException.malformed(
          "expected /hls/{stream}/recordings[/{id}/master.m3u8|/{id}/{rendition}/{file}]");
    }
    String rendition = parts[3];
    if (!HlsPathParser.RENDITION.matcher(rendition).matches()) {
      throw BadPathException.malformed("invalid rendition");
    }
    String file = parts[4];
    if (file.equals(HlsPathParser.INDEX)) {
      return new Target(streamId, id, rendition, file, -1);
    }
    for (SegmentFormat format : SegmentFormat.values()) {
      String suffix = "." + format.segmentExtension();
      if (file.endsWith(suffix)) {
        long msn = HlsPathParser.parseMsn(file.substring(0, file.length() - suffix.length()));
        return new Target(streamId, id, rendition, file, msn, format, false);
      }
    }
    if (HlsPathParser.INIT.matcher(file).matches()) {
      return new Target(streamId, id, rendition, file, -1, null, true);
    }
    throw BadPathException.notServed("no such resource");
  }

  /** Worker pool. */
  private void serve(Exchange ex, long t0, Target target, String urlPrefix)
      throws BadRecordingRequestException, CatalogUnavailableException {
    if (target.id() == null) {
      list(ex, t0, target.streamId(), urlPrefix);
      return;
    }
    if (target.id().equals(LATEST)) {
      String newest = index.latest(target.streamId());
      String query = ex.rawQuery() == null || ex.rawQuery().isEmpty() ? "" : "?" + ex.rawQuery();
      String location =
          urlPrefix
              + recordingBase(target.streamId(), newest)
              + (target.rendition() == null ? "" : target.rendition() + "/")
              + target.file()
              + query;
      ex.setHeader("Location", location);
      ex.setHeader("Cache-Control", HlsHandler.LIVE_PLAYLIST_CACHE_CONTROL);
      Responses.sendText(ex, 302, HlsHandler.TEXT, "see " + location + "\n");
      return;
    }
    if (target.msn() >= 0) {
      segment(ex, t0, target);
    } else if (target.init()) {
      init(ex, t0, target);
    } else if (target.rendition() == null) {
      master(ex, t0, target, RecordingQuery.parse(ex.rawQuery()));
    } else {
      media(ex, t0, target, RecordingQuery.parse(ex.rawQuery()));
    }
  }

  /** What {@code GET /hls/{streamId}/recordings} lists per recording. */
  public record RecordingView(
      String id,
      Instant started,
      Instant ended,
      double durationSeconds,
      long segments,
      String playlist) {}

  /** The body of {@code GET /hls/{streamId}/recordings}. */
  public record RecordingListView(String streamId, List<RecordingView> recordings) {}

  private void list(Exchange ex, long t0, String streamId, String urlPrefix)
      throws BadRecordingRequestException, CatalogUnavailableException {
    List<RecordingView> views = new ArrayList<>();
    for (RecordingDto r : index.recordings(streamId)) {
      views.add(
          new RecordingView(
              r.id(),
              r.started(),
              r.ended(),
              r.durationSeconds(),
              r.segments(),
              urlPrefix + recordingBase(streamId, r.id()) + HlsPathParser.MASTER));
    }
    ex.setHeader("Cache-Control", HlsHandler.LIVE_PLAYLIST_CACHE_CONTROL);
    Responses.sendJson(ex, 200, new RecordingListView(streamId, views));
    live.count("playlist", 200, t0);
  }

  private void master(Exchange ex, long t0, Target target, RecordingQuery query)
      throws BadRecordingRequestException, CatalogUnavailableException {
    List<Variant> variants = new ArrayList<>();
    boolean ended = true;
    for (String rendition : index.renditions(target.streamId())) {
      RecordingIndex.Loaded loaded;
      try {
        loaded = index.load(target.streamId(), rendition, target.id());
      } catch (BadRecordingRequestException e) {
        if (e.status() == 404 && e.getMessage().equals("unknown rendition")) {
          continue; // a rendition this recording does not have
        }
        throw e;
      }
      ended &= loaded.ended();
      if (loaded.segments().isEmpty()) {
        continue;
      }
      Variant v = PlaylistBuilder.variant(rendition, loaded.segments());
      variants.add(
          new Variant(
              v.uri() + query.toQueryString(),
              v.bandwidthBps(),
              v.averageBandwidthBps(),
              v.codecs(),
              v.resolution(),
              v.frameRate()));
    }
    if (variants.isEmpty()) {
      throw BadRecordingRequestException.notFound("recording has no segment yet");
    }
    ex.setHeader(
        "Cache-Control", ended ? VOD_CACHE_CONTROL : HlsHandler.LIVE_PLAYLIST_CACHE_CONTROL);
    byte[] body =
        PlaylistWriter.write(new MultivariantPlaylist(true, variants))
            .getBytes(StandardCharsets.UTF_8);
    ex.respond(200, HlsHandler.PLAYLIST_CONTENT_TYPE, body);
    live.count("playlist", 200, t0);
  }

  private void media(Exchange ex, long t0, Target target, RecordingQuery query)
      throws BadRecordingRequestException, CatalogUnavailableException {
    RecordingIndex.Loaded loaded = index.load(target.streamId(), target.rendition(), target.id());
    RecordingPlaylists.Result result = playlists.playlist(loaded.segments(), loaded.ended(), query);
    List<SegmentReady> listed = loaded.segments();
    RenderedPlaylist rendered =
        RenderedPlaylist.of(
            result.playlist(), listed.isEmpty() ? -1 : listed.get(listed.size() - 1).msn());
    live.sendPlaylist(
        ex,
        t0,
        rendered,
        HlsHandler.preloadLink(
            result.preload().stream().map(PlaylistBuilder::segmentUri).toList()));
  }

  private void segment(Exchange ex, long t0, Target target)
      throws BadRecordingRequestException, CatalogUnavailableException {
    RecordingIndex.Loaded loaded = index.load(target.streamId(), target.rendition(), target.id());
    Optional<SegmentReady> segment = loaded.find(target.msn());
    if (segment.isEmpty() || segment.get().segmentFormat() != target.format()) {
      throw BadRecordingRequestException.notFound("no such segment in the recording");
    }
    boolean hit = loader.cached(segment.get()).isPresent();
    registry.counter("hls.edge.recording.segments", "result", hit ? "hit" : "miss").increment();
    live.serveSegment(ex, t0, segment.get());
    for (SegmentReady next : loaded.after(target.msn(), readAheadSegments)) {
      loader.readAhead(next);
    }
  }

  /** An fMP4 init segment, found through a segment of the recording that names it. */
  private void init(Exchange ex, long t0, Target target)
      throws BadRecordingRequestException, CatalogUnavailableException {
    RecordingIndex.Loaded loaded = index.load(target.streamId(), target.rendition(), target.id());
    for (SegmentReady s : loaded.segments()) {
      if (s.initKey() != null && s.initKey().endsWith("/" + target.file())) {
        live.serveInit(ex, t0, s);
        return;
      }
    }
    throw BadRecordingRequestException.notFound("no such init segment in the recording");
  }

  /** {@code /hls/{streamId}/recordings/{id}/}. */
  static String recordingBase(String streamId, String id) {
    return HlsPathParser.PREFIX + streamId + "/" + RECORDINGS + "/" + id + "/";
  }
}
