package io.hlspipeline.catalog.store;

import io.hlspipeline.events.catalog.SegmentDto;
import java.time.Instant;
import java.util.List;

/**
 * A page of segments in msn order.
 *
 * @param nextMsn the msn to ask for next, or -1 when the page reached the stream's newest segment
 */
public record SegmentPage(List<SegmentDto> segments, long nextMsn) {
  public SegmentPage {
    segments = List.copyOf(segments);
  }

  /**
   * This page cut before its first segment starting at or after {@code end} (a segment without a
   * program-date-time is kept); when cut, nothing later can qualify, so {@code nextMsn} is -1.
   */
  public SegmentPage startingBefore(Instant end) {
    for (int i = 0; i < segments.size(); i++) {
      Instant start = segments.get(i).programDateTime();
      if (start != null && !start.isBefore(end)) {
        return new SegmentPage(segments.subList(0, i), -1);
      }
    }
    return this;
  }
}
