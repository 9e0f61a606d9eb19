package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The newest segments of one rendition, keyed by msn, at most {@code maxSegments} of them (the
 * oldest are dropped first). Thread-safe: every method is synchronized, and calls are short.
 *
 * <p>Two ways in: {@link #applyLive} for events from {@code hls.segments}, which drops anything at
 * or below the newest msn held (replays, zombie writes, catch-up after a catalog bootstrap), and
 * {@link #merge} for a catalog page, which fills in msns not yet held.
 */
final class RenditionWindow {
  private final int maxSegments;
  private final TreeMap<Long, SegmentReady> byMsn = new TreeMap<>();
  private String currentSessionId;
  private boolean ended;
  private Instant lastActivity;

  /** Bumped by every change of the content; a rendered view is valid for one version. */
  private long version;

  private long viewVersion = -1;
  private Object view;

  /** Requests waiting for an msn not held yet (held requests), completed by the change. */
  private final ArrayList<Waiter> waiters = new ArrayList<>();

  /** A held request: wants {@code msn}, or the end of the session. */
  private record Waiter(long msn, CompletableFuture<Boolean> done) {}

  RenditionWindow(int maxSegments, Instant now) {
    if (maxSegments < 1) {
      throw new IllegalArgumentException("maxSegments must be >= 1");
    }
    this.maxSegments = maxSegments;
    this.lastActivity = now;
  }

  /**
   * Adds a segment announced on Kafka.
   *
   * @return false when dropped as a duplicate or stale (msn at or below the newest held)
   */
  synchronized boolean applyLive(SegmentReady segment, Instant now) {
    lastActivity = now;
    if (!byMsn.isEmpty() && segment.msn() <= byMsn.lastKey()) {
      return false;
    }
    putNewest(segment);
    trim();
    changed();
    return true;
  }

  /**
   * Marks the stream ended if {@code event} ends the session of the newest held segment; an end of
   * an older session (a replay) changes nothing.
   *
   * @return whether the window is now ended by this event
   */
  synchronized boolean applyEnded(StreamEnded event, Instant now) {
    lastActivity = now;
    if (currentSessionId != null && currentSessionId.equals(event.sessionId()) && !ended) {
      ended = true;
      changed();
      return true;
    }
    return false;
  }

  /**
   * Merges segments from the catalog: each msn not yet held is added. When the page reaches past
   * the newest held msn, the catalog's view of the newest session (and whether it ended) wins.
   *
   * @param endedSessionId the session the catalog reports as ended, or null if it reports the
   *     stream live
   */
  synchronized void merge(Collection<SegmentReady> segments, String endedSessionId, Instant now) {
    lastActivity = now;
    long newestBefore = byMsn.isEmpty() ? -1 : byMsn.lastKey();
    SegmentReady newestMerged = null;
    for (SegmentReady s : segments) {
      byMsn.putIfAbsent(s.msn(), s);
      if (newestMerged == null || s.msn() > newestMerged.msn()) {
        newestMerged = s;
      }
    }
    if (newestMerged != null && newestMerged.msn() > newestBefore) {
      if (!newestMerged.sessionId().equals(currentSessionId)) {
        currentSessionId = newestMerged.sessionId();
        ended = false;
      }
    }
    if (endedSessionId != null && endedSessionId.equals(currentSessionId)) {
      ended = true;
    }
    trim();
    changed();
  }

  /** After any change: new version, and the waiters it satisfies are completed (true). */
  private void changed() {
    version++;
    if (waiters.isEmpty()) {
      return;
    }
    long newest = byMsn.isEmpty() ? -1 : byMsn.lastKey();
    List<CompletableFuture<Boolean>> satisfied = new ArrayList<>();
    waiters.removeIf(
        w -> {
          if (w.done().isDone()) {
            return true;
          }
          if (w.msn() <= newest || ended) {
            satisfied.add(w.done());
            return true;
          }
          return false;
        });
    // Completed after the list is consistent: completions run the held requests' answers.
    satisfied.forEach(f -> f.complete(true));
  }

  /**
   * A future completed with true once {@code msn} is held or the session ends, at once if that is
   * so already. Completed with false (and forgotten) when {@code maxWaiters} are waiting already. A
   * caller that gives up cancels the future; cancelled waiters are dropped at the next change or
   * when the list is full.
   */
  synchronized CompletableFuture<Boolean> await(long msn, int maxWaiters) {
    if ((!byMsn.isEmpty() && msn <= byMsn.lastKey()) || ended) {
      return CompletableFuture.completedFuture(true);
    }
    if (waiters.size() >= maxWaiters) {
      waiters.removeIf(w -> w.done().isDone());
      if (waiters.size() >= maxWaiters) {
        return CompletableFuture.completedFuture(false);
      }
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    waiters.add(new Waiter(msn, done));
    return done;
  }

  /**
   * The view of the current content made by {@code render}, made once per version: concurrent
   * viewers of an unchanged window share one rendering.
   */
  synchronized <T> T view(Function<WindowSnapshot, T> render, Instant now) {
    lastActivity = now;
    if (viewVersion != version || view == null) {
      view =
          render.apply(
              new WindowSnapshot(byMsn.values().stream().toList(), currentSessionId, ended));
      viewVersion = version;
    }
    @SuppressWarnings("unchecked")
    T t = (T) view;
    return t;
  }

  private void putNewest(SegmentReady segment) {
    byMsn.put(segment.msn(), segment);
    if (!segment.sessionId().equals(currentSessionId)) {
      currentSessionId = segment.sessionId();
      ended = false;
    }
  }

  private void trim() {
    while (byMsn.size() > maxSegments) {
      byMsn.pollFirstEntry();
    }
  }

  synchronized Optional<SegmentReady> find(long msn, Instant now) {
    lastActivity = now;
    return Optional.ofNullable(byMsn.get(msn));
  }

  synchronized WindowSnapshot snapshot(Instant now) {
    lastActivity = now;
    return new WindowSnapshot(byMsn.values().stream().toList(), currentSessionId, ended);
  }

  synchronized Instant lastActivity() {
    return lastActivity;
  }

  synchronized boolean isEmpty() {
    return byMsn.isEmpty();
  }

  /** Newest held entry, for tests and metrics. */
  synchronized Optional<Map.Entry<Long, SegmentReady>> newest() {
    return Optional.ofNullable(byMsn.lastEntry());
  }
}
