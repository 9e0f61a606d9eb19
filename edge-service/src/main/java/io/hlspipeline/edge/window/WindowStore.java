package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.media.hls.RenditionReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Every rendition window this edge holds, fed by {@code hls.segments} and by catalog bootstraps.
 * Thread-safe.
 *
 * <p>Memory is bounded twice: each window keeps at most {@code maxSegmentsPerWindow} segments, and
 * at most {@code maxWindows} windows are held (past that, the one idle the longest is dropped). A
 * window that sees neither an event nor a request for {@code idleRetention} is dropped by {@link
 * #evictIdle()}: that covers ended streams and streams whose ingest died without a StreamEnded; a
 * later request bootstraps it again from the catalog.
 */
public final class WindowStore {
  private final int maxSegmentsPerWindow;
  private final int maxWindows;
  private final Duration idleRetention;
  private final Clock clock;
  private final Map<WindowKey, RenditionWindow> windows = new ConcurrentHashMap<>();

  /** Rendition names per stream id, for rendition reports without a scan of every window. */
  private final Map<String, Set<String>> renditionsByStream = new ConcurrentHashMap<>();

  public WindowStore(
      int maxSegmentsPerWindow, int maxWindows, Duration idleRetention, Clock clock) {
    if (maxSegmentsPerWindow < 1 || maxWindows < 1) {
      throw new IllegalArgumentException("bounds must be >= 1");
    }
    this.maxSegmentsPerWindow = maxSegmentsPerWindow;
    this.maxWindows = maxWindows;
    this.idleRetention = idleRetention;
    this.clock = clock;
  }

  /**
   * Applies one event of {@code hls.segments}.
   *
   * @return the segment or part if it is new to this edge (worth prefetching), else empty
   */
  public Optional<SegmentEvent> apply(SegmentEvent event) {
    Instant now = clock.instant();
    // Java 17: no pattern matching in switch yet.
    if (event instanceof SegmentReady s) {
      boolean added = window(new WindowKey(s.streamId(), s.rendition()), now).applyLive(s, now);
      return added ? Optional.of(s) : Optional.empty();
    }
    if (event instanceof PartReady p) {
      boolean added = window(new WindowKey(p.streamId(), p.rendition()), now).applyPart(p, now);
      return added ? Optional.of(p) : Optional.empty();
    }
    if (event instanceof StreamEnded e) {
      RenditionWindow w = windows.get(new WindowKey(e.streamId(), e.rendition()));
      if (w != null) {
        w.applyEnded(e, now);
      }
    }
    return Optional.empty();
  }

  /** Merges a catalog page into a window (creating it). See {@link RenditionWindow#merge}. */
  public void merge(WindowKey key, Collection<SegmentReady> segments, String endedSessionId) {
    Instant now = clock.instant();
    window(key, now).merge(segments, endedSessionId, now);
  }

  /** The window's current content, or empty if the edge holds no segment of it. */
  public Optional<WindowSnapshot> snapshot(WindowKey key) {
    RenditionWindow w = windows.get(key);
    if (w == null) {
      return Optional.empty();
    }
    WindowSnapshot s = w.snapshot(clock.instant());
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  /**
   * The window's view made by {@code render} (one rendering per change of the window, shared by
   * every caller; {@code render} must return the same kind of value for a given store), or empty if
   * the edge holds no segment of it.
   */
  public <T> Optional<T> view(WindowKey key, Function<WindowSnapshot, T> render) {
    RenditionWindow w = windows.get(key);
    if (w == null || w.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(w.view(render, clock.instant()));
  }

  /**
   * As {@link #view(WindowKey, Function)}, rendered again when {@code outside} (a version of what
   * {@code render} reads beyond the window) changes.
   */
  public <T> Optional<T> view(WindowKey key, Function<WindowSnapshot, T> render, long outside) {
    RenditionWindow w = windows.get(key);
    if (w == null || w.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(w.view(render, outside, clock.instant()));
  }

  /**
   * The other renditions of {@code key}'s stream that hold a segment, sorted by name (for {@code
   * EXT-X-RENDITION-REPORT}).
   */
  public List<WindowKey> siblings(WindowKey key) {
    Set<String> names = renditionsByStream.get(key.streamId());
    if (names == null || names.size() < 2) {
      return List.of();
    }
    return names.stream()
        .filter(r -> !r.equals(key.rendition()))
        .sorted()
        .map(r -> new WindowKey(key.streamId(), r))
        .filter(k -> windows.containsKey(k) && !windows.get(k).isEmpty())
        .toList();
  }

  /**
   * The {@code EXT-X-RENDITION-REPORT} of {@code key}'s playlist, read without locking (safe inside
   * another window's rendering); empty if it holds no segment.
   *
   * @param uri the playlist's URI relative to the reporting playlist
   */
  public Optional<RenditionReport> report(WindowKey key, String uri) {
    RenditionWindow w = windows.get(key);
    long[] position = w == null ? null : w.position();
    if (position == null) {
      return Optional.empty();
    }
    return Optional.of(
        new RenditionReport(
            uri,
            position[0],
            position[1] < 0 ? OptionalLong.empty() : OptionalLong.of(position[1])));
  }

  /** The sum of the content versions of {@code keys}: changes whenever one of them changes. */
  public long versions(List<WindowKey> keys) {
    long sum = 0;
    for (WindowKey k : keys) {
      RenditionWindow w = windows.get(k);
      sum += w == null ? 0 : w.version();
    }
    return sum;
  }

  /**
   * Completes with true once the playlist of {@code key} lists part {@code part} of segment {@code
   * msn} or later (blocking reload, see {@link RenditionWindow#awaitPlaylist}) or its session ends;
   * with false at once when the window is unknown or {@code maxWaiters} wait on it already.
   */
  public CompletableFuture<Boolean> awaitPlaylist(
      WindowKey key, long msn, int part, int maxWaiters) {
    RenditionWindow w = windows.get(key);
    return w == null
        ? CompletableFuture.completedFuture(false)
        : w.awaitPlaylist(msn, part, maxWaiters);
  }

  /**
   * Completes with true once part {@code part} of segment {@code msn} is held, that segment is
   * complete (the part will not come) or the session ends; false at once as {@link #await}.
   */
  public CompletableFuture<Boolean> awaitPart(WindowKey key, long msn, int part, int maxWaiters) {
    RenditionWindow w = windows.get(key);
    return w == null
        ? CompletableFuture.completedFuture(false)
        : w.awaitPart(msn, part, maxWaiters);
  }

  /** A held part. */
  public Optional<PartReady> findPart(WindowKey key, long msn, int part) {
    RenditionWindow w = windows.get(key);
    return w == null ? Optional.empty() : w.findPart(msn, part, clock.instant());
  }

  /**
   * Completes with true once the window holds {@code msn} or its session ends; with false at once
   * when the window is unknown or {@code maxWaiters} requests wait on it already. See {@link
   * RenditionWindow#await}.
   */
  public CompletableFuture<Boolean> await(WindowKey key, long msn, int maxWaiters) {
    RenditionWindow w = windows.get(key);
    return w == null ? CompletableFuture.completedFuture(false) : w.await(msn, maxWaiters);
  }

  /** A held segment by msn. */
  public Optional<SegmentReady> find(WindowKey key, long msn) {
    RenditionWindow w = windows.get(key);
    return w == null ? Optional.empty() : w.find(msn, clock.instant());
  }

  /** Renditions held for a stream, sorted. */
  public List<String> renditions(String streamId) {
    return windows.entrySet().stream()
        .filter(e -> e.getKey().streamId().equals(streamId) && !e.getValue().isEmpty())
        .map(e -> e.getKey().rendition())
        .sorted()
        .toList();
  }

  /** Number of windows held. */
  public int size() {
    return windows.size();
  }

  /**
   * Drops windows idle for longer than the retention.
   *
   * @return how many were dropped
   */
  public int evictIdle() {
    Instant cutoff = clock.instant().minus(idleRetention);
    int before = windows.size();
    windows.entrySet().removeIf(e -> e.getValue().lastActivity().isBefore(cutoff));
    forgetRemoved();
    return before - windows.size();
  }

  private RenditionWindow window(WindowKey key, Instant now) {
    RenditionWindow existing = windows.get(key);
    if (existing != null) {
      return existing;
    }
    if (windows.size() >= maxWindows) {
      evictLongestIdle();
    }
    RenditionWindow w =
        windows.computeIfAbsent(key, k -> new RenditionWindow(maxSegmentsPerWindow, now));
    renditionsByStream
        .computeIfAbsent(key.streamId(), s -> ConcurrentHashMap.newKeySet())
        .add(key.rendition());
    return w;
  }

  /** Drops index entries of windows no longer held. */
  private void forgetRemoved() {
    renditionsByStream
        .entrySet()
        .removeIf(
            e -> {
              e.getValue().removeIf(r -> !windows.containsKey(new WindowKey(e.getKey(), r)));
              return e.getValue().isEmpty();
            });
  }

  private void evictLongestIdle() {
    // O(windows), but only when the bound is hit, which an operator sizes to be rare.
    windows.entrySet().stream()
        .min(Comparator.comparing(e -> e.getValue().lastActivity()))
        .ifPresent(e -> windows.remove(e.getKey(), e.getValue()));
    forgetRemoved();
  }
}
