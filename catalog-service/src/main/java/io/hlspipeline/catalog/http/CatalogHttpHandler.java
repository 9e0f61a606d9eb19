package io.hlspipeline.catalog.http;

import io.hlspipeline.catalog.store.CatalogStore;
import io.hlspipeline.catalog.store.SegmentPage;
import io.hlspipeline.catalog.store.StoreUnavailableException;
import io.hlspipeline.catalog.store.TimeBuckets;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.RecordingListDto;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamListDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The catalog's read API under {@link CatalogApi#STREAMS} (see {@code openapi.yaml} in events):
 *
 * <ul>
 *   <li>{@code GET /api/v1/streams} → {@link StreamListDto} (at most {@value #MAX_STREAMS})
 *   <li>{@code GET /api/v1/streams/{id}} → {@link StreamDto}
 *   <li>{@code GET /api/v1/streams/{id}/renditions/{r}/segments?fromMsn=&limit=} → {@link
 *       SegmentListDto}; {@code fromTime=&toTime=} (ISO-8601 instants) select the segments
 *       overlapping [fromTime, toTime)
 *   <li>{@code GET /api/v1/streams/{id}/renditions/{r}/segments/at?t=} → the {@link SegmentDto}
 *       holding instant t
 *   <li>{@code GET /api/v1/streams/{id}/recordings} → {@link RecordingListDto}, newest first
 * </ul>
 *
 * <p>Ids are checked against {@link StreamIds#STREAM_ID} on the raw (undecoded) path, so no escaped
 * character ever reaches the store: a malformed id or parameter is a 400, an unknown stream or
 * rendition a 404, another method a 405. Store failures are a 503. Thread-safe.
 */
public final class CatalogHttpHandler implements HttpHandler {
  /** Most streams listed by {@code GET /api/v1/streams}. */
  public static final int MAX_STREAMS = 1000;

  private final CatalogStore store;
  private final Clock clock;

  public CatalogHttpHandler(CatalogStore store) {
    this(store, Clock.systemUTC());
  }

  /**
   * @param clock gives the end of a live recording's duration
   */
  public CatalogHttpHandler(CatalogStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void handle(Exchange ex) {
    String method = ex.method();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      ex.setHeader("Allow", "GET, HEAD");
      Responses.problem(ex, 405, "method not allowed");
      return;
    }
    String path = ex.rawPath();
    if (!path.startsWith(CatalogApi.STREAMS)) {
      Responses.problem(ex, 404, "not found");
      return;
    }
    String rest = path.substring(CatalogApi.STREAMS.length());
    try {
      if (rest.isEmpty() || rest.equals("/")) {
        Responses.sendJson(ex, 200, new StreamListDto(store.listStreams(MAX_STREAMS)));
        return;
      }
      if (!rest.startsWith("/")) {
        Responses.problem(ex, 404, "not found");
        return;
      }
      // "/{id}" or "/{id}/renditions/{r}/segments"; split keeps empty parts so "//" is caught.
      String[] parts = rest.substring(1).split("/", -1);
      if (parts.length == 1) {
        getStream(ex, parts[0]);
      } else if (parts.length == 2 && parts[1].equals("recordings")) {
        getRecordings(ex, parts[0]);
      } else if (parts.length == 4
          && parts[1].equals("renditions")
          && parts[3].equals("segments")) {
        getSegments(ex, parts[0], parts[2]);
      } else if (parts.length == 5
          && parts[1].equals("renditions")
          && parts[3].equals("segments")
          && parts[4].equals("at")) {
        getSegmentAt(ex, parts[0], parts[2]);
      } else {
        Responses.problem(ex, 404, "not found");
      }
    } catch (StoreUnavailableException e) {
      Responses.problem(ex, 503, "catalog store unavailable, retry later");
    }
  }

  private void getStream(Exchange ex, String streamId) {
    if (!StreamIds.isValid(streamId)) {
      Responses.problem(ex, 400, "invalid stream id (must match " + StreamIds.STREAM_ID + ")");
      return;
    }
    Optional<StreamDto> stream = store.findStream(streamId);
    if (stream.isEmpty()) {
      Responses.problem(ex, 404, "unknown stream " + streamId);
      return;
    }
    Responses.sendJson(ex, 200, stream.get());
  }

  private void getRecordings(Exchange ex, String streamId) {
    if (!StreamIds.isValid(streamId)) {
      Responses.problem(ex, 400, "invalid stream id (must match " + StreamIds.STREAM_ID + ")");
      return;
    }
    if (store.findStream(streamId).isEmpty()) {
      Responses.problem(ex, 404, "unknown stream " + streamId);
      return;
    }
    Responses.sendJson(
        ex,
        200,
        new RecordingListDto(streamId, Recordings.of(store.sessions(streamId), clock.instant())));
  }

  /** False once a 400 was sent for a malformed stream id or rendition. */
  private static boolean validIds(Exchange ex, String streamId, String rendition) {
    if (!StreamIds.isValid(streamId)) {
      Responses.problem(ex, 400, "invalid stream id (must match " + StreamIds.STREAM_ID + ")");
      return false;
    }
    if (!StreamIds.isValid(rendition)) {
      Responses.problem(ex, 400, "invalid rendition (must match " + StreamIds.STREAM_ID + ")");
      return false;
    }
    return true;
  }

  /** The stream having {@code rendition}, or empty once a 404 was sent. */
  private Optional<StreamDto> knownRendition(Exchange ex, String streamId, String rendition) {
    Optional<StreamDto> found = store.findStream(streamId);
    if (found.isEmpty()) {
      Responses.problem(ex, 404, "unknown stream " + streamId);
      return Optional.empty();
    }
    if (!found.get().renditions().contains(rendition)) {
      Responses.problem(ex, 404, "stream " + streamId + " has no rendition " + rendition);
      return Optional.empty();
    }
    return found;
  }

  private void getSegmentAt(Exchange ex, String streamId, String rendition) {
    if (!validIds(ex, streamId, rendition)) {
      return;
    }
    Instant t;
    try {
      Map<String, String> params = SegmentQuery.params(ex.rawQuery());
      if (!params.containsKey("t")) {
        throw new IllegalArgumentException("parameter t (an ISO-8601 instant) is required");
      }
      t = SegmentQuery.instant(params, "t");
    } catch (IllegalArgumentException e) {
      Responses.problem(ex, 400, e.getMessage());
      return;
    }
    if (knownRendition(ex, streamId, rendition).isEmpty()) {
      return;
    }
    Optional<SegmentDto> segment = store.segmentAt(streamId, rendition, t);
    if (segment.isEmpty()) {
      Responses.problem(ex, 404, "no segment of " + streamId + "/" + rendition + " holds " + t);
      return;
    }
    Responses.sendJson(ex, 200, segment.get());
  }

  private void getSegments(Exchange ex, String streamId, String rendition) {
    if (!validIds(ex, streamId, rendition)) {
      return;
    }
    SegmentQuery query;
    try {
      query = SegmentQuery.parse(ex.rawQuery());
    } catch (IllegalArgumentException e) {
      Responses.problem(ex, 400, e.getMessage());
      return;
    }
    Optional<StreamDto> found = knownRendition(ex, streamId, rendition);
    if (found.isEmpty()) {
      return;
    }
    StreamDto stream = found.get();
    long fromMsn =
        query.fromTime() == null
            ? query.fromMsn()
            : store.firstMsnEndingAfter(streamId, rendition, query.fromTime());
    SegmentPage page =
        fromMsn < 0
            ? new SegmentPage(List.of(), -1)
            : store.segments(streamId, rendition, fromMsn, query.limit(), stream.lastMsn());
    if (query.toTime() != null) {
      page = page.startingBefore(query.toTime());
    }
    Responses.sendJson(
        ex,
        200,
        new SegmentListDto(
            streamId,
            rendition,
            page.segments(),
            stream.status() == StreamStatus.ENDED,
            page.nextMsn()));
  }

  /**
   * The query of a segments request.
   *
   * @param fromMsn first msn wanted, ≥ 0 (default 0); ignored when fromTime is set
   * @param fromTime start at the segment holding this instant (or the next one), null for fromMsn
   * @param toTime stop before the first segment starting at or after it, null for no bound
   * @param limit most segments, in [1, {@link CatalogApi#MAX_LIMIT}] (default {@link
   *     CatalogApi#DEFAULT_LIMIT})
   */
  record SegmentQuery(long fromMsn, Instant fromTime, Instant toTime, int limit) {
    /**
     * Parses a raw query string; unknown parameters are ignored.
     *
     * @throws IllegalArgumentException with a message fit for a 400 body
     */
    static SegmentQuery parse(String rawQuery) {
      Map<String, String> params = params(rawQuery);
      if (params.containsKey("fromTime") && params.containsKey("fromMsn")) {
        throw new IllegalArgumentException("give fromMsn or fromTime, not both");
      }
      long fromMsn = number(params, "fromMsn", 0, Long.MAX_VALUE, 0);
      long limit = number(params, "limit", 1, CatalogApi.MAX_LIMIT, CatalogApi.DEFAULT_LIMIT);
      Instant fromTime = params.containsKey("fromTime") ? instant(params, "fromTime") : null;
      Instant toTime = params.containsKey("toTime") ? instant(params, "toTime") : null;
      if (fromTime != null && toTime != null && !toTime.isAfter(fromTime)) {
        throw new IllegalArgumentException("toTime must be after fromTime");
      }
      return new SegmentQuery(fromMsn, fromTime, toTime, (int) limit);
    }

    /**
     * An ISO-8601 instant (percent-encoding allowed, e.g. {@code %3A} for ':') within the range the
     * store holds.
     */
    static Instant instant(Map<String, String> params, String name) {
      String reason =
          name
              + " must be an ISO-8601 instant between "
              + TimeBuckets.MIN_INSTANT
              + " and "
              + TimeBuckets.MAX_INSTANT
              + ", e.g. 2025-03-01T12:00:00Z";
      Instant t;
      try {
        t = Instant.parse(URLDecoder.decode(params.get(name), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new IllegalArgumentException(reason);
      }
      if (t.isBefore(TimeBuckets.MIN_INSTANT) || !t.isBefore(TimeBuckets.MAX_INSTANT)) {
        throw new IllegalArgumentException(reason);
      }
      return t;
    }

    /** The parameters of a raw query; a repeated one is refused. */
    static Map<String, String> params(String rawQuery) {
      Map<String, String> params = new HashMap<>();
      if (rawQuery != null && !rawQuery.isEmpty()) {
        for (String pair : rawQuery.split("&")) {
          int eq = pair.indexOf('=');
          String key = eq < 0 ? pair : pair.substring(0, eq);
          String value = eq < 0 ? "" : pair.substring(eq + 1);
          if (params.put(key, value) != null) {
            throw new IllegalArgumentException("parameter " + key + " given twice");
          }
        }
      }
      return params;
    }

    private static long number(
        Map<String, String> params, String name, long min, long max, long dflt) {
      String text = params.get(name);
      if (text == null) {
        return dflt;
      }
      long value;
      try {
        // Digits only: no sign, no spaces, no escapes; at most 18 digits so parsing cannot
        // overflow.
        if (!text.matches("\\d{1,18}")) {
          throw new NumberFormatException();
        }
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            name + " must be an integer in [" + min + ", " + max + "]");
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be an integer in [" + min + ", " + max + "]");
      }
      return value;
    }
  }
}
