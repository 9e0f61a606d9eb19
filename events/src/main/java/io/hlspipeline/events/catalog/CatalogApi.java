package io.hlspipeline.events.catalog;

/**
 * Paths of catalog-service's read API (JSON). The OpenAPI description is {@code
 * /io/hlspipeline/events/catalog/openapi.yaml} in this module's resources.
 *
 * <ul>
 *   <li>{@code GET /api/v1/streams} → {@link StreamListDto}
 *   <li>{@code GET /api/v1/streams/{streamId}} → {@link StreamDto}, 404 if unknown
 *   <li>{@code GET /api/v1/streams/{streamId}/renditions/{rendition}/segments?fromMsn=&limit=} →
 *       {@link SegmentListDto} in msn order (limit defaults to 100, at most 1000); {@code fromTime}
 *       (ISO-8601 instant) instead of {@code fromMsn} starts at the segment holding that wall time
 *       (or the next one), {@code toTime} stops before the first segment starting at or after it:
 *       the segments overlapping [fromTime, toTime), paged by {@code fromMsn=nextMsn&toTime=}
 *   <li>{@code GET /api/v1/streams/{streamId}/renditions/{rendition}/segments/at?t=} → the {@link
 *       SegmentDto} holding instant t, 404 if none does
 *   <li>{@code GET /api/v1/streams/{streamId}/recordings} → {@link RecordingListDto}, newest first
 * </ul>
 */
public final class CatalogApi {
  public static final String BASE = "/api/v1";
  public static final String STREAMS = BASE + "/streams";
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  private CatalogApi() {}

  public static String stream(String streamId) {
    return STREAMS + "/" + streamId;
  }

  public static String recordings(String streamId) {
    return STREAMS + "/" + streamId + "/recordings";
  }

  public static String segments(String streamId, String rendition, long fromMsn, int limit) {
    return STREAMS
        + "/"
        + streamId
        + "/renditions/"
        + rendition
        + "/segments?fromMsn="
        + fromMsn
        + "&limit="
        + limit;
  }
}
