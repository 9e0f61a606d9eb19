package io.hlspipeline.catalog.store;

import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** A {@link CatalogStore} in memory, for tests of the logic above the store. Thread-safe. */
public final class InMemoryCatalogStore implements CatalogStore {
  private final Map<String, StreamDto> streams = new ConcurrentHashMap<>();
  private final Map<String, NavigableMap<Long, SegmentDto>> segments = new ConcurrentHashMap<>();
  private final Map<String, Map<String, SessionRecord>> sessions = new ConcurrentHashMap<>();
  private volatile boolean available = true;
  private volatile RuntimeException failure;

  /** Makes every later call fail as if the database were down (or back up). */
  public void setAvailable(boolean available) {
    this.available = available;
  }

  /** Every segment row of one rendition, by msn. */
  public NavigableMap<Long, SegmentDto> segmentRows(String streamId, String rendition) {
    return new TreeMap<>(segments.getOrDefault(streamId + "/" + rendition, new TreeMap<>()));
  }

  @Override
  public Optional<StreamDto> findStream(String streamId) {
    check();
    return Optional.ofNullable(streams.get(streamId));
  }

  @Override
  public List<StreamDto> listStreams(int limit) {
    check();
    return streams.values().stream().limit(limit).toList();
  }

  @Override
  public void upsertStream(StreamDto stream) {
    check();
    streams.put(stream.streamId(), stream);
  }

  @Override
  public void upsertSegment(SegmentDto segment) {
    check();
    segments
        .computeIfAbsent(
            segment.streamId() + "/" + segment.rendition(), k -> new ConcurrentSkipListMap<>())
        .put(segment.msn(), segment);
  }

  @Override
  public void sessionStarted(String streamId, String sessionId, Instant startedAt, long firstMsn) {
    update(
        streamId,
        sessionId,
        s -> new SessionRecord(streamId, sessionId, startedAt, s.endedAt(), firstMsn, s.lastMsn()));
  }

  @Override
  public void sessionProgressed(String streamId, String sessionId, long lastMsn) {
    update(
        streamId,
        sessionId,
        s ->
            new SessionRecord(
                streamId, sessionId, s.startedAt(), s.endedAt(), s.firstMsn(), lastMsn));
  }

  @Override
  public void sessionEnded(String streamId, String sessionId, Instant endedAt, long lastMsn) {
    update(
        streamId,
        sessionId,
        s -> new SessionRecord(streamId, sessionId, s.startedAt(), endedAt, s.firstMsn(), lastMsn));
  }

  private void update(
      String streamId, String sessionId, java.util.function.UnaryOperator<SessionRecord> change) {
    check();
    sessions
        .computeIfAbsent(streamId, k -> new ConcurrentSkipListMap<>())
        .compute(
            sessionId,
            (k, old) ->
                change.apply(
                    old != null
                        ? old
                        : new SessionRecord(streamId, sessionId, null, null, -1, -1)));
  }

  @Override
  public List<SessionRecord> sessions(String streamId) {
    check();
    return new ArrayList<>(sessions.getOrDefault(streamId, Map.of()).values());
  }

  @Override
  public SegmentPage segments(
      String streamId, String rendition, long fromMsn, int limit, long lastMsn) {
    check();
    NavigableMap<Long, SegmentDto> rows = segmentRows(streamId, rendition);
    return SegmentBuckets.page(
        fromMsn,
        limit,
        lastMsn,
        (bucket, from, max) ->
            rows
                .subMap(from, true, (bucket + 1) * SegmentBuckets.SEGMENTS_PER_BUCKET, false)
                .values()
                .stream()
                .limit(max)
                .toList());
  }

  @Override
  public List<SessionRecord> sessionsEndedBefore(Instant cutoff, int limit) {
    check();
    return sessions.values().stream()
        .flatMap(m -> m.values().stream())
        .filter(r -> r.endedAt() != null && r.endedAt().isBefore(cutoff))
        .limit(limit)
        .toList();
  }

  @Override
  public void deleteSession(SessionRecord session, List<String> renditions) {
    check();
    for (String rendition : renditions) {
      NavigableMap<Long, SegmentDto> rows = segments.get(session.streamId() + "/" + rendition);
      if (rows != null && session.firstMsn() >= 0 && session.lastMsn() >= session.firstMsn()) {
        rows.subMap(session.firstMsn(), true, session.lastMsn(), true).clear();
      }
    }
    Map<String, SessionRecord> of = sessions.get(session.streamId());
    if (of != null) {
      of.remove(session.sessionId());
    }
  }

  @Override
  public boolean isAvailable() {
    return available;
  }

  /** Makes every later call throw {@code failure} (a bug in the store), or stop if null. */
  public void setFailure(RuntimeException failure) {
    this.failure = failure;
  }

  private void check() {
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
    if (!available) {
      throw new StoreUnavailableException("in-memory store set unavailable", null);
    }
  }

  @Override
  public Optional<SegmentDto> segmentAt(String streamId, String rendition, Instant t) {
    check();
    return segmentRows(streamId, rendition).values().stream()
        .filter(s -> s.programDateTime() != null)
        .filter(
            s ->
                !s.programDateTime().isAfter(t)
                    && s.programDateTime().plusNanos(s.durationUs() * 1000).isAfter(t))
        .findFirst();
  }

  @Override
  public long firstMsnEndingAfter(String streamId, String rendition, Instant t) {
    check();
    return segmentRows(streamId, rendition).values().stream()
        .filter(s -> s.programDateTime() != null)
        .filter(s -> s.programDateTime().plusNanos(s.durationUs() * 1000).isAfter(t))
        .mapToLong(SegmentDto::msn)
        .findFirst()
        .orElse(-1);
  }
}
