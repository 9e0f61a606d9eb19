package io.hlspipeline.media.hls;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Optional;

/**
 * Writes playlists as RFC 8216 text. The output is canonical: tags in a fixed order, durations with
 * six decimals, date-times as UTC with milliseconds, lines ended by LF, so that {@link
 * PlaylistParser} reads back an equal model and writing that model again gives the same text.
 * Stateless and thread-safe.
 *
 * <p>Media Playlist layout: header tags ({@code EXTM3U}, {@code VERSION}, {@code TARGETDURATION},
 * {@code SERVER-CONTROL}, {@code PART-INF}, {@code INDEPENDENT-SEGMENTS}, {@code START}, {@code
 * PLAYLIST-TYPE}, {@code MEDIA-SEQUENCE}, {@code DISCONTINUITY-SEQUENCE} if not 0, {@code SKIP});
 * then per segment {@code DISCONTINUITY}, {@code PROGRAM-DATE-TIME}, its {@code PART}s, {@code
 * EXTINF} and the URI; then the trailing parts, {@code PRELOAD-HINT}s, {@code RENDITION-REPORT}s
 * and {@code ENDLIST}.
 */
public final class PlaylistWriter {

  /**
   * ISO-8601 in UTC with exactly three fraction digits (RFC 8216 §4.3.2.6 allows any precision).
   */
  static final DateTimeFormatter PROGRAM_DATE_TIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral('T')
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .appendFraction(ChronoField.NANO_OF_SECOND, 3, 3, true)
          .appendLiteral('Z')
          .toFormatter()
          .withZone(ZoneOffset.UTC);

  private PlaylistWriter() {}

  /** Writes either kind of playlist. */
  public static String write(Playlist playlist) {
    if (playlist instanceof MediaPlaylist media) {
      return write(media);
    }
    return write((MultivariantPlaylist) playlist);
  }

  /** Writes a Media Playlist. */
  public static String write(MediaPlaylist playlist) {
    StringBuilder out = new StringBuilder(256 + 128 * playlist.segments().size());
    out.append("#EXTM3U\n");
    out.append("#EXT-X-VERSION:").append(playlist.version()).append('\n');
    out.append("#EXT-X-TARGETDURATION:").append(playlist.targetDurationSec()).append('\n');
    playlist.serverControl().ifPresent(control -> appendServerControl(out, control));
    playlist
        .partTargetUs()
        .ifPresent(
            us -> {
              out.append("#EXT-X-PART-INF:PART-TARGET=");
              PlaylistText.appendSeconds(out, us);
              out.append('\n');
            });
    if (playlist.independentSegments()) {
      out.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
    }
    playlist
        .start()
        .ifPresent(
            start -> {
              out.append("#EXT-X-START:TIME-OFFSET=");
              PlaylistText.appendSeconds(out, start.timeOffsetUs());
              if (start.precise()) {
                out.append(",PRECISE=YES");
              }
              out.append('\n');
            });
    playlist
        .playlistType()
        .ifPresent(type -> out.append("#EXT-X-PLAYLIST-TYPE:").append(type.name()).append('\n'));
    out.append("#EXT-X-MEDIA-SEQUENCE:").append(playlist.mediaSequence()).append('\n');
    if (playlist.discontinuitySequence() != 0) {
      out.append("#EXT-X-DISCONTINUITY-SEQUENCE:")
          .append(playlist.discontinuitySequence())
          .append('\n');
    }
    if (playlist.skippedSegments() > 0) {
      out.append("#EXT-X-SKIP:SKIPPED-SEGMENTS=").append(playlist.skippedSegments()).append('\n');
    }
    Optional<String> map = Optional.empty();
    for (MediaSegment segment : playlist.segments()) {
      appendSegment(out, segment, !segment.mapUri().equals(map));
      map = segment.mapUri();
    }
    appendParts(out, playlist.trailingParts());
    for (PreloadHint hint : playlist.preloadHints()) {
      out.append("#EXT-X-PRELOAD-HINT:TYPE=").append(hint.type().name());
      out.append(",URI=\"").append(hint.uri()).append('"');
      hint.byteRangeStart().ifPresent(v -> out.append(",BYTERANGE-START=").append(v));
      hint.byteRangeLength().ifPresent(v -> out.append(",BYTERANGE-LENGTH=").append(v));
      out.append('\n');
    }
    for (RenditionReport report : playlist.renditionReports()) {
      out.append("#EXT-X-RENDITION-REPORT:URI=\"").append(report.uri()).append('"');
      out.append(",LAST-MSN=").append(report.lastMsn());
      report.lastPart().ifPresent(v -> out.append(",LAST-PART=").append(v));
      out.append('\n');
    }
    if (playlist.endList()) {
      out.append("#EXT-X-ENDLIST\n");
    }
    return out.toString();
  }

  /** Writes a Multivariant Playlist. */
  public static String write(MultivariantPlaylist playlist) {
    StringBuilder out = new StringBuilder(64 + 160 * playlist.variants().size());
    out.append("#EXTM3U\n");
    if (playlist.independentSegments()) {
      out.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
    }
    for (Variant variant : playlist.variants()) {
      out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(variant.bandwidthBps());
      variant.averageBandwidthBps().ifPresent(v -> out.append(",AVERAGE-BANDWIDTH=").append(v));
      if (!variant.codecs().isEmpty()) {
        out.append(",CODECS=\"").append(String.join(",", variant.codecs())).append('"');
      }
      variant
          .resolution()
          .ifPresent(
              r -> out.append(",RESOLUTION=").append(r.width()).append('x').append(r.height()));
      variant.frameRateMilli().ifPresent(milli -> appendFrameRate(out, milli));
      out.append('\n').append(variant.uri()).append('\n');
    }
    return out.toString();
  }

  /** Formats a date-time as {@code EXT-X-PROGRAM-DATE-TIME} writes it. */
  public static String formatProgramDateTime(Instant instant) {
    return PROGRAM_DATE_TIME.format(instant);
  }

  private static void appendServerControl(StringBuilder out, ServerControl control) {
    // The attribute list must not be empty (RFC 8216 §4.2), so with no attribute the tag is
    // omitted.
    StringBuilder attributes = new StringBuilder();
    if (control.canBlockReload()) {
      attributes.append(",CAN-BLOCK-RELOAD=YES");
    }
    control
        .canSkipUntilUs()
        .ifPresent(us -> PlaylistText.appendSeconds(attributes.append(",CAN-SKIP-UNTIL="), us));
    control
        .holdBackUs()
        .ifPresent(us -> PlaylistText.appendSeconds(attributes.append(",HOLD-BACK="), us));
    control
        .partHoldBackUs()
        .ifPresent(us -> PlaylistText.appendSeconds(attributes.append(",PART-HOLD-BACK="), us));
    if (attributes.length() > 0) {
      out.append("#EXT-X-SERVER-CONTROL:").append(attributes, 1, attributes.length()).append('\n');
    }
  }

  private static void appendSegment(StringBuilder out, MediaSegment segment, boolean newMap) {
    if (segment.discontinuity()) {
      out.append("#EXT-X-DISCONTINUITY\n");
    }
    if (newMap) {
      // RFC 8216 §4.3.2.5: applies to every segment after it until the next EXT-X-MAP.
      segment.mapUri().ifPresent(u -> out.append("#EXT-X-MAP:URI=\"").append(u).append("\"\n"));
    }
    segment
        .programDateTime()
        .ifPresent(
            pdt ->
                out.append("#EXT-X-PROGRAM-DATE-TIME:")
                    .append(PROGRAM_DATE_TIME.format(pdt))
                    .append('\n'));
    appendParts(out, segment.parts());
    out.append("#EXTINF:");
    PlaylistText.appendSeconds(out, segment.durationUs());
    // The comma is required even without a title (RFC 8216 §4.3.2.1).
    out.append(',').append(segment.title()).append('\n');
    out.append(segment.uri()).append('\n');
  }

  private static void appendParts(StringBuilder out, List<PartialSegment> parts) {
    for (PartialSegment part : parts) {
      out.append("#EXT-X-PART:DURATION=");
      PlaylistText.appendSeconds(out, part.durationUs());
      out.append(",URI=\"").append(part.uri()).append('"');
      if (part.independent()) {
        out.append(",INDEPENDENT=YES");
      }
      if (part.gap()) {
        out.append(",GAP=YES");
      }
      out.append('\n');
    }
  }

  private static void appendFrameRate(StringBuilder out, long milli) {
    out.append(",FRAME-RATE=").append(milli / 1000).append('.');
    long fraction = milli % 1000;
    if (fraction < 100) {
      out.append('0');
    }
    if (fraction < 10) {
      out.append('0');
    }
    out.append(fraction);
  }
}
