package io.hlspipeline.edge.http;

import io.hlspipeline.events.segments.SegmentFormat;

/**
 * A validated viewer request below {@code /hls/}. Every field has passed {@link HlsPathParser}: the
 * stream id matches {@link io.hlspipeline.events.StreamIds#STREAM_ID}, the rendition {@code
 * [a-z0-9_-]{1,32}}, the msn is a non-negative long in canonical decimal form.
 */
public sealed interface HlsRequest {
  String streamId();

  /** {@code GET /hls/{streamId}/master.m3u8}. */
  record Multivariant(String streamId) implements HlsRequest {}

  /** {@code GET /hls/{streamId}/{rendition}/index.m3u8}. */
  record MediaPlaylist(String streamId, String rendition) implements HlsRequest {}

  /**
   * {@code GET /hls/{streamId}/{rendition}/{msn}.ts} or {@code {msn}.m4s}: {@code format} is the
   * container the extension names (a segment stored in the other one is not found).
   */
  record Segment(String streamId, String rendition, long msn, SegmentFormat format)
      implements HlsRequest {
    /** An MPEG-TS segment ({@code .ts}). */
    public Segment(String streamId, String rendition, long msn) {
      this(streamId, rendition, msn, SegmentFormat.TS);
    }
  }

  /**
   * {@code GET /hls/{streamId}/{rendition}/{msn}.{part}.ts} or {@code .m4s}: a low-latency Partial
   * Segment ({@code EXT-X-PART}), part index {@code part} of segment {@code msn}.
   */
  record Part(String streamId, String rendition, long msn, int part, SegmentFormat format)
      implements HlsRequest {}

  /**
   * {@code GET /hls/{streamId}/{rendition}/init-{16 hex digits}.mp4}: an fMP4 init segment (the
   * {@code EXT-X-MAP}) named by a segment of the rendition.
   *
   * @param fileName {@code init-{id}.mp4}, the last component of the init segment's object key
   */
  record Init(String streamId, String rendition, String fileName) implements HlsRequest {}
}
