package io.hlspipeline.events.catalog;

import java.util.List;

/**
 * A page of segments in msn order.
 *
 * @param ended true when the stream's last session has ended (the list may then carry ENDLIST)
 * @param nextMsn the msn to ask for next, or -1 when this page reached the newest segment
 */
public record SegmentListDto(
    String streamId, String rendition, List<SegmentDto> segments, boolean ended, long nextMsn) {
  public SegmentListDto {
    segments = segments == null ? List.of() : List.copyOf(segments);
  }
}
