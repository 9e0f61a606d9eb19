package io.hlspipeline.segmenter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Meters of segmenter-service: {@code hls.segmenter.segments} (segments stored and announced),
 * {@code hls.segmenter.parts} (low-latency parts stored and announced), {@code
 * hls.segmenter.malformed} (streams whose cutter had to be reset), {@code
 * hls.segmenter.chunks.skipped} (chunks of no open session), {@code hls.segmenter.streams} (open
 * streams on this worker), {@code hls.segmenter.restarts} (worker restarts after a Kafka or storage
 * failure), {@code hls.segmenter.segment.ready.latency} (see {@link #segmentReady}). Thread-safe.
 */
public final class SegmenterMetrics {
  private final Counter segments;
  private final Counter parts;
  private final Counter malformed;
  private final Counter skippedChunks;
  private final Counter restarts;
  private final Timer segmentReadyLatency;

  public SegmenterMetrics(MeterRegistry registry, IntSupplier openStreams) {
    segments = Counter.builder("hls.segmenter.segments").register(registry);
    parts = Counter.builder("hls.segmenter.parts").register(registry);
    malformed = Counter.builder("hls.segmenter.malformed").register(registry);
    skippedChunks = Counter.builder("hls.segmenter.chunks.skipped").register(registry);
    restarts = Counter.builder("hls.segmenter.restarts").register(registry);
    segmentReadyLatency =
        Timer.builder("hls.segmenter.segment.ready.latency")
            .description(
                "from ingest handing over the record that completed a segment to the commit of the"
                    + " transaction publishing its SegmentReady")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(10))
            .maximumExpectedValue(Duration.ofMinutes(2))
            .register(registry);
    Gauge.builder("hls.segmenter.streams", openStreams::getAsInt).register(registry);
  }

  public void segmentPublished() {
    segments.increment();
  }

  /**
   * Records one segment's ready latency, {@code hls.segmenter.segment.ready.latency} (a timer with
   * a percentile histogram, 10 ms to 2 min buckets, for Prometheus' {@code histogram_quantile}):
   * from the {@code hls-ingest-time} header of the {@code hls.ingest} record whose processing
   * completed the segment (the chunk holding the next keyframe, or the session's PublishEnded or a
   * newer session's PublishStarted) to the commit of the Kafka transaction that published its
   * SegmentReady, on this worker's clock. So it covers the Kafka hop, the batch's wait, the upload
   * to every storage server and the commit, not the encoder's GOP. The two ends are two hosts' wall
   * clocks: their skew is in it, and a negative span (skew) counts as zero. Segments re-published
   * from a backlog (take-over, catch-up) count with their real, long latency; segments closed for
   * want of records (idle timeout) are not timed.
   */
  public void segmentReady(Duration latency) {
    segmentReadyLatency.record(latency.isNegative() ? Duration.ZERO : latency);
  }

  public void partsPublished(int count) {
    parts.increment(count);
  }

  public void malformed() {
    malformed.increment();
  }

  public void chunkSkipped() {
    skippedChunks.increment();
  }

  public void restarted() {
    restarts.increment();
  }
}
