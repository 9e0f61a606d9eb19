package io.hlspipeline.events;

import java.util.Map;

/**
 * The Kafka topics of the pipeline, named once and shared by code and tests.
 *
 * <p>Every topic is keyed by stream id, so one stream's records stay in order on one partition.
 */
public final class Topics {
  /** Raw MPEG-TS chunks and publish control records, written by ingest-service. */
  public static final TopicSpec INGEST =
      new TopicSpec(
          "hls.ingest",
          24,
          Map.of("retention.ms", String.valueOf(6L * 3600 * 1000), "max.message.bytes", "1048576"));

  /** SegmentReady / PartReady / StreamEnded events, written by segmenter-service. */
  public static final TopicSpec SEGMENTS =
      new TopicSpec(
          "hls.segments", 24, Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000)));

  /** Each stream's resume point (compacted, key = stream id), written by segmenter-service. */
  public static final TopicSpec SEGMENTER_STATE =
      new TopicSpec("hls.segmenter.state", 24, Map.of("cleanup.policy", "compact"));

  /**
   * Each stream's stream-key epoch ({@code KeyEpoch}, compacted, key = stream id), written by
   * ingest's admin endpoint and read whole by every ingest replica; one partition is plenty.
   */
  public static final TopicSpec KEY_EPOCHS =
      new TopicSpec("hls.keys.epochs", 1, Map.of("cleanup.policy", "compact"));

  /**
   * Publish sessions a newer session of their stream replaced ({@code SessionSuperseded},
   * compacted, key = stream id), written by segmenter-service and followed by every ingest replica,
   * which stops the superseded publisher; one partition is plenty.
   */
  public static final TopicSpec INGEST_SUPERSEDED =
      new TopicSpec("hls.ingest.superseded", 1, Map.of("cleanup.policy", "compact"));

  private Topics() {}

  /**
   * A topic's name, default partition count and topic configs.
   *
   * @param name the topic name
   * @param partitions default partition count when the pipeline creates it
   * @param configs topic-level configs applied at creation
   */
  public record TopicSpec(String name, int partitions, Map<String, String> configs) {
    public TopicSpec {
      configs = Map.copyOf(configs);
    }
  }
}
