package io.hlspipeline.edge.catalog;

import io.hlspipeline.edge.window.WindowKey;
import io.hlspipeline.edge.window.WindowStore;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.SegmentReady;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a rendition the edge does not hold from the catalog into the {@link WindowStore}: the
 * stream's master record, then its newest segments (up to the window bound), merged with whatever
 * Kafka delivered meanwhile (dedupe by msn). Also looks up single old segments that fell out of the
 * window. Thread-safe.
 *
 * <p>Concurrent requests for the same rendition share one catalog round trip, and a rendition the
 * catalog does not know is remembered as unknown for {@link #NEGATIVE_TTL}, so a burst of requests
 * for a made-up stream costs the catalog one call. The negative cache is bounded: past {@link
 * #MAX_NEGATIVE_ENTRIES} it is cleared.
 */
public final class CatalogBootstrap {
  private static final Logger log = LoggerFactory.getLogger(CatalogBootstrap.class);

  static final Duration NEGATIVE_TTL = Duration.ofSeconds(2);
  static final int MAX_NEGATIVE_ENTRIES = 10_000;

  private final CatalogClient catalog;
  private final WindowStore windows;
  private final int maxSegments;
  private final Clock clock;
  private final Map<WindowKey, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
  private final Map<WindowKey, Instant> unknownUntil = new ConcurrentHashMap<>();

  /**
   * @param maxSegments how many of the newest segments to load, at most the window bound
   */
  public CatalogBootstrap(
      CatalogClient catalog, WindowStore windows, int maxSegments, Clock clock) {
    this.catalog = catalog;
    this.windows = windows;
    this.maxSegments = maxSegments;
    this.clock = clock;
  }

  /**
   * Makes sure the store holds the rendition if the catalog has segments for it.
   *
   * @return false if the catalog does not know the stream, the rendition, or any segment of it
   */
  public boolean ensureLoaded(WindowKey key) throws CatalogUnavailableException {
    if (windows.snapshot(key).isPresent()) {
      return true;
    }
    Instant until = unknownUntil.get(key);
    if (until != null && clock.instant().isBefore(until)) {
      return false;
    }
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return join(running);
    }
    try {
      boolean found = load(key);
      if (!found) {
        if (unknownUntil.size() >= MAX_NEGATIVE_ENTRIES) {
          unknownUntil.clear();
        }
        unknownUntil.put(key, clock.instant().plus(NEGATIVE_TTL));
      }
      mine.complete(found);
      return found;
    } catch (CatalogUnavailableException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private static boolean join(CompletableFuture<Boolean> running)
      throws CatalogUnavailableException {
    try {
      return running.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof CatalogUnavailableException c) {
        throw c;
      }
      throw e;
    }
  }

  private boolean load(WindowKey key) throws CatalogUnavailableException {
    Optional<StreamDto> found = catalog.stream(key.streamId());
    if (found.isEmpty()) {
      return false;
    }
    StreamDto stream = found.get();
    if (stream.lastMsn() < 0 || !stream.renditions().contains(key.rendition())) {
      return false;
    }
    long fromMsn = Math.max(0, stream.lastMsn() - maxSegments + 1);
    List<SegmentReady> segments = new ArrayList<>();
    // Page until the newest segment; bounded by maxSegments so a racing live stream cannot loop us.
    while (fromMsn >= 0 && segments.size() < maxSegments) {
      int limit = Math.min(CatalogApi.MAX_LIMIT, maxSegments - segments.size());
      Optional<SegmentListDto> page =
          catalog.segments(key.streamId(), key.rendition(), fromMsn, limit);
      if (page.isEmpty() || page.get().segments().isEmpty()) {
        break;
      }
      for (SegmentDto dto : page.get().segments()) {
        if (dto.streamId().equals(key.streamId()) && dto.rendition().equals(key.rendition())) {
          segments.add(dto.toEvent());
        }
      }
      long next = page.get().nextMsn();
      fromMsn = next > fromMsn ? next : -1;
    }
    if (segments.isEmpty()) {
      return false;
    }
    String endedSession = stream.status() == StreamStatus.ENDED ? stream.sessionId() : null;
    windows.merge(key, segments, endedSession);
    log.info(
        "bootstrapped {}/{} from the catalog: {} segments up to msn {}{}",
        key.streamId(),
        key.rendition(),
        segments.size(),
        segments.get(segments.size() - 1).msn(),
        endedSession != null ? ", ended" : "");
    return true;
  }

  /**
   * One segment by msn from the catalog (for msns older than the held window).
   *
   * @return empty if the catalog has no such segment
   */
  public Optional<SegmentReady> findSegment(WindowKey key, long msn)
      throws CatalogUnavailableException {
    Optional<SegmentListDto> page = catalog.segments(key.streamId(), key.rendition(), msn, 1);
    return page.flatMap(p -> p.segments().stream().filter(s -> s.msn() == msn).findFirst())
        .map(SegmentDto::toEvent);
  }
}
