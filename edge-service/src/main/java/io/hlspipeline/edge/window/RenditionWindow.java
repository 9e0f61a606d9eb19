package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.PartReady;
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
 *
 * <p>Low-latency parts ({@link #applyPart}) are kept per msn as a run from part 0, for the msns of
 * the held segments and for at most {@link #MAX_OPEN_MSNS} msns above the newest (segments being
 * written); a part out of order is dropped (the log delivers them in order, so only a replay does
 * that), so every replica following the log holds the same parts.
 */
final class RenditionWindow {
  private final int maxSegments;

  /** Msns above the newest segment whose parts are kept (parts come before their segment). */
  static final int MAX_OPEN_MSNS = 2;

  /**
   * Parts kept per msn; a segment is cut well before (PART-TARGET is about a third of a second).
   */
  static final int MAX_PARTS_PER_MSN = 1024;

  private final TreeMap<Long, SegmentReady> byMsn = new TreeMap<>();
  private final TreeMap<Long, List<PartReady>> partsByMsn = new TreeMap<>();
  private String currentSessionId;
  private boolean ended;
  private Instant lastActivity;

  /** Bumped by every change of the content; a rendered view is valid for one version. */
  private long version;

  private long viewVersion = -1;
  private long viewOutside;
  private Object view;

  /** Requests waiting for an msn not held yet (held requests), completed by the change. */
  private final ArrayList<Waiter> waiters = new ArrayList<>();

  /** A held request: waits until {@code condition} holds (checked under the lock). */
  private record Waiter(Condition condition, CompletableFuture<Boolean> done) {}

  /** What a held request waits for, evaluated under the window's lock. */
  interface Condition {
    boolean holds(RenditionWindow w);
  }

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
   * Adds a part announced on Kafka: kept when it is the next part of its msn and that msn is above
   * the newest held segment.
   *
   * @return false when dropped (a duplicate, out of order, or of a segment already complete)
   */
  synchronized boolean applyPart(PartReady part, Instant now) {
    lastActivity = now;
    long newest = byMsn.isEmpty() ? -1 : byMsn.lastKey();
    if (part.msn() <= newest || part.partIndex() >= MAX_PARTS_PER_MSN) {
      return false;
    }
    List<PartReady> parts = partsByMsn.get(part.msn());
    int have = parts == null ? 0 : parts.size();
    if (part.partIndex() != have) {
      return false;
    }
    if (parts == null) {
      parts = new ArrayList<>();
      partsByMsn.put(part.msn(), parts);
    }
    parts.add(part);
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

  /**
   * Where this rendition's playlist ends, read without the lock by other renditions' renderings
   * (rendition reports): {@code {lastMsn, lastPart}} (lastPart -1 without parts), null if empty.
   */
  private volatile long[] position;

  /** The last listed msn and part (-1: none) of this window's playlist; null if it is empty. */
  long[] position() {
    return position;
  }

  /** After any change: new version, and the waiters it satisfies are completed (true). */
  private void changed() {
    version++;
    long newest = newestMsn();
    if (newest < 0) {
      position = null;
    } else {
      List<PartReady> open =
          WindowSnapshot.listableOpenParts(
              byMsn.lastEntry().getValue(), partsByMsn.getOrDefault(newest + 1, List.of()));
      position =
          open.isEmpty()
              ? new long[] {newest, partsHeld(newest) - 1L}
              : new long[] {newest + 1, open.size() - 1L};
    }
    if (waiters.isEmpty()) {
      return;
    }
    List<CompletableFuture<Boolean>> satisfied = new ArrayList<>();
    waiters.removeIf(
        w -> {
          if (w.done().isDone()) {
            return true;
          }
          if (ended || w.condition().holds(this)) {
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
    return await(w -> msn <= w.newestMsn(), maxWaiters);
  }

  /**
   * As {@link #await(long, int)} for a blocking playlist reload {@code _HLS_msn=msn&_HLS_part=part}
   * (draft-pantos-hls-rfc8216bis §6.2.5.2): completes once the playlist lists part {@code part} of
   * segment {@code msn} or anything later; a part index past the last part of a complete segment
   * means part 0 of the next one. {@code part} < 0 or a window without parts: segment {@code msn}
   * complete.
   */
  synchronized CompletableFuture<Boolean> awaitPlaylist(long msn, int part, int maxWaiters) {
    return await(w -> w.lists(msn, part), maxWaiters);
  }

  /**
   * As {@link #await(long, int)} for part {@code part} of segment {@code msn}: completes once that
   * part is held, or once the segment is complete (then the part will never come).
   */
  synchronized CompletableFuture<Boolean> awaitPart(long msn, int part, int maxWaiters) {
    return await(w -> w.partsHeld(msn) > part || msn <= w.newestMsn(), maxWaiters);
  }

  private CompletableFuture<Boolean> await(Condition condition, int maxWaiters) {
    if (ended || condition.holds(this)) {
      return CompletableFuture.completedFuture(true);
    }
    if (waiters.size() >= maxWaiters) {
      waiters.removeIf(w -> w.done().isDone());
      if (waiters.size() >= maxWaiters) {
        return CompletableFuture.completedFuture(false);
      }
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    waiters.add(new Waiter(condition, done));
    return done;
  }

  /** Under the lock: the newest held msn, -1 if none. */
  private long newestMsn() {
    return byMsn.isEmpty() ? -1 : byMsn.lastKey();
  }

  /** Under the lock: parts held of {@code msn}. */
  private int partsHeld(long msn) {
    List<PartReady> parts = partsByMsn.get(msn);
    return parts == null ? 0 : parts.size();
  }

  /** Under the lock: whether the playlist lists part {@code part} of {@code msn} or later. */
  private boolean lists(long msn, int part) {
    long newest = newestMsn();
    if (part < 0 || partsByMsn.isEmpty()) {
      return msn <= newest;
    }
    if (msn < newest) {
      return true;
    }
    if (msn == newest) {
      if (part < partsHeld(newest)) {
        return true;
      }
      msn = newest + 1; // past the segment's last part: part 0 of the next (§6.2.5.2)
      part = 0;
    }
    if (msn != newest + 1 || newest < 0) {
      return false;
    }
    List<PartReady> open = partsByMsn.getOrDefault(msn, List.of());
    return WindowSnapshot.listableOpenParts(byMsn.lastEntry().getValue(), open).size() > part;
  }

  /**
   * The view of the current content made by {@code render}, made once per version: concurrent
   * viewers of an unchanged window share one rendering.
   */
  synchronized <T> T view(Function<WindowSnapshot, T> render, Instant now) {
    return view(render, 0, now);
  }

  /**
   * As {@link #view(Function, Instant)}, rendered again also when {@code outside} changes: a
   * version of what the rendering reads beyond this window (other renditions' positions).
   */
  synchronized <T> T view(Function<WindowSnapshot, T> render, long outside, Instant now) {
    lastActivity = now;
    if (viewVersion != version || viewOutside != outside || view == null) {
      view = render.apply(copy());
      viewVersion = version;
      viewOutside = outside;
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
    if (partsByMsn.isEmpty()) {
      return;
    }
    if (!byMsn.isEmpty()) {
      // Parts of segments no longer held, or of msns that were complete before they came.
      partsByMsn.headMap(byMsn.firstKey()).clear();
    }
    long newest = newestMsn();
    while (partsByMsn.tailMap(newest, false).size() > MAX_OPEN_MSNS) {
      partsByMsn.remove(partsByMsn.tailMap(newest, false).firstKey());
    }
  }

  private WindowSnapshot copy() {
    return new WindowSnapshot(
        byMsn.values().stream().toList(), currentSessionId, ended, partsByMsn);
  }

  synchronized Optional<SegmentReady> find(long msn, Instant now) {
    lastActivity = now;
    return Optional.ofNullable(byMsn.get(msn));
  }

  synchronized WindowSnapshot snapshot(Instant now) {
    lastActivity = now;
    return copy();
  }

  /** A held part, if any. */
  synchronized Optional<PartReady> findPart(long msn, int part, Instant now) {
    lastActivity = now;
    List<PartReady> parts = partsByMsn.get(msn);
    return parts == null || part >= parts.size() ? Optional.empty() : Optional.of(parts.get(part));
  }

  /** The content version: bumped by every change. */
  synchronized long version() {
    return version;
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
