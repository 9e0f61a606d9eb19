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
 *
 * <p>A live sliding window, as the edge builds it:
 *
 * <pre>{@code
 * MediaPlaylist window = MediaPlaylist.builder()
 *     .targetDurationSec(4)                 // fixed per session (RFC 8216 §6.2.1)
 *     .mediaSequence(firstMsn)
 *     .discontinuitySequence(discontinuities)
 *     .addSegment(MediaSegment.of("120.ts", 4_000_000).withProgramDateTime(pdt))
 *     .endList(streamEnded)
 *     .build();                             // version picked from the features used
 * String body = PlaylistWriter.write(window);
 * }</pre>
 *
 * <p>Fuzzing the parser for longer than the regression run of {@code mvn verify}: {@code
 * JAZZER_FUZZ=1 mvn -pl media test -Dtest=PlaylistParserFuzzTest -Djazzer.max_duration=60s}.
 */
package io.hlspipeline.media.hls;
