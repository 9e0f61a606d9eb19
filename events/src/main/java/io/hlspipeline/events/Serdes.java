package io.hlspipeline.events;

import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.json.JsonSerde;
import io.hlspipeline.events.keys.KeyEpoch;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.state.SegmenterState;

/** One serde per topic value type. Instances are stateless and thread-safe. */
public final class Serdes {
  private Serdes() {}

  /** Control records of {@code hls.ingest} (chunk values are raw bytes). */
  public static JsonSerde<IngestControl> ingestControl() {
    return new JsonSerde<>(IngestControl.class, Topics.INGEST.name());
  }

  /** Values of {@code hls.segments}. */
  public static JsonSerde<SegmentEvent> segmentEvent() {
    return new JsonSerde<>(SegmentEvent.class, Topics.SEGMENTS.name());
  }

  /** Values of {@code hls.segmenter.state}. */
  public static JsonSerde<SegmenterState> segmenterState() {
    return new JsonSerde<>(SegmenterState.class, Topics.SEGMENTER_STATE.name());
  }

  /** Values of {@code hls.keys.epochs}. */
  public static JsonSerde<KeyEpoch> keyEpoch() {
    return new JsonSerde<>(KeyEpoch.class, Topics.KEY_EPOCHS.name());
  }

  /** Values of {@code hls.ingest.superseded}. */
  public static JsonSerde<SessionSuperseded> sessionSuperseded() {
    return new JsonSerde<>(SessionSuperseded.class, Topics.INGEST_SUPERSEDED.name());
  }
}
