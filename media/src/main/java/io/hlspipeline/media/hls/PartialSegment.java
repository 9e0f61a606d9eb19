package io.hlspipeline.media.hls;

import java.util.Objects;

/**
 * One {@code EXT-X-PART} (draft-pantos-hls-rfc8216bis §4.4.4.9): a Partial Segment of a Low-Latency
 * HLS stream. Immutable.
 *
 * @param uri the part's URI, relative to the playlist or absolute; written as a quoted-string
 * @param durationUs the part's duration in microseconds, {@code >= 0}
 * @param independent {@code INDEPENDENT=YES}: the part starts with an independent frame
 * @param gap {@code GAP=YES}: the part is unavailable and must not be loaded
 */
public record PartialSegment(String uri, long durationUs, boolean independent, boolean gap) {
  public PartialSegment {
    PlaylistText.requireUri(Objects.requireNonNull(uri, "uri"), "part URI");
    PlaylistText.requireSecondsUs(durationUs, false, "part duration");
  }

  /** A part that is neither independent nor a gap. */
  public static PartialSegment of(String uri, long durationUs) {
    return new PartialSegment(uri, durationUs, false, false);
  }
}
