package io.hlspipeline.containers.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DashboardQueriesTest {
  @Test
  void metricNamesOf_keepsSeriesNames_dropsFunctionsLabelsAndClauses() {
    assertThat(
            DashboardQueries.metricNamesOf(
                "sum by (pod) (rate(hls_ingest_bytes_total{namespace=\"$ns\",x=~\"a|b\"}[1m])) * 8"))
        .containsExactly("hls_ingest_bytes_total");
    assertThat(
            DashboardQueries.metricNamesOf(
                "sum(rate(a_seconds_sum[2m])) / sum without (le) (rate(a_seconds_count[2m])) > bool 0"
                    + " or on (pod) vector(0)"))
        .containsExactly("a_seconds_count", "a_seconds_sum");
    assertThat(DashboardQueries.metricNamesOf("max by (pod, client_id) (lag{result=\"hit\"})"))
        .containsExactly("lag");
    assertThat(
            DashboardQueries.metricNamesOf(
                "histogram_quantile(0.95, sum by (le) (rate(a_seconds_bucket{namespace=\"$ns\"}[2m])))"))
        .containsExactly("a_seconds_bucket");
  }

  @Test
  void metricNames_ofTheChartsDashboard_coverTheIssuesPanels() throws Exception {
    Path dashboard =
        Path.of(System.getProperty("hls.repoRoot", ".."))
            .resolve("helm/hls-pipeline/dashboards/hls-pipeline.json");
    assertThat(DashboardQueries.metricNames(dashboard))
        .contains(
            "hls_ingest_stream_bytes_total",
            "hls_segmenter_segment_ready_latency_seconds_bucket",
            "hls_ingest_bytes_total",
            "hls_storage_put_seconds_sum",
            "hls_edge_requests_seconds_count",
            "hls_edge_cache_requests_total",
            "hls_edge_follower_lag_records")
        .allMatch(n -> n.matches("[a-z_]+"));
  }
}
