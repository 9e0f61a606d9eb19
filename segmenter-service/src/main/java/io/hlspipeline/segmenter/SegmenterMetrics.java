package io.hlspipeline.segmenter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * Meters of segmenter-service: {@code hls.segmenter.segments} (segments stored and announced),
 * {@code hls.segmenter.parts} (low-latency parts stored and announced), {@code
 * hls.segmenter.malformed} (streams whose cutter had to be reset), {@code
 * hls.segmenter.chunks.skipped} (chunks of no open session), {@code hls.segmenter.streams} (open
 * streams on this worker), {@code hls.segmenter.restarts} (worker restarts after a Kafka or storage
 * failure). Thread-safe.
 */
public final class SegmenterMetrics {
  private final Counter segments;
  private final Counter parts;
  private final Counter malformed;
  private final Counter skippedChunks;
  private final Counter restarts;

  public SegmenterMetrics(MeterRegistry registry, IntSupplier openStreams) {
    segments = Counter.builder("hls.segmenter.segments").register(registry);
    parts = Counter.builder("hls.segmenter.parts").register(registry);
    malformed = Counter.builder("hls.segmenter.malformed").register(registry);
    skippedChunks = Counter.builder("hls.segmenter.chunks.skipped").register(registry);
    restarts = Counter.builder("hls.segmenter.restarts").register(registry);
    Gauge.builder("hls.segmenter.streams", openStreams::getAsInt).register(registry);
  }

  public void segmentPublished() {
    segments.increment();
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
