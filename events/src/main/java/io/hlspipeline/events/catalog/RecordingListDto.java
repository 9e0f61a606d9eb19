package io.hlspipeline.events.catalog;

import java.util.List;
import java.util.Objects;

/** A stream's recordings, newest first. */
public record RecordingListDto(String streamId, List<RecordingDto> recordings) {
  public RecordingListDto {
    Objects.requireNonNull(streamId, "streamId");
    recordings = recordings == null ? List.of() : List.copyOf(recordings);
  }
}
