package io.hlspipeline.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of {@link SegmentStore} that need no server; the rest is in SegmentStoreIT. */
class SegmentStoreTest {

  private static List<S3Endpoint> endpoints(String... ids) {
    return java.util.Arrays.stream(ids)
        .map(
            id ->
                new S3Endpoint(id, URI.create("http://127.0.0.1:9"), "us-east-1", "a", "s", "hls"))
        .toList();
  }

  @Test
  void segmentKey_formatsStreamRenditionSessionMsnExt() {
    assertThat(SegmentStore.segmentKey("cam1", "src", "s-7f3a", 42, "ts"))
        .isEqualTo("cam1/src/s-7f3a/42.ts");
    assertThat(SegmentStore.segmentKey("cam1", "src", "s1", 0, "m4s"))
        .isEqualTo("cam1/src/s1/0.m4s");
  }

  @Test
  void partKey_sitsBesideItsSegment() {
    assertThat(SegmentStore.partKey("cam1", "src", "s1", 42, 3, "m4s"))
        .isEqualTo("cam1/src/s1/42.3.m4s");
  }

  @Test
  void segmentKey_invalidComponents_rejected() {
    assertThatThrownBy(() -> SegmentStore.segmentKey("a/b", "src", "s", 1, "ts"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamId");
    assertThatThrownBy(() -> SegmentStore.segmentKey("a", "", "s", 1, "ts"))
        .hasMessageContaining("rendition");
    assertThatThrownBy(() -> SegmentStore.segmentKey("a", "src", "..", 1, "ts"))
        .hasMessageContaining("sessionId");
    assertThatThrownBy(() -> SegmentStore.segmentKey("a", "src", "s", -1, "ts"))
        .hasMessageContaining("msn");
    assertThatThrownBy(() -> SegmentStore.segmentKey("a", "src", "s", 1, ".ts"))
        .hasMessageContaining("ext");
  }

  @Test
  void new_replicationFactorOutOfRange_rejected() {
    var registry = new SimpleMeterRegistry();

    assertThatThrownBy(() -> new SegmentStore(endpoints("a", "b"), 3, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicationFactor");
    assertThatThrownBy(() -> new SegmentStore(endpoints("a", "b"), 0, registry))
        .hasMessageContaining("replicationFactor");
    assertThatThrownBy(
            () ->
                new SegmentStore(
                    endpoints("a", "b"),
                    1,
                    SegmentStoreOptions.defaults().withMinSuccessfulWrites(2),
                    registry))
        .hasMessageContaining("minSuccessfulWrites");
  }

  @Test
  void placement_matchesRendezvousRankingOfConfiguredIds() {
    try (SegmentStore store =
        new SegmentStore(
            endpoints("rgw-a", "rgw-b", "rgw-c", "rgw-d"), 2, new SimpleMeterRegistry())) {
      assertThat(store.placement("cam1/src/s1/0.ts"))
          .containsExactly("rgw-b", "rgw-c", "rgw-d", "rgw-a");
    }
  }
}
