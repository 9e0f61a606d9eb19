package io.hlspipeline.edge.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.RecordingListDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.json.EventJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads catalog-service's REST API ({@link CatalogApi}) over HTTP with the shared DTOs.
 * Thread-safe. Callers pass only validated ids, so paths need no escaping. Response bodies are read
 * up to {@link #MAX_BODY_BYTES}; a longer one is an error, so a broken catalog cannot exhaust the
 * edge's memory.
 */
public final class CatalogClient {
  /** 1000 segments (the API's page limit) take ~600 KB of JSON. */
  static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private final URI baseUrl;
  private final Duration timeout;
  private final HttpClient http;
  private final ObjectMapper json = EventJson.newMapper();

  /**
   * @param baseUrl e.g. {@code http://catalog:8082}, without a trailing slash
   */
  public CatalogClient(URI baseUrl, Duration timeout) {
    this.baseUrl = baseUrl;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** {@code GET /api/v1/streams/{id}}: the stream's master record, or empty on 404. */
  public Optional<StreamDto> stream(String streamId) throws CatalogUnavailableException {
    return get(CatalogApi.stream(streamId), StreamDto.class);
  }

  /** {@code GET /api/v1/streams/{id}/recordings}: newest first, or empty on 404. */
  public Optional<RecordingListDto> recordings(String streamId) throws CatalogUnavailableException {
    return get(CatalogApi.recordings(streamId), RecordingListDto.class);
  }

  /**
   * {@code GET .../renditions/{r}/segments?fromMsn=&limit=}: a page in msn order, or empty on 404.
   */
  public Optional<SegmentListDto> segments(
      String streamId, String rendition, long fromMsn, int limit)
      throws CatalogUnavailableException {
    return get(CatalogApi.segments(streamId, rendition, fromMsn, limit), SegmentListDto.class);
  }

  private <T> Optional<T> get(String pathAndQuery, Class<T> type)
      throws CatalogUnavailableException {
    URI uri = URI.create(baseUrl + pathAndQuery);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() == 404) {
          return Optional.empty();
        }
        if (response.statusCode() != 200) {
          throw new CatalogUnavailableException(
              "catalog answered " + response.statusCode() + " for " + pathAndQuery, null);
        }
        byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
          throw new CatalogUnavailableException(
              "catalog response too large for " + pathAndQuery, null);
        }
        return Optional.of(json.readValue(bytes, type));
      }
    } catch (IOException e) {
      throw new CatalogUnavailableException(
          "catalog request failed: " + pathAndQuery + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CatalogUnavailableException("interrupted", e);
    }
  }
}
