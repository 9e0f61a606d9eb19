package io.hlspipeline.events.segments;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * The container of a stream's media segments: MPEG-TS (RFC 8216bis §3.3) or fragmented MP4 / CMAF
 * (§3.2, with an init segment named by {@code EXT-X-MAP}). In JSON and configuration: {@code ts},
 * {@code fmp4}.
 */
public enum SegmentFormat {
  @JsonProperty("ts")
  TS("ts", "ts", "video/mp2t"),
  @JsonProperty("fmp4")
  FMP4("fmp4", "m4s", "video/iso.segment");

  /** Content type of an fMP4 init segment (RFC 8216bis §3.2, ISO/IEC 14496-12 file). */
  public static final String INIT_CONTENT_TYPE = "video/mp4";

  /** File extension of an fMP4 init segment. */
  public static final String INIT_EXTENSION = "mp4";

  private final String id;
  private final String segmentExtension;
  private final String contentType;

  SegmentFormat(String id, String segmentExtension, String contentType) {
    this.id = id;
    this.segmentExtension = segmentExtension;
    this.contentType = contentType;
  }

  /** {@code ts} or {@code fmp4}. */
  public String id() {
    return id;
  }

  /** The media segment's file extension: {@code ts} or {@code m4s}. */
  public String segmentExtension() {
    return segmentExtension;
  }

  /** The media segment's content type: {@code video/mp2t} or {@code video/iso.segment}. */
  public String contentType() {
    return contentType;
  }

  /**
   * @param id {@code ts} or {@code fmp4}, any case
   * @throws IllegalArgumentException for anything else, with a one-line reason
   */
  public static SegmentFormat parse(String id) {
    String lower = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
    for (SegmentFormat f : values()) {
      if (f.id.equals(lower)) {
        return f;
      }
    }
    throw new IllegalArgumentException("segment format must be ts or fmp4");
  }
}
