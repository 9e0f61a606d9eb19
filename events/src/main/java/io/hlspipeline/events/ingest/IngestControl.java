package io.hlspipeline.events.ingest;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hlspipeline.events.segments.SegmentFormat;
import java.time.Instant;
import java.util.Objects;

/**
 * Control records of the {@code hls.ingest} topic (JSON, with {@code type} and schema version
 * {@code v}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IngestControl.PublishStarted.class, name = "PublishStarted"),
  @JsonSubTypes.Type(value = IngestControl.PublishEnded.class, name = "PublishEnded")
})
public sealed interface IngestControl {
  /**
   * 2: {@link PublishStarted} gained {@code segmentFormat}; its absence (schema 1) means the
   * segmenter's default.
   */
  int SCHEMA_VERSION = 2;

  String streamId();

  String sessionId();

  /**
   * A broadcaster started publishing.
   *
   * @param startedAt wall time of the session start; program-date-time of every segment derives
   *     from it
   * @param source the ingest protocol, {@code http} or {@code rtmp}
   * @param continuesPrevious true when a broadcaster reconnected within the grace period: the
   *     segmenter marks a discontinuity instead of ending the stream
   * @param segmentFormat the segment container the publisher asked for; null: the segmenter's
   *     configured default ({@code HLS_SEGMENT_FORMAT})
   */
  record PublishStarted(
      int v,
      String streamId,
      String sessionId,
      Instant startedAt,
      String source,
      boolean continuesPrevious,
      SegmentFormat segmentFormat)
      implements IngestControl {
    public PublishStarted {
      Objects.requireNonNull(streamId, "streamId");
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(startedAt, "startedAt");
    }

    /** A session in the segmenter's default format. */
    public PublishStarted(
        int v,
        String streamId,
        String sessionId,
        Instant startedAt,
        String source,
        boolean continuesPrevious) {
      this(v, streamId, sessionId, startedAt, source, continuesPrevious, null);
    }
  }

  /**
   * A broadcaster stopped publishing (clean end, error, or take-over by a new connection).
   *
   * @param reason short machine-readable reason: {@code eof}, {@code error}, {@code replaced},
   *     {@code shutdown}
   */
  record PublishEnded(int v, String streamId, String sessionId, Instant endedAt, String reason)
      implements IngestControl {
    public PublishEnded {
      Objects.requireNonNull(streamId, "streamId");
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(endedAt, "endedAt");
    }
  }
}
