package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.state.SegmenterState;
import org.apache.kafka.common.TopicPartition;

/**
 * A stream awaiting a reconnect: its {@code hls.ingest} partition and its committed (or to be
 * committed) state, whose {@code graceUntil} is set.
 */
record Awaiting(TopicPartition partition, SegmenterState state) {
  String streamId() {
    return state.streamId();
  }
}
