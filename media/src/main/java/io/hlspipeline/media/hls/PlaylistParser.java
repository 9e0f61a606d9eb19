package io.hlspipeline.media.hls;

import io.hlspipeline.media.MalformedMediaException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Parses RFC 8216 playlist text into the model. Reads back everything {@link PlaylistWriter} writes
 * (the two are exact inverses) and the common output of other packagers; stateless and thread-safe.
 *
 * <p>Accepts LF or CRLF line ends, blank lines, comments and unknown tags (ignored, RFC 8216
 * §6.3.1), and attributes in any order. Rejects with a {@link MalformedMediaException} carrying the
 * 1-based line number: a first line other than {@code #EXTM3U} (so also a byte-order mark), control
 * characters (§4.1), numbers that are not decimal-integer / decimal-floating-point, unparsable
 * attribute-lists, missing required tags or attributes, a segment longer than the target duration,
 * and a mix of Media and Multivariant Playlist tags.
 *
 * <p>Work is linear in the input and bounded: at most {@link #MAX_LINES} lines of at most {@link
 * #MAX_LINE_LENGTH} characters each; no regular expressions.
 */
public final class PlaylistParser {
  /** Most lines accepted: a 24-hour LL-HLS window of 1 s parts stays well below it. */
  public static final int MAX_LINES = 1_000_000;

  /** Longest line accepted, in chars: room for long signed URIs. */
  public static final int MAX_LINE_LENGTH = 16 * 1024;

  /** Tags that only a Media Playlist may hold (RFC 8216 §4.1, §4.3.2, §4.3.3; rfc8216bis §4.4). */
  static final Set<String> MEDIA_PLAYLIST_TAGS =
      Set.of(
          "#EXTINF",
          "#EXT-X-TARGETDURATION",
          "#EXT-X-MEDIA-SEQUENCE",
          "#EXT-X-DISCONTINUITY-SEQUENCE",
          "#EXT-X-PLAYLIST-TYPE",
          "#EXT-X-ENDLIST",
          "#EXT-X-PART",
          "#EXT-X-PART-INF",
          "#EXT-X-SKIP");

  static final String STREAM_INF = "#EXT-X-STREAM-INF";

  private PlaylistParser() {}

  /**
   * Parses either kind of playlist: Multivariant if it holds {@code EXT-X-STREAM-INF} before any
   * Media Playlist tag or no Media Playlist tag at all, Media otherwise.
   */
  public static Playlist parse(String text) throws MalformedMediaException {
    List<String> lines = lines(text);
    for (String line : lines) {
      String tag = tagName(line);
      if (tag.equals(STREAM_INF)) {
        return parseMultivariant(lines);
      }
      if (MEDIA_PLAYLIST_TAGS.contains(tag)) {
        return MediaPlaylistReader.read(lines);
      }
    }
    return parseMultivariant(lines);
  }

  /** Parses a Media Playlist. */
  public static MediaPlaylist parseMedia(String text) throws MalformedMediaException {
    return MediaPlaylistReader.read(lines(text));
  }

  /** Parses a Multivariant Playlist. */
  public static MultivariantPlaylist parseMultivariant(String text) throws MalformedMediaException {
    return parseMultivariant(lines(text));
  }

  /**
   * Splits {@code text} into lines without their LF or CRLF terminators, checking the caps, the
   * characters (RFC 8216 §4.1) and the {@code #EXTM3U} first line (§4.3.1.1).
   */
  static List<String> lines(String text) throws MalformedMediaException {
    List<String> lines = new ArrayList<>();
    int n = text.length();
    int start = 0;
    while (start < n) {
      if (lines.size() == MAX_LINES) {
        throw MalformedMediaException.atLine(MAX_LINES + 1, "more than " + MAX_LINES + " lines");
      }
      int lineNumber = lines.size() + 1;
      int end = start;
      while (end < n && text.charAt(end) != '\n') {
        if (end - start >= MAX_LINE_LENGTH) {
          throw MalformedMediaException.atLine(
              lineNumber, "line longer than " + MAX_LINE_LENGTH + " characters");
        }
        end++;
      }
      int contentEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      for (int i = start; i < contentEnd; i++) {
        if (PlaylistText.isForbiddenControl(text.charAt(i))) {
          throw MalformedMediaException.atLine(
              lineNumber,
              String.format(
                  "control character U+%04X in column %d", (int) text.charAt(i), i - start + 1));
        }
      }
      lines.add(text.substring(start, contentEnd));
      start = end + 1;
    }
    if (lines.isEmpty() || !lines.get(0).equals("#EXTM3U")) {
      throw MalformedMediaException.atLine(1, "first line must be #EXTM3U (RFC 8216 §4.3.1.1)");
    }
    return lines;
  }

  /** The tag name of a tag line ("#EXT-X-PART" of "#EXT-X-PART:..."), or "" for any other line. */
  static String tagName(String line) {
    if (!line.startsWith("#EXT")) {
      return "";
    }
    int colon = line.indexOf(':');
    return colon < 0 ? line : line.substring(0, colon);
  }

  /** The text after the tag name's colon, or {@code null} if the line has none. */
  static String tagValue(String line) {
    int colon = line.indexOf(':');
    return colon < 0 ? null : line.substring(colon + 1);
  }

  /** The message of an exception from the model or a value parser, for a line-numbered error. */
  static String describe(RuntimeException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static MultivariantPlaylist parseMultivariant(List<String> lines)
      throws MalformedMediaException {
    boolean independentSegments = false;
    List<Variant> variants = new ArrayList<>();
    StreamInf pending = null;
    int pendingLine = 0;
    for (int index = 1; index < lines.size(); index++) {
      String line = lines.get(index);
      int lineNumber = index + 1;
      String tag = tagName(line);
      try {
        if (tag.equals(STREAM_INF)) {
          if (pending != null) {
            throw new IllegalArgumentException("EXT-X-STREAM-INF without a URI line before it");
          }
          pending = streamInf(AttributeList.parse(tag, tagValue(line)));
          pendingLine = lineNumber;
        } else if (tag.equals("#EXT-X-INDEPENDENT-SEGMENTS")) {
          independentSegments = true;
        } else if (MEDIA_PLAYLIST_TAGS.contains(tag)) {
          throw new IllegalArgumentException(
              tag + " belongs in a Media Playlist, not a Multivariant one (RFC 8216 §4.1)");
        } else if (!line.isEmpty() && line.charAt(0) != '#') {
          if (pending == null) {
            throw new IllegalArgumentException("URI line without EXT-X-STREAM-INF");
          }
          variants.add(pending.toVariant(line));
          pending = null;
        }
      } catch (IllegalArgumentException | DateTimeException e) {
        throw MalformedMediaException.atLine(lineNumber, describe(e));
      }
    }
    if (pending != null) {
      throw MalformedMediaException.atLine(pendingLine, "EXT-X-STREAM-INF without a URI line");
    }
    return new MultivariantPlaylist(independentSegments, variants);
  }

  /** The attributes of an {@code EXT-X-STREAM-INF} (RFC 8216 §4.3.4.2), checked on its own line. */
  private record StreamInf(
      long bandwidthBps,
      OptionalLong averageBandwidthBps,
      List<String> codecs,
      Optional<Variant.Resolution> resolution,
      OptionalDouble frameRate) {
    Variant toVariant(String uri) {
      return new Variant(uri, bandwidthBps, averageBandwidthBps, codecs, resolution, frameRate);
    }
  }

  private static StreamInf streamInf(AttributeList attributes) {
    List<String> codecs =
        attributes.quotedString("CODECS").map(c -> List.of(c.split(",", -1))).orElse(List.of());
    codecs.forEach(Variant::requireCodec);
    OptionalLong frameRateMilli = attributes.scaled("FRAME-RATE", 3, false);
    return new StreamInf(
        attributes.requiredDecimalInteger("BANDWIDTH"),
        attributes.decimalInteger("AVERAGE-BANDWIDTH"),
        codecs,
        attributes.unquoted("RESOLUTION").map(PlaylistParser::resolution),
        frameRateMilli.isPresent()
            ? OptionalDouble.of(Variant.requireFrameRate(frameRateMilli.getAsLong() / 1000.0))
            : OptionalDouble.empty());
  }

  /** A decimal-resolution {@code <width>x<height>} (RFC 8216 §4.2). */
  private static Variant.Resolution resolution(String text) {
    int x = text.indexOf('x');
    if (x < 0) {
      throw new IllegalArgumentException("RESOLUTION is not WIDTHxHEIGHT");
    }
    return new Variant.Resolution(
        PlaylistText.parseIntBounded(text.substring(0, x), "width"),
        PlaylistText.parseIntBounded(text.substring(x + 1), "height"));
  }
}
