/**
 * HLS playlists (RFC 8216 and draft-pantos-hls-rfc8216bis, including Low-Latency HLS): an immutable
 * model ({@link io.hlspipeline.media.hls.MediaPlaylist}, {@link
 * io.hlspipeline.media.hls.MultivariantPlaylist}), a {@link
 * io.hlspipeline.media.hls.PlaylistWriter} and a {@link io.hlspipeline.media.hls.PlaylistParser}
 * that are exact inverses of each other.
 *
 * <p>All durations are whole microseconds in the model ({@code durationUs}) and are written with
 * six decimals ({@code 4000000} µs → {@code "4.000000"}), so no precision is lost either way.
 * Wall-clock times ({@code EXT-X-PROGRAM-DATE-TIME}) are held and written at millisecond precision
 * in UTC.
 */
package io.hlspipeline.media.hls;
