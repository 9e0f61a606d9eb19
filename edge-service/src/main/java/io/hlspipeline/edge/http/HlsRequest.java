package io.hlspipeline.edge.http;

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

  /** {@code GET /hls/{streamId}/{rendition}/{msn}.ts}. */
  record Segment(String streamId, String rendition, long msn) implements HlsRequest {}
}
