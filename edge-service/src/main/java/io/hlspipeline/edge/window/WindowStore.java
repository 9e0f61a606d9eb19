package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
   * @return the segment if it is new to this edge (worth prefetching), else empty
   */
  public Optional<SegmentReady> apply(SegmentEvent event) {
    Instant now = clock.instant();
    // Java 17: no pattern matching in switch yet.
    if (event instanceof SegmentReady s) {
      boolean added = window(new WindowKey(s.streamId(), s.rendition()), now).applyLive(s, now);
      return added ? Optional.of(s) : Optional.empty();
    }
    if (event instanceof StreamEnded e) {
      RenditionWindow w = windows.get(new WindowKey(e.streamId(), e.rendition()));
      if (w != null) {
        w.applyEnded(e, now);
      }
    }
    // PartReady: low-latency parts are not served yet.
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
    windows.values().removeIf(w -> w.lastActivity().isBefore(cutoff));
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
    return windows.computeIfAbsent(key, k -> new RenditionWindow(maxSegmentsPerWindow, now));
  }

  private void evictLongestIdle() {
    // O(windows), but only when the bound is hit, which an operator sizes to be rare.
    windows.entrySet().stream()
        .min(Comparator.comparing(e -> e.getValue().lastActivity()))
        .ifPresent(e -> windows.remove(e.getKey(), e.getValue()));
  }
}
