package io.hlspipeline.events.segments;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Events of the {@code hls.segments} topic (key = stream id), JSON with {@code type} and schema
 * version {@code v}. Consumers read with read_committed and drop any event at or below the msn they
 * already hold.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = SegmentReady.class, name = "SegmentReady"),
  @JsonSubTypes.Type(value = PartReady.class, name = "PartReady"),
  @JsonSubTypes.Type(value = StreamEnded.class, name = "StreamEnded")
})
public sealed interface SegmentEvent permits SegmentReady, PartReady, StreamEnded {
  /**
   * 2: {@link SegmentReady} gained {@code segmentFormat}, {@code initKey} and {@code initServers};
   * readers take their absence (schema 1) as an MPEG-TS segment. {@link PartReady} is first
   * produced in schema 2 (no earlier encoding of it exists).
   */
  int SCHEMA_VERSION = 2;

  /** Schema version of this event's encoding. */
  int v();

  String streamId();

  String sessionId();
}
