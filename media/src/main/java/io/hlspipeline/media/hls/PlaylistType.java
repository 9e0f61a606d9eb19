package io.hlspipeline.media.hls;

/** Values of {@code EXT-X-PLAYLIST-TYPE} (RFC 8216 §4.3.3.5). */
public enum PlaylistType {
  /** Segments may only be appended; none is removed. */
  EVENT,
  /** The playlist never changes. */
  VOD
}
