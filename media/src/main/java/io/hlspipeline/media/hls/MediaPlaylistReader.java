package io.hlspipeline.media.hls;

import io.hlspipeline.media.MalformedMediaException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads the lines of one Media Playlist (RFC 8216 §4.3.2, §4.3.3; draft-pantos-hls-rfc8216bis §4.4)
 * into a {@link MediaPlaylist}. Segment tags accumulate until the segment's URI line; single-use
 * header tags may appear once. One instance per playlist; package-private, used by {@link
 * PlaylistParser}.
 */
final class MediaPlaylistReader {

  /**
   * EXT-X-PROGRAM-DATE-TIME: ISO-8601 with a time zone (RFC 8216 §4.3.2.6), offset as {@code Z},
   * {@code +01:00} or {@code +0100} (the last is what ffmpeg writes).
   */
  private static final DateTimeFormatter DATE_TIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .toFormatter();

  private final List<String> lines;
  private final Set<String> singleUseTagsSeen = new HashSet<>();

  private int version = 1; // no EXT-X-VERSION means version 1 (RFC 8216 §4.3.1.2)
  private int targetDurationSec = -1;
  private long mediaSequence;
  private long discontinuitySequence;
  private Optional<PlaylistType> playlistType = Optional.empty();
  private boolean endList;
  private boolean independentSegments;
  private Optional<StartOffset> start = Optional.empty();
  private Optional<ServerControl> serverControl = Optional.empty();
  private OptionalLong partTargetUs = OptionalLong.empty();
  private long skippedSegments;
  private final List<MediaSegment> segments = new ArrayList<>();
  private final List<Integer> segmentLines = new ArrayList<>();
  private final List<PreloadHint> preloadHints = new ArrayList<>();
  private final List<RenditionReport> renditionReports = new ArrayList<>();

  // Tags that apply to the next segment (RFC 8216 §4.3.2), held until its URI line.
  private int extinfLine; // 0 while no EXTINF is pending
  private long pendingDurationUs;
  private String pendingTitle = "";
  private boolean pendingDiscontinuity;
  // RFC 8216 §4.3.2.5: the EXT-X-MAP in effect, for every later segment.
  private Optional<String> map = Optional.empty();
  private Optional<Instant> pendingProgramDateTime = Optional.empty();
  private List<PartialSegment> pendingParts = new ArrayList<>();

  private MediaPlaylistReader(List<String> lines) {
    this.lines = lines;
  }

  /** Reads {@code lines}, whose first is {@code #EXTM3U}. */
  static MediaPlaylist read(List<String> lines) throws MalformedMediaException {
    return new MediaPlaylistReader(lines).read();
  }

  private MediaPlaylist read() throws MalformedMediaException {
    for (int index = 1; index < lines.size(); index++) {
      int lineNumber = index + 1;
      try {
        readLine(lines.get(index), lineNumber);
      } catch (IllegalArgumentException | DateTimeException e) {
        throw MalformedMediaException.atLine(lineNumber, PlaylistParser.describe(e));
      }
    }
    int lastLine = lines.size();
    if (extinfLine != 0) {
      throw MalformedMediaException.atLine(extinfLine, "EXTINF without a URI line after it");
    }
    if (targetDurationSec < 0) {
      throw MalformedMediaException.atLine(
          lastLine, "missing EXT-X-TARGETDURATION (RFC 8216 §4.3.3.1)");
    }
    for (int i = 0; i < segments.size(); i++) {
      if (MediaPlaylist.roundedSeconds(segments.get(i).durationUs()) > targetDurationSec) {
        throw MalformedMediaException.atLine(
            segmentLines.get(i),
            "EXTINF rounds to more than EXT-X-TARGETDURATION "
                + targetDurationSec
                + " (RFC 8216 §4.3.3.1)");
      }
    }
    // EXT-X-DISCONTINUITY or EXT-X-PROGRAM-DATE-TIME before the parts of the open segment have no
    // place in the model; they come back with the segment once it is complete.
    try {
      return new MediaPlaylist(
          version,
          targetDurationSec,
          mediaSequence,
          discontinuitySequence,
          playlistType,
          endList,
          independentSegments,
          start,
          serverControl,
          partTargetUs,
          skippedSegments,
          segments,
          pendingParts,
          preloadHints,
          renditionReports);
    } catch (IllegalArgumentException e) {
      throw MalformedMediaException.atLine(lastLine, PlaylistParser.describe(e));
    }
  }

  private void readLine(String line, int lineNumber) {
    if (line.isEmpty()) {
      return; // blank lines are ignored (RFC 8216 §4.1)
    }
    if (line.charAt(0) != '#') {
      addSegment(line);
      return;
    }
    String tag = PlaylistParser.tagName(line);
    String value = PlaylistParser.tagValue(line);
    switch (tag) {
      case "#EXT-X-VERSION" -> version = PlaylistText.parseIntBounded(once(tag, value), "version");
      case "#EXT-X-TARGETDURATION" ->
          targetDurationSec = PlaylistText.parseIntBounded(once(tag, value), "target duration");
      case "#EXT-X-MEDIA-SEQUENCE" ->
          mediaSequence = PlaylistText.parseDecimalInteger(once(tag, value));
      case "#EXT-X-DISCONTINUITY-SEQUENCE" ->
          discontinuitySequence = PlaylistText.parseDecimalInteger(once(tag, value));
      case "#EXT-X-PLAYLIST-TYPE" -> playlistType = Optional.of(playlistType(once(tag, value)));
      case "#EXT-X-ENDLIST" -> endList = true;
      case "#EXT-X-INDEPENDENT-SEGMENTS" -> independentSegments = true;
      case "#EXT-X-START" -> start = Optional.of(startOffset(attributes(tag, once(tag, value))));
      case "#EXT-X-SERVER-CONTROL" ->
          serverControl = serverControl(attributes(tag, once(tag, value)));
      case "#EXT-X-PART-INF" ->
          partTargetUs =
              OptionalLong.of(
                  attributes(tag, once(tag, value)).requiredSecondsUs("PART-TARGET", false));
      case "#EXT-X-SKIP" ->
          skippedSegments =
              attributes(tag, once(tag, value)).requiredDecimalInteger("SKIPPED-SEGMENTS");
      case "#EXTINF" -> extinf(required(tag, value), lineNumber);
      case "#EXT-X-DISCONTINUITY" -> pendingDiscontinuity = true;
      case "#EXT-X-MAP" ->
          map = Optional.of(attributes(tag, required(tag, value)).requiredQuotedString("URI"));
      case "#EXT-X-PROGRAM-DATE-TIME" ->
          pendingProgramDateTime =
              Optional.of(OffsetDateTime.parse(required(tag, value), DATE_TIME).toInstant());
      case "#EXT-X-PART" -> pendingParts.add(part(attributes(tag, value)));
      case "#EXT-X-PRELOAD-HINT" -> preloadHints.add(preloadHint(attributes(tag, value)));
      case "#EXT-X-RENDITION-REPORT" ->
          renditionReports.add(renditionReport(attributes(tag, value)));
      case PlaylistParser.STREAM_INF ->
          throw new IllegalArgumentException(
              "EXT-X-STREAM-INF belongs in a Multivariant Playlist (RFC 8216 §4.1)");
      default -> {
        // comments and unknown tags are ignored (RFC 8216 §4.1, §6.3.1)
      }
    }
  }

  /** EXTINF:<duration>,[<title>] (RFC 8216 §4.3.2.1); a missing comma is tolerated. */
  private void extinf(String value, int lineNumber) {
    if (extinfLine != 0) {
      throw new IllegalArgumentException("EXTINF after EXTINF with no URI line between them");
    }
    int comma = value.indexOf(',');
    pendingDurationUs =
        PlaylistText.parseSecondsToUs(comma < 0 ? value : value.substring(0, comma), false);
    pendingTitle = comma < 0 ? "" : value.substring(comma + 1);
    extinfLine = lineNumber;
  }

  private void addSegment(String uri) {
    if (extinfLine == 0) {
      throw new IllegalArgumentException("URI line without EXTINF (RFC 8216 §4.3.2.1)");
    }
    segments.add(
        new MediaSegment(
            uri,
            pendingDurationUs,
            pendingTitle,
            pendingProgramDateTime,
            pendingDiscontinuity,
            pendingParts,
            map));
    segmentLines.add(extinfLine);
    extinfLine = 0;
    pendingTitle = "";
    pendingDiscontinuity = false;
    pendingProgramDateTime = Optional.empty();
    pendingParts = new ArrayList<>();
  }

  /** The value of a tag that may occur only once in a playlist. */
  private String once(String tag, String value) {
    if (!singleUseTagsSeen.add(tag)) {
      throw new IllegalArgumentException(tag + " occurs more than once");
    }
    return required(tag, value);
  }

  private static String required(String tag, String value) {
    if (value == null) {
      throw new IllegalArgumentException(tag + " needs a value after ':'");
    }
    return value;
  }

  private static AttributeList attributes(String tag, String value) {
    return AttributeList.parse(tag, required(tag, value));
  }

  private static PlaylistType playlistType(String value) {
    return switch (value) {
      case "EVENT" -> PlaylistType.EVENT;
      case "VOD" -> PlaylistType.VOD;
      default ->
          throw new IllegalArgumentException(
              "EXT-X-PLAYLIST-TYPE must be EVENT or VOD, was " + PlaylistText.abbreviate(value));
    };
  }

  /** EXT-X-START (RFC 8216 §4.3.5.2). */
  private static StartOffset startOffset(AttributeList attributes) {
    return new StartOffset(
        attributes.requiredSecondsUs("TIME-OFFSET", true), attributes.yes("PRECISE"));
  }

  /** EXT-X-SERVER-CONTROL (rfc8216bis §4.4.3.8); absent if no attribute we know is present. */
  private static Optional<ServerControl> serverControl(AttributeList attributes) {
    boolean canBlockReload = attributes.yes("CAN-BLOCK-RELOAD");
    OptionalLong canSkipUntilUs = attributes.secondsUs("CAN-SKIP-UNTIL", false);
    OptionalLong holdBackUs = attributes.secondsUs("HOLD-BACK", false);
    OptionalLong partHoldBackUs = attributes.secondsUs("PART-HOLD-BACK", false);
    if (!canBlockReload
        && canSkipUntilUs.isEmpty()
        && holdBackUs.isEmpty()
        && partHoldBackUs.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ServerControl(canBlockReload, canSkipUntilUs, holdBackUs, partHoldBackUs));
  }

  /** EXT-X-PART (rfc8216bis §4.4.4.9). */
  private static PartialSegment part(AttributeList attributes) {
    return new PartialSegment(
        attributes.requiredQuotedString("URI"),
        attributes.requiredSecondsUs("DURATION", false),
        attributes.yes("INDEPENDENT"),
        attributes.yes("GAP"));
  }

  /** EXT-X-PRELOAD-HINT (rfc8216bis §4.4.5.3). */
  private static PreloadHint preloadHint(AttributeList attributes) {
    String type = attributes.requiredUnquoted("TYPE");
    PreloadHint.Type hintType =
        switch (type) {
          case "PART" -> PreloadHint.Type.PART;
          case "MAP" -> PreloadHint.Type.MAP;
          default ->
              throw new IllegalArgumentException(
                  "EXT-X-PRELOAD-HINT TYPE must be PART or MAP, was "
                      + PlaylistText.abbreviate(type));
        };
    return new PreloadHint(
        hintType,
        attributes.requiredQuotedString("URI"),
        attributes.decimalInteger("BYTERANGE-START"),
        attributes.decimalInteger("BYTERANGE-LENGTH"));
  }

  /** EXT-X-RENDITION-REPORT (rfc8216bis §4.4.5.4). */
  private static RenditionReport renditionReport(AttributeList attributes) {
    return new RenditionReport(
        attributes.requiredQuotedString("URI"),
        attributes.requiredDecimalInteger("LAST-MSN"),
        attributes.decimalInteger("LAST-PART"));
  }
}
