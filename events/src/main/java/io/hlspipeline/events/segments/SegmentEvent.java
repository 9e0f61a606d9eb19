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
  int SCHEMA_VERSION = 1;

  /** Schema version of this event's encoding. */
  int v();

  String streamId();

  String sessionId();
}
