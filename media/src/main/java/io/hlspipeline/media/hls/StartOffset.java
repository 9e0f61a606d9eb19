package io.hlspipeline.media.hls;

/**
 * {@code EXT-X-START} (RFC 8216 §4.3.5.2): where a client should start playing. Immutable.
 *
 * @param timeOffsetUs {@code TIME-OFFSET} in µs; from the start of the playlist if {@code >= 0},
 *     from its end if negative
 * @param precise {@code PRECISE=YES}: start exactly at the offset rather than at the start of the
 *     segment that holds it
 */
public record StartOffset(long timeOffsetUs, boolean precise) {
  public StartOffset {
    PlaylistText.requireSecondsUs(timeOffsetUs, true, "TIME-OFFSET");
  }
}
