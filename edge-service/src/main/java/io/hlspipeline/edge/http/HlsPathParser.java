package io.hlspipeline.edge.http;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.segments.SegmentFormat;
import java.util.regex.Pattern;

/**
 * Turns the raw (still percent-encoded) path of a viewer request into an {@link HlsRequest}, or
 * refuses it. Stateless and thread-safe.
 *
 * <p>The grammar is closed: {@code /hls/{streamId}/master.m3u8}, {@code
 * /hls/{streamId}/{rendition}/index.m3u8}, {@code /hls/{streamId}/{rendition}/{msn}.ts} (or {@code
 * .m4s}), {@code /hls/{streamId}/{rendition}/{msn}.{part}.ts} (or {@code .m4s}: a low-latency
 * part), {@code /hls/{streamId}/{rendition}/init-{16 hex digits}.mp4}. Every path segment must
 * match its own pattern over a small ASCII alphabet, so percent-escapes ({@code %2F}, {@code %2e}),
 * dot segments, empty segments, backslashes and non-ASCII never reach a lookup and no request can
 * name an object outside its stream. The msn must be canonical (no sign, no leading zeros) so one
 * segment (and part) has exactly one URL, which keeps CDN caches from fragmenting.
 */
public final class HlsPathParser {
  /** The prefix every viewer path starts with. */
  public static final String PREFIX = "/hls/";

  /** Longest path considered; real ones are under 120 characters. */
  static final int MAX_PATH_CHARS = 256;

  /** Rendition ids: lowercase letters, digits, '_' and '-', 1 to 32 characters. */
  public static final Pattern RENDITION = Pattern.compile("[a-z0-9_-]{1,32}");

  /** 18 digits always fit a signed 64-bit long (max is 19 digits, 9223372036854775807). */
  static final int MAX_MSN_DIGITS = 18;

  /** Part indexes: up to 6 digits (a segment has a few dozen parts at most). */
  static final int MAX_PART_DIGITS = 6;

  static final String MASTER = "master.m3u8";
  static final String INDEX = "index.m3u8";
  static final String TS_SUFFIX = ".ts";
  static final String M4S_SUFFIX = ".m4s";

  /** fMP4 init segments: {@code init-} + 16 lowercase hex digits of their content hash. */
  static final Pattern INIT = Pattern.compile("init-[0-9a-f]{16}\\.mp4");

  /**
   * Parses a raw path such as {@code /hls/live1/src/42.ts}. A query string must already be split
   * off (it is not part of the path).
   *
   * @throws BadPathException with status 400 for a malformed path, 404 for a well-formed path that
   *     names no kind of resource the edge serves
   */
  public HlsRequest parse(String rawPath) throws BadPathException {
    if (rawPath == null || rawPath.isEmpty()) {
      throw BadPathException.malformed("empty path");
    }
    if (rawPath.length() > MAX_PATH_CHARS) {
      throw BadPathException.malformed("path too long");
    }
    if (!rawPath.startsWith(PREFIX)) {
      throw BadPathException.notServed("not an HLS path");
    }
    String[] parts = rawPath.substring(PREFIX.length()).split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw BadPathException.malformed(
          "expected /hls/{stream}/master.m3u8 or /hls/{stream}/{rendition}/{file}");
    }
    String streamId = parts[0];
    if (!StreamIds.isValid(streamId)) {
      throw BadPathException.malformed("invalid stream id");
    }
    if (parts.length == 2) {
      if (!parts[1].equals(MASTER)) {
        throw fileError(parts[1]);
      }
      return new HlsRequest.Multivariant(streamId);
    }
    String rendition = parts[1];
    if (!RENDITION.matcher(rendition).matches()) {
      throw BadPathException.malformed("invalid rendition");
    }
    String file = parts[2];
    if (file.equals(INDEX)) {
      return new HlsRequest.MediaPlaylist(streamId, rendition);
    }
    if (file.endsWith(TS_SUFFIX)) {
      return segmentOrPart(
          streamId,
          rendition,
          file.substring(0, file.length() - TS_SUFFIX.length()),
          SegmentFormat.TS);
    }
    if (file.endsWith(M4S_SUFFIX)) {
      return segmentOrPart(
          streamId,
          rendition,
          file.substring(0, file.length() - M4S_SUFFIX.length()),
          SegmentFormat.FMP4);
    }
    if (INIT.matcher(file).matches()) {
      return new HlsRequest.Init(streamId, rendition, file);
    }
    throw fileError(file);
  }

  /** {@code {msn}} names a segment, {@code {msn}.{part}} a low-latency part. */
  private static HlsRequest segmentOrPart(
      String streamId, String rendition, String stem, SegmentFormat format)
      throws BadPathException {
    int dot = stem.indexOf('.');
    if (dot < 0) {
      return new HlsRequest.Segment(streamId, rendition, parseMsn(stem), format);
    }
    long msn = parseMsn(stem.substring(0, dot));
    String part = stem.substring(dot + 1);
    if (part.length() > MAX_PART_DIGITS) {
      throw BadPathException.malformed("invalid part number");
    }
    return new HlsRequest.Part(streamId, rendition, msn, (int) parseMsn(part), format);
  }

  private static BadPathException fileError(String file) {
    // A plain unknown name (say "foo.mp4") is merely not served; anything with odd characters is
    // malformed.
    for (int i = 0; i < file.length(); i++) {
      char c = file.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!plain || file.contains("..")) {
        return BadPathException.malformed("invalid file name");
      }
    }
    return file.isEmpty()
        ? BadPathException.malformed("empty file name")
        : BadPathException.notServed("no such resource");
  }

  /** Canonical non-negative decimal: "0" or [1-9][0-9]{0,17}. */
  static long parseMsn(String digits) throws BadPathException {
    int n = digits.length();
    if (n == 0 || n > MAX_MSN_DIGITS) {
      throw BadPathException.malformed("invalid segment number");
    }
    if (n > 1 && digits.charAt(0) == '0') {
      throw BadPathException.malformed("invalid segment number");
    }
    long value = 0;
    for (int i = 0; i < n; i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        throw BadPathException.malformed("invalid segment number");
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
