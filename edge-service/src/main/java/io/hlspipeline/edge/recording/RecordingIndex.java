package io.hlspipeline.edge.recording;

import io.hlspipeline.edge.catalog.CatalogClient;
import io.hlspipeline.edge.catalog.CatalogUnavailableException;
import io.hlspipeline.events.catalog.CatalogApi;
import io.hlspipeline.events.catalog.RecordingDto;
import io.hlspipeline.events.catalog.RecordingListDto;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.SegmentListDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.segments.SegmentReady;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stream's recordings and their segments, read from the catalog API only (the edge never reads
 * Cassandra). Thread-safe; its methods block on the catalog, so call them off the event loop.
 *
 * <p>A recording's segments of one rendition are its msns {@code firstMsn..lastMsn} of the
 * catalog's recording (one publish session), read in pages of {@link CatalogApi#MAX_LIMIT}; at most
 * {@code maxSegments} of them (the newest), so one request's memory is bounded. Ended recordings
 * never change, so their lists are kept (least recently used dropped past {@code cachedSegments}
 * segments over all lists); a live recording's list is reused for {@link #LIVE_TTL}, so a burst of
 * segment requests costs the catalog one read.
 */
public final class RecordingIndex {
  /** How long a live recording's segment list is reused. */
  static final Duration LIVE_TTL = Duration.ofMillis(500);

  /** A recording's segments of one rendition, oldest first, consecutive msns. */
  public record Loaded(RecordingDto recording, List<SegmentReady> segments, Instant loadedAt) {
    public Loaded {
      segments = List.copyOf(segments);
    }

    public boolean ended() {
      return recording.ended() != null;
    }

    /** The segment with {@code msn}, if the list holds it. */
    public Optional<SegmentReady> find(long msn) {
      if (segments.isEmpty()) {
        return Optional.empty();
      }
      long index = msn - segments.get(0).msn();
      if (index < 0 || index >= segments.size()) {
        return Optional.empty();
      }
      SegmentReady s = segments.get((int) index);
      return s.msn() == msn ? Optional.of(s) : Optional.empty();
    }

    /** Up to {@code k} segments after {@code msn}, in order. */
    public List<SegmentReady> after(long msn, int k) {
      List<SegmentReady> out = new ArrayList<>(k);
      for (long m = msn + 1; m <= msn + k; m++) {
        find(m).ifPresent(out::add);
      }
      return out;
    }
  }

  private record Key(String streamId, String rendition, String recordingId) {}

  private final CatalogClient catalog;
  private final int maxSegments;
  private final long cachedSegments;
  private final Clock clock;
  private final LinkedHashMap<Key, Loaded> cache = new LinkedHashMap<>(64, 0.75f, true);
  private long cachedCount;

  /**
   * @param maxSegments segments of one recording listed at most (its newest)
   * @param cachedSegments segments kept over all cached lists
   */
  public RecordingIndex(CatalogClient catalog, int maxSegments, long cachedSegments, Clock clock) {
    this.catalog = catalog;
    this.maxSegments = maxSegments;
    this.cachedSegments = cachedSegments;
    this.clock = clock;
  }

  /**
   * The stream's recordings, newest first.
   *
   * @throws BadRecordingRequestException 404 for a stream the catalog does not know
   */
  public List<RecordingDto> recordings(String streamId)
      throws BadRecordingRequestException, CatalogUnavailableException {
    Optional<RecordingListDto> list = catalog.recordings(streamId);
    if (list.isEmpty()) {
      throw BadRecordingRequestException.notFound("unknown stream");
    }
    return list.get().recordings();
  }

  /**
   * The id of the stream's newest recording with a segment.
   *
   * @throws BadRecordingRequestException 404 when there is none
   */
  public String latest(String streamId)
      throws BadRecordingRequestException, CatalogUnavailableException {
    for (RecordingDto r : recordings(streamId)) {
      if (r.segments() > 0 && r.firstMsn() >= 0) {
        return r.id();
      }
    }
    throw BadRecordingRequestException.notFound("no recording yet");
  }

  /**
   * The stream's renditions (from its master record).
   *
   * @throws BadRecordingRequestException 404 for an unknown stream
   */
  public List<String> renditions(String streamId)
      throws BadRecordingRequestException, CatalogUnavailableException {
    Optional<StreamDto> stream = catalog.stream(streamId);
    if (stream.isEmpty()) {
      throw BadRecordingRequestException.notFound("unknown stream");
    }
    return stream.get().renditions();
  }

  /**
   * One rendition of a recording.
   *
   * @throws BadRecordingRequestException 404 for an unknown stream, recording or rendition
   */
  public Loaded load(String streamId, String rendition, String recordingId)
      throws BadRecordingRequestException, CatalogUnavailableException {
    Key key = new Key(streamId, rendition, recordingId);
    Loaded cached;
    synchronized (this) {
      cached = cache.get(key);
    }
    Instant now = clock.instant();
    if (cached != null && (cached.ended() || now.isBefore(cached.loadedAt().plus(LIVE_TTL)))) {
      return cached;
    }
    RecordingDto recording = null;
    for (RecordingDto r : recordings(streamId)) {
      if (r.id().equals(recordingId)) {
        recording = r;
      }
    }
    if (recording == null) {
      throw BadRecordingRequestException.notFound("unknown recording");
    }
    List<SegmentReady> segments = segments(streamId, rendition, recording);
    if (segments.isEmpty() && recording.segments() > 0) {
      throw BadRecordingRequestException.notFound("unknown rendition");
    }
    Loaded loaded = new Loaded(recording, segments, now);
    remember(key, loaded);
    return loaded;
  }

  private List<SegmentReady> segments(String streamId, String rendition, RecordingDto rec)
      throws CatalogUnavailableException {
    if (rec.firstMsn() < 0) {
      return List.of();
    }
    long last = rec.lastMsn() >= 0 ? rec.lastMsn() : Long.MAX_VALUE;
    long from =
        rec.lastMsn() >= 0 ? Math.max(rec.firstMsn(), last - maxSegments + 1) : rec.firstMsn();
    List<SegmentReady> out = new ArrayList<>();
    // Live: the catalog's lastMsn may already be behind its segments; read on to the newest.
    while (from >= 0 && out.size() < maxSegments) {
      int limit = (int) Math.min(CatalogApi.MAX_LIMIT, maxSegments - out.size());
      Optional<SegmentListDto> page = catalog.segments(streamId, rendition, from, limit);
      if (page.isEmpty() || page.get().segments().isEmpty()) {
        break;
      }
      for (SegmentDto dto : page.get().segments()) {
        if (!dto.sessionId().equals(rec.id()) || (rec.ended() != null && dto.msn() > last)) {
          return consecutive(out);
        }
        out.add(dto.toEvent());
      }
      long next = page.get().nextMsn();
      from = next > from ? next : -1;
    }
    return consecutive(out);
  }

  /** The run of consecutive msns from the first (a gap would renumber the playlist). */
  private static List<SegmentReady> consecutive(List<SegmentReady> in) {
    for (int i = 1; i < in.size(); i++) {
      if (in.get(i).msn() != in.get(i - 1).msn() + 1) {
        return in.subList(0, i);
      }
    }
    return in;
  }

  private synchronized void remember(Key key, Loaded loaded) {
    Loaded previous = cache.put(key, loaded);
    cachedCount += loaded.segments().size() - (previous == null ? 0 : previous.segments().size());
    Iterator<Map.Entry<Key, Loaded>> eldest = cache.entrySet().iterator();
    while (cachedCount > cachedSegments && eldest.hasNext()) {
      Map.Entry<Key, Loaded> e = eldest.next();
      if (e.getKey().equals(key)) {
        continue;
      }
      cachedCount -= e.getValue().segments().size();
      eldest.remove();
    }
  }
}
