package io.hlspipeline.segmenter;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SegmenterMetricsTest {
  @Test
  void segmentReady_exposesHistogramBuckets_forHistogramQuantile_andCountsSkewAsZero() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SegmenterMetrics metrics = new SegmenterMetrics(registry, () -> 0);

    metrics.segmentReady(Duration.ofMillis(1500));
    metrics.segmentReady(Duration.ofMillis(-200)); // ingest's clock ahead of the worker's

    String scrape = registry.scrape();
    // the series the dashboard's p50/p95 query: cumulative buckets, 10 ms .. 2 min
    assertThat(scrape)
        .contains("hls_segmenter_segment_ready_latency_seconds_bucket{le=\"0.01\"} 1")
        .contains("hls_segmenter_segment_ready_latency_seconds_bucket{le=\"+Inf\"} 2")
        .contains("hls_segmenter_segment_ready_latency_seconds_count 2")
        .contains("hls_segmenter_segment_ready_latency_seconds_sum 1.5");
    assertThat(
            scrape
                .lines()
                .filter(l -> l.startsWith("hls_segmenter_segment_ready_latency_seconds_bucket"))
                .count())
        .isGreaterThan(10);
  }
}
