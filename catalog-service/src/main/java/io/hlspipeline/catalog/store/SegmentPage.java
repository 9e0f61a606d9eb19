package io.hlspipeline.catalog.store;

import io.hlspipeline.events.catalog.SegmentDto;
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
}
