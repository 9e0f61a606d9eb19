package io.hlspipeline.ingest.http;

import io.hlspipeline.events.segments.SegmentFormat;

/**
 * What a publisher may ask for in the ingest URL's query: {@code ?segment_format=ts|fmp4}, the
 * container of the stream's segments (absent: the segmenter's {@code HLS_SEGMENT_FORMAT}). Other
 * parameters are ignored. Stateless.
 */
final class PublishOptions {
  static final String SEGMENT_FORMAT = "segment_format";

  private PublishOptions() {}

  /**
   * @param rawQuery the query string without {@code ?}, or null
   * @return the requested format, or null for none
   * @throws IllegalArgumentException with a one-line reason (never echoing the value) for an
   *     unknown or repeated value
   */
  static SegmentFormat segmentFormat(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    SegmentFormat format = null;
    for (String pair : rawQuery.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (!name.equals(SEGMENT_FORMAT)) {
        continue;
      }
      if (format != null) {
        throw new IllegalArgumentException(SEGMENT_FORMAT + " given more than once");
      }
      format = SegmentFormat.parse(eq < 0 ? "" : pair.substring(eq + 1));
    }
    return format;
  }
}
