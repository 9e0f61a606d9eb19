package io.hlspipeline.events.catalog;

import java.util.List;

/** All known streams. */
public record StreamListDto(List<StreamDto> streams) {
  public StreamListDto {
    streams = streams == null ? List.of() : List.copyOf(streams);
  }
}
