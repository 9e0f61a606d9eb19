package io.hlspipeline.catalog.http;

import io.hlspipeline.catalog.store.CatalogStore;
import io.hlspipeline.catalog.store.SegmentPage;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamListDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import java.util.HashMap;
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
 *       SegmentListDto}
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

  public CatalogHttpHandler(CatalogStore store) {
    this.store = Objects.requireNonNull(store, "store");
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
      } else if (parts.length == 4
          && parts[1].equals("renditions")
          && parts[3].equals("segments")) {
        getSegments(ex, parts[0], parts[2]);
      } else {
        Responses.problem(ex, 404, "not found");
      }
    } catch (io.hlspipeline.catalog.store.StoreUnavailableException e) {
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

  private void getSegments(Exchange ex, String streamId, String rendition) {
    if (!StreamIds.isValid(streamId)) {
      Responses.problem(ex, 400, "invalid stream id (must match " + StreamIds.STREAM_ID + ")");
      return;
    }
    if (!StreamIds.isValid(rendition)) {
      Responses.problem(ex, 400, "invalid rendition (must match " + StreamIds.STREAM_ID + ")");
      return;
    }
    SegmentQuery query;
    try {
      query = SegmentQuery.parse(ex.rawQuery());
    } catch (IllegalArgumentException e) {
      Responses.problem(ex, 400, e.getMessage());
      return;
    }
    Optional<StreamDto> found = store.findStream(streamId);
    if (found.isEmpty()) {
      Responses.problem(ex, 404, "unknown stream " + streamId);
      return;
    }
    StreamDto stream = found.get();
    if (!stream.renditions().contains(rendition)) {
      Responses.problem(ex, 404, "stream " + streamId + " has no rendition " + rendition);
      return;
    }
    SegmentPage page =
        store.segments(streamId, rendition, query.fromMsn(), query.limit(), stream.lastMsn());
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
   * @param fromMsn first msn wanted, ≥ 0 (default 0)
   * @param limit most segments, in [1, {@link CatalogApi#MAX_LIMIT}] (default {@link
   *     CatalogApi#DEFAULT_LIMIT})
   */
  record SegmentQuery(long fromMsn, int limit) {
    /**
     * Parses a raw query string; unknown parameters are ignored.
     *
     * @throws IllegalArgumentException with a message fit for a 400 body
     */
    static SegmentQuery parse(String rawQuery) {
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
      if (params.containsKey("fromTime")) {
        throw new IllegalArgumentException("fromTime is not supported yet; use fromMsn");
      }
      long fromMsn = number(params, "fromMsn", 0, Long.MAX_VALUE, 0);
      long limit = number(params, "limit", 1, CatalogApi.MAX_LIMIT, CatalogApi.DEFAULT_LIMIT);
      return new SegmentQuery(fromMsn, (int) limit);
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
