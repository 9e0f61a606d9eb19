package io.hlspipeline.media.hls;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Media Segment of a {@link MediaPlaylist} (RFC 8216 §3, §4.3.2) with the tags that apply to it
 * alone. Immutable.
 *
 * @param uri the segment's URI line, relative to the playlist or absolute
 * @param durationUs {@code EXTINF} duration in microseconds, {@code >= 0}
 * @param title the {@code EXTINF} title, {@code ""} for none; may contain commas, not line breaks
 * @param programDateTime {@code EXT-X-PROGRAM-DATE-TIME} (RFC 8216 §4.3.2.6): wall-clock time of
 *     the segment's first sample; kept at millisecond precision (finer values are truncated)
 * @param discontinuity {@code EXT-X-DISCONTINUITY} (RFC 8216 §4.3.2.3) precedes this segment
 * @param parts the {@code EXT-X-PART} tags that precede this segment: its Partial Segments in order
 *     (draft-pantos-hls-rfc8216bis §4.4.4.9); empty outside Low-Latency HLS
 * @param mapUri the URI of the {@code EXT-X-MAP} (RFC 8216 §4.3.2.5) in effect for this segment:
 *     the Media Initialization Section of an fMP4 segment; empty for MPEG-TS. A writer emits the
 *     tag before the first segment and wherever the URI changes.
 */
public record MediaSegment(
    String uri,
    long durationUs,
    String title,
    Optional<Instant> programDateTime,
    boolean discontinuity,
    List<PartialSegment> parts,
    Optional<String> mapUri) {

  public MediaSegment {
    PlaylistText.requireUri(Objects.requireNonNull(uri, "uri"), "segment URI");
    PlaylistText.requireSecondsUs(durationUs, false, "segment duration");
    PlaylistText.requireSingleLine(Objects.requireNonNull(title, "title"), "segment title");
    programDateTime =
        Objects.requireNonNull(programDateTime, "programDateTime")
            .map(t -> t.truncatedTo(ChronoUnit.MILLIS));
    parts = List.copyOf(parts);
    Objects.requireNonNull(mapUri, "mapUri").ifPresent(u -> PlaylistText.requireUri(u, "map URI"));
  }

  /** A segment without {@code EXT-X-MAP}. */
  public MediaSegment(
      String uri,
      long durationUs,
      String title,
      Optional<Instant> programDateTime,
      boolean discontinuity,
      List<PartialSegment> parts) {
    this(uri, durationUs, title, programDateTime, discontinuity, parts, Optional.empty());
  }

  /** A segment with no title, no date-time, no discontinuity and no parts. */
  public static MediaSegment of(String uri, long durationUs) {
    return new MediaSegment(uri, durationUs, "", Optional.empty(), false, List.of());
  }

  /** This segment with {@code EXT-X-PROGRAM-DATE-TIME} set to {@code programDateTime}. */
  public MediaSegment withProgramDateTime(Instant programDateTime) {
    return new MediaSegment(
        uri, durationUs, title, Optional.of(programDateTime), discontinuity, parts, mapUri);
  }

  /** This segment preceded by {@code EXT-X-DISCONTINUITY}. */
  public MediaSegment withDiscontinuity() {
    return new MediaSegment(uri, durationUs, title, programDateTime, true, parts, mapUri);
  }

  /** This segment with the given Partial Segments. */
  public MediaSegment withParts(List<PartialSegment> parts) {
    return new MediaSegment(uri, durationUs, title, programDateTime, discontinuity, parts, mapUri);
  }

  /** This segment with the Media Initialization Section at {@code mapUri} (EXT-X-MAP). */
  public MediaSegment withMap(String mapUri) {
    return new MediaSegment(
        uri, durationUs, title, programDateTime, discontinuity, parts, Optional.of(mapUri));
  }
}
