package io.hlspipeline.edge.window;

import io.hlspipeline.events.segments.SegmentReady;
import java.util.List;

/**
 * An immutable copy of a rendition's window.
 *
 * @param segments held segments in increasing msn order (may have gaps where the edge never learned
 *     of a segment)
 * @param currentSessionId the session of the newest held segment
 * @param ended true when that session has ended (a StreamEnded for it arrived)
 */
public record WindowSnapshot(List<SegmentReady> segments, String currentSessionId, boolean ended) {
  public WindowSnapshot {
    segments = List.copyOf(segments);
  }

  public boolean isEmpty() {
    return segments.isEmpty();
  }
}
