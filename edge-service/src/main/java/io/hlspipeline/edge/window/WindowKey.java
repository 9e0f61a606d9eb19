package io.hlspipeline.edge.window;

import java.util.Objects;

/** One rendition of one stream. */
public record WindowKey(String streamId, String rendition) {
  public WindowKey {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(rendition, "rendition");
  }
}
