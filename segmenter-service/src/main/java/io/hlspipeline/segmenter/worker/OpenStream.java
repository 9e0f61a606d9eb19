package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.media.cut.CutPart;
import io.hlspipeline.media.fmp4.Fmp4PartWriter;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * An open stream of a worker: its cutter and its {@code hls.ingest} partition; fMP4 streams with
 * parts also convert each TS part ({@code partWriter}) and keep the cut parts it holds back until
 * released ({@code heldParts}).
 */
record OpenStream(
    StreamSegmenter segmenter,
    TopicPartition partition,
    Fmp4PartWriter partWriter,
    List<CutPart> heldParts) {
  OpenStream(StreamSegmenter segmenter, TopicPartition partition) {
    this(
        segmenter,
        partition,
        segmenter.format() == SegmentFormat.FMP4 ? new Fmp4PartWriter() : null,
        new ArrayList<>());
  }

  String streamId() {
    return segmenter.streamId();
  }
}
